"""Tests for LayerEmbeddingsDisplay (sklearn_probe.plotting._embeddings), headless."""

import numpy as np
import pytest
from matplotlib.colors import to_hex
from matplotlib.figure import Figure

from sklearn_probe.plotting import OKABE_ITO

pytestmark = pytest.mark.usefixtures("close_figures", "one_openmp_thread")


def layered_blobs(n_layers=3, n=30, width=6):
    rng = np.random.default_rng(0)
    y = np.repeat([0, 1], n // 2)
    embeddings = {
        layer: rng.normal(size=(n, width)) + layer * y[:, None]
        for layer in range(n_layers)
    }
    return embeddings, y


def test_layer_embeddings_display_panels_titles_and_one_legend():
    from sklearn_probe.plotting import LayerEmbeddingsDisplay

    embeddings, y = layered_blobs()
    display = LayerEmbeddingsDisplay.from_embeddings(
        embeddings,
        y,
        method="tsne",
        label_names={0: "negative", 1: "positive"},
        title="{method} by layer",
    )
    assert len(display.axes_) == 3
    assert len(display.figure_.axes) == 3
    assert [ax.get_title() for ax in display.axes_] == ["Layer 0", "Layer 1", "Layer 2"]
    for ax in display.axes_:
        assert len(ax.collections) == 2  # one per class
        assert sum(len(c.get_offsets()) for c in ax.collections) == 30
        assert ax.get_legend() is None  # the legend is shared
        assert ax.get_xlabel() == "t-SNE 1"
    assert display.axes_[0].get_ylabel() == "t-SNE 2"
    assert [t.get_text() for t in display.legend_.get_texts()] == [
        "negative",
        "positive",
    ]
    assert display.figure_.legends == [display.legend_]
    assert display.figure_.get_suptitle() == "t-SNE by layer"
    colours = [
        to_hex(c.get_facecolor()[0], keep_alpha=False)
        for c in display.axes_[0].collections
    ]
    assert colours == [c.lower() for c in OKABE_ITO[:2]]


def test_layer_embeddings_display_pca_subsample_and_array_input():
    from sklearn_probe.plotting import LayerEmbeddingsDisplay

    embeddings, y = layered_blobs(n_layers=2, n=40)
    stacked = np.stack([embeddings[0], embeddings[1]], axis=1)  # (n, layers, width)
    display = LayerEmbeddingsDisplay.from_embeddings(
        stacked, y, method="pca", max_samples=20, panel_titles={1: "deep"}
    )
    assert display.method == "PCA"
    assert display.axes_[0].get_xlabel().startswith("PC 1 (")
    assert display.axes_[1].get_title() == "deep"
    counts = [len(c.get_offsets()) for c in display.axes_[0].collections]
    assert counts == [10, 10]  # stratified


def test_layer_embeddings_display_on_given_axes_and_errors():
    from sklearn_probe.plotting import LayerEmbeddingsDisplay

    embeddings, y = layered_blobs(n_layers=2)
    fig = Figure()
    axes = fig.subplots(1, 2)
    display = LayerEmbeddingsDisplay.from_embeddings(
        embeddings, y, method="pca", ax=axes
    )
    assert list(display.axes_) == list(axes) and display.figure_ is fig
    with pytest.raises(ValueError, match="2 axes for 3 layers"):
        LayerEmbeddingsDisplay.from_embeddings(
            layered_blobs(n_layers=3)[0], y, method="pca", ax=axes
        )
    with pytest.raises(ValueError, match="'method' parameter"):
        LayerEmbeddingsDisplay.from_embeddings(embeddings, y, method="umap")
    with pytest.raises(ValueError, match="one row per label"):
        LayerEmbeddingsDisplay.from_embeddings(embeddings, y[:-1])


def test_layer_embeddings_display_identical_vectors(caplog):
    """A layer whose vectors are all the same (it happens with random models)
    gives one point, not NaNs or a crash."""
    from sklearn_probe.plotting import LayerEmbeddingsDisplay

    y = np.repeat([0, 1], 5)
    display = LayerEmbeddingsDisplay.from_embeddings(
        {0: np.ones((10, 4))}, y, method="tsne"
    )
    offsets = np.vstack([c.get_offsets() for c in display.axes_[0].collections])
    assert np.isfinite(offsets).all()
    assert "all (nearly) the same" in caplog.text


def test_layer_embeddings_display_from_estimator(tiny_bert, texts):
    from sklearn_probe import HiddenStateTransformer
    from sklearn_probe.plotting import LayerEmbeddingsDisplay

    labels = np.arange(len(texts)) % 2
    display = LayerEmbeddingsDisplay.from_estimator(
        HiddenStateTransformer(model=tiny_bert),
        texts,
        labels,
        layers=[0, -1],
        method="pca",
    )
    assert [ax.get_title() for ax in display.axes_] == ["Layer 0", "Layer 3"]
    # Each panel is the PCA of that layer's pooled vectors, every text once.
    from sklearn.decomposition import PCA

    every_layer = HiddenStateTransformer(model=tiny_bert, layer="all")
    vectors = every_layer.fit_transform(texts).reshape(len(texts), 4, -1)
    for ax, layer in zip(display.axes_, [0, 3], strict=True):
        expected = PCA(n_components=2).fit_transform(vectors[:, layer])
        np.testing.assert_allclose(display.points[layer], expected, atol=1e-6)
        drawn = np.vstack([c.get_offsets() for c in ax.collections])
        np.testing.assert_allclose(
            np.sort(drawn, axis=0), np.sort(expected, axis=0), atol=1e-6
        )


def test_pca_panels_name_their_own_explained_variance():
    from sklearn.decomposition import PCA

    from sklearn_probe.plotting import LayerEmbeddingsDisplay

    rng = np.random.default_rng(0)
    y = np.repeat([0, 1], 20)
    # Layer 0 spreads along one direction, layer 1 evenly: different ratios.
    embeddings = {
        0: rng.normal(size=(40, 5)) * [10.0, 1, 1, 1, 1],
        1: rng.normal(size=(40, 5)),
    }
    display = LayerEmbeddingsDisplay.from_embeddings(embeddings, y, method="pca")
    for ax, X in zip(display.axes_, embeddings.values(), strict=True):
        ratio = PCA(n_components=2).fit(X).explained_variance_ratio_
        assert ax.get_xlabel() == f"PC 1 ({100 * ratio[0]:.0f}% of variance)"
        assert ax.get_ylabel() == f"PC 2 ({100 * ratio[1]:.0f}% of variance)"
    assert display.axes_[0].get_xlabel() != display.axes_[1].get_xlabel()
