"""Points coloured and shaped by class, on a panel styled for a 2-D projection.

Shared by :class:`~sklearn_probe.plotting.LayerEmbeddingsDisplay` (one panel per
layer) and :func:`~sklearn_probe.plotting.plot_tsne` (one axes), so both draw
the same picture of the same points.
"""

import numpy as np

from ._style import LABEL_SIZE, MARKERS, MUTED, OKABE_ITO

SPINE_GREY = "0.7"


def class_styles(labels, label_names=None):
    """``[(mask, colour, marker, name)]``, one per distinct label, sorted.

    Colours follow the Okabe-Ito palette; with more classes than colours the
    marker changes on each pass over the colours. ``label_names`` maps a label
    to its display name; labels not in it are shown as ``str(label)``.
    """
    labels = np.asarray(labels)
    names = {} if label_names is None else dict(label_names)
    styles = []
    for i, label in enumerate(np.unique(labels)):
        key = label.item() if hasattr(label, "item") else label
        styles.append(
            (
                labels == label,
                OKABE_ITO[i % len(OKABE_ITO)],
                MARKERS[(i // len(OKABE_ITO)) % len(MARKERS)],
                names.get(key, str(key)),
            )
        )
    return styles


def scatter_classes(ax, points, styles, *, s=None, alpha=0.75, **scatter_kwargs):
    """One ``ax.scatter`` per class of ``styles`` (see :func:`class_styles`).

    ``s=None`` picks a marker size from the number of points. Within each class
    the points are drawn in a fixed shuffled order, so no region of the panel
    is always covered by the same rows. Filled markers get no edge; line
    markers ("x", "+") are all edge. ``scatter_kwargs`` go to every call.
    """
    from matplotlib.markers import MarkerStyle

    n = len(points)
    if s is None:
        s = float(np.clip(24 * (400 / max(n, 1)) ** 0.5, 4, 60))
    order = np.random.default_rng(0).permutation(n)
    for mask, colour, marker, name in styles:
        kwargs = {"marker": marker, "rasterized": n > 3000, **scatter_kwargs}
        if "linewidths" not in kwargs:
            filled = MarkerStyle(kwargs["marker"]).is_filled()
            kwargs["linewidths"] = 0 if filled else 1.2
        keep = order[mask[order]]
        ax.scatter(
            points[keep, 0],
            points[keep, 1],
            s=s,
            color=colour,
            alpha=alpha,
            label=name,
            **kwargs,
        )


def legend_handles(styles):
    """One marker per class of ``styles``, for a legend that lists each once."""
    from matplotlib.lines import Line2D

    return [
        Line2D(
            [],
            [],
            linestyle="none",
            marker=marker,
            markersize=10,
            markerfacecolor=colour,
            markeredgewidth=0,
            color=colour,
            label=name,
        )
        for _, colour, marker, name in styles
    ]


def style_projection_axes(ax, title, xlabel, ylabel=None):
    """The look of a projection panel: a title, muted axis labels, no ticks.

    A t-SNE or PCA coordinate carries no unit worth reading, so there are no
    ticks (and so no grid); light left and bottom spines frame the points.
    ``ylabel=None`` leaves the y axis unlabelled (panels after the first).
    """
    ax.set_title(title, fontsize=LABEL_SIZE + 0.5)
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_xlabel(xlabel, fontsize=LABEL_SIZE - 1, color=MUTED)
    if ylabel is not None:
        ax.set_ylabel(ylabel, fontsize=LABEL_SIZE - 1, color=MUTED)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    for side in ("left", "bottom"):
        ax.spines[side].set_color(SPINE_GREY)
