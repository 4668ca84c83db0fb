"""LayerEmbeddingsDisplay: the pooled vectors of several layers, side by side.

A display object in scikit-learn's style:
``LayerEmbeddingsDisplay.from_sweep(result, texts, labels)`` (or
``from_estimator`` / ``from_embeddings``) projects and draws at once;
``plot(ax=...)`` draws the same points again on other axes. What it drew is kept
on ``figure_`` and ``axes_``. The projection itself (t-SNE or PCA) is computed
in :mod:`sklearn_probe.plotting._projection`, the points drawn by
:mod:`sklearn_probe.plotting._scatter`.
"""

import numpy as np

from ._projection import _project, _subsample
from ._scatter import (
    class_styles,
    legend_handles,
    scatter_classes,
    style_projection_axes,
)
from ._style import LEGEND_SIZE, SUPTITLE_SIZE

# The drawing options a display keeps between plot() calls.
_OPTIONS = ("s", "alpha", "legend_title")


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
    axis_labels : tuple of str or dict, default=None
        x and y labels of every panel, or ``layer -> (x, y)`` where they
        differ (PCA names each layer's explained variance); default
        "<method> 1", "<method> 2".
    title : str, default=None
        Figure title.
    s : float, default=None
        Marker size; None picks one from the number of points.
    alpha : float, default=0.75
        Marker opacity.
    legend_title : str, default=None
        Title of the shared legend.

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
        s=None,
        alpha=0.75,
        legend_title=None,
    ):
        self.points = points
        self.labels = labels
        self.method = method
        self.label_names = label_names
        self.panel_titles = panel_titles
        self.axis_labels = axis_labels
        self.title = title
        self.s = s
        self.alpha = alpha
        self.legend_title = legend_title

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
        **options,
    ):
        """Project vectors of several layers to 2-D and draw them.

        Parameters
        ----------
        embeddings : dict or array-like
            ``layer -> (n_samples, n_features) array``, or an array of shape
            ``(n_samples, n_layers, n_features)`` (layers numbered from 0).
        labels : array-like of shape (n_samples,)
            Label of each row, for the colours.
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
        **options
            ``s``, ``alpha``, ``legend_title``: see the class parameters. The
            display keeps them, so ``plot(ax=...)`` draws the same picture.

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
        points, axis_labels = {}, {}
        for layer, X in embeddings.items():
            points[layer], axis_labels[layer] = _project(
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
            **options,
        )
        return display.plot(ax=ax)

    @classmethod
    def from_estimator(cls, transformer, texts, labels, *, layers, **kwargs):
        """Draw the pooled vectors of ``texts`` at ``layers`` from a transformer.

        Texts already seen are served from the cache.

        Parameters
        ----------
        transformer : HiddenStateTransformer
            Fitted or not: it gives the model, pooling and truncation; its
            ``layer`` is replaced by ``layers``.
        texts : sequence of str
            Raw texts.
        labels : array-like of shape (n_texts,)
            Their labels, for the colours.
        layers : list of int
            One panel per layer, in this order.
        **kwargs
            Passed to :meth:`from_embeddings` (``method``, ``label_names``,
            ``ax``, ...).

        Returns
        -------
        LayerEmbeddingsDisplay
            The display, drawn.
        """
        from sklearn.base import clone

        from ..hidden._transformer import fitted
        from ..hidden._validation import check_texts

        texts = check_texts(texts, estimator_name="LayerEmbeddingsDisplay")
        layers = [int(x) for x in layers]
        hidden = clone(transformer).set_params(layer=layers)
        vectors = fitted(hidden).transform(texts)
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
            The sweep: its model, pooling, swept layers and best layer.
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

        Returns
        -------
        LayerEmbeddingsDisplay
            The display, drawn.
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

    def plot(self, ax=None, **options):
        """Draw one panel per layer and a shared legend.

        Parameters
        ----------
        ax : sequence of matplotlib.axes.Axes, default=None
            One axes per layer (e.g. from ``plt.subplots(1, 3)``); None makes
            a new figure with one row of panels.
        **options
            ``s``, ``alpha``, ``legend_title``: replace the display's setting
            of that name (see the class parameters), for this drawing and the
            later ones.

        Returns
        -------
        LayerEmbeddingsDisplay
            ``self``, with ``axes_``, ``figure_`` and ``legend_`` set.
        """
        unknown = sorted(set(options) - set(_OPTIONS))
        if unknown:
            raise TypeError(
                f"plot() got unknown options {unknown}; the options are "
                f"{', '.join(_OPTIONS)}."
            )
        for name, value in options.items():
            setattr(self, name, value)
        layers = list(self.points)
        axes, fig = self._panels(ax, len(layers))
        styles = class_styles(self.labels, self.label_names)
        titles = self.panel_titles or {}
        axis_labels = self._axis_labels(layers)
        # One y label for the row when every panel has the same.
        shared_y = len({y for _, y in axis_labels.values()}) == 1
        for a, layer in zip(axes, layers, strict=True):
            scatter_classes(a, self.points[layer], styles, s=self.s, alpha=self.alpha)
            xlabel, ylabel = axis_labels[layer]
            style_projection_axes(
                a,
                titles.get(layer, f"Layer {layer}"),
                xlabel,
                ylabel if a is axes[0] or not shared_y else None,
            )
        handles = legend_handles(styles)
        self.legend_ = fig.legend(
            handles=handles,
            loc="outside lower center",
            ncols=min(len(handles), 6),
            frameon=False,
            fontsize=LEGEND_SIZE + 0.5,
            title=self.legend_title,
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

    def _panels(self, ax, n_panels):
        """``(axes, figure)``: the given axes, one per layer, or a new row."""
        if ax is None:
            import matplotlib.pyplot as plt

            fig, axes = plt.subplots(
                1,
                n_panels,
                figsize=(3.9 * n_panels + 0.4, 4.6),
                layout="constrained",
                squeeze=False,
            )
            return axes[0], fig
        axes = np.ravel(np.asarray(ax, dtype=object))
        if len(axes) != n_panels:
            raise ValueError(
                f"ax has {len(axes)} axes for {n_panels} layers; pass one "
                "axes per layer."
            )
        return axes, axes[0].figure

    def _axis_labels(self, layers):
        """``layer -> (x label, y label)`` for every panel."""
        if isinstance(self.axis_labels, dict):
            return {layer: tuple(self.axis_labels[layer]) for layer in layers}
        labels = self.axis_labels or (f"{self.method} 1", f"{self.method} 2")
        return dict.fromkeys(layers, tuple(labels))


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
