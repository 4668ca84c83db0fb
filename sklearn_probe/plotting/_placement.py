"""Where a label goes: inside the axes, clear of the drawn curves and markers.

The layer-scores picture labels a few things directly (the chance line, the
best layer). A label at a fixed place sits on whatever curve passes there, so
each label tries a few places and keeps the one that covers the fewest drawn
points, measured in pixels on the laid-out figure.
"""

import numpy as np


def lay_out(fig):
    """Run the figure's layout (constrained layout included) without drawing
    pixels, so that window extents are final."""
    fig.draw_without_rendering()


def obstacle_points(ax, artists, step_px=3.0):
    """Display coordinates (pixels) of every point the ``artists`` (Line2D)
    draw: their markers and points every ``step_px`` along their lines."""
    chunks = [np.empty((0, 2))]
    for artist in artists:
        x, y = (np.asarray(v, dtype=float) for v in artist.get_data())
        if not len(x):
            continue
        xy = artist.get_transform().transform(np.column_stack([x, y]))
        xy = xy[np.isfinite(xy).all(axis=1)]
        chunks.append(xy)
        if artist.get_linestyle() in ("None", "none", "", " ") or len(xy) < 2:
            continue
        for start, end in zip(xy[:-1], xy[1:], strict=True):
            n = max(2, int(np.hypot(*(end - start)) / step_px))
            t = np.linspace(0.0, 1.0, n)[:, None]
            chunks.append(start + t * (end - start))
    return np.concatenate(chunks)


def marker_margin(artists):
    """Half the largest marker among ``artists``, in pixels."""
    sizes = [a.get_markersize() for a in artists if a.get_marker() not in (None, "")]
    if not sizes:
        return 0.0
    fig = artists[0].figure
    return max(sizes) / 2 * fig.dpi / 72


def overlap_count(bbox, points, margin=0.0):
    """How many ``points`` lie in ``bbox`` grown by ``margin`` pixels."""
    if not len(points):
        return 0
    x, y = points[:, 0], points[:, 1]
    inside = (
        (x >= bbox.x0 - margin)
        & (x <= bbox.x1 + margin)
        & (y >= bbox.y0 - margin)
        & (y <= bbox.y1 + margin)
    )
    return int(inside.sum())


def boxes_overlap(a, b):
    """Whether two window extents (Bbox) share any area."""
    return a.x0 < b.x1 and b.x0 < a.x1 and a.y0 < b.y1 and b.y0 < a.y1


def outside_px(bbox, frame):
    """How far (pixels, summed over the sides) ``bbox`` reaches out of ``frame``."""
    return (
        max(0.0, frame.x0 - bbox.x0)
        + max(0.0, bbox.x1 - frame.x1)
        + max(0.0, frame.y0 - bbox.y0)
        + max(0.0, bbox.y1 - frame.y1)
    )


def place_text(text, candidates, points, margin=0.0, avoid=()):
    """Move ``text`` (an Annotation) to the candidate that covers the fewest
    ``points``, stays inside its axes and overlaps no box of ``avoid``; the
    first candidate wins ties. A candidate is a dict of ``xy``, ``xyann``
    (offset in points), ``ha`` and ``va``. Returns the chosen candidate."""
    frame = text.axes.get_window_extent()
    best, best_cost = None, None
    for candidate in candidates:
        _apply(text, candidate)
        box = text.get_window_extent()
        cost = (
            1000 * outside_px(box, frame)
            + 100 * sum(boxes_overlap(box, other) for other in avoid)
            + overlap_count(box, points, margin)
        )
        if best_cost is None or cost < best_cost:
            best, best_cost = candidate, cost
    _apply(text, best)
    return best


def _apply(text, candidate):
    text.xy = candidate["xy"]
    text.xyann = candidate["xyann"]
    text.set_horizontalalignment(candidate["ha"])
    text.set_verticalalignment(candidate["va"])
