"""The layer-scores picture's curves: which, their labels, bands and the y range.

Computation only: :class:`~sklearn_probe.plotting.LayerScoresDisplay` draws what
these return.
"""

import numpy as np

from ..baselines import BASELINES, SEARCH_BASELINES
from ..utils._names import format_param, nice_score_name
from ._references import reference_values
from ._style import MUTED, OKABE_ITO

MAIN = "cv_score"
# Curves drawn by LayerScoresDisplay when their "<name>_mean" column exists in
# the scores: (column prefix, legend text, line style). The cross-validated
# score comes first, then the baselines that search the hidden states (their
# curve and style from the baselines registry; a control's legend text names
# what it was trained on), then the training folds.
CURVES = (
    (MAIN, "probe (pretrained weights)", "-"),
    *(
        (n, BASELINES[n].curve, BASELINES[n].line_style)
        for n in sorted(SEARCH_BASELINES, key=lambda n: BASELINES[n].curve_order)
    ),
    ("train_score", "train folds", (0, (1, 1.5))),
)
# Curves drawn without a band: the training folds' spread says little, and a
# baseline whose fold scores scatter by nature (the permuted-label control)
# would hide the rest.
NO_BAND = (
    "train_score",
    *(n for n in SEARCH_BASELINES if not BASELINES[n].band),
)
# One setting: each curve its own colour.
CURVE_COLOURS = {
    MAIN: OKABE_ITO[1],
    **{n: OKABE_ITO[BASELINES[n].colour] for n in SEARCH_BASELINES},
    "train_score": MUTED,
}
# Several settings (pooling, probe size, C): one colour, dash pattern and
# marker each, the colours far apart (vermillion and orange looked alike), the
# lines and markers thinning so that a later curve on an earlier one leaves it
# visible.
GROUP_COLOURS = tuple(OKABE_ITO[i] for i in (1, 0, 2, 4, 5, 3, 7))
GROUP_DASHES = ("-", "--", "-.", ":")
GROUP_MARKERS = ("o", "s", "^", "D", "v", "P", "h")
# Scores that can fall below 0 though a good one lies in [0, 1].
UNBOUNDED_BELOW = ("r2", "R²", "explained_variance", "matthews_corrcoef")


def drawn_curves(scores, show_train, control_name="permuted labels"):
    """The entries of ``CURVES`` that ``scores`` has columns for; the control's
    legend text names what it was trained on (``control_name``)."""
    for column in ("layer", f"{MAIN}_mean"):
        if column not in scores.columns:
            raise ValueError(
                f"scores has no {column!r} column; its columns are "
                f"{list(scores.columns)}."
            )
    return [
        (name, label.format(control_name=control_name), style)
        for name, label, style in CURVES
        if f"{name}_mean" in scores.columns and (name != "train_score" or show_train)
    ]


def curve_style(name, group, index, n_groups):
    """Keyword arguments of ``ax.plot`` for curve ``name`` (the ``index``-th
    drawn) of setting number ``group`` out of ``n_groups``."""
    main = name == MAIN
    dashes = dict((n, s) for n, _, s in CURVES)
    style = {
        "color": CURVE_COLOURS.get(name, OKABE_ITO[index % len(OKABE_ITO)]),
        "linestyle": dashes.get(name, "-"),
        "linewidth": 2.4 if main else 1.8,
        "marker": "o" if main else None,
        "markersize": 6,
        "zorder": 3 if main else 2,
    }
    if n_groups > 1:
        style["color"] = GROUP_COLOURS[group % len(GROUP_COLOURS)]
        if main:
            style["linestyle"] = GROUP_DASHES[group % len(GROUP_DASHES)]
            style["marker"] = GROUP_MARKERS[group % len(GROUP_MARKERS)]
            style["markersize"] = max(4.0, 8.5 - 1.2 * group)
            style["linewidth"] = max(1.2, 3.0 - 0.6 * group)
            style["zorder"] = 3 + 0.01 * group
    return style


def is_bounded(scores, score_name):
    """Whether the score lives in [0, 1] (accuracy, AUC, F1, ...): then no band
    is drawn past 0 or 1. R² and the like fall below 0 and are not."""
    name = str(score_name)
    if name.startswith("neg_") or name in UNBOUNDED_BELOW:
        return False
    means = scores[f"{MAIN}_mean"].to_numpy(dtype=float)
    return bool(np.all((means >= 0) & (means <= 1)))


def band_limits(part, name, band, bounded=False):
    """(low, high) of the band around curve ``name``, or None."""
    ci = ci_columns(part, name)
    spread = None
    if band is not None and ci is not None:
        spread = part[ci[0]].to_numpy(float), part[ci[1]].to_numpy(float)
    elif band == "std" and f"{name}_std" in part.columns:
        mean = part[f"{name}_mean"].to_numpy(float)
        std = part[f"{name}_std"].to_numpy(float)
        spread = mean - std, mean + std
    elif band == "range":
        folds = [c for c in part.columns if c.startswith(f"{name}_fold")]
        if folds:
            values = part[folds].to_numpy(float)
            spread = values.min(axis=1), values.max(axis=1)
    if spread is not None and bounded:
        spread = tuple(np.clip(v, 0.0, 1.0) for v in spread)
    return spread


def ci_columns(frame, name):
    """The (low, high) confidence-interval columns of curve ``name``, or None."""
    candidates = [(f"{name}_ci_low", f"{name}_ci_high")]
    if name == MAIN:
        candidates.append(("ci_low", "ci_high"))
    for low, high in candidates:
        if low in frame.columns and high in frame.columns:
            return low, high
    return None


def set_score_ylim(ax, frame, curves, chance, band, bounded):
    """Y limits that show every curve, band, reference and the chance line, with
    room above the best layer's label; a bounded score's axis stops at 0 when
    nothing lies below, and has no tick past 1."""
    values = []
    has_ci = band is not None and ci_columns(frame, MAIN) is not None
    for name, _, _ in curves:
        values.append(frame[f"{name}_mean"].to_numpy(float))
        if name in NO_BAND or (name != MAIN and has_ci):
            continue
        spread = band_limits(frame, name, band, bounded)
        if spread is not None:
            values.extend(spread)
    if chance is not None:
        values.append(np.asarray([chance]))
    values.append(np.asarray(list(reference_values(frame).values())))
    values = np.concatenate(values)
    values = values[np.isfinite(values)]
    if not len(values):
        return
    low, high = values.min(), values.max()
    margin = max(0.06 * (high - low), 0.01)
    low, high = low - margin, high + 4 * margin  # room for the best's label
    if bounded:
        # Never cut off a line the legend names (a control or chance below 0).
        low = max(low, min(0.0, values.min() - margin))
        high = min(high, 1.0 + 4 * margin)
    ax.set_ylim(low, high)
    if bounded and high > 1:  # room above 1 for the label, but no tick past 1
        ticks = ax.get_yticks()
        ax.set_yticks(ticks[(ticks >= low - 1e-9) & (ticks <= 1 + 1e-9)])
        ax.set_ylim(low, high)


def curve_groups(scores, group_by):
    """``[(label, rows sorted by layer)]``: one curve setting per distinct value
    of the ``group_by`` columns (one unnamed group without them)."""
    group_by = list(group_by)
    if not group_by:
        return [("", scores.sort_values("layer"))]
    groups = []
    for key, part in scores.groupby(group_by, sort=False):
        key = key if isinstance(key, tuple) else (key,)
        pairs = zip(group_by, key, strict=True)
        label = ", ".join(format_param(column, value) for column, value in pairs)
        groups.append((label, part.sort_values("layer")))
    return groups


def curve_label(group_label, curve_label, main, n_curves):
    """The legend text of one curve of one group."""
    if main and n_curves == 1:
        return group_label or "probe (validation folds)"
    if not group_label:
        return curve_label
    return group_label if main else f"{group_label}: {curve_label}"


def has_legend(scores, n_curves):
    """Whether the layer-scores picture gets a legend: several curves, a
    text-only baseline, or layers marked (significantly worse, learned
    nothing)."""
    marked = any(
        column in scores.columns and bool(np.any(scores[column].to_numpy() > 0))
        for column in ("significantly_worse", "degenerate_folds")
    )
    return n_curves > 1 or marked or bool(reference_values(scores))


def score_axis_label(frame, score_name, n_splits, n_repeats, band):
    """ "Accuracy (5-fold CV, mean ± sd)": the score, the folds, the band."""
    folds = f"{n_splits}-fold CV" if n_splits else "CV"
    if n_repeats and n_repeats > 1:
        folds = f"{n_repeats} x {folds}"
    spread = {"std": ", mean ± sd", "range": ", mean and range"}.get(band, "")
    if band is not None and ci_columns(frame, MAIN) is not None:
        spread = ", mean and 95% CI"
    return f"{nice_score_name(score_name)} ({folds}{spread})"


def sweep_legend_words(settings):
    """What a sweep's control was trained on and what its chance is, in a
    legend's words (from the sweep's task and unit objects)."""
    from ..sweep import task_spec, unit_spec

    task = task_spec(settings.get("task", "classification"))
    unit = unit_spec(settings.get("unit", "text"))
    guesser = (settings.get("chance") or {}).get("guesser")
    return {
        "control_name": unit.control_legend(task),
        "chance_name": task.chance_note(guesser),
    }
