"""Metrics of all the draws of a bootstrap at once.

Each function takes the whole test set's ``y_true`` and ``y_score`` (1-D) and
``rows``, the row numbers of the draws (one draw a row), and returns the metric
of every draw, or None where it leaves a case to the metric itself (a draw
without one of the two classes). They are called once the metric has scored
the whole test set, so its checks of the labels and scores have passed.

- :func:`accuracy_of_draws`: ``accuracy_score``, bit for bit (a mean of 0s and
  1s, exact in any order).
- :func:`roc_auc_of_draws`: ``roc_auc_score`` of two classes, from the
  draws' counts of positives and negatives at each distinct score: the share
  of (positive, negative) pairs ranked right, ties counted half, as one
  division of whole numbers; scikit-learn's trapezoids give the same area to
  within a few units of the last place.
- :func:`recall_at_fpr_of_draws`: :func:`~sklearn_probe.metrics.recall_at_fpr`,
  bit for bit, from the same counts and the ROC curve's points that
  ``roc_curve`` keeps (it drops a point whose step in both counts equals the
  next one's).
- :func:`f1_of_draws` (``average="binary"`` or ``"macro"``) and
  :func:`balanced_accuracy_of_draws`: ``f1_score`` and
  ``balanced_accuracy_score``, bit for bit, from each draw's counts of true,
  predicted and rightly predicted rows of each class, where every draw holds
  every class of the test set's labels and predictions.
- :func:`r2_of_draws` and :func:`mean_squared_error_of_draws`: ``r2_score``
  and ``mean_squared_error`` of one target, bit for bit (the same sums of
  each draw's squares, in the same order).
"""

import numpy as np


def accuracy_of_draws(y_true, y_score, rows):
    """``accuracy_score`` of each draw: its mean of ``y_true == y_score``."""
    hits = np.asarray(y_true == y_score, dtype=np.float64)
    return hits[rows].sum(axis=1) / rows.shape[1]


def _counts(y_true, y_score, rows):
    """Each draw's positives and negatives at each distinct score, from the
    highest score down: ``(pos, neg)`` of shape (n_draws, n_distinct), or
    None where the scores are not numbers, the labels not two classes, or a
    draw lacks a class. The positive class is the larger label, as
    ``roc_auc_score`` and ``roc_curve`` take it."""
    classes = np.unique(y_true)
    if len(classes) != 2 or y_score.dtype.kind not in "biuf":
        return None
    order = np.argsort(y_score, kind="stable")[::-1]
    ranked = y_score[order]
    level = np.empty(len(y_score), dtype=np.intp)
    level[order] = np.r_[0, np.cumsum(ranked[1:] != ranked[:-1])]
    n_levels = int(level.max()) + 1
    cell = np.arange(len(rows))[:, None] * n_levels + level[rows]
    positive = (y_true == classes[1])[rows]
    size = len(rows) * n_levels
    pos = np.bincount(cell[positive], minlength=size).reshape(len(rows), n_levels)
    neg = np.bincount(cell[~positive], minlength=size).reshape(len(rows), n_levels)
    if not (pos.sum(axis=1).all() and neg.sum(axis=1).all()):
        return None
    return pos, neg


def roc_auc_of_draws(y_true, y_score, rows):
    """``roc_auc_score`` of each draw (two classes), or None."""
    counts = _counts(y_true, y_score, rows)
    if counts is None:
        return None
    pos, neg = counts
    above = np.cumsum(pos, axis=1) - pos  # positives scored above each level
    twice_right = (neg * (2 * above + pos)).sum(axis=1)
    return twice_right / (2.0 * pos.sum(axis=1) * neg.sum(axis=1))


def _kept_points(tps, fps, present):
    """The points of each draw's ROC curve that ``roc_curve`` keeps: among the
    levels present in the draw, the first, the last and each whose second
    difference of ``tps`` or of ``fps`` is not 0."""
    n_levels = tps.shape[1]
    index = np.broadcast_to(np.arange(n_levels), tps.shape)
    at_or_before = np.maximum.accumulate(np.where(present, index, -1), axis=1)
    before = np.c_[np.full(len(tps), -1), at_or_before[:, :-1]]
    at_or_after = np.minimum.accumulate(
        np.where(present, index, n_levels)[:, ::-1], axis=1
    )[:, ::-1]
    after = np.c_[at_or_after[:, 1:], np.full(len(tps), n_levels)]
    inner = (before >= 0) & (after < n_levels)
    before, after = np.where(inner, before, index), np.where(inner, after, index)
    bends = np.zeros(tps.shape, dtype=bool)
    for counts in (tps, fps):
        step_in = counts - np.take_along_axis(counts, before, axis=1)
        step_out = np.take_along_axis(counts, after, axis=1) - counts
        bends |= step_in != step_out
    return present & (bends | ~inner)


def recall_at_fpr_of_draws(y_true, y_score, rows, max_fpr=0.01):
    """:func:`~sklearn_probe.metrics.recall_at_fpr` of each draw, or None."""
    counts = _counts(y_true, y_score, rows)
    if counts is None:
        return None
    pos, neg = counts
    tps, fps = np.cumsum(pos, axis=1), np.cumsum(neg, axis=1)
    kept = _kept_points(tps, fps, (pos + neg) > 0)
    n_pos = tps[:, -1:].astype(np.float64)
    n_neg = fps[:, -1:].astype(np.float64)
    allowed = kept & (fps / n_neg <= max_fpr)
    # The curve's first point (0, 0) is always allowed; a larger count gives a
    # larger rate, so the largest rate is that of the largest count.
    return np.where(allowed, tps, 0).max(axis=1) / n_pos[:, 0]


def _class_counts(y_true, y_score, rows, labels):
    """Each draw's rows of each label: ``(true, predicted, right)``, each of
    shape (n_draws, n_labels)."""
    counts = [[], [], []]
    for label in labels:
        is_true, is_predicted = y_true == label, y_score == label
        for kept, mask in zip(
            counts, (is_true, is_predicted, is_true & is_predicted), strict=True
        ):
            kept.append(np.count_nonzero(mask[rows], axis=1))
    return tuple(np.stack(kept, axis=1) for kept in counts)


def f1_of_draws(y_true, y_score, rows, average="binary", pos_label=1):
    """``f1_score`` of each draw, for ``average`` "binary" or "macro", or None
    (another average, or a draw without a class of the labels or
    predictions)."""
    if average == "binary":
        labels = [pos_label]
    elif average == "macro" and pos_label in (None, 1):
        labels = np.union1d(y_true, y_score)  # as unique_labels sorts them
    else:
        return None
    true, predicted, right = _class_counts(y_true, y_score, rows, labels)
    if average == "macro" and not (true + predicted).all():
        return None  # a class missing from a draw: not one of its labels
    denominator = 1 * true.astype(np.float64) + predicted.astype(np.float64)
    if not denominator.all():
        return None  # the metric's warning and zero_division
    return ((1 + 1) * right.astype(np.float64) / denominator).sum(axis=1) / len(labels)


def balanced_accuracy_of_draws(y_true, y_score, rows):
    """``balanced_accuracy_score`` of each draw, or None where a draw lacks a
    class of the labels or predicts one the labels lack."""
    labels = np.union1d(y_true, y_score)
    true, _, right = _class_counts(y_true, y_score, rows, labels)
    if not true.all():
        return None
    return (right / true).sum(axis=1) / len(labels)


def _float_pair(y_true, y_score):
    """Both as float64, as the regression metrics take integers and float64,
    or None for anything else (float32 stays float32 there)."""
    if not all(
        y.dtype.kind in "iu" or y.dtype == np.float64 for y in (y_true, y_score)
    ):
        return None
    return y_true.astype(np.float64), y_score.astype(np.float64)


def mean_squared_error_of_draws(y_true, y_score, rows):
    """``mean_squared_error`` of each draw, or None."""
    pair = _float_pair(y_true, y_score)
    if pair is None:
        return None
    return ((pair[0] - pair[1]) ** 2)[rows].sum(axis=1) / rows.shape[1]


def r2_of_draws(y_true, y_score, rows):
    """``r2_score`` of each draw (with its ``force_finite``: 1 where every
    prediction is right, 0 where the draw's targets are all equal), or None."""
    pair = _float_pair(y_true, y_score)
    if pair is None or rows.shape[1] < 2:
        return None
    numerator = ((pair[0] - pair[1]) ** 2)[rows].sum(axis=1)
    drawn = pair[0][rows]
    mean = drawn.sum(axis=1) / rows.shape[1]
    denominator = ((drawn - mean[:, None]) ** 2).sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        scores = 1 - numerator / denominator
    scores[denominator == 0] = 0.0
    scores[numerator == 0] = 1.0
    return scores
