"""A bootstrap confidence interval of a metric on one held-out test set."""

import numbers

import numpy as np
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, validate_params


@validate_params(
    {
        "metric": [callable],
        "y_true": ["array-like"],
        "y_score": ["array-like"],
        "n_resamples": [Interval(numbers.Integral, 100, None, closed="left")],
        "confidence": [Interval(numbers.Real, 0.0, 1.0, closed="neither")],
        "stratify": ["boolean"],
        "random_state": ["random_state"],
    },
    prefer_skip_nested_validation=True,
)
def bootstrap_interval(
    metric,
    y_true,
    y_score,
    *,
    n_resamples=1000,
    confidence=0.95,
    stratify=True,
    random_state=0,
):
    """Percentile bootstrap interval of ``metric(y_true, y_score)``.

    The test set is drawn again with replacement ``n_resamples`` times (within
    each class when ``stratify``, so that every draw holds every class and a
    ranking metric such as ROC AUC is defined on each) and the metric computed
    on each draw; the interval is the central ``confidence`` part of those
    values. It says how much the test score depends on which texts happened to
    be in the test set, not how it varies over training sets.

    Parameters
    ----------
    metric : callable
        ``metric(y_true, y_score) -> float``, e.g. ``sklearn.metrics.roc_auc_score``
        or :func:`~sklearn_probe.metrics.recall_at_fpr`.
    y_true, y_score : array-like of shape (n_samples,)
        Labels and what the metric reads (predictions or scores).
    n_resamples : int, default=1000
        Draws of the test set.
    confidence : float in (0, 1), default=0.95
        Share of the draws' values inside the interval.
    stratify : bool, default=True
        Resample within each class of ``y_true``.
    random_state : int, RandomState instance or None, default=0
        Seed of the draws.

    Returns
    -------
    dict
        ``{"score", "low", "high", "confidence", "n_resamples"}``: the metric
        on the whole test set and the interval's ends.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.metrics import roc_auc_score
    >>> from sklearn_probe.metrics import bootstrap_interval
    >>> rng = np.random.default_rng(0)
    >>> y = np.repeat([0, 1], 100)
    >>> scores = y + rng.normal(size=200)
    >>> ci = bootstrap_interval(roc_auc_score, y, scores)
    >>> bool(ci["low"] < ci["score"] < ci["high"])
    True
    """
    y_true = np.asarray(y_true)
    y_score = np.asarray(y_score)
    if len(y_true) != len(y_score):
        raise ValueError(
            f"y_true has {len(y_true)} samples and y_score {len(y_score)}: give "
            "one score per test sample."
        )
    rng = check_random_state(random_state)
    groups = (
        [np.flatnonzero(y_true == c) for c in np.unique(y_true)]
        if stratify
        else [np.arange(len(y_true))]
    )
    values = np.empty(n_resamples)
    for i in range(n_resamples):
        draw = np.concatenate([rng.choice(g, size=len(g)) for g in groups])
        values[i] = metric(y_true[draw], y_score[draw])
    tail = (1 - confidence) / 2 * 100
    low, high = np.percentile(values, [tail, 100 - tail])
    return {
        "score": float(metric(y_true, y_score)),
        "low": float(low),
        "high": float(high),
        "confidence": confidence,
        "n_resamples": n_resamples,
    }
