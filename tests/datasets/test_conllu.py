"""load_conllu and the generated agreement treebank: fields, arcs, errors, labels."""

import numpy as np
import pandas as pd
import pytest

from sklearn_probe.datasets import load_conllu, make_agreement_conllu

# A UD-style file: comments, a multiword token (2-3), an empty node (4.1),
# features, MISC, and a second sentence.
CONLLU = """\
# sent_id = fr-1
# text = Il du chat dort.
1\tIl\til\tPRON\tPRP\tNumber=Sing|Person=3\t4\tnsubj\t_\t_
2-3\tdu\t_\t_\t_\t_\t_\t_\t_\t_
2\tde\tde\tADP\tIN\t_\t4\tcase\t_\t_
3\tle\tle\tDET\tDT\tDefinite=Def\t4\tdet\t_\t_
4\tchat\tchat\tNOUN\tNN\tGender=Masc|Number=Sing\t0\troot\t_\t_
4.1\tdort\tdormir\tVERB\t_\t_\t_\t_\t4:conj\t_
5\tdort\tdormir\tVERB\tVBZ\tTense=Pres\t4\tacl\t_\tSpaceAfter=No
6\t.\t.\tPUNCT\t.\t_\t4\tpunct\t_\t_

1\tOui\toui\tINTJ\tUH\t_\t0\troot\t_\t_

"""


@pytest.fixture
def treebank(tmp_path):
    path = tmp_path / "tiny.conllu"
    path.write_text(CONLLU, encoding="utf-8")
    return path


def test_words_are_syntactic_words_with_their_fields(treebank):
    words = load_conllu(treebank)
    first = ("Il", "de", "le", "chat", "dort", ".")
    assert words["sample"].tolist() == [(first, i) for i in range(6)] + [(("Oui",), 0)]
    assert words["sentence"].tolist() == [0] * 6 + [1]
    assert words["sent_id"].tolist()[0] == "fr-1" and pd.isna(words["sent_id"][6])
    assert words["upos"].tolist() == [
        "PRON", "ADP", "DET", "NOUN", "VERB", "PUNCT", "INTJ"
    ]  # fmt: skip
    # Heads are 0-based word indices (UD's 4 is index 3); the root is -1.
    assert words["head"].tolist() == [3, 3, 3, -1, 3, 3, -1]
    assert words["feats"][3] == "Gender=Masc|Number=Sing"
    assert words["feats"][1] == ""
    number = words["feats:Number"]
    assert number.isna().tolist() == [False, True, True, False, True, True, True]
    assert number[0] == number[3] == "Sing"
    assert words["misc:SpaceAfter"][4] == "No"
    assert load_conllu(treebank, max_sentences=1)["sentence"].max() == 0


def test_arcs_pair_each_dependent_with_its_head(treebank):
    arcs = load_conllu(treebank, unit="arc")
    first = ("Il", "de", "le", "chat", "dort", ".")
    assert len(arcs) == 5  # six words, one root; "Oui" is a root alone
    assert arcs["sample"][0] == (first, (0, 1), (3, 4))
    assert arcs["deprel"].tolist() == ["nsubj", "case", "det", "acl", "punct"]
    assert arcs["head_form"].tolist() == ["chat"] * 5


def test_errors_name_the_problem(tmp_path, treebank):
    with pytest.raises(FileNotFoundError, match="No CoNLL-U file"):
        load_conllu(tmp_path / "missing.conllu")
    with pytest.raises(ValueError, match="'unit' parameter of load_conllu"):
        load_conllu(treebank, unit="sentence")
    with pytest.raises(ValueError, match="'max_sentences' parameter"):
        load_conllu(treebank, max_sentences=0)
    bad = tmp_path / "bad.conllu"
    bad.write_text("1\tA\ta\tX\tX\t_\t7\tdep\t_\t_\n\n", encoding="utf-8")
    with pytest.raises(ValueError, match="has head 7, which is not a word"):
        load_conllu(bad)
    empty = tmp_path / "empty.conllu"
    empty.write_text("# just a comment\n", encoding="utf-8")
    with pytest.raises(ValueError, match="holds no CoNLL-U sentence"):
        load_conllu(empty)


def test_generated_labels_are_exact_by_construction(tmp_path):
    path = tmp_path / "agreement.conllu"
    text = make_agreement_conllu(path, n_sentences=300, random_state=1)
    assert path.read_text(encoding="utf-8") == text
    assert make_agreement_conllu(n_sentences=300, random_state=1) == text
    words = load_conllu(path)
    verbs = words[words["upos"] == "VERB"]
    assert len(verbs) == 300 and (verbs["head"] == -1).all()
    by_position = words.set_index(["sentence", "index"])
    for _, verb in verbs.iterrows():
        sentence = words[words["sentence"] == verb["sentence"]]
        subject = sentence[sentence["deprel"] == "nsubj"].iloc[0]
        assert subject["head"] == verb["index"]
        assert verb["misc:SubjNumber"] == subject["feats:Number"]
        if verb["feats:Tense"] == "Pres":
            assert verb["feats:Number"] == subject["feats:Number"]
            assert verb["form"].endswith("s") == (subject["feats:Number"] == "Sing")
    nouns = words[words["upos"] == "NOUN"]
    plural = nouns["feats:Number"] == "Plur"
    assert (nouns["form"] != nouns["lemma"]).tolist() == plural.tolist()
    attractors = words[words["deprel"] == "nmod"]
    where = zip(attractors["sentence"], attractors["head"], strict=True)
    heads = by_position.loc[list(where)]
    assert (heads["deprel"] == "nsubj").all()
    # Both numbers, both tenses, attractors that match and that do not.
    match = attractors["feats:Number"].to_numpy() == heads["feats:Number"].to_numpy()
    assert 0.3 < match.mean() < 0.7
    assert set(verbs["feats:Tense"]) == {"Past", "Pres"}
    assert 0.4 < np.mean(verbs["misc:SubjNumber"] == "Plur") < 0.6


def test_generator_checks_its_arguments():
    with pytest.raises(ValueError, match="'n_sentences' parameter"):
        make_agreement_conllu(n_sentences=0)
