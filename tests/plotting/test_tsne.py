"""Tests for plot_tsne (sklearn_probe.plotting), headless (Agg backend).

The Display classes it re-exports are tested in test_scores_display.py and
test_embeddings_display.py.
"""

import matplotlib.pyplot as plt
import numpy as np
import pytest
from helpers import legend_texts
from matplotlib.axes import Axes
from matplotlib.colors import to_hex
from matplotlib.figure import Figure

from sklearn_probe.plotting import OKABE_ITO, plot_tsne
from sklearn_probe.plotting._projection import _effective_perplexity

pytestmark = pytest.mark.usefixtures("close_figures", "one_openmp_thread")


@pytest.fixture
def blobs():
    rng = np.random.default_rng(0)
    X = np.vstack([rng.normal(0, 1, (15, 6)), rng.normal(5, 1, (15, 6))])
    y = np.repeat([0, 1], 15)
    return X, y


def test_returns_axes_with_one_collection_per_class(blobs):
    X, y = blobs
    ax = plot_tsne(X, y)
    assert isinstance(ax, Axes)
    assert len(ax.collections) == 2
    assert [len(c.get_offsets()) for c in ax.collections] == [15, 15]
    assert legend_texts(ax) == ["0", "1"]
    assert ax.get_xlabel() == "t-SNE 1"
    assert ax.get_ylabel() == "t-SNE 2"
    assert ax.get_title() == "t-SNE of embeddings"


def test_label_names_and_title(blobs):
    X, y = blobs
    ax = plot_tsne(X, y, label_names={0: "negative", 1: "positive"}, title="Layer 3")
    assert legend_texts(ax) == ["negative", "positive"]
    assert ax.get_title() == "Layer 3"


def test_partial_label_names_and_string_labels():
    rng = np.random.default_rng(1)
    X = rng.normal(size=(12, 4))
    y = np.array(["neg", "pos", "neu"] * 4)
    ax = plot_tsne(X, y, label_names={"pos": "positive"})
    assert legend_texts(ax) == ["neg", "neu", "positive"]
    assert len(ax.collections) == 3


def test_colour_blind_safe_distinct_colours(blobs):
    X, y = blobs
    ax = plot_tsne(X, y)
    colours = [to_hex(c.get_facecolor()[0], keep_alpha=False) for c in ax.collections]
    assert colours == [c.lower() for c in OKABE_ITO[:2]]


def test_many_classes_stay_distinguishable():
    rng = np.random.default_rng(2)
    X = rng.normal(size=(40, 5))
    y = np.arange(40) % 10
    ax = plot_tsne(X, y)
    assert len(ax.collections) == 10
    styles = {
        (
            to_hex(c.get_facecolor()[0], keep_alpha=False),
            c.get_paths()[0].vertices.tobytes(),
        )
        for c in ax.collections
    }
    assert len(styles) == 10


def test_uses_the_given_axes_and_creates_no_figure(blobs):
    X, y = blobs
    fig = Figure()
    given = fig.add_subplot()
    before = plt.get_fignums()
    ax = plot_tsne(X, y, ax=given)
    assert ax is given
    assert len(given.collections) == 2
    assert plt.get_fignums() == before


def test_creates_a_figure_when_no_axes(blobs):
    X, y = blobs
    before = len(plt.get_fignums())
    ax = plot_tsne(X, y)
    assert len(plt.get_fignums()) == before + 1
    assert ax.figure is plt.gcf()


def test_never_shows(blobs, monkeypatch):
    def fail(*args, **kwargs):
        raise AssertionError("plot_tsne must not call plt.show()")

    monkeypatch.setattr(plt, "show", fail)
    plot_tsne(*blobs)


def test_deterministic_with_random_state(blobs):
    X, y = blobs
    a = plot_tsne(X, y, random_state=3).collections[0].get_offsets()
    b = plot_tsne(X, y, random_state=3).collections[0].get_offsets()
    np.testing.assert_allclose(a, b)


def test_scatter_kwargs_are_passed(blobs):
    X, y = blobs
    ax = plot_tsne(X, y, s=5, marker="x")
    assert all(c.get_sizes()[0] == 5 for c in ax.collections)
    assert all(c.get_linewidths()[0] > 0 for c in ax.collections)  # "x" visible


@pytest.mark.parametrize("key", ["c", "color", "label"])
def test_reserved_scatter_kwargs(blobs, key):
    with pytest.raises(TypeError, match=f"remove the '{key}' keyword"):
        plot_tsne(*blobs, **{key: "red"})


def test_mismatched_lengths(blobs):
    X, y = blobs
    with pytest.raises(ValueError, match="got 30 embeddings and 29 labels"):
        plot_tsne(X, y[:-1])


def test_embeddings_must_be_2d():
    with pytest.raises(ValueError, match=r"2-D .* shape \(4, 3, 2\)"):
        plot_tsne(np.zeros((4, 3, 2)), [0, 1, 0, 1])


def test_non_finite_embeddings():
    X = np.ones((5, 3))
    X[2, 1] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        plot_tsne(X, [0, 1, 0, 1, 0])


def test_too_few_points():
    with pytest.raises(ValueError, match="at least 2"):
        plot_tsne(np.ones((1, 3)), [0])


@pytest.mark.parametrize("n", [2, 3, 10])
def test_small_n_works(n):
    rng = np.random.default_rng(n)
    ax = plot_tsne(rng.normal(size=(n, 4)), np.arange(n) % 2)
    assert sum(len(c.get_offsets()) for c in ax.collections) == n
    assert np.isfinite(np.vstack([c.get_offsets() for c in ax.collections])).all()


def test_one_feature_works():
    ax = plot_tsne(np.arange(8.0)[:, None], np.arange(8) % 2)
    assert len(ax.collections) == 2


def test_perplexity_clipping():
    assert _effective_perplexity(30.0, 1000) == 30.0
    assert _effective_perplexity(30.0, 10) == 3.0
    for n in (2, 3, 50, 91):
        assert 0 < _effective_perplexity(30.0, n) < n


def test_bad_perplexity(blobs):
    with pytest.raises(ValueError, match="'perplexity' parameter must be positive"):
        plot_tsne(*blobs, perplexity=0)
