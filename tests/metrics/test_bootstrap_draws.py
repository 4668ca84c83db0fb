"""The bootstrap's fast paths against the plain ones: the metrics of all draws
at once against the metric on each draw, and ``bootstrap_score`` from a
scorer's metric against the scorer called on every draw (the way it was
computed before), on random data with ties, several seeds.
"""

import numpy as np
import pytest
from sklearn.datasets import make_classification, make_regression
from sklearn.exceptions import UndefinedMetricWarning
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.metrics import (
    accuracy_score,
    balanced_accuracy_score,
    check_scoring,
    f1_score,
    mean_squared_error,
    r2_score,
    roc_auc_score,
)
from sklearn.naive_bayes import GaussianNB

from sklearn_probe.metrics import (
    FrozenResponses,
    bootstrap_interval,
    bootstrap_score,
    recall_at_fpr,
    resolve_scoring,
)
from sklearn_probe.metrics._draws import Metric, draw_rows, draw_values

SEEDS = [0, 1, 2, 3]


def labels_and_scores(seed, n=150):
    """Unbalanced labels and scores with many ties (rounded to 1 decimal)."""
    rng = np.random.RandomState(seed)
    y = (rng.uniform(size=n) < 0.3 + 0.1 * seed).astype(int)
    scores = np.round(y * (0.5 + seed / 4) + rng.normal(size=n), 1)
    return y, scores


def one_by_one(metric, y, scores, rows):
    return np.array([metric(y[r], scores[r]) for r in rows])


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("stratify", [True, False])
@pytest.mark.parametrize(
    "function, kwargs, exact",
    [
        (roc_auc_score, {}, False),
        (recall_at_fpr, {"max_fpr": 0.01}, True),
        (recall_at_fpr, {"max_fpr": 0.1}, True),
        (recall_at_fpr, {"max_fpr": 0.3}, True),
    ],
)
def test_ranking_metrics_of_all_draws_equal_each_draws(
    seed, stratify, function, kwargs, exact
):
    y, scores = labels_and_scores(seed)
    rows = draw_rows(y, 300, stratify, seed)
    got = draw_values(Metric(function, 1, kwargs), y, scores, rows)
    want = one_by_one(lambda a, b: function(a, b, **kwargs), y, scores, rows)
    if exact:
        np.testing.assert_array_equal(got, want)
    else:
        np.testing.assert_allclose(got, want, rtol=0, atol=1e-12)


@pytest.mark.parametrize("seed", SEEDS)
def test_accuracy_of_all_draws_equals_each_draws_bit_for_bit(seed):
    rng = np.random.RandomState(seed)
    y = rng.choice(["neg", "pos", "mixed"], size=120)
    predicted = np.where(rng.uniform(size=120) < 0.7, y, "pos")
    rows = draw_rows(y, 300, True, seed)
    got = draw_values(Metric(accuracy_score), y, predicted, rows)
    np.testing.assert_array_equal(got, one_by_one(accuracy_score, y, predicted, rows))


def predictions(seed, labels, n=120):
    """Labels of 2 or 3 classes and predictions that are right 60% of the time."""
    rng = np.random.RandomState(seed)
    y = rng.choice(labels, size=n, p=None if len(labels) == 2 else [0.5, 0.3, 0.2])
    guess = rng.choice(labels, size=n)
    return y, np.where(rng.uniform(size=n) < 0.6, y, guess)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("stratify", [True, False])
@pytest.mark.parametrize(
    "function, kwargs, labels",
    [
        (f1_score, {"average": "binary"}, [0, 1]),
        (f1_score, {"average": "binary", "pos_label": "b"}, ["a", "b"]),
        (f1_score, {"average": "macro", "pos_label": None}, [0, 1, 2]),
        (balanced_accuracy_score, {}, [0, 1]),
        (balanced_accuracy_score, {}, ["x", "y", "z"]),
    ],
)
def test_class_count_metrics_of_all_draws_equal_each_draws_bit_for_bit(
    seed, stratify, function, kwargs, labels
):
    y, predicted = predictions(seed, labels)
    rows = draw_rows(y, 300, stratify, seed)
    got = draw_values(Metric(function, 1, kwargs), y, predicted, rows)
    want = one_by_one(lambda a, b: function(a, b, **kwargs), y, predicted, rows)
    np.testing.assert_array_equal(got, want)


def test_f1_of_a_draw_without_positives_is_left_to_the_metric():
    y = predicted = np.zeros(30, dtype=int)  # no positive: F1 is 0/0
    rows = draw_rows(y, 100, True, 0)
    with pytest.warns(UndefinedMetricWarning, match="F-score is ill-defined"):
        got = draw_values(Metric(f1_score), y, predicted, rows)
    np.testing.assert_array_equal(got, np.zeros(100))


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("function", [r2_score, mean_squared_error])
def test_regression_metrics_of_all_draws_equal_each_draws_bit_for_bit(seed, function):
    rng = np.random.RandomState(seed)
    y = rng.normal(scale=10**seed, size=90)
    predicted = y + rng.normal(size=90)
    rows = draw_rows(y, 300, False, seed)
    got = draw_values(Metric(function), y, predicted, rows)
    np.testing.assert_array_equal(got, one_by_one(function, y, predicted, rows))


def test_r2_of_draws_with_equal_targets_or_exact_predictions():
    # Draws of 3 rows out of 4: some hold one target only (R² 0 where the
    # predictions miss, 1 where they are right), some predictions are exact.
    y = np.array([2, 2, 2, 5])  # integers, as the metric takes them
    predicted = np.array([2.0, 2.0, 1.0, 5.0])
    rows = np.array(
        [[0, 1, 0, 1], [0, 2, 1, 0], [3, 3, 3, 3], [0, 3, 1, 3], [2, 3, 0, 1]]
    )
    got = draw_values(Metric(r2_score), y, predicted, rows)
    np.testing.assert_array_equal(got, one_by_one(r2_score, y, predicted, rows))
    np.testing.assert_array_equal(got[:3], [1.0, 0.0, 1.0])


def test_a_draw_without_a_class_is_left_to_the_metric():
    y = np.array([0] * 20 + [1])
    scores = np.linspace(0, 1, 21)
    rows = draw_rows(y, 200, False, 0)  # some draws miss the one positive
    with pytest.raises(ValueError, match="two classes"):
        draw_values(Metric(recall_at_fpr), y, scores, rows)


def old_bootstrap_score(estimator, X, y, scoring, stratify, seed):
    """The scorer called on the frozen outputs of every draw."""
    scorer = check_scoring(estimator, scoring=resolve_scoring(scoring))
    frozen = FrozenResponses(estimator, X)
    return bootstrap_interval(
        lambda y_true, rows: scorer(frozen, rows, y_true),
        y,
        np.arange(len(y)),
        n_resamples=200,
        stratify=stratify,
        random_state=seed,
    )


def classifier_case(seed, model):
    X, y = make_classification(
        400, n_informative=3, flip_y=0.3, weights=[0.7], random_state=seed
    )
    return model.fit(X[:200], y[:200]), X[200:], y[200:]


CASES = [
    ("accuracy", LogisticRegression()),
    ("roc_auc", LogisticRegression()),
    ("roc_auc", GaussianNB()),  # the positive column of predict_proba
    ("recall_at_1pct_fpr", LogisticRegression()),
    ("recall_at_10pct_fpr", GaussianNB()),
    ("partial_auroc_10pct", LogisticRegression()),
    ("f1", LogisticRegression()),
    ("balanced_accuracy", LogisticRegression()),
    ("neg_log_loss", LogisticRegression()),
]


@pytest.mark.parametrize("seed", SEEDS[:3])
@pytest.mark.parametrize("scoring, model", CASES)
def test_bootstrap_score_equals_the_scorer_on_every_draw(seed, scoring, model):
    estimator, X, y = classifier_case(seed, model)
    got = bootstrap_score(
        estimator, X, y, scoring=scoring, n_resamples=200, random_state=seed
    )
    want = old_bootstrap_score(estimator, X, y, scoring, True, seed)
    assert got == pytest.approx(want, rel=0, abs=1e-12)


@pytest.mark.parametrize("seed", SEEDS[:3])
@pytest.mark.parametrize("scoring", ["r2", "neg_mean_squared_error"])
def test_bootstrap_score_of_a_regression_equals_the_scorer(seed, scoring):
    X, y = make_regression(300, n_features=5, noise=40, random_state=seed)
    estimator = Ridge().fit(X[:150], y[:150])
    got = bootstrap_score(
        estimator,
        X[150:],
        y[150:],
        scoring=scoring,
        n_resamples=200,
        stratify=False,
        random_state=seed,
    )
    want = old_bootstrap_score(estimator, X[150:], y[150:], scoring, False, seed)
    assert got == pytest.approx(want, rel=0, abs=1e-12)


def test_a_users_scorer_is_called_on_every_draw():
    estimator, X, y = classifier_case(0, LogisticRegression())
    calls = []

    def scorer(model, X_rows, y_rows):
        calls.append(len(y_rows))
        return float(np.mean(model.predict(X_rows) == y_rows))

    got = bootstrap_score(estimator, X, y, scoring=scorer, n_resamples=200)
    want = bootstrap_score(estimator, X, y, scoring="accuracy", n_resamples=200)
    assert got == pytest.approx(want, rel=0, abs=1e-12)
    assert calls == [200] * 201
