"""The causal sweep's report section and picture, and the single-unit section."""

import numpy as np
import pandas as pd
import pytest
from helpers import legend_texts

from sklearn_probe.causal import CausalSweepResult
from sklearn_probe.plotting import plot_causal_sweep, plot_neuron_curve
from sklearn_probe.report import (
    add_neuron_section,
    causal_section,
    neuron_section,
    write_causal_report,
)


@pytest.fixture
def result():
    scores = pd.DataFrame(
        {
            "layer": [0, 1, 2],
            "probe_score": [0.70, 0.98, 0.97],
            "rank": [1, 1, 1],
            "effect": [0.05, 0.45, 0.20],
            "control_mean": [0.01, 0.02, 0.00],
            "control_low": [0.00, 0.01, -0.01],
            "control_high": [0.02, 0.03, 0.01],
            "after": [0.95, 0.55, 0.80],
            "control_after": [0.99, 0.98, 1.00],
            "amnesic_score": [0.69, 0.52, 0.96],
            "amnesic_control": [0.97, 0.97, 0.97],
        }
    )
    scores["rank_by_effect"] = [3, 1, 2]
    scores["rank_by_probe"] = [3, 1, 2]
    amnesic = pd.DataFrame(
        [
            (e, p, 0.97, 0.5 + 0.1 * p, 0.97, 0.96, 0.98)
            for e in range(3)
            for p in range(e, 3)
        ],
        columns=[
            "erased_layer",
            "probed_layer",
            "plain",
            "score",
            "control_mean",
            "control_low",
            "control_high",
        ],
    )
    return CausalSweepResult(
        scores=scores,
        amnesic=amnesic,
        measure="behaviour",
        before=1.0,
        chance=0.5,
        n_splits=5,
        n_controls=4,
        pooling="last",
        settings={"eraser": "LEACE", "positions": None},
    )


def test_the_section_has_the_table_both_rankings_and_the_caveats(result):
    text = causal_section(result)
    assert "| layer | probe score | after erasure |" in text
    assert (
        "| 1 | 0.980 | 0.550 | 0.980 | 0.450 | 0.010 to 0.030 | 0.520 | 1 | 1 |" in text
    )
    assert "Erasing at layer 1 changes it most (0.450)" in text
    assert "probe scores highest at layer 1 (0.980)" in text
    assert "every random subspace of the same rank: layer(s) 0, 1, 2." in text
    assert "Elazar et al. 2021" in text and "Ravichander et al. 2021" in text


def test_the_picture_draws_the_effect_inside_its_control_band(result):
    import matplotlib.pyplot as plt

    fig = plot_causal_sweep(result)
    left, right = fig.axes
    band = left.collections[0].get_paths()[0].vertices
    # The band spans control_low to control_high at each layer.
    lows, highs = [0.0, 0.01, -0.01], [0.02, 0.03, 0.01]
    for layer, low, high in zip([0, 1, 2], lows, highs, strict=True):
        ys = band[np.isclose(band[:, 0], layer), 1]
        assert ys.min() == pytest.approx(low) and ys.max() == pytest.approx(high)
    effect = [line for line in left.lines if line.get_marker() == "o"][0]
    np.testing.assert_allclose(effect.get_ydata(), result.scores["effect"])
    assert "probe at layer 2 after erasure" in legend_texts(right)
    plt.close(fig)


def test_write_causal_report_writes_every_file(result, tmp_path):
    written = write_causal_report(result, tmp_path / "out")
    assert sorted(written) == [
        "causal.md",
        "causal.png",
        "causal.svg",
        "causal_amnesic.csv",
        "causal_scores.csv",
    ]
    back = pd.read_csv(written["causal_scores.csv"])
    np.testing.assert_allclose(back["effect"], result.scores["effect"])
    assert written["causal.md"].read_text().startswith("# Causal sweep")


def test_the_neuron_section_is_appended_with_its_picture(tmp_path):
    import matplotlib.pyplot as plt

    curve = pd.DataFrame(
        {
            "k": [1, 5, 10],
            "top": [0.6, 0.7, 0.8],
            "bottom": [0.5, 0.5, 0.55],
            "random_mean": [0.55, 0.6, 0.62],
            "random_low": [0.5, 0.58, 0.6],
            "random_high": [0.61, 0.66, 0.7],
        }
    )
    assert "for k = 5, 10." in neuron_section(curve, layer=3)
    (tmp_path / "report.md").write_text("# Report\n\nscores\n")
    written = add_neuron_section(tmp_path, curve, layer=3, chance=0.5)
    assert sorted(written) == ["neuron_curve.csv", "neurons.png", "neurons.svg"]
    text = (tmp_path / "report.md").read_text()
    assert text.startswith("# Report\n\nscores\n\n## Single units")
    assert "| 10 | 0.800 | 0.550 | 0.620 | 0.600 to 0.700 |" in text
    assert "![single units](neurons.png)" in text
    fig = plot_neuron_curve(curve)
    top = [line for line in fig.axes[0].lines if line.get_label() == "top k units"]
    np.testing.assert_allclose(top[0].get_ydata(), curve["top"])
    plt.close(fig)
