"""Tests for sklearn_probe.plotting, headless (Agg backend)."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.axes import Axes  # noqa: E402
from matplotlib.colors import to_hex  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from sklearn_probe.plotting import (  # noqa: E402
    OKABE_ITO,
    _effective_perplexity,
    plot_tsne,
)


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


@pytest.fixture(autouse=True, scope="module")
def _one_openmp_thread():
    """t-SNE of a few dozen points gains nothing from threads, and OpenMP threads
    spinning on a busy machine (parallel test runs) made one call take 30 s."""
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1, user_api="openmp"):
        yield


@pytest.fixture
def blobs():
    rng = np.random.default_rng(0)
    X = np.vstack([rng.normal(0, 1, (15, 6)), rng.normal(5, 1, (15, 6))])
    y = np.repeat([0, 1], 15)
    return X, y


def legend_texts(ax):
    return [t.get_text() for t in ax.get_legend().get_texts()]


def test_returns_axes_with_one_collection_per_class(blobs):
    X, y = blobs
    ax = plot_tsne(X, y)
    assert isinstance(ax, Axes)
    assert len(ax.collections) == 2
    assert [len(c.get_offsets()) for c in ax.collections] == [15, 15]
    assert legend_texts(ax) == ["0", "1"]
    assert ax.get_xlabel() == "t-SNE dimension 1"
    assert ax.get_ylabel() == "t-SNE dimension 2"
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


# --------------------------------------------------------- LayerScoresDisplay


def sweep_scores(n_layers=5, groups=None, extra=()):
    """A DataFrame shaped like LayerSweepResult.scores."""
    import pandas as pd

    rows = []
    for g, group in enumerate(groups or [None]):
        for layer in range(n_layers):
            folds = 0.6 + 0.05 * layer - 0.03 * g + np.array([-0.02, 0.0, 0.02])
            row = {"layer": layer}
            if group is not None:
                row["pooling"] = group
            row.update(
                cv_score_mean=folds.mean(),
                cv_score_std=folds.std(),
                train_score_mean=folds.mean() + 0.1,
                train_score_std=0.01,
                **{f"cv_score_fold{k}": v for k, v in enumerate(folds)},
            )
            for name in extra:
                row[f"{name}_mean"] = 0.55
                row[f"{name}_std"] = 0.01
            rows.append(row)
    return pd.DataFrame(rows)


def test_layer_scores_display_draws_what_it_says():
    from sklearn_probe.plotting import LayerScoresDisplay

    scores = sweep_scores()
    display = LayerScoresDisplay(
        scores, chance_level=0.52, n_splits=3, model_name="tiny"
    ).plot()
    assert display is not None and display.ax_.figure is display.figure_
    ax = display.ax_
    (line,) = display.lines_.values()
    np.testing.assert_array_equal(line.get_xdata(), range(5))
    np.testing.assert_allclose(line.get_ydata(), scores["cv_score_mean"])
    assert len(display.bands_) == 1
    assert display.chance_line_.get_ydata()[0] == pytest.approx(0.52)
    assert "chance (majority class): 0.52" == display.chance_text_.get_text()
    # The best layer (the argmax of the mean CV score) is starred and labelled.
    assert list(display.best_marker_.get_xdata()) == [4]
    assert display.best_text_.get_text().startswith("best: layer 4")
    assert ax.get_xlabel() == "Layer (0 = embedding output)"
    assert ax.get_ylabel() == "Accuracy (3-fold CV, mean ± sd)"
    assert ax.get_title(loc="left") == "Probe accuracy by layer (tiny)"
    assert list(ax.get_xticks()) == [0, 1, 2, 3, 4]
    assert ax.get_legend() is None  # one curve: the axis names it
    assert ax.get_ylim()[1] <= 1.2 and max(ax.get_yticks()) <= 1.0


def test_layer_scores_display_bands_and_extra_curves():
    from sklearn_probe.plotting import LayerScoresDisplay

    scores = sweep_scores(groups=["mean", "max"], extra=["random_weights"])
    display = LayerScoresDisplay(scores, group_by=["pooling"]).plot(show_train=True)
    # 2 poolings x (probe, random weights, train folds)
    assert len(display.lines_) == 6
    assert len(display.bands_) == 4  # no band for the training folds
    # Fold ranges exist for the probe's curve only.
    display = LayerScoresDisplay(scores, group_by=["pooling"]).plot(
        band="range", show_train=True
    )
    assert len(display.bands_) == 2
    texts = legend_texts(display.ax_)
    assert texts[:3] == [
        "mean pooling",
        "mean pooling: random-weights model",
        "mean pooling: train folds",
    ]
    low = display.bands_[("cv_score", "mean pooling")].get_paths()[0].vertices[:, 1]
    folds = scores.filter(like="cv_score_fold").to_numpy()[:5]
    assert low.min() == pytest.approx(folds.min())
    with pytest.raises(ValueError, match="'band' parameter"):
        display.plot(band="iqr")


def test_layer_scores_display_from_sweep_on_given_axes():
    from types import SimpleNamespace

    from sklearn_probe.plotting import LayerScoresDisplay

    scores = sweep_scores(n_layers=3)
    result = SimpleNamespace(
        scores=scores,
        param_columns=[],
        score_name="roc_auc",
        chance_score=0.5,
        best_index=1,  # whatever the sweep says is best is what is starred
        n_splits=3,
        model_name="tiny",
    )
    fig = Figure()
    ax = fig.add_subplot()
    before = plt.get_fignums()
    display = LayerScoresDisplay.from_sweep(result, ax=ax)
    assert display.ax_ is ax and display.figure_ is fig
    assert plt.get_fignums() == before
    assert list(display.best_marker_.get_xdata()) == [1]
    assert ax.get_ylabel().startswith("ROC AUC (3-fold CV")
    assert display.chance_text_.get_text() == "chance (no information): 0.50"


def test_layer_scores_display_saves_png_and_svg(tmp_path):
    from sklearn_probe.plotting import LayerScoresDisplay

    display = LayerScoresDisplay(sweep_scores(), chance_level=0.5).plot()
    for suffix in ("png", "svg"):
        display.figure_.savefig(tmp_path / f"scores.{suffix}")
        assert (tmp_path / f"scores.{suffix}").stat().st_size > 1000


# ----------------------------------------------------- LayerEmbeddingsDisplay


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


def test_layer_scores_display_confidence_band_and_worse_layers():
    from sklearn_probe.plotting import LayerScoresDisplay

    scores = sweep_scores(extra=["control", "random_weights"])
    scores["ci_low"] = scores["cv_score_mean"] - 0.05
    scores["ci_high"] = scores["cv_score_mean"] + 0.05
    scores["significantly_worse"] = [True, True, False, False, False]
    display = LayerScoresDisplay(scores, n_splits=3, n_repeats=2).plot()
    # The band is the probe's confidence interval; baselines are lines only.
    assert set(display.bands_) == {("cv_score", "")}
    low = display.bands_[("cv_score", "")].get_paths()[0].vertices[:, 1]
    assert low.min() == pytest.approx(scores["ci_low"].min())
    assert display.ax_.get_ylabel() == "Accuracy (2 x 3-fold CV, mean and 95% CI)"
    np.testing.assert_array_equal(display.worse_markers_.get_xdata(), [0, 1])
    texts = legend_texts(display.ax_)
    assert texts[:3] == [
        "probe (pretrained weights)",
        "random-weights model",
        "control (permuted labels)",
    ]
    assert texts[-1].startswith("significantly worse than best")
    plt.close(display.figure_)
