"""WordHiddenStateTransformer: alignment for three tokenizer families, inputs, cache."""

import json
import os
import pickle

import numpy as np
import pytest
from helpers import count_forward_rows
from sklearn.base import clone
from sklearn.exceptions import NotFittedError

from sklearn_probe import WordHiddenStateTransformer, sentence_groups
from sklearn_probe.hidden._models import load_model

SENTENCES = [
    ("The", "dogs", "near", "the", "cabinet", "bark", "."),
    ("a", "good", "film"),
    ("unbelievable", "qwxz", "stories", "were", "told", "!"),
    ("I", "love", "it"),
    ("brilliant",),
    ("the", "keys", "to", "the", "cabinets", "are", "here", "today"),
]
SP_TEXTS = [" ".join(s) for s in SENTENCES] + [
    "the dogs bark at the cat",
    "a cat sleeps in the sun",
    "the keys to the cabinet are on the table",
]


def _sentencepiece(prepend_scheme):
    """A Unigram (SentencePiece) tokenizer trained here, as a tokenizers object."""
    from tokenizers import SentencePieceUnigramTokenizer, Tokenizer

    sp = SentencePieceUnigramTokenizer()
    sp.train_from_iterator(
        SP_TEXTS * 3,
        vocab_size=120,
        special_tokens=["<pad>", "</s>", "<unk>", "<s>"],
        unk_token="<unk>",
    )
    spec = json.loads(sp._tokenizer.to_str())
    spec["pre_tokenizer"]["prepend_scheme"] = prepend_scheme
    return Tokenizer.from_str(json.dumps(spec))


def _save_tiny(path, tokenizer, config, model_class):
    import torch

    tokenizer.save_pretrained(path)
    torch.manual_seed(0)
    model_class(config).eval().save_pretrained(path)
    return str(path)


def make_t5(path):
    """A tiny random T5 (SentencePiece, encoder used) saved at ``path``."""
    from transformers import T5Config, T5Model, T5Tokenizer

    tokenizer = T5Tokenizer(
        tokenizer_object=_sentencepiece("always"),
        eos_token="</s>",
        unk_token="<unk>",
        pad_token="<pad>",
        extra_ids=0,
    )
    config = T5Config(
        vocab_size=len(tokenizer),
        d_model=16,
        d_kv=8,
        d_ff=32,
        num_layers=2,
        num_heads=2,
        decoder_start_token_id=0,
    )
    return _save_tiny(path, tokenizer, config, T5Model)


def make_llama(path):
    """A tiny random Llama decoder with a SentencePiece tokenizer that adds BOS."""
    from transformers import LlamaConfig, LlamaModel, LlamaTokenizer

    tokenizer = LlamaTokenizer(
        tokenizer_object=_sentencepiece("first"),
        bos_token="<s>",
        eos_token="</s>",
        unk_token="<unk>",
        add_bos_token=True,
        add_eos_token=False,
    )
    config = LlamaConfig(
        vocab_size=len(tokenizer),
        hidden_size=16,
        intermediate_size=32,
        num_hidden_layers=2,
        num_attention_heads=2,
        num_key_value_heads=2,
        max_position_embeddings=256,
    )
    return _save_tiny(path, tokenizer, config, LlamaModel)


@pytest.fixture(scope="module")
def tiny_t5(tmp_path_factory):
    return make_t5(tmp_path_factory.mktemp("tiny-t5"))


@pytest.fixture(scope="module")
def tiny_llama(tmp_path_factory):
    return make_llama(tmp_path_factory.mktemp("tiny-llama"))


FAMILIES = ["tiny_bert", "tiny_gpt2", "tiny_t5", "tiny_llama"]


def _reference_ids(tokenizer, words, family):
    """Token ids of each word alone, tokenized as after a space, plus specials."""
    if family == "tiny_gpt2":
        pieces = [tokenizer(" " + w, add_special_tokens=False).input_ids for w in words]
    else:
        pieces = [tokenizer(w, add_special_tokens=False).input_ids for w in words]
    before = {
        "tiny_bert": [tokenizer.cls_token_id],
        "tiny_llama": [tokenizer.bos_token_id],
    }.get(family, [])
    after = {
        "tiny_bert": [tokenizer.sep_token_id],
        "tiny_t5": [tokenizer.eos_token_id],
    }.get(family, [])
    return before, pieces, after


def reference_word_vectors(path, family, words, subword, dtype=None):
    """``(n_words, n_layers, width)`` of one sentence run alone (weights in
    ``dtype``, e.g. ``torch.bfloat16``), tokens counted by hand."""
    import torch
    from transformers import AutoModel, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(path)
    model = AutoModel.from_pretrained(path, dtype=dtype).eval()
    if getattr(model.config, "is_encoder_decoder", False):
        model = model.get_encoder()
    before, pieces, after = _reference_ids(tokenizer, words, family)
    ids = before + [i for p in pieces for i in p] + after
    # The word-by-word tokens are the tokens of the running text (for GPT-2,
    # of the text after a space): the alignment changes no token.
    text = " ".join(words)
    natural = tokenizer(" " + text if family == "tiny_gpt2" else text).input_ids
    assert ids == natural, (ids, natural)
    with torch.no_grad():
        out = model(torch.tensor([ids]), output_hidden_states=True)
    hidden = torch.stack(out.hidden_states)[:, 0].float().numpy()  # (L, T, D)
    vectors, position = [], len(before)
    for p in pieces:
        assert p, "every test word must give at least one token"
        tokens = hidden[:, position : position + len(p)]
        position += len(p)
        pooled = {"first": tokens[:, 0], "last": tokens[:, -1]}.get(subword)
        vectors.append(tokens.mean(axis=1) if pooled is None else pooled)
    return np.stack(vectors)


def _all_words(sentences):
    return [(s, i) for s in sentences for i in range(len(s))]


# -- alignment --------------------------------------------------------------


@pytest.mark.parametrize("subword", ["first", "last", "mean"])
@pytest.mark.parametrize("family", FAMILIES)
def test_word_vectors_match_one_sentence_at_a_time_reference(request, family, subword):
    path = request.getfixturevalue(family)
    words = WordHiddenStateTransformer(
        path, layer="all", subword=subword, batch_size=2, device="cpu"
    )
    X = _all_words(SENTENCES)
    got = words.fit_transform(X).reshape(len(X), words.n_layers_, -1)
    row = 0
    for sentence in SENTENCES:
        expected = reference_word_vectors(path, family, sentence, subword)
        np.testing.assert_allclose(
            got[row : row + len(sentence)], expected, atol=1e-5, rtol=1e-4
        )
        row += len(sentence)


def test_bfloat16_weights_match_a_one_sentence_reference(tiny_llama):
    import torch

    words = WordHiddenStateTransformer(
        tiny_llama, layer="all", subword="mean", torch_dtype="bfloat16", batch_size=4
    )
    assert words.get_params()["torch_dtype"] == "bfloat16"
    X = _all_words(SENTENCES)
    got = words.fit_transform(X).reshape(len(X), words.n_layers_, -1)
    assert words._loaded.model.dtype == torch.bfloat16
    assert got.dtype == np.float32
    row = 0
    for sentence in SENTENCES:
        expected = reference_word_vectors(
            tiny_llama, "tiny_llama", sentence, "mean", dtype=torch.bfloat16
        )
        # bfloat16 keeps 8 significant bits: a few units of 2**-8 apart.
        np.testing.assert_allclose(
            got[row : row + len(sentence)], expected, rtol=2**-6, atol=2**-6
        )
        row += len(sentence)
    full = WordHiddenStateTransformer(tiny_llama, layer="all", subword="mean")
    full.fit(X)
    assert full.model_fingerprint_ != words.model_fingerprint_  # cached apart
    assert not np.array_equal(full.transform(X[:1]), got[:1].reshape(1, -1))
    with pytest.raises(ValueError, match="'torch_dtype' parameter"):
        WordHiddenStateTransformer(tiny_llama, torch_dtype="float64").fit(X)
    with pytest.raises(ValueError, match="'device_map' parameter"):
        WordHiddenStateTransformer(tiny_llama, device_map="balanced").fit(X)


def test_words_split_into_several_tokens_are_tested(tiny_bert, tiny_gpt2, tiny_t5):
    # The reference test would be weak if every word were one token.
    from transformers import AutoTokenizer

    for path in (tiny_bert, tiny_gpt2, tiny_t5):
        tokenizer = AutoTokenizer.from_pretrained(path)
        lengths = [
            len(tokenizer(" " + w, add_special_tokens=False).input_ids)
            for s in SENTENCES
            for w in s
        ]
        assert max(lengths) >= 3 and min(lengths) == 1


def test_gpt2_words_keep_their_leading_space(tiny_gpt2):
    # Without add_prefix_space, "dogs" fed alone would become d-o-g-s, not Ġdogs.
    from sklearn_probe.hidden._align import encode_sentences

    loaded = load_model(tiny_gpt2, "cpu")
    sentence = ("the", "dogs", "bark")
    ids, spans = encode_sentences(loaded, [sentence], max_length=64)
    tokens = loaded.tokenizer.convert_ids_to_tokens(ids[0])
    assert all(tokens[first].startswith("Ġ") for first, _ in spans[0])
    assert loaded.tokenizer.add_prefix_space is False  # the model's is unchanged


def test_spans_are_means_of_words_and_pairs_concatenate(tiny_bert):
    sentence = SENTENCES[0]
    word = WordHiddenStateTransformer(tiny_bert, layer=[1, 3], subword="mean")
    every = word.fit_transform(_all_words([sentence]))
    span = clone(word).fit_transform([(sentence, 1, 4)])
    np.testing.assert_allclose(span[0], every[1:4].mean(axis=0), rtol=1e-6)
    pair = clone(word).fit([(sentence, (1, 2), (5, 6))])
    got = pair.transform([(sentence, (1, 2), (5, 6)), (sentence, (5, 6), (0, 4))])
    np.testing.assert_allclose(got[0], np.concatenate([every[1], every[5]]))
    np.testing.assert_allclose(
        got[1], np.concatenate([every[5], every[:4].mean(axis=0)]), rtol=1e-6
    )
    names = pair.get_feature_names_out()
    assert len(names) == got.shape[1] == 2 * 2 * word.hidden_size_
    assert names[0] == "arg1_layer1_0" and names[-1].startswith("arg2_layer3_")


def test_vectors_do_not_depend_on_batchmates_or_order(tiny_llama):
    from sklearn_probe.store import MEMORY

    X = _all_words(SENTENCES)
    base = WordHiddenStateTransformer(tiny_llama, layer="all", batch_size=4)
    together = base.fit_transform(X)
    MEMORY.clear()
    order = np.random.default_rng(0).permutation(len(X))
    alone = clone(base).set_params(batch_size=1).fit_transform([X[i] for i in order])
    np.testing.assert_allclose(alone, together[order], atol=1e-5, rtol=1e-4)


# -- bad input ----------------------------------------------------------------


@pytest.mark.parametrize(
    "X, error, match",
    [
        ([(("a", "b"), 2)], IndexError, r"Word index 2 of sample 0 .*\[0, 1\]"),
        ([(("a", "b"), 0), (("a",), -1)], IndexError, "Word index -1 of sample 1"),
        ([((), 0)], ValueError, "sentence of sample 0 is empty"),
        ([(("a", 3), 0)], TypeError, "Word 1 of the sentence of sample 0 is int"),
        ([(("a", ""), 0)], ValueError, "Word 1 of the sentence of sample 0"),
        ([("a b", 0)], TypeError, "sentence of sample 0 is 'a b'.*tuple of str"),
        ([(("a", "b"), 1, 1)], IndexError, r"Span \(1, 1\) of sample 0"),
        ([(("a", "b"), 0, 3)], IndexError, r"0 <= start < end <= 2"),
        ([(("a", "b"), (0, 1), (1, 3))], IndexError, r"Span \(1, 3\) of sample 0"),
        ([(("a", "b"), 0), (("a", "b"), 0, 1)], ValueError, "Sample 1 is a span"),
        ([(("a", "b"),)], ValueError, "Sample 0 is .*; each sample must be"),
        ([(("a", "b"), 0.5)], TypeError, "word index of sample 0 is 0.5"),
        ("a sentence", ValueError, "expects a list of samples"),
        ([], ValueError, "at least one sample"),
    ],
)
def test_bad_samples_get_errors_naming_the_sample(tiny_bert, X, error, match):
    with pytest.raises(error, match=match):
        WordHiddenStateTransformer(tiny_bert).fit(X)


def test_mismatched_labels_and_kinds(tiny_bert):
    X = [(("a", "b"), 0), (("a", "b"), 1)]
    with pytest.raises(ValueError, match="X has 2 samples but y has 3 labels"):
        WordHiddenStateTransformer(tiny_bert).fit(X, [0, 1, 0])
    fitted = WordHiddenStateTransformer(tiny_bert).fit(X)
    with pytest.raises(ValueError, match="fitted on word samples but X holds span"):
        fitted.transform([(("a", "b"), 0, 2)])


def test_a_sentence_longer_than_max_length_is_an_error_naming_it(tiny_bert):
    long = tuple("a good film".split() * 5)
    X = [(("a", "film"), 0), (long, 14)]
    with pytest.raises(ValueError, match=r"Sentence 1 \('a good film a good film"):
        WordHiddenStateTransformer(tiny_bert, max_length=16).fit_transform(X)
    # Raised, the limit serves the sentence whole.
    whole = WordHiddenStateTransformer(tiny_bert, max_length=17).fit_transform(X)
    assert np.isfinite(whole).all()


def test_a_word_that_gives_no_token_is_an_error(tiny_gpt2, tiny_bert):
    # BERT's normaliser strips control characters: the word vanishes.
    with pytest.raises(ValueError, match=r"Word 1 \('\\x00'\) of sentence 0"):
        WordHiddenStateTransformer(tiny_bert).fit_transform([(("a", "\x00"), 0)])


# -- cache and scikit-learn behaviour ------------------------------------------


def test_one_forward_row_per_sentence_in_a_grid_search_over_layer(tiny_bert):
    from sklearn.model_selection import GridSearchCV, GroupKFold
    from sklearn.pipeline import Pipeline

    from sklearn_probe import ProbeClassifier

    sentences = [tuple(f"{w} film".split()) + ("was", "good") for w in "abcdefghij"]
    X = _all_words(sentences)  # 10 sentences, 40 word samples
    y = [i % 2 for i in range(len(X))]
    pipe = Pipeline(
        [
            ("words", WordHiddenStateTransformer(tiny_bert)),
            ("probe", ProbeClassifier(random_state=0)),
        ]
    )
    search = GridSearchCV(pipe, {"words__layer": [0, 1, 2, 3]}, cv=GroupKFold(5))
    with count_forward_rows(tiny_bert) as counted:
        search.fit(X, y, groups=sentence_groups(X))
    assert counted["rows"] == len(sentences)
    assert len(search.cv_results_["mean_test_score"]) == 4


def test_sentence_groups_keep_words_of_a_sentence_together():
    from sklearn.model_selection import GroupKFold

    X = _all_words(SENTENCES) + [(SENTENCES[1], 0)]  # a sentence met again
    groups = sentence_groups(X)
    assert groups[-1] == groups[len(SENTENCES[0])]
    for train, test in GroupKFold(3).split(X, groups=groups):
        train_sentences = {X[i][0] for i in train}
        assert not train_sentences & {X[i][0] for i in test}


def test_sklearn_behaviour_clone_pickle_and_errors(tiny_bert, tmp_path):
    X = _all_words(SENTENCES[:2])
    words = WordHiddenStateTransformer(tiny_bert, layer=2)
    with pytest.raises(NotFittedError):
        words.transform(X)
    assert words.fit(X) is words
    out = words.transform(X)
    np.testing.assert_array_equal(clone(words).fit_transform(X), out)
    restored = pickle.loads(pickle.dumps(words))
    assert "_loaded" not in restored.__dict__
    np.testing.assert_array_equal(restored.transform(X[::-1]), out[::-1])
    assert words.get_feature_names_out()[0] == "layer2_0"
    with pytest.raises(ValueError, match="'subword' parameter"):
        WordHiddenStateTransformer(tiny_bert, subword="median").fit(X)
    with pytest.raises(ValueError, match="layer 9 is out of range"):
        WordHiddenStateTransformer(tiny_bert, layer=9).fit(X)
    assert os.fspath(words.model) == tiny_bert


def test_random_weights_differ_and_are_cached_apart(tiny_bert):
    X = _all_words(SENTENCES[:2])
    pretrained = WordHiddenStateTransformer(tiny_bert).fit_transform(X)
    # tiny_bert itself was initialised from seed 0: seed 1 is another model.
    random = WordHiddenStateTransformer(tiny_bert, weights="random", random_state=1)
    assert not np.allclose(pretrained, random.fit_transform(X))


# -- the README section and the example ------------------------------------------


@pytest.mark.slow
def test_readme_words_section_runs_and_reads_agreement_late(
    tmp_path, monkeypatch, capsys
):
    import re
    from pathlib import Path

    page = Path(__file__).resolve().parents[2] / "docs/user_guide/words.md"
    section = page.read_text()
    code = re.search(r"```python\n(.*?)```", section, re.S).group(1)
    monkeypatch.chdir(tmp_path)
    exec(compile(code, str(page), "exec"), {})
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[0].startswith("(('the', ") and lines[0].endswith(")")
    scores = [float(v) for v in lines[1].strip("[]").split()]
    # The embedding layer cannot know the subject's number at a past-tense verb.
    assert abs(scores[0] - 0.5) < 0.12
    assert scores[2] > scores[0] + 0.1


@pytest.mark.slow
def test_example_script_draws_the_word_picture(tmp_path, capsys):
    import importlib.util
    from pathlib import Path

    path = Path(__file__).resolve().parents[2] / "examples" / "probe_words.py"
    spec = importlib.util.spec_from_file_location("probe_words", path)
    example = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(example)
    example.main(["--n-sentences", "120", "--folds", "3", "--out", str(tmp_path)])
    out = capsys.readouterr().out
    assert "part of speech (UPOS), every word" in out
    assert "subject's number, at a past-tense verb" in out
    assert (tmp_path / "word_layers.png").stat().st_size > 10_000


def test_word_type_control_takes_word_samples():
    from sklearn_probe.baselines import WordTypeControl

    X = _all_words(SENTENCES)
    words = [s[i] for s, i in X]
    y = [len(w) % 3 for w in words]
    control = WordTypeControl(random_state=0)
    np.testing.assert_array_equal(
        control.fit_control_labels(X, y), control.fit_control_labels(words, y)
    )
    with pytest.raises(IndexError, match="Item 1 asks for word 5 of a sentence of 3"):
        control.control_labels([X[0], (("a", "b", "c"), 5)])


def test_words_and_texts_share_one_forward_pass_in_bfloat16_under_device_map(
    tiny_llama, monkeypatch
):
    """Word vectors of a bfloat16 model spread by ``device_map`` come from the
    forward function that texts use (every row the model sees goes through
    it), and are those of each sentence run alone."""
    import torch

    from sklearn_probe import HiddenStateTransformer
    from sklearn_probe.hidden import _forward

    real, seen = _forward.forward, []

    def spy(loaded, input_ids, *args, **kwargs):
        seen.append(input_ids.shape[0])
        return real(loaded, input_ids, *args, **kwargs)

    monkeypatch.setattr(_forward, "forward", spy)
    words = WordHiddenStateTransformer(
        tiny_llama,
        layer="all",
        subword="first",
        torch_dtype="bfloat16",
        device_map="auto",
        batch_size=2,
        cache_dir=None,
    )
    X = _all_words(SENTENCES)
    import transformers

    asked, load = [], transformers.AutoModel.from_pretrained

    def spy_load(*args, **kwargs):
        asked.append(kwargs.get("device_map"))
        return load(*args, **kwargs)

    monkeypatch.setattr(transformers.AutoModel, "from_pretrained", spy_load)
    model = words.fit(X)._loaded.model  # loads, runs nothing
    assert model.dtype == torch.bfloat16
    assert asked == ["auto"]  # spread by accelerate (over the CPU alone here)
    model_rows = []
    handle = model.register_forward_pre_hook(
        lambda module, args, kwargs: model_rows.append(kwargs["input_ids"].shape[0]),
        with_kwargs=True,
    )
    try:
        got = words.transform(X).reshape(len(X), words.n_layers_, -1)
    finally:
        handle.remove()
    assert sum(seen) == sum(model_rows) == len(SENTENCES)
    row = 0
    for sentence in SENTENCES:
        expected = reference_word_vectors(
            tiny_llama, "tiny_llama", sentence, "first", dtype=torch.bfloat16
        )
        # bfloat16 keeps 8 significant bits: a few units of 2**-8 apart.
        np.testing.assert_allclose(
            got[row : row + len(sentence)], expected, rtol=2**-6, atol=2**-6
        )
        row += len(sentence)
    # Texts of the same model go through the very same function.
    seen.clear()
    texts = HiddenStateTransformer(
        tiny_llama, torch_dtype="bfloat16", device_map="auto", cache_dir=None
    )
    texts.fit_transform([" ".join(s) for s in SENTENCES])
    assert sum(seen) == len(SENTENCES)
