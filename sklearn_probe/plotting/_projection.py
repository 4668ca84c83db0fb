"""The 2-D points of the embeddings pictures: subset, then t-SNE or PCA.

Computation only, no drawing: :class:`LayerEmbeddingsDisplay` and
:func:`~sklearn_probe.plotting.plot_tsne` draw what these return.
"""

import logging
import os

import numpy as np

from .._sampling import stratified_subset

logger = logging.getLogger(__name__)


def _effective_perplexity(perplexity, n_samples):
    """``perplexity`` clipped to ``(n_samples - 1) / 3`` (TSNE needs < n_samples)."""
    return float(min(perplexity, (n_samples - 1) / 3))


def _subsample(labels, max_samples, random_state):
    n = len(labels)
    if max_samples is None or n <= max_samples:
        return np.arange(n)
    return np.sort(stratified_subset(labels, max_samples, random_state))


def _project(X, method, perplexity, random_state, layer=None):
    """2-D points and the axis labels that describe them."""
    from sklearn.decomposition import PCA

    names = {"pca": ("PC 1", "PC 2"), "tsne": ("t-SNE 1", "t-SNE 2")}
    scale = float(np.abs(X).max()) or 1.0
    if float(X.std(axis=0).max()) <= 1e-6 * scale:
        # Projections divide by the spread; identical vectors have none.
        logger.warning(
            "The vectors%s are all (nearly) the same; the picture shows one point.",
            "" if layer is None else f" of layer {layer}",
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
