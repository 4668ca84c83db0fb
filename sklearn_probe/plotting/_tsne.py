"""plot_tsne: t-SNE of one set of pooled vectors on one axes, coloured by label."""

import numpy as np

from ._projection import _project
from ._scatter import (
    class_styles,
    legend_handles,
    scatter_classes,
    style_projection_axes,
)

_RESERVED_SCATTER_KWARGS = ("c", "color", "label")


def plot_tsne(
    embeddings,
    labels,
    *,
    ax=None,
    random_state=0,
    perplexity=30.0,
    label_names=None,
    title=None,
    **scatter_kwargs,
):
    """Project embeddings to 2-D with t-SNE and scatter them, coloured by label.

    This is the lesson's ``visualize_embeddings`` for pooled vectors (one row per
    text, e.g. the output of ``HiddenStateTransformer``), for any number of
    classes, with a colour-blind-safe palette (Okabe-Ito). The projection
    (after PCA to 50 dimensions when wider and more than 50 rows) and the panel
    are those of one panel of :class:`LayerEmbeddingsDisplay`.

    Parameters
    ----------
    embeddings : array-like of shape (n_samples, n_features)
        One vector per text. ``n_samples`` must be at least 2.
    labels : array-like of shape (n_samples,)
        Class of each row; one colour and one legend entry per distinct label,
        in sorted order.
    ax : matplotlib.axes.Axes, default=None
        Axes to draw on. If None, a new figure and axes are created with
        ``matplotlib.pyplot.subplots`` (so notebooks display it).
    random_state : int, numpy.random.RandomState instance or None, default=0
        Seed of the t-SNE fit; the same seed gives the same picture.
    perplexity : float, default=30.0
        t-SNE perplexity, roughly the number of neighbours each point attends
        to. t-SNE needs it below ``n_samples``; it is clipped to
        ``(n_samples - 1) / 3`` for small inputs (so with 31 points or fewer the
        value passed is lowered).
    label_names : mapping, default=None
        Display name for each label, e.g. ``{0: "negative", 1: "positive"}``.
        Labels not in the mapping are shown as ``str(label)``.
    title : str, default=None
        Axes title. None gives ``"t-SNE of embeddings"``.
    **scatter_kwargs
        Passed to every :meth:`matplotlib.axes.Axes.scatter` call (e.g. ``s``,
        ``alpha``, ``marker``; ``s=None`` picks a size from the number of
        points). Colours and legend labels are set per class, so
        ``c``, ``color`` and ``label`` are not accepted.

    Returns
    -------
    matplotlib.axes.Axes
        The axes drawn on; ``ax.figure`` is its figure.

    Raises
    ------
    ValueError
        If ``embeddings`` is not 2-D, has fewer than 2 rows or non-finite values,
        or if ``labels`` does not have one entry per row.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_probe.plotting import plot_tsne
    >>> rng = np.random.default_rng(0)
    >>> X = np.vstack([rng.normal(0, 1, (20, 8)), rng.normal(4, 1, (20, 8))])
    >>> y = np.repeat([0, 1], 20)
    >>> ax = plot_tsne(X, y, label_names={0: "negative", 1: "positive"})
    >>> [t.get_text() for t in ax.get_legend().get_texts()]
    ['negative', 'positive']
    >>> ax.figure.savefig("tsne.png")  # doctest: +SKIP
    """
    for key in _RESERVED_SCATTER_KWARGS:
        if key in scatter_kwargs:
            raise TypeError(
                f"plot_tsne sets colours and legend labels per class; remove the "
                f"{key!r} keyword (use label_names= to rename classes)."
            )
    embeddings = np.asarray(embeddings, dtype=float)
    if embeddings.ndim != 2:
        raise ValueError(
            "embeddings must be a 2-D array of shape (n_samples, n_features), one "
            f"pooled vector per text; got an array of shape {embeddings.shape}."
        )
    labels = np.asarray(labels)
    if labels.ndim != 1:
        raise ValueError(
            f"labels must be 1-D with one entry per row; got shape {labels.shape}."
        )
    n_samples = embeddings.shape[0]
    if len(labels) != n_samples:
        raise ValueError(
            f"embeddings and labels must have the same length; got {n_samples} "
            f"embeddings and {len(labels)} labels."
        )
    if n_samples < 2:
        raise ValueError(f"t-SNE needs at least 2 embeddings; got {n_samples}.")
    if not np.isfinite(embeddings).all():
        raise ValueError("embeddings contain NaN or infinite values.")
    if perplexity <= 0:
        raise ValueError(
            f"The 'perplexity' parameter must be positive. Got {perplexity!r} instead."
        )

    points, (xlabel, ylabel), _ = _project(embeddings, "tsne", perplexity, random_state)
    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots(figsize=(6.4, 5.2), layout="constrained")
    styles = class_styles(labels, label_names)
    scatter_classes(ax, points, styles, **scatter_kwargs)
    title = "t-SNE of embeddings" if title is None else title
    style_projection_axes(ax, title, xlabel, ylabel)
    # Many entries would cover points: then the legend goes right of the axes.
    outside = {"loc": "upper left", "bbox_to_anchor": (1.01, 1.0)}
    ax.legend(
        handles=legend_handles(styles),
        frameon=False,
        **(outside if len(styles) > 4 else {"loc": "best"}),
    )
    return ax
