"""Marks on the layer-scores picture besides the curves: the chance line, the
best layer's star and label, the rows whose probe learned nothing, and the
placement of the direct labels clear of the curves.
"""

import numpy as np

from ._placement import lay_out, marker_margin, obstacle_points, place_text
from ._style import ANNOTATION_SIZE, MUTED, OKABE_ITO

# What chance is, by score name ("R²": a regression's R^2).
CHANCE_NAMES = {
    "accuracy": "majority class",
    "R²": "training mean",
    "r2": "training mean",
}
# The marker of rows whose probe learned nothing in some fold.
NOTHING_MARKER = {"marker": "X", "markersize": 9, "color": "black"}


def draw_chance(ax, chance_level, score_name, name=None):
    """The chance level as a dashed line; ``(line, its legend text)``. ``name``
    says what chance is (None: from ``score_name``)."""
    name = name or CHANCE_NAMES.get(score_name, "no information")
    text = f"chance ({name}): {chance_level:.2f}"
    line = ax.axhline(
        chance_level,
        color=MUTED,
        linestyle="--",
        linewidth=1.4,
        label=text,
        zorder=1.5,
    )
    return line, text


def chance_label(ax, text, chance_level):
    """A direct label for the chance line (placed later by :func:`place_labels`)."""
    label = ax.annotate(
        text,
        (0.01, chance_level),
        xycoords=("axes fraction", "data"),
        xytext=(0, 4),
        textcoords="offset points",
        ha="left",
        va="bottom",
        fontsize=ANNOTATION_SIZE,
        color=MUTED,
        zorder=5,
    )
    label.set_in_layout(False)
    return label


def draw_best(ax, layer, score):
    """The star on the best layer and its label; ``(star, label)``."""
    (star,) = ax.plot(
        [layer],
        [score],
        linestyle="none",
        marker="*",
        markersize=20,
        markerfacecolor=OKABE_ITO[3],
        markeredgecolor="black",
        markeredgewidth=0.9,
        label=f"best: layer {layer} ({score:.3f})",
        zorder=4,
    )
    from matplotlib import patheffects

    # A thin white halo keeps the label readable over a band or grid line
    # without the box that cut a notch out of the band.
    label = ax.annotate(
        f"best: layer {layer}\n{score:.3f}",
        (layer, score),
        xytext=(0, 14),
        textcoords="offset points",
        ha="center",
        va="bottom",
        fontsize=ANNOTATION_SIZE,
        fontweight="bold",
        path_effects=[patheffects.withStroke(linewidth=3, foreground="white")],
        zorder=5,
    )
    label.set_in_layout(False)
    return star, label


def draw_learned_nothing(ax, x, mean, degenerate, label):
    """Crosses on the layers whose probe learned nothing in some fold; the
    Line2D, or None when there are none."""
    degenerate = np.asarray(degenerate, dtype=float) > 0
    if not degenerate.any():
        return None
    (marks,) = ax.plot(
        x[degenerate],
        mean[degenerate],
        linestyle="none",
        markeredgewidth=0,
        label=label,
        zorder=3.6,
        **NOTHING_MARKER,
    )
    return marks


def draw_worse(ax, x, mean, worse, colour):
    """Open markers on the layers significantly worse than the best; the
    Line2D, or None when there are none."""
    if not np.any(worse):
        return None
    (marks,) = ax.plot(
        x[worse],
        mean[worse],
        linestyle="none",
        marker="o",
        markersize=6,
        markerfacecolor="white",
        markeredgecolor=colour,
        markeredgewidth=1.8,
        label="significantly worse than best\n(paired test, Holm p < 0.05)",
        zorder=3.5,
    )
    return marks


def place_labels(ax, best_text, chance_text, obstacles):
    """Move the best layer's label, then the chance label, to where they cover
    the fewest points of ``obstacles`` (Line2D), inside the axes and apart."""
    lay_out(ax.figure)
    points = obstacle_points(ax, obstacles)
    margin = marker_margin(obstacles)
    xy = best_text.xy
    offsets = [
        ((0, 14), "center", "bottom"),
        ((-6, 14), "right", "bottom"),
        ((6, 14), "left", "bottom"),
        ((14, 0), "left", "center"),
        ((-14, 0), "right", "center"),
        ((0, -14), "center", "top"),
    ]
    place_text(
        best_text,
        [{"xy": xy, "xyann": o, "ha": ha, "va": va} for o, ha, va in offsets],
        points,
        margin,
    )
    if chance_text is None:
        return
    avoid = [best_text.get_window_extent()]
    y = chance_text.xy[1]
    candidates = [
        {"xy": (x, y), "xyann": (0, dy), "ha": ha, "va": va}
        for dy, va in ((4, "bottom"), (-4, "top"))
        for x, ha in ((0.01, "left"), (0.99, "right"), (0.5, "center"))
    ]
    place_text(chance_text, candidates, points, margin, avoid)
