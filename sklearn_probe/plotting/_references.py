"""Horizontal references in the layer-scores picture: the text-only baselines.

A text-only baseline (``bag_of_words``, ``length``; see
:func:`~sklearn_probe.layer_sweep`) reads the raw texts without the model, so
it has one score for every layer: a horizontal line, labelled at its right end
with its name and score.
"""

from ..baselines import BASELINES, TEXT_BASELINES
from ._style import ANNOTATION_SIZE, OKABE_ITO

#: (column prefix, label, colour, line style) of every reference drawn when its
#: ``<prefix>_mean`` column is in the scores (from the baselines registry).
REFERENCES = tuple(
    (n, BASELINES[n].curve, OKABE_ITO[BASELINES[n].colour], BASELINES[n].line_style)
    for n in TEXT_BASELINES
)


def reference_values(scores):
    """``{prefix: score}`` of the references that ``scores`` holds."""
    return {
        name: float(scores[f"{name}_mean"].iloc[0])
        for name, _, _, _ in REFERENCES
        if f"{name}_mean" in scores.columns
    }


def draw_references(ax, scores):
    """Draw each reference as a labelled horizontal line; ``{prefix: Line2D}``."""
    values = reference_values(scores)
    lines = {}
    for name, label, colour, style in REFERENCES:
        if name not in values:
            continue
        lines[name] = ax.axhline(
            values[name],
            color=colour,
            linestyle=style,
            linewidth=1.6,
            label=f"{label} ({values[name]:.2f})",
            zorder=1.6,
        )
        label_line(ax, f"{label}: {values[name]:.2f}", values[name], colour, "right")
    return lines


def label_line(ax, text, y, colour, side):
    """Text just above a horizontal line at ``y``, at the left or right end of
    the axes, on a light box so lines under it stay readable; the Annotation."""
    return ax.annotate(
        text,
        (0.01 if side == "left" else 0.99, y),
        xycoords=("axes fraction", "data"),
        xytext=(0, 4),
        textcoords="offset points",
        ha=side,
        va="bottom",
        fontsize=ANNOTATION_SIZE,
        color=colour,
        # Readable where a curve runs through it, which still shows through.
        bbox={"boxstyle": "square,pad=0.1", "fc": "white", "ec": "none", "alpha": 0.6},
        zorder=5,
    )
