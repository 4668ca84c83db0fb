"""Repeated measurement: repeated CV, corrected intervals and paired tests."""

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from sklearn.datasets import make_classification
from sklearn.dummy import DummyClassifier
from sklearn.linear_model import LogisticRegression

from sklearn_probe.stats import (
    confidence_interval,
    corrected_variance,
    layer_comparison_frame,
    paired_comparison,
    repeated_cv_scores,
    train_test_sizes,
)

pytestmark = pytest.mark.usefixtures("one_blas_thread")


SCORES = np.array([0.80, 0.83, 0.78, 0.81, 0.79, 0.84, 0.80, 0.82, 0.77, 0.81])
SIZES = {"n_train": 400, "n_test": 100}


def test_repeated_cv_scores_shape_and_same_folds():
    X, y = make_classification(n_samples=120, n_features=5, random_state=0)
    scores = repeated_cv_scores(LogisticRegression(), X, y, n_repeats=3, cv=4)
    assert scores.shape == (12,)
    assert np.all((scores >= 0) & (scores <= 1))
    again = repeated_cv_scores(LogisticRegression(), X, y, n_repeats=3, cv=4)
    np.testing.assert_array_equal(scores, again)
    other_seed = repeated_cv_scores(
        LogisticRegression(), X, y, n_repeats=3, cv=4, random_state=1
    )
    assert not np.array_equal(scores, other_seed)
    # Stratified folds: the majority-class baseline scores 0.5 on every fold.
    dummy = repeated_cv_scores(DummyClassifier(), X, y, n_repeats=2, cv=4)
    np.testing.assert_allclose(dummy, 0.5)


@pytest.mark.parametrize("bad", [{"cv": 1}, {"n_repeats": 0}, {"cv": 2.5}])
def test_repeated_cv_scores_errors(bad):
    with pytest.raises(ValueError, match="parameter of repeated_cv_scores"):
        repeated_cv_scores(LogisticRegression(), np.zeros((10, 1)), [0, 1] * 5, **bad)


def test_train_test_sizes():
    assert train_test_sizes(500, 5) == (400.0, 100.0)


def test_corrected_variance_by_hand_and_above_naive():
    j = SCORES.size
    s2 = np.var(SCORES, ddof=1)
    assert corrected_variance(SCORES, **SIZES) == pytest.approx(s2 * (1 / j + 0.25))
    naive = s2 / j
    assert corrected_variance(SCORES, **SIZES) > naive


def test_confidence_interval_by_hand():
    ci = confidence_interval(SCORES, level=0.95, **SIZES)
    j = SCORES.size
    se = math.sqrt(np.var(SCORES, ddof=1) * (1 / j + 100 / 400))
    half = stats.t.ppf(0.975, j - 1) * se
    assert ci.mean == pytest.approx(SCORES.mean())
    assert ci.low == pytest.approx(SCORES.mean() - half)
    assert ci.high == pytest.approx(SCORES.mean() + half)
    mean, low, high = ci  # unpacks as a tuple
    assert low < mean < high


def test_confidence_interval_wider_than_naive_and_with_level():
    widths = []
    for level in (0.5, 0.9, 0.95, 0.99):
        ci = confidence_interval(SCORES, level=level, **SIZES)
        assert ci.low <= ci.mean <= ci.high
        widths.append(ci.high - ci.low)
    assert np.all(np.diff(widths) > 0)
    naive = stats.t.interval(
        0.95, SCORES.size - 1, loc=SCORES.mean(), scale=stats.sem(SCORES)
    )
    ci = confidence_interval(SCORES, **SIZES)
    assert ci.high - ci.low > naive[1] - naive[0]


def test_confidence_interval_of_constant_scores_is_a_point():
    assert confidence_interval([0.7] * 5, **SIZES) == pytest.approx((0.7, 0.7, 0.7))


def test_paired_comparison_identical_scores():
    result = paired_comparison(SCORES, SCORES, **SIZES)
    assert result.difference == 0.0
    assert result.ci == (0.0, 0.0)
    assert result.p_value == 1.0
    diff, ci, p = result  # unpacks as (difference, ci, p_value)
    assert p == 1.0


def test_paired_comparison_constant_nonzero_difference():
    result = paired_comparison(SCORES + 0.05, SCORES, **SIZES)
    assert result.difference == pytest.approx(0.05)
    assert result.p_value < 1e-6


def test_paired_comparison_clearly_better_and_by_hand():
    rng = np.random.RandomState(0)
    better = SCORES + 0.08 + rng.normal(scale=0.01, size=SCORES.size)
    diff, (low, high), p = paired_comparison(better, SCORES, **SIZES)
    assert diff == pytest.approx(0.08, abs=0.01)
    assert 0 < low < diff < high
    assert p < 0.001
    d = better - SCORES
    t = d.mean() / math.sqrt(np.var(d, ddof=1) * (1 / d.size + 0.25))
    assert p == pytest.approx(2 * stats.t.sf(abs(t), d.size - 1))
    # Symmetric: swapping the arguments flips the sign, keeps p.
    swapped = paired_comparison(SCORES, better, **SIZES)
    assert swapped.difference == pytest.approx(-diff)
    assert swapped.p_value == pytest.approx(p)


def test_correction_makes_tests_more_conservative():
    rng = np.random.RandomState(1)
    a = SCORES + 0.01 + rng.normal(scale=0.01, size=SCORES.size)
    d = a - SCORES
    naive_p = stats.ttest_rel(a, SCORES).pvalue
    assert paired_comparison(a, SCORES, **SIZES).p_value > naive_p
    assert d.size == SCORES.size


def test_errors():
    with pytest.raises(ValueError, match="at least 2"):
        confidence_interval([0.5], **SIZES)
    with pytest.raises(ValueError, match="level"):
        confidence_interval(SCORES, level=95, **SIZES)
    with pytest.raises(ValueError, match="n_test"):
        confidence_interval(SCORES, n_train=10, n_test=0)
    with pytest.raises(ValueError, match="same folds"):
        paired_comparison(SCORES, SCORES[:-1], **SIZES)
    with pytest.raises(ValueError, match="NaN"):
        confidence_interval([0.5, np.nan], **SIZES)


def _layers():
    rng = np.random.RandomState(0)
    base = rng.normal(scale=0.01, size=25)
    return {
        0: 0.60 + base + rng.normal(scale=0.01, size=25),
        1: 0.75 + base + rng.normal(scale=0.01, size=25),
        2: 0.80 + base + rng.normal(scale=0.01, size=25),
        3: 0.797 + base + rng.normal(scale=0.01, size=25),
    }


def test_layer_comparison_frame():
    layers = _layers()
    frame = layer_comparison_frame(layers, n_train=400, n_test=100)
    assert isinstance(frame, pd.DataFrame)
    assert list(frame.index) == [0, 1, 2, 3]
    assert frame.index.name == "layer"
    for column in (
        "mean",
        "std",
        "ci_low",
        "ci_high",
        "is_best",
        "diff_vs_best",
        "p_vs_best",
        "significantly_worse",
    ):
        assert column in frame.columns
    assert frame["is_best"].tolist() == [False, False, True, False]
    assert frame.loc[2, "diff_vs_best"] == 0.0 and frame.loc[2, "p_vs_best"] == 1.0
    assert frame["significantly_worse"].tolist() == [True, True, False, False]
    assert (frame["diff_vs_best"] <= 0).all()
    assert (frame["ci_low"] <= frame["mean"]).all()
    ci = confidence_interval(layers[1], n_train=400, n_test=100)
    assert frame.loc[1, "ci_low"] == pytest.approx(ci.low)
    p = paired_comparison(layers[1], layers[2], n_train=400, n_test=100).p_value
    assert frame.loc[1, "p_vs_best"] == pytest.approx(p)


def test_layer_comparison_frame_holm():
    layers = _layers()
    plain = layer_comparison_frame(layers, n_train=400, n_test=100)
    holm = layer_comparison_frame(layers, n_train=400, n_test=100, correction="holm")
    others = ~holm["is_best"]
    assert (
        holm.loc[others, "p_vs_best_adjusted"] >= plain.loc[others, "p_vs_best"]
    ).all()
    # Holm by hand for the three comparisons: sorted p times 3, 2, 1, monotone.
    p = plain.loc[others, "p_vs_best"].to_numpy()
    order = np.argsort(p)
    steps = np.maximum.accumulate(np.array([3, 2, 1]) * p[order])
    expected = np.empty(3)
    expected[order] = np.minimum(steps, 1)
    np.testing.assert_allclose(holm.loc[others, "p_vs_best_adjusted"], expected)


def test_layer_comparison_frame_errors():
    with pytest.raises(ValueError, match="same folds"):
        layer_comparison_frame({0: SCORES, 1: SCORES[:-1]}, **SIZES)
    with pytest.raises(ValueError, match="at least one layer"):
        layer_comparison_frame({}, **SIZES)
    with pytest.raises(ValueError, match="'correction'"):
        layer_comparison_frame({0: SCORES}, correction="bonferroni", **SIZES)
