"""Monitor metrics against a hand computation from the ROC curve's points."""

import numpy as np
import pytest
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import average_precision_score, roc_auc_score
from sklearn.model_selection import StratifiedKFold, cross_val_score

from sklearn_probe.metrics import (
    bootstrap_interval,
    get_scorer,
    make_recall_at_fpr_scorer,
    partial_auroc,
    recall_at_fpr,
    scorer_names,
)


def _hand_recall_at_fpr(y, s, max_fpr):
    """Every threshold tried by brute force: flag ``s >= t``."""
    best = 0.0
    for t in np.concatenate([np.unique(s), [np.inf]]):
        flagged = s >= t
        fpr = np.mean(flagged[y == 0])
        tpr = np.mean(flagged[y == 1])
        if fpr <= max_fpr:
            best = max(best, tpr)
    return best


def _hand_partial_auroc(y, s, max_fpr):
    """Trapezoids of the ROC points up to ``max_fpr``, then McClish's rescaling."""
    thresholds = np.concatenate([[np.inf], np.unique(s)[::-1]])
    fpr = np.array([np.mean(s[y == 0] >= t) for t in thresholds])
    tpr = np.array([np.mean(s[y == 1] >= t) for t in thresholds])
    stop = np.searchsorted(fpr, max_fpr, side="right")
    x = np.append(fpr[:stop], max_fpr)
    h = np.append(tpr[:stop], np.interp(max_fpr, fpr, tpr))
    area = np.sum(np.diff(x) * (h[1:] + h[:-1]) / 2)
    low, high = max_fpr**2 / 2, max_fpr
    return 0.5 * (1 + (area - low) / (high - low))


@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize("max_fpr", [0.01, 0.05, 0.2])
def test_recall_at_fpr_equals_a_brute_force_over_thresholds(seed, max_fpr):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, 400)
    s = np.round(y * 0.8 + rng.normal(size=400), 2)  # ties included
    assert recall_at_fpr(y, s, max_fpr=max_fpr) == pytest.approx(
        _hand_recall_at_fpr(y, s, max_fpr), abs=1e-12
    )


@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize("max_fpr", [0.05, 0.1, 0.5])
def test_partial_auroc_equals_a_hand_computation(seed, max_fpr):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, 300)
    s = y * 0.7 + rng.normal(size=300)
    assert partial_auroc(y, s, max_fpr=max_fpr) == pytest.approx(
        _hand_partial_auroc(y, s, max_fpr), abs=1e-12
    )


def test_named_scorers_work_in_cross_val_score():
    X, y = make_classification(n_samples=300, random_state=0)
    cv = StratifiedKFold(5, shuffle=True, random_state=0)
    model = LogisticRegression()
    scorer = get_scorer("recall_at_1pct_fpr")
    recall = cross_val_score(model, X, y, cv=cv, scoring=scorer)
    by_hand = []
    for train, test in cv.split(X, y):
        scores = model.fit(X[train], y[train]).decision_function(X[test])
        by_hand.append(_hand_recall_at_fpr(y[test], scores, 0.01))
    np.testing.assert_allclose(recall, by_hand, atol=1e-12)
    ap = cross_val_score(model, X, y, cv=cv, scoring=get_scorer("average_precision"))
    assert np.all((ap > 0.5) & (ap <= 1))
    assert {"recall_at_1pct_fpr", "partial_auroc_10pct", "accuracy"} <= set(
        scorer_names()
    )


def test_a_bad_rate_or_three_classes_is_refused_with_the_reason():
    with pytest.raises(ValueError, match="max_fpr"):
        make_recall_at_fpr_scorer(1.5)
    with pytest.raises(ValueError, match="exactly two classes"):
        recall_at_fpr([0, 1, 2], [0.1, 0.5, 0.9])


def test_bootstrap_interval_covers_the_score_and_narrows_with_more_samples():
    rng = np.random.default_rng(0)

    def width(n):
        y = np.repeat([0, 1], n)
        s = y + rng.normal(size=2 * n)
        ci = bootstrap_interval(average_precision_score, y, s, random_state=0)
        assert ci["low"] <= ci["score"] <= ci["high"]
        return ci["high"] - ci["low"]

    assert width(400) < width(50)
    # Every stratified draw keeps both classes, so ROC AUC is defined on each.
    ci = bootstrap_interval(roc_auc_score, [0, 0, 0, 1, 1], [0.1, 0.2, 0.6, 0.5, 0.9])
    assert 0 <= ci["low"] <= ci["high"] <= 1


def test_a_layer_sweep_scores_by_a_monitor_metric_on_its_folds(tiny_bert):
    from helpers import length_corpus
    from sklearn.base import clone

    from sklearn_probe import layer_sweep

    texts, y = length_corpus(60, gap=True)
    cv = StratifiedKFold(3, shuffle=True, random_state=0)
    result = layer_sweep(
        texts, y, model=tiny_bert, layers=[0, 2], cv=cv, scoring="recall_at_5pct_fpr"
    )
    assert result.settings["scoring"] == "recall_at_5pct_fpr"
    # The best row's fold scores, by hand from its pipeline's decision function.
    by_hand = []
    for train, test in cv.split(texts, y):
        fitted = clone(result.best_pipeline).fit([texts[i] for i in train], y[train])
        scores = fitted.decision_function([texts[i] for i in test])
        by_hand.append(_hand_recall_at_fpr(y[test], scores, 0.05))
    best = result.scores.loc[result.best_index]
    assert best["cv_score_mean"] == pytest.approx(np.mean(by_hand), abs=1e-6)
    with pytest.raises(ValueError, match="recall_at_1pct_fpr"):
        layer_sweep(texts, y, model=tiny_bert, scoring="recall_at_2pct")
