"""HiddenStateTransformer(pooling="tokens"): each text's real-token states."""

import pickle

import numpy as np
import pytest
from helpers import TEXTS, count_forward_rows, length_corpus
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV, StratifiedKFold
from sklearn.pipeline import Pipeline

from sklearn_probe import AttentionProbe, HiddenStateTransformer
from sklearn_probe.hidden import (
    TokenStatesWarning,
    cache_token_states,
    fitted,
    load_model,
    set_memory_cache_limit,
)
from sklearn_probe.store import DEFAULT_LIMIT, MEMORY


@pytest.fixture
def memory_limit():
    """Set the memory cache's limit inside a test; the default comes back."""
    yield set_memory_cache_limit
    set_memory_cache_limit(DEFAULT_LIMIT)


def tokens(path, **params):
    params = {"layer": "all", "cache_dir": None, "batch_size": 4, **params}
    return HiddenStateTransformer(path, pooling="tokens", **params)


def model_states(path, text):
    """The model's own ``output_hidden_states`` of ``text`` alone (no padding)."""
    import torch

    loaded = load_model(path, "cpu")
    ids = loaded.tokenizer(text)["input_ids"] or [loaded.tokenizer.bos_token_id]
    with torch.inference_mode():
        out = loaded.model(input_ids=torch.tensor([ids]), output_hidden_states=True)
    return [state[0].numpy() for state in out.hidden_states]


@pytest.mark.parametrize("model", ["tiny_bert", "tiny_gpt2"])
def test_states_are_the_models_own_rows_of_the_real_tokens(model, request):
    path = request.getfixturevalue(model)
    side = load_model(path, "cpu").padding_side
    assert side == {"tiny_bert": "right", "tiny_gpt2": "left"}[model]
    # Batches of 4 mix lengths (1 to 17 tokens): padding on the model's side.
    X = tokens(path, layer=[2, 0]).fit_transform(TEXTS)
    assert X.dtype == object and X.shape == (len(TEXTS),)
    for text, states in zip(TEXTS, X, strict=True):
        own = model_states(path, text)
        assert states.dtype == np.float32
        assert states.shape == (len(own[0]), 2 * own[0].shape[1])  # real tokens only
        expected = np.concatenate([own[2], own[0]], axis=1)
        np.testing.assert_allclose(states, expected, rtol=0, atol=1e-6)


def test_a_grid_over_layers_runs_the_model_once_per_text(tiny_bert):
    texts, y = length_corpus(40, gap=True)
    pipe = Pipeline(
        [("hidden", tokens(tiny_bert, layer=0)), ("probe", AttentionProbe(max_iter=30))]
    )
    grid = {"hidden__layer": [0, 1, 2, 3]}
    with count_forward_rows(tiny_bert) as seen:
        search = GridSearchCV(pipe, grid, cv=StratifiedKFold(3)).fit(texts, y)
    assert seen["rows"] == len(texts)
    assert len(search.cv_results_["params"]) == 4


def test_served_states_equal_computed_ones_and_survive_clone_and_pickle(tiny_bert):
    step = tokens(tiny_bert, layer=[1, 3]).fit(TEXTS)
    first = step.transform(TEXTS)
    with count_forward_rows(tiny_bert) as seen:
        again = pickle.loads(pickle.dumps(clone(step).fit(TEXTS))).transform(TEXTS)
        reversed_ = step.transform(TEXTS[::-1])
    assert seen["rows"] == 0
    for a, b, c in zip(first, again, reversed_[::-1], strict=True):
        np.testing.assert_array_equal(a, b)
        np.testing.assert_array_equal(a, c)


def test_token_states_are_cached_apart_from_other_weights(tiny_bert):
    pretrained = tokens(tiny_bert, layer=2).fit_transform(TEXTS)
    # (random_state=0 would redraw the tiny model's own seed-0 weights.)
    random = tokens(tiny_bert, layer=2, weights="random", random_state=1)
    random = random.fit_transform(TEXTS)
    assert not np.allclose(pretrained[0], random[0])


def test_the_warm_up_keeps_the_layers_and_the_mean_from_one_pass(tiny_bert):
    texts, _ = length_corpus(20)
    step = fitted(tokens(tiny_bert))
    with count_forward_rows(tiny_bert) as seen:
        assert cache_token_states(step, texts, [1, 2]) == len(texts)
        states = fitted(step.set_params(layer=[1, 2])).transform(texts)
        means = fitted(
            HiddenStateTransformer(tiny_bert, layer="all", cache_dir=None)
        ).transform(texts)
    assert seen["rows"] == len(texts)
    assert cache_token_states(step, texts, [2]) == 0
    MEMORY.clear()
    alone = HiddenStateTransformer(tiny_bert, layer="all", cache_dir=None)
    np.testing.assert_allclose(means, alone.fit_transform(texts), atol=1e-6)
    assert [len(s) for s in states] == [len(s) for s in step.transform(texts)]


def test_float16_storage_halves_the_cache(tiny_bert):
    full = tokens(tiny_bert, layer=1).fit_transform(TEXTS)
    full_bytes = MEMORY.nbytes
    MEMORY.clear()
    half = tokens(tiny_bert, layer=1, dtype="float16").fit_transform(TEXTS)
    assert MEMORY.nbytes == full_bytes // 2
    for a, b in zip(full, half, strict=True):
        assert b.dtype == np.float32
        np.testing.assert_allclose(a, b, atol=5e-3 * np.abs(a).max())


def test_a_transform_larger_than_the_memory_limit_is_refused(tiny_bert, memory_limit):
    n_tokens = sum(len(s) for s in tokens(tiny_bert, layer=0).fit_transform(TEXTS))
    MEMORY.clear()
    memory_limit(n_tokens * 16 * 4 * 2 - 1)  # two float32 layers need one byte more
    step = tokens(tiny_bert, layer=[0, 1]).fit(TEXTS)
    with pytest.raises(ValueError, match="predict in chunks") as error:
        step.transform(TEXTS)
    assert f"{n_tokens} tokens x 2 layers x 16 float32 values" in str(error.value)
    with pytest.warns(TokenStatesWarning, match="only the layers asked for"):
        step.set_params(layer=0).fit(TEXTS).transform(TEXTS)  # one layer fits


def test_only_the_asked_layers_are_kept_when_all_would_not_fit(tiny_bert, memory_limit):
    n_tokens = sum(len(s) for s in tokens(tiny_bert, layer=0).fit_transform(TEXTS))
    MEMORY.clear()
    memory_limit(n_tokens * 16 * 4 * 3)  # 3 of the 4 layers
    step = tokens(tiny_bert, layer=0).fit(TEXTS)
    with count_forward_rows(tiny_bert) as seen:
        with pytest.warns(TokenStatesWarning, match="only the layers asked for"):
            step.transform(TEXTS)
        step.transform(TEXTS)  # served
        assert seen["rows"] == len(TEXTS)
        with pytest.warns(TokenStatesWarning):
            step.set_params(layer=1).fit(TEXTS).transform(TEXTS)  # runs again
    assert seen["rows"] == 2 * len(TEXTS)
    assert MEMORY.nbytes <= MEMORY.limit_bytes


def test_a_warm_up_that_cannot_be_kept_is_refused(tiny_bert, memory_limit):
    memory_limit(1000)
    with pytest.raises(ValueError, match="more than the memory cache's limit"):
        cache_token_states(fitted(tokens(tiny_bert)), TEXTS, [0, 1, 2, 3])


@pytest.mark.parametrize("model", ["tiny_bert", "tiny_gpt2"])
def test_a_selection_chooses_the_tokens(model, request):
    path = request.getfixturevalue(model)
    texts = [t for t in TEXTS if t]  # an empty text has no token to select
    # The last token of every text that covers characters, under either padding
    # side.
    last = fitted(tokens(path, layer=2, tokens="last")).transform(texts)
    assert [len(s) for s in last] == [1] * len(texts)
    # Pooled over the same selection by the pooled path: the mean of one token.
    pooled = HiddenStateTransformer(
        path, layer=2, pooling="mean", tokens="last", cache_dir=None
    )
    np.testing.assert_allclose(
        np.concatenate(list(last)), pooled.fit_transform(texts), atol=1e-6
    )
    # A selection's states never stand in for every token's.
    every = fitted(tokens(path, layer=2)).transform(texts)
    ids = [
        len(i)
        for i in fitted(tokens(path, layer=2))
        ._get_loaded()
        .tokenizer(texts)["input_ids"]
    ]
    assert [len(s) for s in every] == ids
    with pytest.raises(ValueError, match="selects no token of sample 0"):
        fitted(tokens(path, layer=2, tokens="regex:zzzz")).transform(texts)


def test_pooling_tokens_is_validated_with_the_others(tiny_bert):
    with pytest.raises(ValueError, match="'tokens'"):
        HiddenStateTransformer(tiny_bert, pooling="token").fit(TEXTS)


def test_token_states_read_the_residual_stream_only(tiny_bert):
    step = HiddenStateTransformer(tiny_bert, pooling="tokens", site="mlp", layer=1)
    with pytest.raises(ValueError, match="site='mlp' is not available per token"):
        step.set_params(cache_dir=None).fit_transform(TEXTS)
