"""Repeated measurement: repeated cross-validation, confidence intervals, tests.

One split of 500 dev examples cannot tell two layers 0.02 apart. Repeating
stratified k-fold cross-validation with several seeds gives ``J = k * r`` scores
per layer; their mean is a steadier estimate. Their spread, however, is too
small: the training sets of different folds overlap, so the scores are
correlated and the naive variance of the mean, ``S^2 / J``, is too small (a
t-test on it rejects far too often). Nadeau & Bengio (2003) correct it to

    ``(1 / J + n_test / n_train) * S^2``

where ``S^2`` is the sample variance of the ``J`` scores (or of the paired
differences), and use Student's t with ``J - 1`` degrees of freedom. Bouckaert
& Frank (2004) apply it to repeated k-fold cross-validation, with
``n_test / n_train = 1 / (k - 1)``.

Every function here works on scores from the **same folds** for every layer:
:func:`repeated_cv_scores` with the same ``random_state`` and the same ``y``
gives the same folds, so layer-by-layer differences are paired.

References
----------
.. [1] C. Nadeau and Y. Bengio, "Inference for the Generalization Error",
   Machine Learning 52(3), 239-281, 2003.
   https://doi.org/10.1023/A:1024068626366
.. [2] R. R. Bouckaert and E. Frank, "Evaluating the Replicability of
   Significance Tests for Comparing Learning Algorithms", PAKDD 2004.
   https://doi.org/10.1007/978-3-540-24775-3_3
"""

import math
import numbers
from typing import NamedTuple

import numpy as np
from scipy import stats as _scipy_stats
from sklearn.model_selection import RepeatedStratifiedKFold, cross_val_score

__all__ = [
    "COMPARISON_COLUMNS",
    "ConfidenceInterval",
    "PairedComparison",
    "confidence_interval",
    "corrected_variance",
    "layer_comparison_frame",
    "paired_comparison",
    "repeated_cv_scores",
    "train_test_sizes",
]


#: The columns of :func:`layer_comparison_frame` (with ``correction="holm"``)
#: that a sweep's scores and a comparison of sweeps carry.
COMPARISON_COLUMNS = (
    "ci_low",
    "ci_high",
    "diff_vs_best",
    "p_vs_best",
    "p_vs_best_adjusted",
    "significantly_worse",
)


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


def _holm(p_values):
    """Holm-Bonferroni adjusted p-values (step-down, monotone, capped at 1)."""
    p = np.asarray(p_values, dtype=float)
    order = np.argsort(p, kind="stable")
    m = p.size
    adjusted = np.maximum.accumulate((m - np.arange(m)) * p[order])
    out = np.empty(m)
    out[order] = np.minimum(adjusted, 1.0)
    return out


def layer_comparison_frame(
    fold_scores, *, n_train, n_test, level=0.95, alpha=0.05, correction=None
):
    """Table of mean, confidence interval and test against the best, per layer.

    Parameters
    ----------
    fold_scores : dict
        ``{layer: scores}``, every ``scores`` an array of shape ``(J,)`` from the
        **same** folds (e.g. :func:`repeated_cv_scores` with one
        ``random_state``). Keys become the index, in the dict's order.
    n_train : float
        Training examples per fold (see :func:`train_test_sizes`).
    n_test : float
        Test examples per fold.
    level : float, default=0.95
        Confidence level of ``ci_low``/``ci_high``.
    alpha : float, default=0.05
        Significance level of ``significantly_worse``.
    correction : {None, "holm"}, default=None
        ``"holm"`` adjusts the p-values of the comparisons with the best layer
        for testing several layers at once (Holm, 1979) and adds the column
        ``p_vs_best_adjusted``, which ``significantly_worse`` then uses.

    Returns
    -------
    frame : pandas.DataFrame
        Index: the layers. Columns: ``mean``, ``std`` (sample standard deviation
        of the fold scores), ``ci_low``, ``ci_high`` (:func:`confidence_interval`),
        ``is_best`` (highest mean; the first in order on a tie),
        ``diff_vs_best`` (layer minus best, <= 0), ``p_vs_best``
        (:func:`paired_comparison`; 1.0 for the best layer itself),
        ``significantly_worse`` (``p < alpha`` and ``diff_vs_best < 0``).

    Notes
    -----
    The best layer is picked from the same scores it is then compared with,
    which favours it a little (selection bias): read a non-significant
    difference as "a tie with the best", and a significant one as evidence
    that the layer is worse, with that caveat. Without ``correction``, with
    ``L`` layers about ``alpha * (L - 1)`` of true ties are expected to show
    as significant by chance.
    """
    import pandas as pd

    if not fold_scores:
        raise ValueError("fold_scores must hold at least one layer; got none.")
    _check_level(alpha, "alpha")
    if correction not in (None, "holm"):
        raise ValueError(
            "The 'correction' parameter of layer_comparison_frame must be one of "
            f"{{None, 'holm'}}. Got {correction!r} instead."
        )
    layers = list(fold_scores)
    scores = {
        layer: _check_scores(fold_scores[layer], f"scores of layer {layer!r}")
        for layer in layers
    }
    sizes = {s.size for s in scores.values()}
    if len(sizes) != 1:
        raise ValueError(
            "Every layer needs one score per fold on the same folds; got "
            f"different numbers of scores: "
            f"{ {layer: s.size for layer, s in scores.items()} }."
        )
    means = np.array([scores[layer].mean() for layer in layers])
    best = layers[int(np.argmax(means))]
    rows = []
    for layer in layers:
        ci = confidence_interval(
            scores[layer], level=level, n_train=n_train, n_test=n_test
        )
        comparison = paired_comparison(
            scores[layer], scores[best], n_train=n_train, n_test=n_test, level=level
        )
        rows.append(
            {
                "mean": ci.mean,
                "std": float(np.std(scores[layer], ddof=1)),
                "ci_low": ci.low,
                "ci_high": ci.high,
                "is_best": layer == best,
                "diff_vs_best": comparison.difference,
                "p_vs_best": comparison.p_value,
            }
        )
    frame = pd.DataFrame(rows, index=pd.Index(layers, name="layer"))
    p_used = frame["p_vs_best"].to_numpy()
    if correction == "holm":
        others = ~frame["is_best"].to_numpy()
        adjusted = np.ones(len(frame))
        if others.any():
            adjusted[others] = _holm(p_used[others])
        frame["p_vs_best_adjusted"] = adjusted
        p_used = adjusted
    frame["significantly_worse"] = (p_used < alpha) & (
        frame["diff_vs_best"].to_numpy() < 0
    )
    return frame
