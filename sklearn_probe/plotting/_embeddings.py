"""LayerEmbeddingsDisplay: the pooled vectors of several layers, side by side.

A display object in scikit-learn's style:
``LayerEmbeddingsDisplay.from_sweep(result, texts, labels)`` (or
``from_estimator`` / ``from_embeddings``) projects and draws at once;
``plot(ax=...)`` draws the same points again on other axes. What it drew is kept
on ``figure_`` and ``axes_``. The projection itself (t-SNE, PCA or the probe's
own direction) is computed in :mod:`sklearn_probe.plotting._projection`, the
points drawn by
:mod:`sklearn_probe.plotting._scatter`.
"""

import numpy as np

from ._embedding_inputs import (
    check_embeddings,
    merge_info,
    sweep_layers,
    sweep_panel_titles,
    sweep_vectors_name,
)
from ._projection import PROJECTIONS, _project, _subsample, projection_file_stem
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
    method : {"t-SNE", "PCA", "Probe projection"}, default="t-SNE"
        Name of the projection, for titles, axis labels and :attr:`file_stem`.
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
    projection_info_ : dict or None
        What was projected, set by the constructors that project: ``method``,
        ``implementation`` (e.g. "openTSNE 1.0.4"), ``n_points`` per panel,
        ``n_points_total`` (before the subset), ``n_features``,
        ``pca_dimensions`` (the PCA before t-SNE), ``n_panels``, ``seconds``
        (all panels); the probe projection adds ``probe_accuracy``.
        :func:`describe_projection` says it in a sentence.

    Notes
    -----
    ``PROJECTION_NOTE`` (in :mod:`sklearn_probe.plotting`) says what such a
    picture can and cannot show. Points mixed in a t-SNE or PCA panel do not
    mean the layer lacks the label; ``method="probe"`` shows each point's
    out-of-fold probe score against the direction of most variance orthogonal
    to the probe, where a linearly decodable label is visible.

    Examples
    --------
    >>> from sklearn_probe.plotting import LayerEmbeddingsDisplay
    >>> display = LayerEmbeddingsDisplay.from_sweep(
    ...     result, texts, labels, label_names={0: "negative", 1: "positive"}
    ... )  # doctest: +SKIP
    >>> display.figure_.savefig(f"{display.file_stem}.svg")  # doctest: +SKIP
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
        self.projection_info_ = None

    @property
    def file_stem(self):
        """The picture's file name without suffix, named by its projection:
        ``"tsne_layers"``, ``"pca_layers"`` or ``"probe_layers"``."""
        return projection_file_stem(self.method)

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
        method : {"auto", "tsne", "pca", "probe"}, default="auto"
            t-SNE (after PCA to 50 dimensions when wider; openTSNE's
            FFT-accelerated t-SNE when the ``openTSNE`` package is installed,
            else scikit-learn's), or PCA alone, which is much faster for large
            N, or "probe": each point's out-of-fold score of a linear probe
            (5-fold) against the direction of most variance orthogonal to the
            probe's. "auto" uses t-SNE up to 5,000 points.
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
        embeddings, labels = check_embeddings(embeddings, labels, method)
        index = _subsample(labels, max_samples, random_state)
        n_total, labels = len(labels), labels[index]
        if method == "auto":
            method = "tsne" if len(labels) <= 5000 else "pca"
        points, axis_labels, info = {}, {}, None
        for layer, X in embeddings.items():
            points[layer], axis_labels[layer], panel = _project(
                X[index], method, perplexity, random_state, layer, labels
            )
            info = merge_info(info, panel, n_total)
        display = cls(
            points,
            labels,
            method=PROJECTIONS[method][0],
            label_names=label_names,
            panel_titles=panel_titles,
            axis_labels=axis_labels,
            title=title,
            **options,
        )
        display.projection_info_ = info
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

        from ..hidden import check_texts, fitted

        texts = check_texts(texts, estimator_name="LayerEmbeddingsDisplay")
        layers = [int(x) for x in layers]
        hidden = clone(transformer).set_params(layer=layers)
        vectors = fitted(hidden).transform(texts)
        vectors = vectors.reshape(len(texts), len(layers), -1)
        embeddings = {layer: vectors[:, i] for i, layer in enumerate(hidden.layers_)}
        return cls.from_embeddings(embeddings, labels, **kwargs)

    @classmethod
    def from_sweep(
        cls, result, texts, labels, *, layers=None, max_samples=300, **kwargs
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
        max_samples : int, default=300
            Points drawn per panel at most (a stratified subset, the same for
            every panel): four t-SNE panels of 300 points take about 1.5 s on
            one core, under a tenth of a default sweep of 1,000 texts, and
            show what 500 do; raise it for a denser picture.
        **kwargs
            Passed to :meth:`from_embeddings` (``method``, ``label_names``,
            ``random_state``, ``ax``, ...).

        Returns
        -------
        LayerEmbeddingsDisplay
            The display, drawn.
        """
        layers = sweep_layers(result, layers)
        n_total = len(labels)
        if max_samples is not None and n_total > max_samples:
            index = _subsample(np.asarray(labels), max_samples, 0)
            texts = list(texts)
            texts = [texts[i] for i in index]
            labels = np.asarray(labels)[index]
        vectors = result.hidden_states(texts, layers)
        embeddings = {layer: vectors[:, i] for i, layer in enumerate(layers)}
        kwargs.setdefault("panel_titles", sweep_panel_titles(result, layers))
        kwargs.setdefault(
            "title", f"{{method}} of {sweep_vectors_name(result)} ({result.model_name})"
        )
        display = cls.from_embeddings(embeddings, labels, max_samples=None, **kwargs)
        display.projection_info_["n_points_total"] = n_total
        return display

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
