"""A bootstrap confidence interval of a metric on one held-out test set."""

import numbers

import numpy as np
from sklearn.utils._param_validation import Interval, validate_params

from ._draws import VECTORISED, Metric, draw_rows, draw_values, scorer_metric


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
    be in the test set, not how it varies over training sets. scikit-learn's
    ``accuracy_score``, ``balanced_accuracy_score``, ``f1_score``,
    ``roc_auc_score``, ``r2_score``, ``mean_squared_error`` and
    :func:`~sklearn_probe.metrics.recall_at_fpr` are computed for all the draws
    at once, to the same values.

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
    if any(metric is function for function in VECTORISED):
        metric = Metric(metric)
    return _interval(
        metric, y_true, y_score, n_resamples, confidence, stratify, random_state
    )


def _interval(metric, y_true, y_score, n_resamples, confidence, stratify, random_state):
    """:func:`bootstrap_interval` of checked arrays: the draws' rows from the
    seed (:func:`draw_rows`), the metric on the whole test set, then on every
    draw (:func:`draw_values`)."""
    rows = draw_rows(y_true, n_resamples, stratify, random_state)
    score = float(metric(y_true, y_score))
    values = draw_values(metric, y_true, y_score, rows)
    tail = (1 - confidence) / 2 * 100
    low, high = np.percentile(values, [tail, 100 - tail])
    return {
        "score": score,
        "low": float(low),
        "high": float(high),
        "confidence": confidence,
        "n_resamples": n_resamples,
    }


_RESPONSES = ("predict", "predict_proba", "predict_log_proba", "decision_function")


class FrozenResponses:
    """An estimator that answers for rows of one data set from outputs computed
    once.

    ``FrozenResponses(estimator, X)`` has the response methods that
    ``estimator`` has (``predict``, ``predict_proba``, ``predict_log_proba``,
    ``decision_function``), its ``classes_`` and its tags; each method takes
    row numbers of ``X`` and returns ``estimator``'s output for those rows,
    computed on the whole of ``X`` on its first call only. A scikit-learn
    scorer scores it as it would ``estimator``: ``scorer(frozen, rows, y[rows])``
    equals ``scorer(estimator, X[rows], y[rows])``.

    Parameters
    ----------
    estimator : fitted estimator
        What answers, e.g. a sweep's ``best_pipeline``.
    X : texts, array or anything ``estimator`` takes
        The data set whose rows the methods take by number.
    """

    def __init__(self, estimator, X):
        self._estimator = estimator
        self._X = X
        self._outputs = {}

    def __getattr__(self, name):
        if name.startswith("_") or name not in (*_RESPONSES, "classes_"):
            raise AttributeError(name)
        value = getattr(self._estimator, name)  # AttributeError where it has none
        if name == "classes_":
            return value

        def respond(rows):
            return self._output(name)[np.asarray(rows)]

        respond.__name__ = name  # what scikit-learn's scorers call it by
        return respond

    def __sklearn_tags__(self):
        return self._estimator.__sklearn_tags__()

    def _output(self, name):
        if name not in self._outputs:
            self._outputs[name] = np.asarray(getattr(self._estimator, name)(self._X))
        return self._outputs[name]


@validate_params(
    {
        "estimator": "no_validation",
        "X": "no_validation",
        "y": ["array-like"],
        "scoring": [str, callable, None],
        "n_resamples": [Interval(numbers.Integral, 100, None, closed="left")],
        "confidence": [Interval(numbers.Real, 0.0, 1.0, closed="neither")],
        "stratify": ["boolean"],
        "random_state": ["random_state"],
    },
    prefer_skip_nested_validation=True,
)
def bootstrap_score(
    estimator,
    X,
    y,
    *,
    scoring=None,
    n_resamples=1000,
    confidence=0.95,
    stratify=True,
    random_state=0,
):
    """A fitted estimator's score on a test set and its bootstrap interval.

    The estimator runs on ``X`` once (each response method the scorer asks
    for: ``predict``, ``predict_proba`` or ``decision_function``); the scorer
    then scores the whole test set and each of ``n_resamples`` draws of its
    rows from those outputs (:func:`bootstrap_interval`), so any scorer that
    reads the estimator's predictions works, and a pipeline that runs a
    transformer model is not run again. A scorer of scikit-learn's kind
    (``make_scorer``, a scoring name) scores the draws by its metric alone, on
    the draws of the responses it read; accuracy, balanced accuracy, F1,
    ROC AUC, recall at a false-positive rate, R² and the mean squared error
    score all the draws at once. The values are those of the scorer called on
    each draw (ROC AUC's to within a few units of the last place).

    Parameters
    ----------
    estimator : fitted estimator
        E.g. a sweep's ``best_pipeline``.
    X : texts, array or anything ``estimator`` takes
        The test set.
    y : array-like of shape (n_samples,)
        Its labels or targets.
    scoring : str, callable or None, default=None
        A name of :func:`get_scorer` (``"roc_auc"``, ``"recall_at_1pct_fpr"``,
        ...), a scorer ``scorer(estimator, X, y)``, or None for the
        estimator's ``score``'s metric (accuracy, R²).
    n_resamples, confidence, random_state
        As in :func:`bootstrap_interval`.
    stratify : bool, default=True
        Draw within each class; pass False for a regression.

    Returns
    -------
    dict
        ``{"score", "low", "high", "confidence", "n_resamples"}``.

    Examples
    --------
    >>> from sklearn.datasets import make_classification
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklearn_probe.metrics import bootstrap_score
    >>> X, y = make_classification(400, random_state=0)
    >>> model = LogisticRegression().fit(X[:200], y[:200])
    >>> ci = bootstrap_score(model, X[200:], y[200:], scoring="roc_auc")
    >>> bool(ci["low"] <= ci["score"] <= ci["high"])
    True
    """
    from sklearn.metrics import check_scoring

    from ._monitor import resolve_scoring

    scorer = check_scoring(estimator, scoring=resolve_scoring(scoring))
    y = np.asarray(y)
    frozen = FrozenResponses(estimator, X)
    rows = np.arange(len(y))
    parts = scorer_metric(scorer, frozen, rows, y)
    if parts is None:  # a scorer of the user's: scored on each draw's rows
        metric, y_score = (lambda y_true, rows: scorer(frozen, rows, y_true)), rows
    else:  # the scorer's metric on the draws of the responses it reads
        metric, y_score = parts
    return _interval(
        metric, y, y_score, n_resamples, confidence, stratify, random_state
    )
