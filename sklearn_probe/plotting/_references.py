"""Horizontal references in the layer-scores picture: the text-only baselines.

A text-only baseline (``bag_of_words``, ``length``; see
:func:`~sklearn_probe.layer_sweep`) reads the raw texts without the model, so
it has one score for every layer: a horizontal line, named with its score in
the legend, in a colour and dash pattern of its own (no curve of the picture
shares them).
"""

from ..baselines import BASELINES, TEXT_BASELINES
from ._style import OKABE_ITO

#: (column prefix, label, preferred colour, line style) of every reference
#: drawn when its ``<prefix>_mean`` column is in the scores (from the baselines
#: registry).
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


def draw_references(ax, scores, used_colours=()):
    """Draw each reference as a horizontal line; ``{prefix: Line2D}``, each
    labelled "<name>: <score>" for a legend. A reference whose colour a curve
    already has (``used_colours``) takes the first colour nobody uses."""
    values = reference_values(scores)
    used = {c.lower() for c in used_colours}
    lines = {}
    for name, label, colour, style in REFERENCES:
        if name not in values:
            continue
        if colour.lower() in used:
            free = [c for c in OKABE_ITO if c.lower() not in used]
            colour = free[0] if free else colour
        used.add(colour.lower())
        lines[name] = ax.axhline(
            values[name],
            color=colour,
            linestyle=style,
            linewidth=1.6,
            label=f"{label}: {values[name]:.2f}",
            zorder=1.6,
        )
    return lines
