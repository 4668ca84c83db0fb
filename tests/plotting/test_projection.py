"""What the embeddings picture projects and says (issue 19 items 10-11, issue
21): the probe's own direction, the file name by projection, the vectors'
name from the sweep's settings, and what was projected."""

import sys
from types import SimpleNamespace

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, cross_val_predict
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

pytestmark = pytest.mark.usefixtures("close_figures", "one_openmp_thread")


def one_direction(n=200, width=60, seed=0):
    """Two classes apart along one direction; half the directions, of far
    larger variance, carry nothing of the label (PCA and t-SNE follow those)."""
    rng = np.random.default_rng(seed)
    y = np.repeat([0, 1], n // 2)
    X = rng.normal(size=(n, width))
    X[:, : width // 2] *= 8.0
    X[:, -1] += 2.5 * (2 * y - 1)
    return X, y


def test_probe_projection_shows_the_probe_direction_out_of_fold():
    from sklearn_probe.plotting import LayerEmbeddingsDisplay

    X, y = one_direction()
    display = LayerEmbeddingsDisplay.from_embeddings(
        {3: X}, y, method="probe", random_state=0
    )
    points = display.points[3]
    # x is each point's out-of-fold decision value of the linear probe
    # (StandardScaler + LogisticRegression(C=1/d)), on the same folds.
    probe = make_pipeline(StandardScaler(), LogisticRegression(C=1 / X.shape[1]))
    folds = StratifiedKFold(5, shuffle=True, random_state=0)
    expected = cross_val_predict(probe, X, y, cv=folds, method="decision_function")
    np.testing.assert_allclose(points[:, 0], expected, rtol=1e-4, atol=1e-6)
    accuracy = np.mean((expected > 0) == y)
    assert accuracy > 0.9
    assert display.projection_info_["probe_accuracy"] == pytest.approx(accuracy)
    assert f"accuracy {accuracy:.2f}" in display.axes_[0].get_xlabel()
    # y: the direction of most variance orthogonal to the probe's, which PCA
    # would show first: it carries nothing of the label.
    assert abs(np.corrcoef(points[:, 1], y)[0, 1]) < 0.3
    assert display.method == "Probe projection"
    assert display.file_stem == "probe_layers"


def test_pca_of_the_same_vectors_does_not_separate_them():
    # Why the probe panel exists: the first PCs miss the label's direction.
    from sklearn_probe.plotting import LayerEmbeddingsDisplay

    X, y = one_direction()
    display = LayerEmbeddingsDisplay.from_embeddings({0: X}, y, method="pca")
    pc1 = display.points[0][:, 0]
    assert abs(np.corrcoef(pc1, y)[0, 1]) < 0.3


def test_probe_projection_with_three_classes_and_too_few_points():
    from sklearn_probe.plotting import LayerEmbeddingsDisplay

    rng = np.random.default_rng(0)
    y = np.repeat([0, 1, 2], 30)
    X = rng.normal(size=(90, 8)) + 3 * np.eye(3)[y] @ rng.normal(size=(3, 8))
    display = LayerEmbeddingsDisplay.from_embeddings({0: X}, y, method="probe")
    assert display.points[0].shape == (90, 2)
    assert display.projection_info_["probe_accuracy"] > 0.8
    with pytest.raises(ValueError, match="method='pca' or 'tsne'"):
        LayerEmbeddingsDisplay.from_embeddings({0: X[:3]}, y[:3], method="probe")


def test_the_file_stem_names_the_projection():
    from sklearn_probe.plotting import LayerEmbeddingsDisplay, projection_file_stem

    X, y = one_direction(n=40, width=6)
    display = LayerEmbeddingsDisplay.from_embeddings({0: X}, y, method="pca")
    assert display.method == "PCA"
    assert display.file_stem == "pca_layers"
    display = LayerEmbeddingsDisplay.from_embeddings({0: X}, y, method="tsne")
    assert display.file_stem == "tsne_layers"
    assert projection_file_stem("pca") == "pca_layers"
    with pytest.raises(ValueError, match="Unknown projection 'umap'"):
        projection_file_stem("umap")


def fake_sweep(unit, pooling, best_params=None, width=60):
    """What LayerEmbeddingsDisplay.from_sweep reads of a LayerSweepResult."""
    X, _ = one_direction(n=60, width=width)
    return SimpleNamespace(
        layers=[0, 1, 2],
        best_layer=1,
        best_score=0.81,
        n_layers=3,
        model_name="tiny",
        best_params=best_params or {},
        settings={"unit": unit, "pooling": pooling},
        hidden_states=lambda texts, layers: np.stack([X[: len(texts)]] * 3, axis=1),
    )


@pytest.mark.parametrize(
    ("unit", "pooling", "best_params", "named"),
    [
        ("word", "first", {}, "PCA of first-subword word vectors (tiny)"),
        ("text", "cls", {}, "PCA of cls-pooled hidden states (tiny)"),
        ("text", ["mean", "cls"], {"hidden__pooling": "cls"}, "PCA of cls-pooled"),
        ("word", ["first", "mean"], {"hidden__subword": "mean"}, "PCA of mean-subword"),
    ],
)
def test_the_sweep_picture_names_what_was_pooled(unit, pooling, best_params, named):
    from sklearn_probe.plotting import LayerEmbeddingsDisplay

    result = fake_sweep(unit, pooling, best_params)
    y = np.repeat([0, 1], 30)
    display = LayerEmbeddingsDisplay.from_sweep(
        result, [f"t{i}" for i in range(60)], y, method="pca"
    )
    assert display.figure_.get_suptitle().startswith(named)


def test_projection_info_says_what_was_projected():
    from sklearn_probe.plotting import LayerEmbeddingsDisplay, describe_projection

    result = fake_sweep("text", "mean", width=120)
    y = np.repeat([0, 1], 30)
    texts = [f"t{i}" for i in range(60)]
    display = LayerEmbeddingsDisplay.from_sweep(
        result, texts, y, method="tsne", max_samples=56
    )
    info = display.projection_info_
    assert info["method"] == "t-SNE"
    assert info["n_points"] == 56 and info["n_points_total"] == 60
    assert info["n_features"] == 120 and info["pca_dimensions"] == 50
    assert info["n_panels"] == 3 and info["seconds"] > 0
    sentence = describe_projection(info)
    assert "t-SNE (" in sentence and "of 56 points per panel" in sentence
    assert "a stratified subset of 60" in sentence
    assert "after PCA from 120 to 50 dimensions" in sentence


def test_tsne_falls_back_to_scikit_learn_without_opentsne(monkeypatch):
    from sklearn_probe.plotting._projection import _project

    X, _ = one_direction(n=120, width=8)
    monkeypatch.setitem(sys.modules, "openTSNE", None)  # import fails
    points, _, info = _project(X, "tsne", 30.0, 0)
    assert info["implementation"] == "scikit-learn"
    assert points.shape == (120, 2) and np.isfinite(points).all()


def test_tsne_uses_opentsne_when_installed():
    openTSNE = pytest.importorskip("openTSNE")
    from sklearn_probe.plotting._projection import _project

    X, _ = one_direction(n=120, width=8)
    first, _, info = _project(X, "tsne", 30.0, 0)
    again, _, _ = _project(X, "tsne", 30.0, 0)
    assert info["implementation"] == f"openTSNE {openTSNE.__version__}"
    np.testing.assert_allclose(first, again)  # the seed fixes the picture


def test_the_note_says_what_a_projection_can_and_cannot_show():
    from sklearn_probe.plotting import PROJECTION_NOTE

    assert "t-SNE keeps neighbourhoods, not directions" in PROJECTION_NOTE
    assert "out-of-fold" in PROJECTION_NOTE
