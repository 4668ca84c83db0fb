"""ModelComparisonDisplay: several models' probe scores by layer, on one axes.

A display in scikit-learn's style: ``from_comparison(comparison)`` (what
:func:`~sklearn_probe.compare_sweeps` returns) draws at once;
``plot(ax=..., x=...)`` draws the same scores again. The x axis is the layer
index or the relative depth (layer / number of layers), which lines up models
of different depths.
"""

import numpy as np

from ..utils._names import nice_score_name
from . import _style as style
from ._marks import CHANCE_NAMES
from ._references import draw_references

_COLOURS = tuple(style.OKABE_ITO[i] for i in (1, 0, 2, 3, 4, 5, 7))
_MARKERS = ("o", "s", "^", "D", "v", "P", "X")
_X_LABELS = {
    "layer": "Layer (0 = embedding output)",
    "relative_depth": "Relative depth (layer / number of layers)",
}


class ModelComparisonDisplay:
    """Probe score by layer of several models on the same folds.

    One curve per model with its band (mean ± sd over folds, or the 95%
    confidence interval with repeated CV), a star on each model's best layer,
    the chance level and the text-only baselines as horizontal lines.

    Build it with :meth:`from_comparison` (``compare_sweeps(results).plot()``
    does that), or from a DataFrame shaped like :attr:`SweepComparison.scores`
    and call :meth:`plot`.

    Parameters
    ----------
    scores : pandas.DataFrame
        Columns ``model``, ``layer``, ``relative_depth``, ``cv_score_mean``,
        ``cv_score_std``, ``best`` (and optionally ``ci_low``, ``ci_high``).
    x : {"layer", "relative_depth"}, default="layer"
        The x axis.
    score_name : str, default="accuracy"
        Name of the score, for the axis label.
    chance_level : float, default=None
        Drawn as a dashed line.
    references : dict, default=None
        ``{"bag_of_words": score, "length": score}``: horizontal lines.
    title : str, default=None
        Axes title; None gives "Probe <score> by <x>, <n> models on the same
        folds".
    cv_description : str, default=None
        E.g. ``"5-fold CV"``, for the axis label.

    Attributes
    ----------
    ax_ : matplotlib.axes.Axes
    figure_ : matplotlib.figure.Figure
    lines_ : dict
        ``model -> Line2D``.
    bands_ : dict
        ``model -> PolyCollection``.
    best_markers_ : dict
        ``model -> Line2D``: the star on the model's best layer.
    references_ : dict
        ``name -> Line2D`` of the text-only baselines.
    chance_line_ : matplotlib.lines.Line2D or None
    legend_ : matplotlib.legend.Legend

    Examples
    --------
    >>> from sklearn_probe import compare_sweeps
    >>> from sklearn_probe.plotting import ModelComparisonDisplay
    >>> display = ModelComparisonDisplay.from_comparison(
    ...     compare_sweeps([result_a, result_b]), x="relative_depth"
    ... )  # doctest: +SKIP
    >>> display.figure_.savefig("models.png", dpi=150)  # doctest: +SKIP
    """

    def __init__(
        self,
        scores,
        *,
        x="layer",
        score_name="accuracy",
        chance_level=None,
        references=None,
        title=None,
        cv_description=None,
    ):
        self.x = x
        self.scores = scores
        self.references = references
        self.cv_description = cv_description
        self.score_name = score_name
        self.title = title
        self.chance_level = chance_level

    @classmethod
    def from_comparison(cls, comparison, *, x="layer", ax=None, title=None):
        """Draw a :class:`~sklearn_probe.SweepComparison`.

        Parameters
        ----------
        comparison : SweepComparison
            What :func:`~sklearn_probe.compare_sweeps` returns.
        x : {"layer", "relative_depth"}, default="layer"
            The x axis.
        ax : matplotlib.axes.Axes, default=None
            Axes to draw on; None makes a new figure.
        title : str, default=None
            See the class parameters.

        Returns
        -------
        ModelComparisonDisplay
            The display, drawn; its ``ax_`` and ``figure_`` hold the picture.
        """
        display = cls(
            comparison.scores,
            x=x,
            score_name=comparison.score_name,
            chance_level=comparison.chance_score,
            references=comparison.references,
            cv_description=comparison.cv_description,
            title=title,
        )
        return display.plot(ax=ax)

    def plot(self, ax=None, *, x=None):
        """Draw the curves.

        Parameters
        ----------
        ax : matplotlib.axes.Axes, default=None
            Axes to draw on; None makes a new figure.
        x : {"layer", "relative_depth"}, default=None
            Replaces the display's ``x`` (for this drawing and later ones).

        Returns
        -------
        ModelComparisonDisplay
            ``self``, with ``ax_``, ``figure_`` and the artists set.
        """
        if x is not None:
            self.x = x
        if self.x not in _X_LABELS:
            raise ValueError(
                "The 'x' parameter must be one of 'layer' or 'relative_depth'. Got "
                f"{self.x!r} instead."
            )
        if ax is None:
            import matplotlib.pyplot as plt

            _, ax = plt.subplots(figsize=(10.0, 4.8), layout="constrained")
        self.ax_, self.figure_ = ax, ax.figure
        self.lines_, self.bands_, self.best_markers_ = {}, {}, {}
        models = list(dict.fromkeys(self.scores["model"]))
        for i, model in enumerate(models):
            part = self.scores[self.scores["model"] == model].sort_values("layer")
            self._draw_model(model, part, i)
        self.chance_line_ = None
        if self.chance_level is not None:
            name = CHANCE_NAMES.get(self.score_name, "no information")
            self.chance_line_ = ax.axhline(
                self.chance_level,
                color=style.MUTED,
                linestyle="--",
                linewidth=1.4,
                label=f"chance ({name}): {self.chance_level:.2f}",
            )
        used = [line.get_color() for line in self.lines_.values()]
        self.references_ = draw_references(
            ax, _reference_frame(self.references or {}), used
        )
        self._label_axes()
        return self

    def _draw_model(self, model, part, i):
        colour, marker = _COLOURS[i % len(_COLOURS)], _MARKERS[i % len(_MARKERS)]
        x = part[self.x].to_numpy(float)
        mean = part["cv_score_mean"].to_numpy(float)
        best = part["best"].to_numpy(bool)
        label = f"{model} (best: layer {int(part['layer'][best].iloc[0])}, "
        label += f"{mean[best][0]:.3f})" if best.any() else ""
        (self.lines_[model],) = self.ax_.plot(
            x,
            mean,
            color=colour,
            marker=marker,
            linewidth=2.2,
            markersize=5.5,
            label=label,
            zorder=3,
        )
        if {"ci_low", "ci_high"} <= set(part.columns):
            low, high = part["ci_low"].to_numpy(float), part["ci_high"].to_numpy(float)
        else:
            std = part["cv_score_std"].to_numpy(float)
            low, high = mean - std, mean + std
        self.bands_[model] = self.ax_.fill_between(
            x, low, high, color=colour, alpha=0.15, linewidth=0, zorder=1
        )
        (self.best_markers_[model],) = self.ax_.plot(
            x[best],
            mean[best],
            linestyle="none",
            marker="*",
            markersize=18,
            markerfacecolor=colour,
            markeredgecolor="black",
            markeredgewidth=0.9,
            zorder=4,
        )

    def _label_axes(self):
        ax = self.ax_
        if self.x == "layer":
            layers = np.unique(self.scores["layer"].to_numpy())
            if len(layers) <= 25:
                ax.set_xticks(layers)
        band = "mean ± sd"
        if {"ci_low", "ci_high"} <= set(self.scores.columns):
            band = "mean and 95% CI"
        folds = self.cv_description or "CV"
        ax.set_ylabel(
            f"{nice_score_name(self.score_name)} ({folds}, {band})",
            fontsize=style.LABEL_SIZE,
        )
        ax.set_xlabel(_X_LABELS[self.x], fontsize=style.LABEL_SIZE)
        by = "layer" if self.x == "layer" else "relative depth"
        title = self.title or (
            f"Probe {self.score_name.replace('_', ' ')} by {by}, "
            f"{len(self.lines_)} models on the same folds"
        )
        style.replaceable_title(ax, title, fontsize=style.TITLE_SIZE, pad=10)
        style.tidy_axes(ax)
        # The chance line and the baselines are named in the legend, not on
        # the axes, where a label sat on a model's curve.
        handles = [*self.lines_.values(), *self.references_.values()]
        if self.chance_line_ is not None:
            handles.append(self.chance_line_)
        self.legend_ = style.legend_right(ax, handles)

    @staticmethod
    def distinct_x(scores):
        """The x axes that give different pictures of ``scores``: ``("layer",
        "relative_depth")``, or ``("layer",)`` when every model has the same
        number of layers (the relative depth is then the layer index
        rescaled: the same picture again, whichever layers were swept).

        Parameters
        ----------
        scores : pandas.DataFrame
            Shaped like :attr:`SweepComparison.scores` (``model``, ``layer``,
            ``relative_depth``).

        Returns
        -------
        tuple of str
        """
        # Relative depth is layer / (number of layers - 1): one scale per model.
        deep = scores[scores["layer"] > 0]
        scale = deep["relative_depth"].to_numpy(float) / deep["layer"].to_numpy(float)
        depth = set(np.round(scale, 9))
        return ("layer",) if len(depth) <= 1 else ("layer", "relative_depth")


def _reference_frame(references):
    """The references as the one-row frame that draw_references reads."""
    import pandas as pd

    return pd.DataFrame({f"{name}_mean": [value] for name, value in references.items()})
