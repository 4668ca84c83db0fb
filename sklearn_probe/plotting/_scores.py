"""LayerScoresDisplay: cross-validated probe score by layer, as a curve.

A display in scikit-learn's style: ``from_sweep(result)`` draws at once;
``plot(ax=...)`` draws the same scores, with the same options, on other axes.
Which curves, their labels, bands and y limits: :mod:`._curves`.
"""

import numpy as np

from ._curves import (
    MAIN,
    NO_BAND,
    band_limits,
    ci_columns,
    curve_groups,
    curve_label,
    curve_style,
    drawn_curves,
    has_legend,
    is_bounded,
    score_axis_label,
    set_score_ylim,
    sweep_legend_words,
)
from ._marks import (
    chance_label,
    draw_best,
    draw_chance,
    draw_learned_nothing,
    draw_worse,
    place_labels,
)
from ._references import draw_references
from ._style import LABEL_SIZE, TITLE_SIZE, legend_right, replaceable_title, tidy_axes

# The drawing options a display keeps between plot() calls.
_OPTIONS = ("band", "show_train", "title")
# More curve settings than this: only the best setting's band is drawn (four
# overlapping bands hid the curves under them).
_MAX_BANDS = 2


class LayerScoresDisplay:
    """Cross-validated probe score by layer: the answer to "which layer knows?".

    One line per setting of the other swept parameters (pooling, probe size,
    ...), a band for the spread over folds, the chance level as a dashed line
    and the best layer marked with a star. Any known extra curve whose columns
    are present (``random_weights_mean``, ``control_mean``, see ``CURVES``) is
    drawn too, and where the scores hold a confidence interval of the probe's
    score (``ci_low`` / ``ci_high``, from repeated CV) it is the probe's band.

    Build it with :meth:`from_sweep`, or from a DataFrame of the same shape as
    :attr:`LayerSweepResult.scores <sklearn_probe.sweep.LayerSweepResult>` and
    call :meth:`plot`.

    Parameters
    ----------
    scores : pandas.DataFrame
        A ``layer`` column and ``cv_score_mean`` / ``cv_score_std`` columns
        (optionally ``cv_score_fold<k>``, ``train_score_mean``, ...).
    group_by : list of str, default=()
        Columns that tell the curves apart (one curve per distinct value).
    score_name : str, default="accuracy"
        Name of the score, for the axis label.
    chance_level : float, default=None
        Score of a classifier that ignores the texts (of a regressor, the
        training mean); drawn as a dashed line.
    best_index : int, default=None
        Row of ``scores`` to mark as the best. None marks the highest
        ``cv_score_mean``.
    n_splits : int, default=None
        Number of folds, for the axis label.
    model_name : str, default=None
        Shown in the default title.
    n_repeats : int, default=1
        How many times the folds were repeated, for the axis label.
    band : {"std", "range", None}, default="std"
        The spread drawn around each curve: mean ± one standard deviation
        over folds, the lowest to highest fold score (needs the
        ``cv_score_fold<k>`` columns), or nothing. Where ``ci_low`` /
        ``ci_high`` columns (or ``<curve>_ci_low`` / ``<curve>_ci_high``)
        exist, a 95% confidence interval from repeated CV, they are drawn
        instead.
    show_train : bool, default=False
        Also draw the mean score on the training folds (a gap to the
        validation score shows overfitting).
    title : str, default=None
        Axes title; None gives "Probe <score> by layer (<model>)". A title
        set later on ``ax_`` (``display.ax_.set_title(...)``, any ``loc``)
        replaces it.
    chance_name : str, default=None
        What chance is, on its label (e.g. ``"guessing at the class rates"``);
        None names it from ``score_name`` (``"majority class"`` for accuracy).
    control_name : str, default="permuted labels"
        What the control probe was trained on, for its legend entry
        ("control (<control_name>)"); :meth:`from_sweep` names the sweep's
        own control (permuted targets for a regression, word-type labels for
        words).

    Attributes
    ----------
    ax_ : matplotlib.axes.Axes
    figure_ : matplotlib.figure.Figure
    lines_ : dict
        ``(curve, group label) -> Line2D`` for every curve drawn.
    legend_ : matplotlib.legend.Legend or None
        Drawn when there are several curves, a text-only baseline or marked
        layers; it names every line drawn, the chance line included. One
        curve alone is named by the axis, and the chance line by a label on it.
    bands_ : dict
        ``(curve, group label) -> PolyCollection`` of the fold-spread bands.
        With more than two curve settings only the best setting has a band.
    chance_line_ : matplotlib.lines.Line2D or None
    references_ : dict
        ``name -> Line2D`` of the text-only baselines (``bag_of_words``,
        ``length``), horizontal lines, when the scores hold them.
    chance_text_ : matplotlib.text.Annotation or None
        The label on the chance line, when there is no legend; placed where
        it covers no curve.
    best_marker_ : matplotlib.lines.Line2D
        The star on the best layer.
    best_text_ : matplotlib.text.Annotation
        "best: layer <l>" and its score, beside the star, inside the axes.
    worse_markers_ : matplotlib.lines.Line2D or None
        Open markers on the layers significantly worse than the best (from the
        ``significantly_worse`` column of repeated CV), when there are any.
    nothing_markers_ : list of matplotlib.lines.Line2D
        Crosses on the layers whose probe learned nothing in some fold (the
        ``degenerate_folds`` column), one per curve setting that has any.

    Notes
    -----
    The y axis covers every line drawn (a control below 0 included); curve
    settings differ in colour, dashes and marker, so coinciding curves show.

    Examples
    --------
    >>> from sklearn_probe.plotting import LayerScoresDisplay
    >>> display = LayerScoresDisplay.from_sweep(result)  # doctest: +SKIP
    >>> display.figure_.savefig("layer_scores.png", dpi=150)  # doctest: +SKIP
    """

    def __init__(
        self,
        scores,
        *,
        group_by=(),
        score_name="accuracy",
        chance_level=None,
        best_index=None,
        n_splits=None,
        model_name=None,
        n_repeats=1,
        band="std",
        show_train=False,
        title=None,
        control_name="permuted labels",
        chance_name=None,
    ):
        self.scores = scores
        self.group_by = group_by
        self.score_name = score_name
        self.chance_level = chance_level
        self.best_index = best_index
        self.n_splits = n_splits
        self.n_repeats = n_repeats
        self.model_name = model_name
        self.band = band
        self.show_train = show_train
        self.title = title
        self.control_name = control_name
        self.chance_name = chance_name

    @classmethod
    def from_sweep(cls, result, *, ax=None, **options):
        """Draw the scores of a :func:`~sklearn_probe.layer_sweep` result.

        Parameters
        ----------
        result : LayerSweepResult
            The sweep whose scores, chance level and best layer are drawn.
        ax : matplotlib.axes.Axes, default=None
            Axes to draw on; None makes a new figure.
        **options
            ``band``, ``show_train``, ``title``: see the class parameters. The
            display keeps them, so ``plot(ax=...)`` draws the same picture.

        Returns
        -------
        LayerScoresDisplay
            The display, drawn; its ``ax_`` and ``figure_`` hold the picture.
        """
        display = cls(
            result.scores,
            group_by=result.param_columns,
            score_name=result.score_name,
            chance_level=result.chance_score,
            best_index=result.best_index,
            n_splits=result.n_splits,
            n_repeats=result.n_repeats,
            model_name=result.model_name,
            **sweep_legend_words(result.settings),
            **options,
        )
        return display.plot(ax=ax)

    def plot(self, ax=None, **options):
        """Draw the curves.

        Parameters
        ----------
        ax : matplotlib.axes.Axes, default=None
            Axes to draw on; None makes a new figure.
        **options
            ``band``, ``show_train``, ``title``: replace the display's setting
            of that name (see the class parameters), for this drawing and the
            later ones.

        Returns
        -------
        LayerScoresDisplay
            ``self``, with ``ax_``, ``figure_`` and the drawn artists set.
        """
        self._set_options(options)
        curves = drawn_curves(self.scores, self.show_train, self.control_name)
        groups = curve_groups(self.scores, self.group_by)
        ax = self._axes(ax, has_legend(self.scores, len(groups) * len(curves)))
        bounded = is_bounded(self.scores, self.score_name)
        best = self._best_index()
        self.lines_, self.bands_ = {}, {}
        self.worse_markers_, self.nothing_markers_ = None, []
        for g, (group_label, part) in enumerate(groups):
            banded = len(groups) <= _MAX_BANDS or best in part.index
            for c, curve in enumerate(curves):
                style = curve_style(curve[0], g, c, len(groups))
                self._draw_curve(
                    part, group_label, curve, len(curves), style, bounded, banded
                )
        self.chance_line_ = self.chance_text_ = None
        chance_text = None
        if self.chance_level is not None:
            self.chance_line_, chance_text = draw_chance(
                ax, self.chance_level, self.score_name, self.chance_name
            )
        used = [line.get_color() for line in self.lines_.values()]
        self.references_ = draw_references(ax, self.scores, used)
        self.best_marker_, self.best_text_ = draw_best(*self._best_point(best))
        self._label_axes(curves, bounded)
        self._draw_legend()
        if self.legend_ is None and chance_text is not None:
            self.chance_text_ = chance_label(ax, chance_text, self.chance_level)
        obstacles = [
            *self.lines_.values(),
            *self.references_.values(),
            *self.nothing_markers_,
            self.best_marker_,
        ]
        place_labels(ax, self.best_text_, self.chance_text_, obstacles)
        return self

    # -- the stages of plot() ----------------------------------------------------

    def _set_options(self, options):
        """Check the options given to plot() and keep them."""
        unknown = sorted(set(options) - set(_OPTIONS))
        if unknown:
            raise TypeError(
                f"plot() got unknown options {unknown}; the options are "
                f"{', '.join(_OPTIONS)}."
            )
        band = options.get("band", self.band)
        if band not in ("std", "range", None):
            raise ValueError(
                "The 'band' parameter must be one of 'std', 'range' or None. Got "
                f"{band!r} instead."
            )
        for name, value in options.items():
            setattr(self, name, value)

    def _axes(self, ax, wide):
        """The axes to draw on (a new figure's when None); sets ax_, figure_."""
        if ax is None:
            import matplotlib.pyplot as plt

            # Several curves get a legend to the right of the axes.
            _, ax = plt.subplots(
                figsize=(10.0 if wide else 7.5, 4.8), layout="constrained"
            )
        self.ax_, self.figure_ = ax, ax.figure
        return ax

    def _best_index(self):
        """The row marked best: ``best_index``, or the highest mean score."""
        if self.best_index is not None:
            return self.best_index
        means = self.scores[f"{MAIN}_mean"].to_numpy()
        return self.scores.index[int(np.argmax(means))]

    def _best_point(self, best):
        """``(ax, layer, score)`` of the best row, for :func:`draw_best`."""
        layer = self.scores.loc[best, "layer"]
        return self.ax_, layer, float(self.scores.loc[best, f"{MAIN}_mean"])

    def _draw_curve(self, part, group_label, curve, n_curves, style, bounded, banded):
        """One curve of one group: its line, its band, its markers."""
        name, legend_text, _ = curve
        main = name == MAIN
        x = part["layer"].to_numpy()
        mean = part[f"{name}_mean"].to_numpy(dtype=float)
        label = curve_label(group_label, legend_text, main, n_curves)
        (line,) = self.ax_.plot(x, mean, label=label, **style)
        self.lines_[(name, group_label)] = line
        if main:
            self._mark_layers(part, x, mean, style["color"], group_label)
        # With a confidence interval the band means "95% CI" (the axis says
        # so): the baselines' fold spreads would read as one, so they go.
        has_ci = self.band is not None and ci_columns(self.scores, MAIN) is not None
        if name in NO_BAND or (not main and has_ci) or not banded:
            return
        spread = band_limits(part, name, self.band, bounded)
        if spread is not None:
            self.bands_[(name, group_label)] = self.ax_.fill_between(
                x,
                spread[0],
                spread[1],
                color=style["color"],
                alpha=0.18 if main else 0.10,
                linewidth=0,
                zorder=1,
            )

    def _mark_layers(self, part, x, mean, colour, group_label):
        """Open markers on layers significantly worse than the best; crosses on
        layers whose probe learned nothing in some fold."""
        if "degenerate_folds" in part.columns:
            label = "probe learned nothing\n(in at least one fold)"
            if group_label:
                label = f"{group_label}: learned nothing"
            marks = draw_learned_nothing(
                self.ax_, x, mean, part["degenerate_folds"].to_numpy(), label
            )
            if marks is not None:
                self.nothing_markers_.append(marks)
        if "significantly_worse" in part.columns:
            worse = part["significantly_worse"].to_numpy(dtype=bool)
            marks = draw_worse(self.ax_, x, mean, worse, colour)
            self.worse_markers_ = marks if marks is not None else self.worse_markers_

    def _label_axes(self, curves, bounded):
        """Ticks, limits, axis labels and the title."""
        ax, frame = self.ax_, self.scores
        layers = np.unique(frame["layer"].to_numpy())
        if len(layers) <= 25:
            ax.set_xticks(layers)
        else:
            from matplotlib.ticker import MaxNLocator

            ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_xlim(layers.min() - 0.4, layers.max() + 0.4)
        set_score_ylim(ax, frame, curves, self.chance_level, self.band, bounded)
        ax.set_ylabel(
            score_axis_label(
                frame, self.score_name, self.n_splits, self.n_repeats, self.band
            ),
            fontsize=LABEL_SIZE,
        )
        ax.set_xlabel("Layer (0 = embedding output)", fontsize=LABEL_SIZE)
        title = self.title
        if title is None:
            title = f"Probe {self.score_name.replace('_', ' ')} by layer"
            if self.model_name:
                title += f" ({self.model_name})"
        replaceable_title(ax, title, fontsize=TITLE_SIZE, pad=10)
        tidy_axes(ax)

    def _draw_legend(self):
        """A legend right of the axes naming every line drawn, when there is
        more than one curve or anything besides the curve and the chance."""
        self.legend_ = None
        handles = []
        for key, line in self.lines_.items():
            band = self.bands_.get(key)
            # Only some settings have a band: their entry shows it.
            handles.append(
                line
                if band is None or len(self.bands_) == len(self.lines_)
                else (line, band)
            )
        handles += [self.worse_markers_] if self.worse_markers_ is not None else []
        handles += self.nothing_markers_
        handles += list(self.references_.values())
        if len(handles) <= 1:  # one curve needs no legend: the axis says it
            return
        if self.chance_line_ is not None:
            handles.append(self.chance_line_)
        self.legend_ = legend_right(self.ax_, handles)
