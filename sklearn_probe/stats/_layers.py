"""Every layer against the best: the table of means, confidence intervals
and paired tests (Holm-adjusted on request) that a sweep's scores carry."""

import numpy as np

from ._corrected import (
    _check_level,
    _check_scores,
    confidence_interval,
    paired_comparison,
)

__all__ = ["COMPARISON_COLUMNS", "layer_comparison_frame"]


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
