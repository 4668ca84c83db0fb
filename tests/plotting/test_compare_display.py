"""ModelComparisonDisplay (sklearn_probe.plotting._compare): the chance line
and the baselines named in the legend, and when the relative-depth picture is
the by-layer one again (issue 19, items 9 and 10)."""

import numpy as np
import pandas as pd
import pytest

from sklearn_probe.plotting import ModelComparisonDisplay

pytestmark = pytest.mark.usefixtures("close_figures")


def comparison_scores(n_layers_by_model, layers=None):
    """A frame shaped like SweepComparison.scores."""
    rows = []
    for i, (model, n_layers) in enumerate(n_layers_by_model.items()):
        swept = layers or range(n_layers)
        for layer in swept:
            rows.append(
                {
                    "model": model,
                    "layer": layer,
                    "relative_depth": layer / (n_layers - 1),
                    # The random model's layer 0 sits on chance (0.51).
                    "cv_score_mean": 0.52 + 0.03 * layer * (1 - i),
                    "cv_score_std": 0.02,
                    "best": layer == (max(swept) if i == 0 else 0),
                }
            )
    return pd.DataFrame(rows)


def test_chance_and_baselines_are_named_in_the_legend_not_on_the_curves():
    scores = comparison_scores({"minilm": 7, "random": 7})
    display = ModelComparisonDisplay(
        scores, chance_level=0.51, references={"length": 0.57}
    ).plot()
    legend = [t.get_text() for t in display.legend_.get_texts()]
    assert "chance (majority class): 0.51" in legend
    assert "length only: 0.57" in legend
    # No text on the axes (the chance label sat on the random model's layer 0).
    assert [t.get_text() for t in display.ax_.texts if t.get_text()] == []


@pytest.mark.parametrize(
    ("depths", "layers", "expected"),
    [
        ({"a": 7, "b": 7}, None, ("layer",)),
        ({"a": 7, "b": 7}, [0, 2, 4], ("layer",)),
        ({"a": 7, "b": 13}, None, ("layer", "relative_depth")),
    ],
)
def test_relative_depth_is_drawn_only_when_it_differs(depths, layers, expected):
    scores = comparison_scores(depths, layers)
    assert ModelComparisonDisplay.distinct_x(scores) == expected
    if expected == ("layer",):
        # The same picture: the x positions are the layers rescaled by one factor.
        by_layer = ModelComparisonDisplay(scores).plot(x="layer")
        by_depth = ModelComparisonDisplay(scores).plot(x="relative_depth")
        for model in depths:
            x_layer = by_layer.lines_[model].get_xdata()
            x_depth = by_depth.lines_[model].get_xdata()
            np.testing.assert_allclose(x_depth * (depths["a"] - 1), x_layer)
