"""The draws of a bootstrap and a metric's values on them, fast.

:func:`draw_rows` draws the rows of every resample at once, from the same
random numbers, in the same order, as drawing them one resample at a time.
:func:`scorer_metric` takes a scikit-learn scorer apart, once, into its metric
and the responses it reads on the whole test set (:class:`Metric`), so that a
draw is scored by the metric on the draw's rows of those responses, without
the scorer's checks and response lookup on every draw; the values are those
the scorer gives. :func:`draw_values` computes the metric on every draw: all
draws at once for accuracy, ROC AUC, recall at a false-positive rate, F1,
balanced accuracy, R² and the mean squared error (:data:`VECTORISED`,
``_draw_metrics``), one draw at a time otherwise.
"""

import copy
import functools
from dataclasses import dataclass, field

import numpy as np
from sklearn.metrics import (
    accuracy_score,
    balanced_accuracy_score,
    f1_score,
    mean_squared_error,
    r2_score,
    roc_auc_score,
)
from sklearn.utils import check_random_state

try:  # scikit-learn's plain scorer class (1.4 and later); another: per draw
    from sklearn.metrics._scorer import _Scorer
except ImportError:  # pragma: no cover
    _Scorer = None

from ._draw_metrics import (
    accuracy_of_draws,
    balanced_accuracy_of_draws,
    f1_of_draws,
    mean_squared_error_of_draws,
    r2_of_draws,
    recall_at_fpr_of_draws,
    roc_auc_of_draws,
)
from ._monitor import recall_at_fpr


def draw_rows(y_true, n_resamples, stratify, random_state):
    """Row numbers of ``n_resamples`` draws with replacement, one draw a row.

    With ``stratify``, each draw holds, class by class in sorted order, as many
    rows of each class of ``y_true`` as the test set has; the random numbers
    are ``check_random_state(random_state).choice(class_rows, size)`` for each
    class of each draw in turn.

    Returns
    -------
    ndarray of shape (n_resamples, n_samples)
    """
    rng = check_random_state(random_state)
    groups = (
        [np.flatnonzero(y_true == c) for c in np.unique(y_true)]
        if stratify
        else [np.arange(len(y_true))]
    )
    rows = np.empty((n_resamples, sum(len(g) for g in groups)), dtype=np.intp)
    for i in range(n_resamples):
        rows[i] = np.concatenate([rng.choice(g, size=len(g)) for g in groups])
    return rows


@dataclass(frozen=True)
class Metric:
    """``sign * function(y_true, y_score, **kwargs)``: a scorer's metric."""

    function: callable
    sign: float = 1.0
    kwargs: dict = field(default_factory=dict)

    def __call__(self, y_true, y_score):
        return self.sign * self.function(y_true, y_score, **self.kwargs)


def scorer_metric(scorer, estimator, X, y):
    """A scikit-learn scorer's metric and the responses it reads, or None.

    For a scorer of scikit-learn's own kind (``make_scorer``, ``get_scorer``,
    this package's :data:`~sklearn_probe.metrics.SCORERS`), the scorer runs once
    on ``(estimator, X, y)`` with its metric replaced by a recorder that keeps
    what the metric would be given: the responses (after the scorer's choice
    of column and sign for the positive class, which go row by row) and the
    keyword arguments. ``Metric(...)(y[rows], responses[rows])`` then equals
    ``scorer(estimator, X[rows], y[rows])``. Any other scorer (a function of
    the user's, a subclass that scores its own way) gives None.

    Returns
    -------
    (Metric, ndarray) or None
    """
    if type(scorer) is not _Scorer:
        return None
    seen = {}

    @functools.wraps(scorer._score_func)  # its signature: the default pos_label
    def record(y_true, y_pred, **kwargs):
        seen.update(y_pred=y_pred, kwargs=kwargs)
        return 0.0

    recording = copy.copy(scorer)
    recording._score_func = record
    recording(estimator, X, y)
    metric = Metric(scorer._score_func, scorer._sign, seen["kwargs"])
    return metric, np.asarray(seen["y_pred"])


#: Metrics computed for all draws at once: function -> (the keyword arguments
#: it may have, its function of the draws, see ``_draw_metrics``).
VECTORISED = {
    accuracy_score: (set(), accuracy_of_draws),
    roc_auc_score: (set(), roc_auc_of_draws),
    recall_at_fpr: ({"max_fpr"}, recall_at_fpr_of_draws),
    f1_score: ({"average", "pos_label"}, f1_of_draws),
    balanced_accuracy_score: (set(), balanced_accuracy_of_draws),
    r2_score: (set(), r2_of_draws),
    mean_squared_error: (set(), mean_squared_error_of_draws),
}


def draw_values(metric, y_true, y_score, rows):
    """``metric(y_true[r], y_score[r])`` for each row ``r`` of ``rows``.

    ``metric`` is a :class:`Metric` or any ``metric(y_true, y_score)``. A
    :class:`Metric` of :data:`VECTORISED` on 1-D arrays scores all draws at
    once; call it only once the metric has scored the whole test set (its
    checks of the labels and predictions then hold for every draw of them).
    """
    fast = _all_at_once(metric, y_true, y_score, rows)
    if fast is not None:
        return fast
    values = np.empty(len(rows))
    for i, draw in enumerate(rows):
        values[i] = metric(y_true[draw], y_score[draw])
    return values


def _all_at_once(metric, y_true, y_score, rows):
    """The values of a :data:`VECTORISED` metric, or None."""
    own = getattr(metric, "function", None)
    allowed, function = next(
        (entry for known, entry in VECTORISED.items() if known is own), (None, None)
    )
    if (
        function is None
        or not set(metric.kwargs) <= allowed
        or y_true.ndim != 1
        or y_score.ndim != 1
        or len(y_true) == 0
    ):
        return None
    values = function(y_true, y_score, rows, **metric.kwargs)
    return None if values is None else metric.sign * values
