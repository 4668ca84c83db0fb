"""Tests for LayerScoresDisplay (sklearn_probe.plotting._scores), headless (Agg)."""

import matplotlib.pyplot as plt
import numpy as np
import pytest
from helpers import legend_texts
from matplotlib.figure import Figure

pytestmark = pytest.mark.usefixtures("close_figures")


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


def sweep_result(scores, **overrides):
    """What LayerScoresDisplay.from_sweep reads of a LayerSweepResult."""
    from types import SimpleNamespace

    fields = {
        "scores": scores,
        "param_columns": [],
        "score_name": "accuracy",
        "chance_score": 0.5,
        "best_index": None,
        "n_splits": 3,
        "n_repeats": 1,
        "model_name": "tiny",
        "settings": {"unit": "text", "task": "classification"},
    }
    return SimpleNamespace(**{**fields, **overrides})


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
    from sklearn_probe.plotting import LayerScoresDisplay

    # Whatever the sweep says is best is what is starred.
    result = sweep_result(sweep_scores(n_layers=3), score_name="roc_auc", best_index=1)
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


def test_plot_again_keeps_the_options_given_to_from_sweep():
    from sklearn_probe.plotting import LayerScoresDisplay

    scores = sweep_scores(n_layers=3)
    result = sweep_result(scores)
    first = LayerScoresDisplay.from_sweep(result, band="range", show_train=True)
    folds = scores.filter(like="cv_score_fold").to_numpy()
    again = first.plot(ax=Figure().add_subplot())
    assert set(again.lines_) == {("cv_score", ""), ("train_score", "")}
    low = again.bands_[("cv_score", "")].get_paths()[0].vertices[:, 1]
    assert low.min() == pytest.approx(folds.min())  # the range band, not ± sd
    assert again.ax_.get_ylabel() == "Accuracy (3-fold CV, mean and range)"
    # An option given to plot() replaces the stored one, and is kept in turn.
    again.plot(ax=Figure().add_subplot(), band=None)
    assert again.bands_ == {}
    assert again.plot(ax=Figure().add_subplot()).bands_ == {}
    with pytest.raises(TypeError, match="'colour'.*band, show_train, title"):
        again.plot(colour="red")


def shown_titles(ax):
    titles = [ax.get_title(loc) for loc in ("left", "center", "right")]
    return [title for title in titles if title]


@pytest.mark.parametrize("loc", ["center", "left", "right"])
def test_a_title_set_on_the_axes_replaces_the_display_title(loc, tmp_path):
    from sklearn_probe.plotting import LayerScoresDisplay

    display = LayerScoresDisplay(sweep_scores(), model_name="tiny").plot()
    assert shown_titles(display.ax_) == ["Probe accuracy by layer (tiny)"]
    display.ax_.set_title("My own title", loc=loc)
    display.figure_.savefig(tmp_path / "scores.png")
    assert shown_titles(display.ax_) == ["My own title"]
    # Drawing the display again on those axes brings its own title back, alone.
    display.plot(ax=display.ax_, title="Again")
    assert shown_titles(display.ax_) == ["Again"]
