"""A sweep over token selections runs one forward pass per text, and scores
every selection as a sweep with that selection alone does."""

import re

import numpy as np
import pytest
from helpers import count_forward_rows, make_chat_llama

from sklearn_probe import layer_sweep
from sklearn_probe.store import MEMORY

SELECTIONS = ["all", "last", "last:2", "regex:good|bad"]
SITES = ["residual", "mlp"]
POOLINGS = ["mean", "max"]
KEYS = ["layer", "pooling", "site"]


def _corpus(n, seed=0):
    """Texts that all match the regex; the label is in their length."""
    rng = np.random.default_rng(seed)
    y = rng.permutation(np.arange(n) % 2)
    words = ["good", "bad", "film", "plot", "very", "the"]
    texts = [
        " ".join(rng.choice(words, size=2 + 6 * k + i % 3)) + " good"
        for i, k in enumerate(y)
    ]
    return texts, y


def _sweep(path, texts, y, tokens, test):
    grid = {"hidden__site": SITES}
    if isinstance(tokens, list):
        grid["hidden__tokens"] = tokens
        tokens = "all"
    return layer_sweep(
        texts,
        y,
        model=path,
        tokens=tokens,
        pooling=POOLINGS,
        param_grid=grid,
        test=test,
        cv=2,
        cache_dir=None,
        verbose=0,
    )


@pytest.mark.parametrize("model", ["tiny_bert", "tiny_gpt2"])
def test_one_pass_per_text_and_the_scores_of_separate_sweeps(
    model, request, one_blas_thread
):
    path = request.getfixturevalue(model)
    texts, y = _corpus(24)
    test = _corpus(8, seed=1)
    with count_forward_rows(path) as counter:
        result = _sweep(path, texts, y, SELECTIONS, test)
    # One pass per text for 4 selections x 2 poolings x 2 sites (it was 4).
    assert counter["rows"] == len(texts) + len(test[0])
    scores = result.scores
    assert set(scores["tokens"]) == set(SELECTIONS)
    for tokens in SELECTIONS:
        MEMORY.clear()  # the separate sweep computes its own vectors
        alone = _sweep(path, texts, y, tokens, test).scores.sort_values(KEYS)
        shared = scores[scores["tokens"] == tokens].sort_values(KEYS)
        assert len(shared) == len(alone) > 0
        np.testing.assert_array_equal(shared[KEYS].values, alone[KEYS].values)
        folds = [c for c in scores.columns if re.search(r"_(mean|std|fold\d+)$", c)]
        folds = [c for c in folds if "time" not in c]
        assert len(folds) >= 4  # cv and train: mean, std and each fold
        for column in folds:
            np.testing.assert_allclose(
                shared[column].to_numpy(),
                alone[column].to_numpy(),
                rtol=0,
                atol=1e-12,
                err_msg=f"{tokens} {column}",
            )


@pytest.fixture(scope="module")
def chat_llama(tmp_path_factory):
    return make_chat_llama(tmp_path_factory.mktemp("chat-llama") / "llama")


def _conversations(n):
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


def test_roles_of_the_same_conversations_share_one_pass(chat_llama, one_blas_thread):
    """The chat template renders a conversation the same whichever role is
    selected: assistant and user in one sweep cost one pass per conversation."""
    conversations, y = _conversations(20)
    with count_forward_rows(chat_llama) as counter:
        result = layer_sweep(
            conversations,
            y,
            model=chat_llama,
            param_grid={"hidden__tokens": ["assistant", "user"]},
            cv=2,
            cache_dir=None,
            verbose=0,
        )
    assert counter["rows"] == len(conversations)
    assert set(result.scores["tokens"]) == {"assistant", "user"}


def test_the_random_weights_baseline_reads_every_selection_from_one_pass(
    tiny_gpt2, one_blas_thread
):
    """The baseline searches the sweep's candidates (every selection) on a
    random model: its training texts go through that model once too."""
    texts, y = _corpus(24)
    with (
        count_forward_rows(tiny_gpt2) as pretrained,
        # Seed 1: the tiny GPT-2 itself was initialised with seed 0.
        count_forward_rows(tiny_gpt2, random_init_seed=1) as random,
    ):
        result = layer_sweep(
            texts,
            y,
            model=tiny_gpt2,
            param_grid={"hidden__tokens": ["last", "regex:good|bad"]},
            baselines=["random_weights"],
            cv=2,
            cache_dir=None,
            random_state=1,
            verbose=0,
        )
    assert pretrained["rows"] == len(texts)
    assert random["rows"] == len(texts)
    assert set(result.scores["tokens"]) == {"last", "regex:good|bad"}


def test_a_list_of_selections_sweeps_them_as_the_grid_does(tiny_bert, one_blas_thread):
    """``tokens=[...]`` is ``param_grid={"hidden__tokens": [...]}``, as
    ``pooling=[...]`` sweeps poolings; a list of one is that selection."""
    texts, y = _corpus(16)
    common = dict(model=tiny_bert, layers=[1, 2], cv=2, cache_dir=None, verbose=0)
    listed = layer_sweep(texts, y, tokens=["last", "all", "last"], **common)
    gridded = layer_sweep(
        texts, y, param_grid={"hidden__tokens": ["last", "all"]}, **common
    )
    columns = ["layer", "tokens", "cv_score_mean", "cv_score_std"]
    np.testing.assert_array_equal(
        listed.scores[columns].values, gridded.scores[columns].values
    )
    assert listed.settings["tokens"] == ["last", "all"]
    one = layer_sweep(texts, y, tokens=["last"], **common)
    plain = layer_sweep(texts, y, tokens="last", **common)
    np.testing.assert_array_equal(
        one.scores["cv_score_mean"].values, plain.scores["cv_score_mean"].values
    )
    assert one.settings["tokens"] == "last"


@pytest.mark.parametrize(
    "tokens, grid, message",
    [
        ([], None, "non-empty list of strings"),
        (["last", 3], None, "non-empty list of strings"),
        (["all", "last"], {"hidden__tokens": ["first"]}, "give them once"),
    ],
)
def test_a_list_of_selections_that_cannot_be_swept_is_refused(
    tiny_bert, tokens, grid, message
):
    texts, y = _corpus(8)
    with pytest.raises(ValueError, match=message):
        layer_sweep(
            texts, y, model=tiny_bert, tokens=tokens, param_grid=grid, cv=2, verbose=0
        )
