"""layer_sweep with baselines (control, random weights), MDL and repeated CV."""

import numpy as np
import pytest
from helpers import count_forward_rows, length_corpus
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import KFold

from sklearn_probe import HiddenStateTransformer, layer_sweep

N_TRAIN, N_TEST = 48, 12


@pytest.fixture(scope="module")
def run(tiny_gpt2):
    texts, labels = length_corpus(N_TRAIN + N_TEST, gap=True)
    with (
        count_forward_rows(tiny_gpt2) as pretrained,
        # Seed 1: the tiny GPT-2 itself was initialised with seed 0, so
        # "random weights" with seed 0 would be the very same weights.
        count_forward_rows(tiny_gpt2, random_init_seed=1) as random,
    ):
        result = layer_sweep(
            texts[:N_TRAIN],
            labels[:N_TRAIN],
            model=tiny_gpt2,
            # Mean pooling: text length (the label) shows in every layer of a
            # random model; the last token alone carries much less of it.
            pooling="mean",
            probe=LogisticRegression(max_iter=1000),
            cv=3,
            repeats=2,
            baselines=("control", "random_weights", "bag_of_words", "length"),
            mdl=True,
            test=(texts[N_TRAIN:], labels[N_TRAIN:]),
            random_state=1,
            verbose=0,
        )
    return result, pretrained["rows"], random["rows"]


def test_one_forward_pass_per_text_per_model(run):
    _, pretrained_rows, random_rows = run
    # Main sweep, control, 2 x 3 folds, refit, test, MDL: all from the cache.
    # (+1: the text fit() checks, run before the cache is filled.)
    assert pretrained_rows <= N_TRAIN + N_TEST + 1
    # The random model sees the training texts once; it is never tested.
    assert N_TRAIN <= random_rows <= N_TRAIN + 1


def test_columns_exist(run):
    result = run[0]
    expected = (
        "control_mean control_std selectivity random_weights_mean "
        "random_weights_std mdl_code_length_bits mdl_compression ci_low ci_high "
        "diff_vs_best p_vs_best p_vs_best_adjusted significantly_worse "
        "cv_score_fold5 bag_of_words_mean length_fold5"
    ).split()
    assert set(expected) <= set(result.scores.columns)
    assert "cv_score_fold6" not in result.scores.columns
    assert (result.n_splits, result.n_repeats) == (3, 2)
    assert result.settings["baselines"] == [
        "control",
        "random_weights",
        "bag_of_words",
        "length",
    ]
    assert "3 x 2" not in repr(result) and "2 x 3-fold CV" in repr(result)


def test_control_near_chance_and_selectivity_is_the_difference(run):
    scores = run[0].scores
    # The probe learns the task; the permuted-label control cannot.
    assert scores["cv_score_mean"].max() > 0.9
    assert abs(scores["control_mean"].mean() - 0.5) < 0.2
    np.testing.assert_allclose(
        scores["selectivity"], scores["cv_score_mean"] - scores["control_mean"]
    )
    assert scores["selectivity"].max() > 0.25


def test_random_weights_rows_differ_from_pretrained(run):
    scores = run[0].scores
    assert np.all(scores["random_weights_mean"].between(0, 1))
    assert not np.allclose(scores["random_weights_mean"], scores["cv_score_mean"])


def test_confidence_interval_and_comparison_with_best(run):
    result = run[0]
    scores = result.scores
    assert np.all(scores["ci_low"] <= scores["cv_score_mean"] + 1e-12)
    assert np.all(scores["cv_score_mean"] <= scores["ci_high"] + 1e-12)
    best = scores.loc[result.best_index]
    assert best["diff_vs_best"] == 0 and best["p_vs_best"] == 1.0
    assert not best["significantly_worse"]
    assert np.all(scores["diff_vs_best"] <= 0)
    np.testing.assert_allclose(
        scores["diff_vs_best"], scores["cv_score_mean"] - result.best_score
    )
    assert np.all(scores["p_vs_best_adjusted"] >= scores["p_vs_best"] - 1e-12)


def test_interval_and_p_values_by_hand(run):
    """Nadeau & Bengio's corrected t, written out here with scipy."""
    from scipy import stats

    result = run[0]
    scores = result.scores
    folds = scores[[f"cv_score_fold{k}" for k in range(6)]].to_numpy()
    best = folds[result.best_index]
    # 3-fold CV: n_test / n_train = 1 / 2; 6 scores, 5 degrees of freedom.
    factor = 1 / 6 + 1 / 2
    for i, row in enumerate(folds):
        half = stats.t.ppf(0.975, 5) * np.sqrt(factor * row.var(ddof=1))
        assert scores["ci_low"].iloc[i] == pytest.approx(row.mean() - half)
        assert scores["ci_high"].iloc[i] == pytest.approx(row.mean() + half)
        d = row - best
        if np.all(d == 0):
            assert scores["p_vs_best"].iloc[i] == 1.0
            continue
        t = d.mean() / np.sqrt(factor * d.var(ddof=1))
        assert scores["p_vs_best"].iloc[i] == pytest.approx(2 * stats.t.sf(abs(t), 5))


def test_text_baselines_are_sklearn_cross_val_score_on_the_same_folds(run):
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.model_selection import RepeatedStratifiedKFold, cross_val_score
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    result = run[0]
    texts, labels = length_corpus(N_TRAIN + N_TEST, gap=True)
    texts, labels = texts[:N_TRAIN], np.asarray(labels[:N_TRAIN])
    folds = RepeatedStratifiedKFold(n_splits=3, n_repeats=2, random_state=1)
    bow = cross_val_score(
        make_pipeline(TfidfVectorizer(), LogisticRegression()),
        texts,
        labels,
        cv=folds,
    )
    lengths = np.array([[len(t), len(t.split())] for t in texts])
    length = cross_val_score(
        make_pipeline(StandardScaler(), LogisticRegression()),
        lengths,
        labels,
        cv=folds,
    )
    scores = result.scores
    for name, expected in (("bag_of_words", bow), ("length", length)):
        got = scores[[f"{name}_fold{k}" for k in range(6)]].to_numpy()
        # Every row holds the same fold scores: the baseline has no layer.
        np.testing.assert_array_equal(got, np.tile(expected, (len(scores), 1)))
        np.testing.assert_allclose(scores[f"{name}_mean"], expected.mean())
        np.testing.assert_allclose(scores[f"{name}_std"], expected.std())
    # The label is the text's length: the length baseline finds it.
    assert length.mean() > 0.9


def test_mdl_columns(run):
    result = run[0]
    scores = result.scores
    uniform = result.settings["mdl"]["uniform_code_length_bits"]
    assert uniform == pytest.approx(N_TRAIN * 1.0)  # two classes: 1 bit each
    np.testing.assert_allclose(
        scores["mdl_compression"], uniform / scores["mdl_code_length_bits"]
    )
    # A learnable task compresses at its best layer.
    assert scores["mdl_compression"].max() > 1


def test_display_draws_baselines_and_confidence_band(run):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from sklearn_probe.plotting import LayerScoresDisplay

    result = run[0]
    display = LayerScoresDisplay.from_sweep(result)
    assert set(display.lines_) >= {("control", ""), ("random_weights", "")}
    band = display.bands_[("cv_score", "")].get_paths()[0].vertices[:, 1]
    assert band.min() == pytest.approx(
        np.clip(result.scores["ci_low"], 0, 1).min(), abs=1e-9
    )
    # The band is the probe's CI; the baselines are lines only.
    assert set(display.bands_) == {("cv_score", "")}
    # The text-only baselines: horizontal lines at their scores.
    for name in ("bag_of_words", "length"):
        y = display.references_[name].get_ydata()
        assert list(y) == [result.scores[f"{name}_mean"].iloc[0]] * 2
        low, high = display.ax_.get_ylim()
        assert low <= y[0] <= high
    assert "95% CI" in display.ax_.get_ylabel()
    assert "2 x 3-fold CV" in display.ax_.get_ylabel()
    plt.close(display.figure_)


def test_random_weights_vectors_differ_and_are_seeded(tiny_gpt2):
    texts, _ = length_corpus(6, gap=True)
    a = HiddenStateTransformer(tiny_gpt2, layer=1).fit(texts).transform(texts)
    b = (
        HiddenStateTransformer(tiny_gpt2, layer=1, weights="random", random_state=1)
        .fit(texts)
        .transform(texts)
    )
    assert np.abs(a - b).max() > 1e-3


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"baselines": ["permuted"]}, "'baselines' parameter"),
        ({"repeats": 0}, "'repeats' parameter"),
        ({"repeats": 2, "cv": KFold(3)}, "needs cv to be an int"),
        ({"mdl": "yes"}, "'mdl' parameter"),
    ],
)
def test_bad_arguments(tiny_gpt2, kwargs, message):
    texts, labels = length_corpus(12, gap=True)
    with pytest.raises(ValueError, match=message):
        layer_sweep(texts, labels, model=tiny_gpt2, verbose=0, **kwargs)


def test_text_baselines_refused_for_words(tiny_bert):
    samples = [(["a", "b", "c"], i) for i in range(3)] * 4
    with pytest.raises(ValueError, match=r"text-only baselines \['length'\]"):
        layer_sweep(
            samples,
            [0, 1, 0] * 4,
            model=tiny_bert,
            unit="word",
            baselines=["length"],
            cache_dir=None,
            verbose=0,
        )


def test_choose_layer_smallest_not_worse_by_hand():
    from types import SimpleNamespace

    import pandas as pd

    from sklearn_probe.sweep._choose import chosen_index

    scores = pd.DataFrame(
        {
            "layer": [0, 1, 2, 3, 1],
            "pooling": ["mean"] * 4 + ["max"],
            "cv_score_mean": [0.60, 0.78, 0.70, 0.80, 0.79],
            "significantly_worse": [True, False, True, False, False],
        }
    )
    result = SimpleNamespace(scores=scores, best_index=3)
    # Layer 1 is the smallest not worse; of its two rows the max pooling one
    # scores higher.
    assert chosen_index(result, "smallest_not_worse") == 4
    assert chosen_index(result, "best") == 3
    from sklearn_probe import LayerSweepResult

    with pytest.raises(ValueError, match="'rule' parameter of LayerSweepResult"):
        LayerSweepResult.choose_layer(result, "smallest")
    with pytest.raises(ValueError, match="repeats > 1"):
        chosen_index(SimpleNamespace(scores=scores.iloc[:, :3]), "smallest_not_worse")


def test_choose_layer_on_a_sweep(run):
    from sklearn_probe.report import reading_lines

    result = run[0]
    scores = result.scores
    assert result.choose_layer() == result.best_layer
    kept = scores[~scores["significantly_worse"]]
    chosen = result.choose_layer(rule="smallest_not_worse")
    assert chosen == kept["layer"].min() <= result.best_layer
    lines = "\n".join(reading_lines(result))
    assert "Smallest layer not significantly worse than the best: " in lines
    assert f"layer {chosen}" in lines.split("Smallest layer not")[1]
