"""LayerScoresDisplay: cross-validated probe score by layer, as a curve.

A display in scikit-learn's style: ``from_sweep(result)`` draws at once;
``plot(ax=...)`` draws the same scores, with the same options, on other axes.
Which curves, their labels, bands and y limits: :mod:`._curves`.
"""

import numpy as np

from .._names import nice_score_name
from ._curves import (
    MAIN,
    NO_BAND,
    band_limits,
    ci_columns,
    curve_groups,
    curve_label,
    drawn_curves,
    is_bounded,
    set_score_ylim,
)
from ._references import draw_references, label_line
from ._style import (
    ANNOTATION_SIZE,
    LABEL_SIZE,
    MUTED,
    OKABE_ITO,
    TITLE_SIZE,
    legend_right,
    replaceable_title,
    tidy_axes,
)

# Colour order for several curves: blue first (the one-curve colour), then the
# rest of the palette; yellow is too pale for lines on white.
_LINE_COLOURS = tuple(OKABE_ITO[i] for i in (1, 0, 2, 3, 4, 5, 7))
# The drawing options a display keeps between plot() calls.
_OPTIONS = ("band", "show_train", "title")
# What chance is, by score name ("R²": a regression's R^2).
_CHANCE_NAMES = {"accuracy": "majority class", "R²": "training mean"}
# A white box behind a label, so lines under it stay readable.
_LABEL_BOX = {"boxstyle": "round,pad=0.2", "fc": "white", "ec": "none", "alpha": 0.8}


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
    chance_name : str, default=None
        What chance is, on its label (e.g. ``"guessing at the class rates"``);
        None names it from ``score_name`` (``"majority class"`` for accuracy).
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
        Drawn when there are several curves; one curve is named by the axis.
    bands_ : dict
        ``(curve, group label) -> PolyCollection`` of the fold-spread bands.
    chance_line_ : matplotlib.lines.Line2D or None
    references_ : dict
        ``name -> Line2D`` of the text-only baselines (``bag_of_words``,
        ``length``), horizontal lines, when the scores hold them.
    chance_text_ : matplotlib.text.Annotation or None
        The label on the chance line.
    best_marker_ : matplotlib.lines.Line2D
        The star on the best layer.
    best_text_ : matplotlib.text.Annotation
        "best: layer <l>" and its score, above the star.
    worse_markers_ : matplotlib.lines.Line2D or None
        Open markers on the layers significantly worse than the best (from the
        ``significantly_worse`` column of repeated CV), when there are any.

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
            **_sweep_words(result.settings),
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
        if ax is None:
            import matplotlib.pyplot as plt

            # Several curves get a legend to the right of the axes.
            wide = len(groups) * len(curves) > 1
            fig, ax = plt.subplots(
                figsize=(10.0 if wide else 7.5, 4.8), layout="constrained"
            )
        self.ax_, self.figure_ = ax, ax.figure
        bounded = is_bounded(self.scores, self.score_name)
        self.lines_, self.bands_, self.worse_markers_ = {}, {}, None
        for g, (group_label, part) in enumerate(groups):
            for c, curve in enumerate(curves):
                colour = _LINE_COLOURS[g % len(_LINE_COLOURS)]
                if len(groups) == 1 and curve[0] != MAIN:
                    colour = MUTED if curve[0] == "train_score" else _LINE_COLOURS[c]
                self._draw_curve(part, group_label, curve, len(curves), colour, bounded)
        self._draw_chance()
        self.references_ = draw_references(ax, self.scores)
        self._draw_best()
        self._label_axes(curves, bounded)
        self._draw_legend()
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

    def _draw_curve(self, part, group_label, curve, n_curves, colour, bounded):
        """One curve of one group: its line, its band, its open markers."""
        name, legend_text, style = curve
        main = name == MAIN
        x = part["layer"].to_numpy()
        mean = part[f"{name}_mean"].to_numpy(dtype=float)
        (line,) = self.ax_.plot(
            x,
            mean,
            linestyle=style,
            color=colour,
            linewidth=2.4 if main else 1.8,
            marker="o" if main else None,
            markersize=6,
            label=curve_label(group_label, legend_text, main, n_curves),
            zorder=3 if main else 2,
        )
        self.lines_[(name, group_label)] = line
        if main and "significantly_worse" in part.columns:
            worse = part["significantly_worse"].to_numpy(dtype=bool)
            if worse.any():
                # Open markers: significantly worse than the best.
                (self.worse_markers_,) = self.ax_.plot(
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
        # With a confidence interval the band means "95% CI" (the axis says
        # so): the baselines' fold spreads would read as one, so they go.
        has_ci = self.band is not None and ci_columns(self.scores, MAIN) is not None
        if name in NO_BAND or (not main and has_ci):
            return
        spread = band_limits(part, name, self.band, bounded)
        if spread is not None:
            self.bands_[(name, group_label)] = self.ax_.fill_between(
                x,
                spread[0],
                spread[1],
                color=colour,
                alpha=0.18 if main else 0.10,
                linewidth=0,
                zorder=1,
            )

    def _draw_chance(self):
        """The chance level: a dashed line labelled at its left end."""
        self.chance_line_ = self.chance_text_ = None
        if self.chance_level is None:
            return
        self.chance_line_ = self.ax_.axhline(
            self.chance_level,
            color=MUTED,
            linestyle="--",
            linewidth=1.4,
            label=f"chance ({self.chance_level:.2f})",
            zorder=1.5,
        )
        name = self.chance_name or _CHANCE_NAMES.get(self.score_name, "no information")
        self.chance_text_ = label_line(
            self.ax_,
            f"chance ({name}): {self.chance_level:.2f}",
            self.chance_level,
            MUTED,
            "left",
        )

    def _draw_best(self):
        """The star on the best layer, and its label above it."""
        frame, best = self.scores, self.best_index
        if best is None:
            best = int(np.argmax(frame[f"{MAIN}_mean"].to_numpy()))
        layer = frame.loc[best, "layer"]
        score = float(frame.loc[best, f"{MAIN}_mean"])
        (self.best_marker_,) = self.ax_.plot(
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
        # Direct labels read faster than a legend on a slide.
        self.best_text_ = self.ax_.annotate(
            f"best: layer {layer}\n{score:.3f}",
            (layer, score),
            xytext=(0, 16),
            textcoords="offset points",
            ha="center",
            va="bottom",
            fontsize=ANNOTATION_SIZE,
            fontweight="bold",
            bbox=_LABEL_BOX,
            zorder=5,
        )

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
        folds = f"{self.n_splits}-fold CV" if self.n_splits else "CV"
        if self.n_repeats and self.n_repeats > 1:
            folds = f"{self.n_repeats} x {folds}"
        spread = {"std": ", mean ± sd", "range": ", mean and range"}.get(self.band, "")
        if self.band is not None and ci_columns(frame, MAIN) is not None:
            spread = ", mean and 95% CI"
        ax.set_ylabel(
            f"{nice_score_name(self.score_name)} ({folds}{spread})",
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
        """A legend right of the axes when there is more than one curve."""
        self.legend_ = None
        handles = list(self.lines_.values())
        if self.worse_markers_ is not None:
            handles.append(self.worse_markers_)
        if len(handles) > 1:  # one curve needs no legend: the axis says it
            self.legend_ = legend_right(self.ax_, handles)


def _sweep_words(settings):
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
