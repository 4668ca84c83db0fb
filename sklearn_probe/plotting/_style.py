"""Colours, markers and font sizes shared by every picture.

Sizes are set on each artist rather than through ``rcParams``, so a figure looks
the same whatever style the caller has active, and the caller's settings are
never changed.
"""

# Okabe & Ito (2008), "Color Universal Design": distinguishable under the common
# colour-vision deficiencies. Vermillion then blue, so a binary sentiment plot
# keeps the lesson's red-negative / blue-positive reading.
OKABE_ITO = (
    "#D55E00",  # vermillion
    "#0072B2",  # blue
    "#009E73",  # bluish green
    "#E69F00",  # orange
    "#CC79A7",  # reddish purple
    "#56B4E9",  # sky blue
    "#F0E442",  # yellow
    "#000000",  # black
)
# With more classes than colours, the marker changes on each pass over the colours.
MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*")

# Readable on a slide at the default figure sizes (points).
TITLE_SIZE = 15
SUPTITLE_SIZE = 16
LABEL_SIZE = 13
TICK_SIZE = 11.5
LEGEND_SIZE = 11.5
ANNOTATION_SIZE = 11.5

GRID_COLOUR = "0.90"
MUTED = "0.35"  # text and reference lines that should not compete with data


def tidy_axes(ax, *, grid_axis="both"):
    """Light grid behind the data, no top/right spines, readable ticks."""
    if grid_axis:
        ax.grid(True, axis=grid_axis, color=GRID_COLOUR, linewidth=0.8)
    ax.set_axisbelow(True)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.tick_params(labelsize=TICK_SIZE)


def replaceable_title(ax, title, **kwargs):
    """Set ``title`` left-aligned on ``ax``, as the only title there.

    A title the caller sets afterwards in the centre or right slot of the axes
    (``ax.set_title(...)``) clears this one, so the picture never shows two; one
    set in the left slot replaces it anyway. ``kwargs`` go to ``set_title``.
    """
    for loc in ("center", "right"):
        ax.set_title("", loc=loc)
    own = ax.set_title(title, loc="left", **kwargs)
    for loc in ("center", "right"):
        ax.set_title("", loc=loc).add_callback(
            lambda other: other.get_text() and own.set_text("")
        )


def legend_right(ax, handles):
    """A frameless legend of ``handles`` to the right of the axes. A handle
    may be a tuple of artists drawn as one entry (a line over its band),
    named by its first artist's label."""
    labels = [(h[0] if isinstance(h, tuple) else h).get_label() for h in handles]
    return ax.legend(
        handles=handles,
        labels=labels,
        fontsize=LEGEND_SIZE,
        frameon=False,
        loc="upper left",
        bbox_to_anchor=(1.02, 1.0),
        borderaxespad=0.0,
    )
