"""Corrected resampled t: repeated cross-validation, the Nadeau-Bengio
variance, confidence intervals and paired tests of one or two layers' fold
scores (the theory is in :mod:`sklearn_probe.stats`)."""

import math
import numbers
from typing import NamedTuple

import numpy as np
from scipy import stats as _scipy_stats
from sklearn.model_selection import RepeatedStratifiedKFold, cross_val_score

__all__ = [
    "ConfidenceInterval",
    "PairedComparison",
    "confidence_interval",
    "corrected_variance",
    "paired_comparison",
    "repeated_cv_scores",
    "train_test_sizes",
]


class ConfidenceInterval(NamedTuple):
    """Mean of the scores and a two-sided confidence interval around it.

    Attributes
    ----------
    mean : float
        Mean of the scores.
    low, high : float
        Bounds of the interval.
    """

    mean: float
    low: float
    high: float


class PairedComparison(NamedTuple):
    """Mean difference of paired scores, its confidence interval, and a p-value.

    Attributes
    ----------
    difference : float
        Mean of the paired differences (first minus second).
    ci : tuple of float
        ``(low, high)`` confidence interval of the difference.
    p_value : float
        Two-sided p-value of "no difference".
    """

    difference: float
    ci: tuple
    p_value: float


def repeated_cv_scores(
    estimator,
    X,
    y,
    *,
    n_repeats=5,
    cv=5,
    scoring="accuracy",
    random_state=0,
    n_jobs=None,
):
    """Scores of repeated stratified k-fold cross-validation.

    Parameters
    ----------
    estimator : estimator object
        The classifier or pipeline to evaluate (cloned for each fold).
    X : array-like or sequence of str
        Input accepted by ``estimator``.
    y : array-like of shape (n_samples,)
        Class labels; folds are stratified on them.
    n_repeats : int, default=5
        How many times k-fold is repeated, each with a different shuffle.
    cv : int, default=5
        Number of folds ``k`` per repeat.
    scoring : str or callable, default="accuracy"
        A scikit-learn scoring name or scorer.
    random_state : int or RandomState instance, default=0
        Seeds the shuffles. Keep it (and ``y``) fixed across layers so every
        layer is scored on the same folds and comparisons are paired.
    n_jobs : int, default=None
        Folds fitted in parallel, as in ``cross_val_score``.

    Returns
    -------
    scores : ndarray of shape (n_repeats * cv,)
        One score per fold, repeat by repeat (folds of repeat 0 first).

    See Also
    --------
    train_test_sizes : ``n_train`` and ``n_test`` for the intervals and tests.
    confidence_interval : Mean and corrected confidence interval of the scores.
    """
    for name, value, minimum in (("n_repeats", n_repeats, 1), ("cv", cv, 2)):
        if not isinstance(value, numbers.Integral) or value < minimum:
            raise ValueError(
                f"The '{name}' parameter of repeated_cv_scores must be an int >= "
                f"{minimum}. Got {value!r} instead."
            )
    splitter = RepeatedStratifiedKFold(
        n_splits=cv, n_repeats=n_repeats, random_state=random_state
    )
    scores = cross_val_score(
        estimator, X, y, cv=splitter, scoring=scoring, n_jobs=n_jobs
    )
    return np.asarray(scores, dtype=float)


def train_test_sizes(n_samples, cv):
    """Average training and test set sizes of k-fold cross-validation.

    Parameters
    ----------
    n_samples : int
        Number of examples cross-validated.
    cv : int
        Number of folds ``k``.

    Returns
    -------
    n_train, n_test : float
        ``n_samples * (k - 1) / k`` and ``n_samples / k``; only their ratio,
        ``1 / (k - 1)``, enters the correction.
    """
    if not isinstance(cv, numbers.Integral) or cv < 2:
        raise ValueError(f"cv must be an int >= 2; got {cv!r}.")
    return n_samples * (cv - 1) / cv, n_samples / cv


def _check_scores(scores, name="scores"):
    scores = np.asarray(scores, dtype=float)
    if scores.ndim != 1:
        raise ValueError(f"{name} must be 1-D; got shape {scores.shape}.")
    if scores.size < 2:
        raise ValueError(
            f"{name} needs at least 2 values (one per fold); got {scores.size}."
        )
    if not np.all(np.isfinite(scores)):
        raise ValueError(f"{name} contains NaN or infinite values.")
    return scores


def _check_sizes(n_train, n_test):
    for name, value in (("n_train", n_train), ("n_test", n_test)):
        if not isinstance(value, numbers.Real) or not value > 0:
            raise ValueError(f"{name} must be a positive number; got {value!r}.")


def _check_level(level, name="level"):
    if not isinstance(level, numbers.Real) or not 0 < level < 1:
        raise ValueError(f"{name} must be a float in (0, 1); got {level!r}.")


def corrected_variance(scores, *, n_train, n_test):
    """Nadeau & Bengio's corrected variance of the mean of resampled scores.

    ``(1 / J + n_test / n_train) * S^2``, with ``S^2`` the sample variance
    (``ddof=1``) of the ``J`` scores. The naive variance of the mean,
    ``S^2 / J``, ignores that the training sets overlap and is too small.

    Parameters
    ----------
    scores : array-like of shape (J,)
        One score (or one paired difference) per train/test split.
    n_train : float
        Number of training examples per split.
    n_test : float
        Number of test examples per split.

    Returns
    -------
    variance : float
        The corrected variance of the mean score.

    References
    ----------
    .. [1] C. Nadeau and Y. Bengio, "Inference for the Generalization Error",
       Machine Learning 52(3), 2003, Section 4 (corrected resampled t-test).
    """
    scores = _check_scores(scores)
    _check_sizes(n_train, n_test)
    return float((1 / scores.size + n_test / n_train) * np.var(scores, ddof=1))


def confidence_interval(scores, *, level=0.95, n_train, n_test):
    """Mean score and its corrected-resampled-t confidence interval.

    ``mean +/- t_{(1 + level) / 2, J - 1} * sqrt(corrected_variance)``, with
    Student's t (``scipy.stats.t``) at ``J - 1`` degrees of freedom and the
    Nadeau & Bengio (2003) variance (see :func:`corrected_variance`). With
    identical scores the interval is the single point ``[mean, mean]``.

    Parameters
    ----------
    scores : array-like of shape (J,)
        One score per fold, e.g. from :func:`repeated_cv_scores`.
    level : float, default=0.95
        Confidence level.
    n_train : float
        Training examples per fold (see :func:`train_test_sizes`).
    n_test : float
        Test examples per fold.

    Returns
    -------
    ci : ConfidenceInterval
        ``(mean, low, high)``.

    References
    ----------
    .. [1] C. Nadeau and Y. Bengio, "Inference for the Generalization Error",
       Machine Learning 52(3), 2003.
    .. [2] R. R. Bouckaert and E. Frank, "Evaluating the Replicability of
       Significance Tests for Comparing Learning Algorithms", PAKDD 2004.

    Examples
    --------
    >>> ci = confidence_interval([0.80, 0.82, 0.78, 0.81, 0.79],
    ...                          n_train=400, n_test=100)
    >>> round(ci.mean, 3), bool(ci.low < ci.mean < ci.high)
    (0.8, True)
    """
    scores = _check_scores(scores)
    _check_level(level)
    mean = float(scores.mean())
    half = _t_quantile(level, scores.size - 1) * math.sqrt(
        corrected_variance(scores, n_train=n_train, n_test=n_test)
    )
    return ConfidenceInterval(mean, mean - half, mean + half)


def _t_quantile(level, df):
    return float(_scipy_stats.t.ppf((1 + level) / 2, df))


def paired_comparison(scores_a, scores_b, *, n_train, n_test, level=0.95):
    """Corrected resampled t-test of ``scores_a - scores_b`` on the same folds.

    The differences ``d_j = a_j - b_j`` are tested for mean 0 with
    ``t = mean(d) / sqrt(corrected_variance(d))`` at ``J - 1`` degrees of freedom
    (Nadeau & Bengio, 2003), two-sided.

    Parameters
    ----------
    scores_a, scores_b : array-like of shape (J,)
        Scores of two models (e.g. two layers) on the **same** folds, in the same
        order.
    n_train : float
        Training examples per fold.
    n_test : float
        Test examples per fold.
    level : float, default=0.95
        Confidence level of the interval for the mean difference.

    Returns
    -------
    result : PairedComparison
        ``(difference, (ci_low, ci_high), p_value)``; unpacks as a 3-tuple.
        When every difference is the same (zero variance), the t statistic is
        0/0 or x/0: the p-value is 1.0 if the differences are all 0 (identical
        scores: no evidence of a difference) and 0.0 otherwise (one model wins
        by the same margin on every fold); the interval is the single point.
        The p-value is never NaN.

    Notes
    -----
    Comparing the best of several layers with each other layer is a post-hoc
    choice and several tests at once; see :func:`layer_comparison_frame`.

    Examples
    --------
    >>> a = [0.80, 0.82, 0.78, 0.81, 0.79]
    >>> paired_comparison(a, a, n_train=400, n_test=100)
    PairedComparison(difference=0.0, ci=(0.0, 0.0), p_value=1.0)
    """
    a = _check_scores(scores_a, "scores_a")
    b = _check_scores(scores_b, "scores_b")
    if a.shape != b.shape:
        raise ValueError(
            "scores_a and scores_b must hold one score per fold for the same folds; "
            f"got {a.size} and {b.size} scores."
        )
    _check_level(level)
    d = a - b
    mean = float(d.mean())
    variance = corrected_variance(d, n_train=n_train, n_test=n_test)
    if variance == 0.0:
        p_value = 1.0 if mean == 0.0 else 0.0
        return PairedComparison(mean, (mean, mean), p_value)
    se = math.sqrt(variance)
    df = d.size - 1
    half = _t_quantile(level, df) * se
    p_value = float(2 * _scipy_stats.t.sf(abs(mean) / se, df))
    return PairedComparison(mean, (mean - half, mean + half), min(p_value, 1.0))
