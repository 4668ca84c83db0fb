"""Metrics that monitors are judged by, as functions and scikit-learn scorers.

A probe used as a monitor (flag the harmful, the deceptive, the off-topic) is
judged at a low false-positive rate, not by its accuracy: how much does it catch
when it may raise a false alarm on at most 1 % of the negatives?

- :func:`recall_at_fpr`: the highest true-positive rate among the probe's
  thresholds whose false-positive rate is at most ``max_fpr``.
- :func:`partial_auroc`: the area under the ROC curve up to ``max_fpr``,
  McClish-standardised (0.5 is chance, 1 is perfect), as scikit-learn's
  ``roc_auc_score(max_fpr=...)``.
- :func:`make_recall_at_fpr_scorer` and :func:`make_partial_auroc_scorer`:
  scorers for any rate, usable as ``scoring=`` in ``cross_val_score``,
  ``GridSearchCV`` and :func:`~sklearn_probe.layer_sweep`.
- :func:`get_scorer`: scikit-learn's scorer names plus the names of
  :data:`SCORERS` (``"recall_at_1pct_fpr"``, ``"partial_auroc_10pct"``, ...).
"""

import numbers

import numpy as np
from sklearn.metrics import make_scorer, roc_auc_score, roc_curve
from sklearn.utils._param_validation import Interval, validate_params

_RATE = Interval(numbers.Real, 0.0, 1.0, closed="neither")


def _check_binary(y_true, y_score, name):
    y_true = np.asarray(y_true)
    y_score = np.asarray(y_score, dtype=np.float64)
    if y_score.ndim != 1:
        raise ValueError(
            f"{name} scores one positive class: y_score must be one score per "
            f"sample, got shape {y_score.shape}. For a probe with two classes, "
            "pass the positive class's probability or decision function."
        )
    classes = np.unique(y_true)
    if len(classes) != 2:
        raise ValueError(
            f"{name} needs labels of exactly two classes (negatives and "
            f"positives); got {len(classes)}: {classes.tolist()[:5]}. For more "
            "classes, score one class against the rest."
        )
    return y_true, y_score


@validate_params(
    {
        "y_true": ["array-like"],
        "y_score": ["array-like"],
        "max_fpr": [_RATE],
        "pos_label": [None, str, numbers.Real],
    },
    prefer_skip_nested_validation=True,
)
def recall_at_fpr(y_true, y_score, *, max_fpr=0.01, pos_label=None):
    """Recall (true-positive rate) at a false-positive rate of at most ``max_fpr``.

    Among the thresholds of ``y_score``, those that flag at most ``max_fpr`` of
    the negatives; of these, the one that catches the most positives.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        Labels of two classes.
    y_score : array-like of shape (n_samples,)
        Scores of the positive class (probability or decision function).
    max_fpr : float in (0, 1), default=0.01
        The largest false-positive rate allowed.
    pos_label : int, float, bool or str, default=None
        The positive class; None means the larger label (1 of {0, 1}).

    Returns
    -------
    float
        The true-positive rate, in [0, 1] (0 when no threshold is allowed but
        the one that flags nothing).

    Examples
    --------
    >>> from sklearn_probe.metrics import recall_at_fpr
    >>> recall_at_fpr([0, 0, 0, 0, 1, 1], [0.1, 0.2, 0.3, 0.8, 0.7, 0.9], max_fpr=0.2)
    0.5
    """
    y_true, y_score = _check_binary(y_true, y_score, "recall_at_fpr")
    fpr, tpr, _ = roc_curve(y_true, y_score, pos_label=pos_label)
    return float(tpr[fpr <= max_fpr].max())


@validate_params(
    {"y_true": ["array-like"], "y_score": ["array-like"], "max_fpr": [_RATE]},
    prefer_skip_nested_validation=True,
)
def partial_auroc(y_true, y_score, *, max_fpr=0.1):
    """Area under the ROC curve up to ``max_fpr``, McClish-standardised.

    The raw partial area lies between ``max_fpr**2 / 2`` (chance) and
    ``max_fpr`` (perfect); it is rescaled so that chance is 0.5 and perfect is
    1, as scikit-learn's ``roc_auc_score(y_true, y_score, max_fpr=max_fpr)``.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        Labels of two classes (the larger one is positive).
    y_score : array-like of shape (n_samples,)
        Scores of the positive class.
    max_fpr : float in (0, 1), default=0.1
        The false-positive rate where the area stops.

    Returns
    -------
    float

    Examples
    --------
    >>> from sklearn_probe.metrics import partial_auroc
    >>> round(partial_auroc([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8], max_fpr=0.5), 4)
    0.6667
    """
    y_true, y_score = _check_binary(y_true, y_score, "partial_auroc")
    return float(roc_auc_score(y_true, y_score, max_fpr=max_fpr))


def _rate_name(rate):
    return f"{rate * 100:g}pct".replace(".", "_")


@validate_params({"max_fpr": [_RATE]}, prefer_skip_nested_validation=True)
def make_recall_at_fpr_scorer(max_fpr=0.01):
    """A scorer of :func:`recall_at_fpr` at ``max_fpr`` for a binary classifier.

    It reads the classifier's ``decision_function`` or, without one,
    ``predict_proba``'s positive column.

    Parameters
    ----------
    max_fpr : float in (0, 1), default=0.01
        The largest false-positive rate allowed.

    Returns
    -------
    scorer : callable
        ``scorer(estimator, X, y) -> float``.

    Examples
    --------
    >>> from sklearn_probe.metrics import make_recall_at_fpr_scorer
    >>> scorer = make_recall_at_fpr_scorer(0.05)
    >>> scorer._kwargs
    {'max_fpr': 0.05}
    """
    return make_scorer(
        recall_at_fpr,
        response_method=("decision_function", "predict_proba"),
        max_fpr=max_fpr,
    )


@validate_params({"max_fpr": [_RATE]}, prefer_skip_nested_validation=True)
def make_partial_auroc_scorer(max_fpr=0.1):
    """A scorer of :func:`partial_auroc` up to ``max_fpr`` for a binary classifier.

    Parameters
    ----------
    max_fpr : float in (0, 1), default=0.1
        The false-positive rate where the area stops.

    Returns
    -------
    scorer : callable
        ``scorer(estimator, X, y) -> float``.
    """
    return make_scorer(
        partial_auroc,
        response_method=("decision_function", "predict_proba"),
        max_fpr=max_fpr,
    )


#: The names :func:`get_scorer` knows beyond scikit-learn's own: for each, its
#: scorer factory, the false-positive rate and its title on an axis.
SCORERS = {
    **{
        f"recall_at_{_rate_name(r)}_fpr": (
            make_recall_at_fpr_scorer,
            r,
            f"Recall at {r * 100:g}% FPR",
        )
        for r in (0.001, 0.01, 0.05, 0.1)
    },
    **{
        f"partial_auroc_{_rate_name(r)}": (
            make_partial_auroc_scorer,
            r,
            f"Partial AUROC (FPR ≤ {r * 100:g}%)",
        )
        for r in (0.01, 0.05, 0.1)
    },
}


def get_scorer(scoring):
    """A scorer from a name of :data:`SCORERS` or of scikit-learn, or a callable.

    A scorer of :data:`SCORERS` carries its name as ``__name__``, so tables and
    reports name it.

    Parameters
    ----------
    scoring : str or callable
        A name of :data:`SCORERS`, a scikit-learn scoring name, or a callable.

    Returns
    -------
    scorer : callable

    Examples
    --------
    >>> from sklearn_probe.metrics import get_scorer
    >>> get_scorer("recall_at_1pct_fpr")._kwargs
    {'max_fpr': 0.01}
    >>> get_scorer("accuracy")
    make_scorer(accuracy_score, response_method='predict')
    """
    from sklearn.metrics import get_scorer as sklearn_get_scorer

    if isinstance(scoring, str) and scoring in SCORERS:
        factory, rate, _ = SCORERS[scoring]
        scorer = factory(rate)
        scorer.__name__ = scoring
        return scorer
    return sklearn_get_scorer(scoring)


def resolve_scoring(scoring):
    """``scoring`` for scikit-learn: a scorer for a name of :data:`SCORERS`.

    Parameters
    ----------
    scoring : str, callable or None
        Anything but a name of :data:`SCORERS` is returned unchanged.

    Returns
    -------
    str, callable or None
    """
    if isinstance(scoring, str) and scoring in SCORERS:
        return get_scorer(scoring)
    return scoring


def scoring_title(name):
    """The axis title of a name of :data:`SCORERS`.

    Parameters
    ----------
    name : str
        A scoring name.

    Returns
    -------
    str or None
        None for names not in :data:`SCORERS`.
    """
    entry = SCORERS.get(name) if isinstance(name, str) else None
    return entry[2] if entry else None


def scorer_names():
    """Every name :func:`get_scorer` accepts: scikit-learn's and :data:`SCORERS`.

    Returns
    -------
    list of str
    """
    from sklearn.metrics import get_scorer_names

    return sorted(set(get_scorer_names()) | set(SCORERS))
