"""layer_sweep(tokens=...) and a sweep over token selections (hidden__tokens)."""

import numpy as np
import pytest
from helpers import length_corpus, make_chat_llama

from sklearn_probe import HiddenStateTransformer, layer_sweep


@pytest.fixture
def corpus():
    return length_corpus(36, gap=True)


def test_sweep_pools_the_selected_tokens_and_records_them(
    tiny_bert, corpus, one_blas_thread
):
    texts, y = corpus
    result = layer_sweep(
        texts, y, model=tiny_bert, tokens="last:2", cv=3, cache_dir=None, verbose=0
    )
    assert result.settings["tokens"] == "last:2"
    hidden = result.best_pipeline.named_steps["hidden"]
    assert hidden.tokens == "last:2"
    expected = HiddenStateTransformer(
        tiny_bert, layer=hidden.layer, tokens="last:2", cache_dir=None
    ).fit_transform(texts)
    np.testing.assert_array_equal(hidden.transform(texts), expected)
    everything = HiddenStateTransformer(
        tiny_bert, layer=hidden.layer, cache_dir=None
    ).fit_transform(texts)
    assert not np.allclose(expected, everything)


def test_sweep_over_token_selections(tiny_bert, corpus, one_blas_thread):
    texts, y = corpus
    selections = ["all", "first", "regex:\\d+"]
    result = layer_sweep(
        texts,
        y,
        model=tiny_bert,
        layers=[1, 2],
        param_grid={"hidden__tokens": selections},
        cv=3,
        cache_dir=None,
        verbose=0,
    )
    assert result.settings["tokens"] == selections
    assert sorted(map(tuple, result.scores[["layer", "tokens"]].values)) == sorted(
        (layer, t) for layer in (1, 2) for t in selections
    )


def test_words_take_no_token_selection(tiny_bert):
    with pytest.raises(ValueError, match="tokens='last' selects tokens of texts"):
        layer_sweep(
            [(["a", "film"], 0), (["a", "film"], 1)] * 6,
            [0, 1] * 6,
            model=tiny_bert,
            unit="word",
            tokens="last",
            cache_dir=None,
            verbose=0,
        )


@pytest.fixture(scope="module")
def chat_llama(tmp_path_factory):
    return make_chat_llama(tmp_path_factory.mktemp("chat-llama") / "llama")


def _conversations(n):
    """The label is in the assistant's answer only (its length); the user's
    question is the same apart from its number."""
    rng = np.random.default_rng(0)
    y = rng.permutation(np.arange(n) % 2)
    conversations = [
        [
            {"role": "user", "content": f"question {i}"},
            {"role": "assistant", "content": " ".join(["good film"] * (1 + 5 * k))},
        ]
        for i, k in enumerate(y)
    ]
    return conversations, y


def test_sweep_over_conversations(chat_llama, one_blas_thread):
    conversations, y = _conversations(30)
    result = layer_sweep(
        conversations,
        y,
        model=chat_llama,
        tokens="assistant",
        cv=3,
        cache_dir=None,
        verbose=0,
        baselines=["control"],
        test=_conversations(8),
    )
    assert result.settings["tokens"] == "assistant"
    hidden = result.best_pipeline.named_steps["hidden"]
    expected = HiddenStateTransformer(
        chat_llama, layer=hidden.layer, tokens="assistant", cache_dir=None
    ).fit_transform(conversations)
    np.testing.assert_array_equal(hidden.transform(conversations), expected)
    # One conversation per class from the held-out ones, for the report.
    held_out = _conversations(8)[0]
    assert len(result.example_texts) == 2
    assert all(c in held_out for c in result.example_texts)
    with pytest.raises(ValueError, match=r"\['bag_of_words'\] read raw texts"):
        layer_sweep(
            conversations,
            y,
            model=chat_llama,
            baselines=["bag_of_words"],
            cache_dir=None,
            verbose=0,
        )
