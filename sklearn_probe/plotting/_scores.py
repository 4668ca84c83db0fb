"""LayerScoresDisplay: cross-validated probe score by layer, as a curve.

A display object in scikit-learn's style: ``LayerScoresDisplay.from_sweep(result)``
draws at once, like scikit-learn's ``from_estimator``; ``plot(ax=...)`` draws the
same scores again on other axes. What it drew is kept on ``figure_`` and ``ax_``.
The helpers below it compute the bands around the curves, their legend labels
and the y limits.
"""

import numpy as np

from .._names import format_param, nice_score_name
from ._style import (
    ANNOTATION_SIZE,
    LABEL_SIZE,
    LEGEND_SIZE,
    MUTED,
    OKABE_ITO,
    TITLE_SIZE,
    tidy_axes,
)

# Curves drawn by LayerScoresDisplay when their "<name>_mean" column exists in
# the scores: (column prefix, legend text, line style). The cross-validated
# score comes first; later analyses (baselines, MDL) add entries here and their
# columns to the sweep's DataFrame, and the picture shows them.
CURVES = (
    ("cv_score", "probe (pretrained weights)", "-"),
    ("random_weights", "random-weights model", "--"),
    ("control", "control (permuted labels)", ":"),
    ("train_score", "train folds", (0, (1, 1.5))),
)
_MAIN = "cv_score"
# Curves drawn without a band: the training folds' spread says little, and a
# permuted-label control's fold scores scatter widely by nature (a random
# decision rule puts whole clusters on one side), which would hide the rest.
_NO_BAND = ("train_score", "control")
# Colour order for several curves: blue first (the one-curve colour), then the
# rest of the palette; yellow is too pale for lines on white.
_LINE_COLOURS = tuple(OKABE_ITO[i] for i in (1, 0, 2, 3, 4, 5, 7))


def _new_axes(figsize):
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=figsize, layout="constrained")
    return fig, ax


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
        Score of a classifier that ignores the texts; drawn as a dashed line.
    best_index : int, default=None
        Row of ``scores`` to mark as the best. None marks the highest
        ``cv_score_mean``.
    n_splits : int, default=None
        Number of folds, for the axis label.
    n_repeats : int, default=1
        How many times the folds were repeated, for the axis label.
    model_name : str, default=None
        Shown in the default title.

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
    ):
        self.scores = scores
        self.group_by = group_by
        self.score_name = score_name
        self.chance_level = chance_level
        self.best_index = best_index
        self.n_splits = n_splits
        self.n_repeats = n_repeats
        self.model_name = model_name

    @classmethod
    def from_sweep(cls, result, *, ax=None, **plot_kwargs):
        """Draw the scores of a :func:`~sklearn_probe.layer_sweep` result.

        Parameters
        ----------
        result : LayerSweepResult
        ax : matplotlib.axes.Axes, default=None
            Axes to draw on; None makes a new figure.
        **plot_kwargs
            Passed to :meth:`plot` (``band``, ``show_train``, ``title``).

        Returns
        -------
        LayerScoresDisplay
        """
        display = cls(
            result.scores,
            group_by=result.param_columns,
            score_name=result.score_name,
            chance_level=result.chance_score,
            best_index=result.best_index,
            n_splits=result.n_splits,
            n_repeats=getattr(result, "n_repeats", 1),
            model_name=result.model_name,
        )
        return display.plot(ax=ax, **plot_kwargs)

    def plot(self, ax=None, *, band="std", show_train=False, title=None):
        """Draw the curves.

        Parameters
        ----------
        ax : matplotlib.axes.Axes, default=None
            Axes to draw on; None makes a new figure.
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
            Axes title; None gives "Probe <score> by layer (<model>)".

        Returns
        -------
        self
        """
        if band not in ("std", "range", None):
            raise ValueError(
                f"The 'band' parameter must be one of 'std', 'range' or None. Got "
                f"{band!r} instead."
            )
        frame = self.scores
        for column in ("layer", f"{_MAIN}_mean"):
            if column not in frame.columns:
                raise ValueError(
                    f"scores has no {column!r} column; its columns are "
                    f"{list(frame.columns)}."
                )
        group_by = list(self.group_by)
        groups = (
            [((), frame)]
            if not group_by
            else [
                (key if isinstance(key, tuple) else (key,), part)
                for key, part in frame.groupby(group_by, sort=False)
            ]
        )

        curves = [
            (name, label, style)
            for name, label, style in CURVES
            if f"{name}_mean" in frame.columns and (name != "train_score" or show_train)
        ]
        n_curves = len(groups) * len(curves)
        if ax is None:
            # Several curves get a legend to the right of the axes.
            fig, ax = _new_axes((7.5, 4.8) if n_curves == 1 else (10.0, 4.8))
        else:
            fig = ax.figure
        self.lines_, self.bands_ = {}, {}
        self.worse_markers_ = None
        # With a confidence interval the band means "95% CI" (the axis says
        # so): the baselines' fold spreads would read as one, so they go.
        has_ci = band is not None and _ci_columns(frame, _MAIN) is not None
        means = frame[f"{_MAIN}_mean"].to_numpy(dtype=float)
        # Accuracy, AUC, F1, ...: mean ± sd never drawn past 0 or 1.
        bounded = not str(self.score_name).startswith("neg_") and bool(
            np.all((means >= 0) & (means <= 1))
        )
        for g, (key, part) in enumerate(groups):
            colour = _LINE_COLOURS[g % len(_LINE_COLOURS)]
            group_label = ", ".join(
                format_param(c, v) for c, v in zip(group_by, key, strict=True)
            )
            part = part.sort_values("layer")
            x = part["layer"].to_numpy()
            for c, (name, curve_label, style) in enumerate(curves):
                main = name == _MAIN
                if len(groups) == 1 and not main:
                    line_colour = MUTED if name == "train_score" else _LINE_COLOURS[c]
                else:
                    line_colour = colour
                label = _curve_label(group_label, curve_label, main, len(curves))
                mean = part[f"{name}_mean"].to_numpy(dtype=float)
                (line,) = ax.plot(
                    x,
                    mean,
                    linestyle=style,
                    color=line_colour,
                    linewidth=2.4 if main else 1.8,
                    marker="o" if main else None,
                    markersize=6,
                    label=label,
                    zorder=3 if main else 2,
                )
                self.lines_[(name, group_label)] = line
                if main and "significantly_worse" in part.columns:
                    worse = part["significantly_worse"].to_numpy(dtype=bool)
                    if worse.any():
                        # Open markers: significantly worse than the best.
                        (self.worse_markers_,) = ax.plot(
                            x[worse],
                            mean[worse],
                            linestyle="none",
                            marker="o",
                            markersize=6,
                            markerfacecolor="white",
                            markeredgecolor=line_colour,
                            markeredgewidth=1.8,
                            label="significantly worse than best\n"
                            "(paired test, Holm p < 0.05)",
                            zorder=3.5,
                        )
                spread = (
                    None
                    if name in _NO_BAND or (not main and has_ci)
                    else _band(part, name, band, bounded)
                )
                if spread is not None:
                    self.bands_[(name, group_label)] = ax.fill_between(
                        x,
                        spread[0],
                        spread[1],
                        color=line_colour,
                        alpha=0.18 if main else 0.10,
                        linewidth=0,
                        zorder=1,
                    )

        self.chance_line_ = None
        if self.chance_level is not None:
            self.chance_line_ = ax.axhline(
                self.chance_level,
                color=MUTED,
                linestyle="--",
                linewidth=1.4,
                label=f"chance ({self.chance_level:.2f})",
                zorder=1.5,
            )

        best = self.best_index
        if best is None:
            best = int(np.argmax(frame[f"{_MAIN}_mean"].to_numpy()))
        best_layer = frame.loc[best, "layer"]
        best_score = float(frame.loc[best, f"{_MAIN}_mean"])
        (self.best_marker_,) = ax.plot(
            [best_layer],
            [best_score],
            linestyle="none",
            marker="*",
            markersize=20,
            markerfacecolor=OKABE_ITO[3],
            markeredgecolor="black",
            markeredgewidth=0.9,
            label=f"best: layer {best_layer} ({best_score:.3f})",
            zorder=4,
        )
        # Direct labels read faster than a legend on a slide.
        self.best_text_ = ax.annotate(
            f"best: layer {best_layer}\n{best_score:.3f}",
            (best_layer, best_score),
            xytext=(0, 16),
            textcoords="offset points",
            ha="center",
            va="bottom",
            fontsize=ANNOTATION_SIZE,
            fontweight="bold",
            bbox={
                "boxstyle": "round,pad=0.2",
                "fc": "white",
                "ec": "none",
                "alpha": 0.8,
            },
            zorder=5,
        )
        self.chance_text_ = None
        if self.chance_level is not None:
            self.chance_text_ = ax.annotate(
                f"chance ({self._chance_name()}): {self.chance_level:.2f}",
                (0.01, self.chance_level),
                xycoords=("axes fraction", "data"),
                xytext=(0, 4),
                textcoords="offset points",
                ha="left",
                va="bottom",
                fontsize=ANNOTATION_SIZE,
                color=MUTED,
                # Readable where a baseline near chance runs through it, which
                # still shows through the box.
                bbox={
                    "boxstyle": "square,pad=0.1",
                    "fc": "white",
                    "ec": "none",
                    "alpha": 0.6,
                },
                zorder=5,
            )

        layers = np.unique(frame["layer"].to_numpy())
        if len(layers) <= 25:
            ax.set_xticks(layers)
        else:
            from matplotlib.ticker import MaxNLocator

            ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        pad = 0.4
        ax.set_xlim(layers.min() - pad, layers.max() + pad)
        _set_score_ylim(ax, frame, curves, self.chance_level, band, bounded)
        folds = f"{self.n_splits}-fold CV" if self.n_splits else "CV"
        if self.n_repeats and self.n_repeats > 1:
            folds = f"{self.n_repeats} x {folds}"
        spread = {"std": ", mean ± sd", "range": ", mean and range"}.get(band, "")
        if band is not None and _ci_columns(frame, _MAIN) is not None:
            spread = ", mean and 95% CI"
        ax.set_ylabel(
            f"{nice_score_name(self.score_name)} ({folds}{spread})",
            fontsize=LABEL_SIZE,
        )
        ax.set_xlabel("Layer (0 = embedding output)", fontsize=LABEL_SIZE)
        if title is None:
            title = f"Probe {self.score_name.replace('_', ' ')} by layer"
            if self.model_name:
                title += f" ({self.model_name})"
        ax.set_title(title, fontsize=TITLE_SIZE, loc="left", pad=10)
        tidy_axes(ax)
        self.legend_ = None
        handles = list(self.lines_.values())
        if self.worse_markers_ is not None:
            handles.append(self.worse_markers_)
        if len(handles) > 1:  # one curve needs no legend: the axis says it
            self.legend_ = ax.legend(
                handles=handles,
                fontsize=LEGEND_SIZE,
                frameon=False,
                loc="upper left",
                bbox_to_anchor=(1.02, 1.0),
                borderaxespad=0.0,
            )
        self.ax_, self.figure_ = ax, fig
        return self

    def _chance_name(self):
        if self.score_name == "accuracy":
            return "majority class"
        return "no information"


def _curve_label(group_label, curve_label, main, n_curves):
    if main and n_curves == 1:
        return group_label or "probe (validation folds)"
    if not group_label:
        return curve_label
    return group_label if main else f"{group_label}: {curve_label}"


def _band(part, name, band, bounded=False):
    """(low, high) of the band around curve ``name``, or None."""
    ci = _ci_columns(part, name)
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


def _ci_columns(frame, name):
    """The (low, high) confidence-interval columns of curve ``name``, or None."""
    candidates = [(f"{name}_ci_low", f"{name}_ci_high")]
    if name == _MAIN:
        candidates.append(("ci_low", "ci_high"))
    for low, high in candidates:
        if low in frame.columns and high in frame.columns:
            return low, high
    return None


def _set_score_ylim(ax, frame, curves, chance, band, bounded):
    values = []
    has_ci = band is not None and _ci_columns(frame, _MAIN) is not None
    for name, _, _ in curves:
        values.append(frame[f"{name}_mean"].to_numpy(float))
        if name in _NO_BAND or (name != _MAIN and has_ci):
            continue
        spread = _band(frame, name, band, bounded)
        if spread is not None:
            values.extend(spread)
    if chance is not None:
        values.append(np.asarray([chance]))
    values = np.concatenate(values)
    values = values[np.isfinite(values)]
    if not len(values):
        return
    low, high = values.min(), values.max()
    margin = max(0.06 * (high - low), 0.01)
    low, high = low - margin, high + 4 * margin  # room for the best's label
    if bounded:
        low, high = max(low, 0.0), min(high, 1.0 + 4 * margin)
    ax.set_ylim(low, high)
    if bounded and high > 1:  # room above 1 for the label, but no tick past 1
        ticks = ax.get_yticks()
        ax.set_yticks(ticks[(ticks >= low - 1e-9) & (ticks <= 1 + 1e-9)])
        ax.set_ylim(low, high)
