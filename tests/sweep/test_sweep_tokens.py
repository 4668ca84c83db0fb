"""layer_sweep(tokens=...) and a sweep over token selections (hidden__tokens)."""

import numpy as np
import pytest
from helpers import length_corpus

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
