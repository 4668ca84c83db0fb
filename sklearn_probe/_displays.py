"""Display objects in scikit-learn's style: compute once, draw with ``plot``.

``LayerScoresDisplay.from_sweep(result)`` and
``LayerEmbeddingsDisplay.from_sweep(result, texts, labels)`` draw at once, like
scikit-learn's ``from_estimator``; ``plot(ax=...)`` draws the same data again on
other axes. Both keep what they drew on ``figure_`` and ``ax_`` / ``axes_``.
"""

import logging
import numbers
import os

import numpy as np

from ._style import (
    ANNOTATION_SIZE,
    LABEL_SIZE,
    LEGEND_SIZE,
    MARKERS,
    MUTED,
    OKABE_ITO,
    SUPTITLE_SIZE,
    TITLE_SIZE,
    tidy_axes,
)

logger = logging.getLogger(__name__)

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
_NICE_SCORE_NAMES = {
    "accuracy": "Accuracy",
    "balanced_accuracy": "Balanced accuracy",
    "roc_auc": "ROC AUC",
    "f1": "F1",
    "f1_macro": "F1 (macro)",
    "f1_micro": "F1 (micro)",
    "f1_weighted": "F1 (weighted)",
    "neg_log_loss": "Negative log loss",
    "matthews_corrcoef": "Matthews correlation",
}


def _effective_perplexity(perplexity, n_samples):
    """``perplexity`` clipped to ``(n_samples - 1) / 3`` (TSNE needs < n_samples)."""
    return float(min(perplexity, (n_samples - 1) / 3))


def nice_score_name(name):
    """``"roc_auc"`` -> ``"ROC AUC"``, ``"accuracy"`` -> ``"Accuracy"``."""
    if name in _NICE_SCORE_NAMES:
        return _NICE_SCORE_NAMES[name]
    text = str(name).replace("_", " ")
    return text[:1].upper() + text[1:]


def format_param(column, value):
    """How one swept parameter's value reads in a legend."""
    if column == "hidden_layer_sizes":
        sizes = (value,) if isinstance(value, numbers.Integral) else tuple(value)
        return "linear probe" if not sizes else "MLP " + "-".join(map(str, sizes))
    if column == "pooling":
        return f"{value} pooling"
    if column == "probe":
        return str(value)
    return f"{column}={value}"


def _new_axes(figsize):
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=figsize, layout="constrained")
    return fig, ax


# --------------------------------------------------------------- scores


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
                # Readable where a baseline near chance runs through it.
                bbox={"boxstyle": "square,pad=0.1", "fc": "white", "ec": "none"},
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


# --------------------------------------------------------------- embeddings


class LayerEmbeddingsDisplay:
    """The pooled vectors of several layers projected to 2-D, side by side.

    One panel per layer, points coloured (and shaped) by label with the
    colour-blind-safe Okabe-Ito palette, one legend for the whole figure: how
    the classes separate as depth grows.

    Build it with :meth:`from_sweep`, :meth:`from_estimator` or
    :meth:`from_embeddings` (which project and draw), or from projected points
    and call :meth:`plot`.

    Parameters
    ----------
    points : dict
        ``layer -> ndarray of shape (n_samples, 2)``, in panel order.
    labels : array-like of shape (n_samples,)
        Label of each point (the same for every layer).
    method : str, default="t-SNE"
        Name of the projection, for titles and axis labels.
    label_names : mapping, default=None
        Display name per label, e.g. ``{0: "negative", 1: "positive"}``.
    panel_titles : dict, default=None
        ``layer -> title``; default "Layer <l>".
    axis_labels : tuple of str, default=None
        x and y labels; default "<method> 1", "<method> 2".
    title : str, default=None
        Figure title.

    Attributes
    ----------
    axes_ : ndarray of matplotlib.axes.Axes
        One per layer, in order.
    figure_ : matplotlib.figure.Figure
    legend_ : matplotlib.legend.Legend
        The shared legend (on the figure).

    Examples
    --------
    >>> from sklearn_probe.plotting import LayerEmbeddingsDisplay
    >>> display = LayerEmbeddingsDisplay.from_sweep(
    ...     result, texts, labels, label_names={0: "negative", 1: "positive"}
    ... )  # doctest: +SKIP
    >>> display.figure_.savefig("tsne_layers.svg")  # doctest: +SKIP
    """

    def __init__(
        self,
        points,
        labels,
        *,
        method="t-SNE",
        label_names=None,
        panel_titles=None,
        axis_labels=None,
        title=None,
    ):
        self.points = points
        self.labels = labels
        self.method = method
        self.label_names = label_names
        self.panel_titles = panel_titles
        self.axis_labels = axis_labels
        self.title = title

    # -- constructors --------------------------------------------------------

    @classmethod
    def from_embeddings(
        cls,
        embeddings,
        labels,
        *,
        method="auto",
        max_samples=None,
        perplexity=30.0,
        random_state=0,
        label_names=None,
        panel_titles=None,
        title=None,
        ax=None,
        **scatter_kwargs,
    ):
        """Project vectors of several layers to 2-D and draw them.

        Parameters
        ----------
        embeddings : dict or array-like
            ``layer -> (n_samples, n_features) array``, or an array of shape
            ``(n_samples, n_layers, n_features)`` (layers numbered from 0).
        labels : array-like of shape (n_samples,)
        method : {"auto", "tsne", "pca"}, default="auto"
            t-SNE (after PCA to 50 dimensions when wider), or PCA alone, which
            is much faster for large N. "auto" uses t-SNE up to 5,000 points.
        max_samples : int, default=None
            Draw a random subset of this many points (stratified by label, the
            same subset for every layer). None draws all.
        perplexity : float, default=30.0
            t-SNE perplexity (clipped for small N).
        random_state : int, default=0
            Seeds the subset and the projection.
        label_names, panel_titles, title
            See the class parameters.
        ax : array of matplotlib.axes.Axes, default=None
            One axes per layer; None makes a new figure with one row.
        **scatter_kwargs
            Passed to :meth:`plot`.

        Returns
        -------
        LayerEmbeddingsDisplay
        """
        embeddings = _as_layer_dict(embeddings)
        labels = np.asarray(labels)
        n = len(labels)
        for layer, X in embeddings.items():
            if X.ndim != 2 or len(X) != n:
                raise ValueError(
                    f"The vectors of layer {layer} have shape {X.shape}; "
                    f"({n}, n_features) was expected, one row per label."
                )
            if not np.isfinite(X).all():
                raise ValueError(f"The vectors of layer {layer} contain NaN or inf.")
        if n < 2:
            raise ValueError(f"A projection needs at least 2 points; got {n}.")
        if method not in ("auto", "tsne", "pca"):
            raise ValueError(
                "The 'method' parameter must be one of 'auto', 'tsne' or 'pca'. "
                f"Got {method!r} instead."
            )
        index = _subsample(labels, max_samples, random_state)
        labels = labels[index]
        n = len(labels)
        if method == "auto":
            method = "tsne" if n <= 5000 else "pca"
        points, axis_labels = {}, None
        for layer, X in embeddings.items():
            points[layer], axis_labels = _project(
                X[index], method, perplexity, random_state, layer
            )
        display = cls(
            points,
            labels,
            method="t-SNE" if method == "tsne" else "PCA",
            label_names=label_names,
            panel_titles=panel_titles,
            axis_labels=axis_labels,
            title=title,
        )
        return display.plot(ax=ax, **scatter_kwargs)

    @classmethod
    def from_estimator(cls, transformer, texts, labels, *, layers, **kwargs):
        """Pooled vectors of ``texts`` at ``layers`` from a HiddenStateTransformer.

        ``transformer`` (fitted or not) gives the model, pooling and truncation;
        its ``layer`` is replaced by ``layers``. Texts already seen are served
        from the cache. Other keywords go to :meth:`from_embeddings`.
        """
        from sklearn.base import clone

        from ._validation import check_texts

        texts = check_texts(texts, estimator_name="LayerEmbeddingsDisplay")
        layers = [int(x) for x in layers]
        hidden = clone(transformer).set_params(layer=layers)
        vectors = hidden.fit(texts[:1]).transform(texts)
        vectors = vectors.reshape(len(texts), len(layers), -1)
        embeddings = {layer: vectors[:, i] for i, layer in enumerate(hidden.layers_)}
        return cls.from_embeddings(embeddings, labels, **kwargs)

    @classmethod
    def from_sweep(
        cls, result, texts, labels, *, layers=None, max_samples=1000, **kwargs
    ):
        """Draw the pooled vectors of a sweep's first, middle, best and last layers.

        Parameters
        ----------
        result : LayerSweepResult
        texts, labels : sequences
            Texts to project (e.g. the training texts: the sweep cached their
            vectors) and their labels.
        layers : list of int, default=None
            None gives the first (embedding output), middle, best and last of
            the swept layers (3 or 4 panels).
        max_samples : int, default=1000
            Points drawn per panel at most (a stratified subset).
        **kwargs
            Passed to :meth:`from_embeddings` (``method``, ``label_names``,
            ``random_state``, ``ax``, ...).
        """
        swept = list(result.layers)
        best = result.best_layer
        if layers is None:
            layers = sorted({swept[0], swept[len(swept) // 2], best, swept[-1]})
        layers = [int(x) for x in layers]
        if max_samples is not None and len(labels) > max_samples:
            index = _subsample(np.asarray(labels), max_samples, 0)
            texts = list(texts)
            texts = [texts[i] for i in index]
            labels = np.asarray(labels)[index]
        vectors = result.hidden_states(texts, layers)
        embeddings = {layer: vectors[:, i] for i, layer in enumerate(layers)}
        titles = {}
        for layer in layers:
            notes = []
            if layer == 0:
                notes.append("embeddings")
            if layer == best:
                notes.append(f"best, CV {result.best_score:.2f}")
            if layer == result.n_layers - 1:
                notes.append("last")
            titles[layer] = f"Layer {layer}" + (
                f" ({'; '.join(notes)})" if notes else ""
            )
        kwargs.setdefault("panel_titles", titles)
        pooling = result.best_params.get("hidden__pooling", "mean")
        kwargs.setdefault(
            "title",
            f"{{method}} of {pooling}-pooled hidden states ({result.model_name})",
        )
        return cls.from_embeddings(embeddings, labels, max_samples=None, **kwargs)

    # -- drawing ---------------------------------------------------------------

    def plot(self, ax=None, *, s=None, alpha=0.75, legend_title=None):
        """Draw one panel per layer and a shared legend.

        Parameters
        ----------
        ax : sequence of matplotlib.axes.Axes, default=None
            One axes per layer (e.g. from ``plt.subplots(1, 3)``); None makes
            a new figure with one row of panels.
        s : float, default=None
            Marker size; None picks one from the number of points.
        alpha : float, default=0.75
            Marker opacity.
        legend_title : str, default=None
            Title of the shared legend.

        Returns
        -------
        self
        """
        from matplotlib.lines import Line2D

        layers = list(self.points)
        labels = np.asarray(self.labels)
        if ax is None:
            import matplotlib.pyplot as plt

            n_panels = len(layers)
            fig, axes = plt.subplots(
                1,
                n_panels,
                figsize=(3.9 * n_panels + 0.4, 4.6),
                layout="constrained",
                squeeze=False,
            )
            axes = axes[0]
        else:
            axes = np.ravel(np.asarray(ax, dtype=object))
            if len(axes) != len(layers):
                raise ValueError(
                    f"ax has {len(axes)} axes for {len(layers)} layers; pass one "
                    "axes per layer."
                )
            fig = axes[0].figure
        names = {} if self.label_names is None else dict(self.label_names)
        classes = np.unique(labels)
        n = len(labels)
        size = float(np.clip(24 * (400 / max(n, 1)) ** 0.5, 4, 60)) if s is None else s
        styles = []
        for i, label in enumerate(classes):
            key = label.item() if hasattr(label, "item") else label
            styles.append(
                (
                    labels == label,
                    OKABE_ITO[i % len(OKABE_ITO)],
                    MARKERS[(i // len(OKABE_ITO)) % len(MARKERS)],
                    names.get(key, str(key)),
                )
            )
        # Draw classes in an order that lets none hide under the others.
        order = np.random.default_rng(0).permutation(n)
        titles = self.panel_titles or {}
        xlabel, ylabel = self.axis_labels or (f"{self.method} 1", f"{self.method} 2")
        for a, layer in zip(axes, layers, strict=True):
            pts = self.points[layer]
            for mask, colour, marker, name in styles:
                keep = order[mask[order]]
                a.scatter(
                    pts[keep, 0],
                    pts[keep, 1],
                    s=size,
                    color=colour,
                    marker=marker,
                    alpha=alpha,
                    linewidths=0,
                    label=name,
                    rasterized=n > 3000,
                )
            a.set_title(titles.get(layer, f"Layer {layer}"), fontsize=LABEL_SIZE + 0.5)
            a.set_xticks([])
            a.set_yticks([])
            a.set_xlabel(xlabel, fontsize=LABEL_SIZE - 1, color=MUTED)
            if a is axes[0]:
                a.set_ylabel(ylabel, fontsize=LABEL_SIZE - 1, color=MUTED)
            for side in ("top", "right"):
                a.spines[side].set_visible(False)
            for side in ("left", "bottom"):
                a.spines[side].set_color("0.7")
        handles = [
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
        self.legend_ = fig.legend(
            handles=handles,
            loc="outside lower center",
            ncols=min(len(handles), 6),
            frameon=False,
            fontsize=LEGEND_SIZE + 0.5,
            title=legend_title,
        )
        if self.title:
            fig.suptitle(
                self.title.format(method=self.method),
                fontsize=SUPTITLE_SIZE,
                x=0.01 if ax is None else 0.5,
                ha="left" if ax is None else "center",
            )
        self.axes_, self.figure_ = np.asarray(axes, dtype=object), fig
        return self


def _as_layer_dict(embeddings):
    if isinstance(embeddings, dict):
        out = {int(k): np.asarray(v, dtype=float) for k, v in embeddings.items()}
    else:
        array = np.asarray(embeddings, dtype=float)
        if array.ndim != 3:
            raise ValueError(
                "embeddings must be a dict layer -> (n_samples, n_features) array, "
                "or an array of shape (n_samples, n_layers, n_features); got shape "
                f"{array.shape}."
            )
        out = {i: array[:, i] for i in range(array.shape[1])}
    if not out:
        raise ValueError("embeddings holds no layer.")
    return out


def _subsample(labels, max_samples, random_state):
    n = len(labels)
    if max_samples is None or n <= max_samples:
        return np.arange(n)
    from sklearn.model_selection import train_test_split

    _, counts = np.unique(labels, return_counts=True)
    stratify = labels if counts.min() >= 2 else None
    index, _ = train_test_split(
        np.arange(n),
        train_size=int(max_samples),
        stratify=stratify,
        random_state=random_state,
    )
    return np.sort(index)


def _project(X, method, perplexity, random_state, layer=None):
    """2-D points and the axis labels that describe them."""
    from sklearn.decomposition import PCA

    names = {"pca": ("PC 1", "PC 2"), "tsne": ("t-SNE 1", "t-SNE 2")}
    scale = float(np.abs(X).max()) or 1.0
    if float(X.std(axis=0).max()) <= 1e-6 * scale:
        # Projections divide by the spread; identical vectors have none.
        logger.warning(
            "The vectors of layer %s are all (nearly) the same; its panel shows "
            "one point.",
            layer,
        )
        return np.zeros((len(X), 2)), names[method]
    if method == "pca":
        n_components = min(2, X.shape[1], X.shape[0])
        pca = PCA(n_components=n_components, random_state=random_state)
        points = pca.fit_transform(X)
        if points.shape[1] < 2:
            points = np.column_stack([points, np.zeros(len(points))])
        ratio = list(pca.explained_variance_ratio_) + [0.0]
        return points, (
            f"PC 1 ({100 * ratio[0]:.0f}% of variance)",
            f"PC 2 ({100 * ratio[1]:.0f}% of variance)",
        )
    from sklearn.manifold import TSNE

    if X.shape[1] > 50 and X.shape[0] > 50:
        X = PCA(n_components=50, random_state=random_state).fit_transform(X)
    tsne = TSNE(
        n_components=2,
        perplexity=_effective_perplexity(perplexity, len(X)),
        init="pca" if min(X.shape) >= 2 else "random",
        random_state=random_state,
    )
    # t-SNE's OpenMP threads spin when the machine is busy (e.g. a model or
    # other processes on the same cores): on 2 cores two threads took 3x longer
    # than one. Half the cores, at most 4, is never much slower.
    from threadpoolctl import threadpool_limits

    threads = max(1, min(4, (os.cpu_count() or 2) // 2))
    with threadpool_limits(limits=threads, user_api="openmp"):
        points = tsne.fit_transform(X)
    return points, names["tsne"]
