"""make_agreement_conllu returns a str that a notebook shows in one line."""

import pickle

from sklearn_probe.datasets import load_conllu, make_agreement_conllu


def test_the_returned_text_shows_in_one_short_line(tmp_path):
    path = tmp_path / "agreement.conllu"
    text = make_agreement_conllu(path, n_sentences=1000, random_state=0)
    written = path.read_text(encoding="utf-8")
    assert len(written) > 200_000
    assert text == written and isinstance(text, str)  # callers keep working
    assert repr(text) == (
        f"<CoNLL-U text: 1000 sentences, {len(written):,} characters, "
        f"written to {str(path)!r}>"
    )
    assert text.path == path
    assert str(text) == written  # print() shows the whole file
    assert pickle.loads(pickle.dumps(text)) == written
    sentences = load_conllu(text.path, unit="word")["sentence"].nunique()
    assert sentences == 1000


def test_a_text_not_written_says_so():
    text = make_agreement_conllu(n_sentences=3, random_state=1)
    assert repr(text) == f"<CoNLL-U text: 3 sentences, {len(text):,} characters>"
    assert text.path is None
