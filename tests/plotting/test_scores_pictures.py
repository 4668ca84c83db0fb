"""What the layer-scores picture shows: every named line visible, labels clear
of the curves and of the ticks, settings told apart (issue 19, items 8 and 9)."""

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.colors import to_rgb

from sklearn_probe.plotting import LayerScoresDisplay

pytestmark = pytest.mark.usefixtures("close_figures")


def scores_frame(means, curves=None, std=0.02, **columns):
    """A scores DataFrame: the probe's means, extra curves' means, columns."""
    rows = []
    for layer, mean in enumerate(means):
        row = {"layer": layer, "cv_score_mean": mean, "cv_score_std": std}
        for name, values in (curves or {}).items():
            row[f"{name}_mean"], row[f"{name}_std"] = values[layer], std
        row.update({column: values[layer] for column, values in columns.items()})
        rows.append(row)
    return pd.DataFrame(rows)


def named_lines(display):
    """The lines of the axes whose label is an entry of the legend."""
    names = {t.get_text() for t in display.legend_.get_texts()}
    return [line for line in display.ax_.get_lines() if line.get_label() in names]


def pixels_of(ax, lines, step=2.0):
    """Pixel coordinates along every line (every ``step`` pixels) and at each
    of its points."""
    chunks = [np.empty((0, 2))]
    for line in lines:
        x, y = (np.asarray(v, dtype=float) for v in line.get_data())
        xy = line.get_transform().transform(np.column_stack([x, y]))
        chunks.append(xy)
        if line.get_linestyle() == "None":
            continue
        for start, end in zip(xy[:-1], xy[1:], strict=True):
            n = max(2, int(np.hypot(*(end - start)) / step))
            chunks.append(start + np.linspace(0, 1, n)[:, None] * (end - start))
    return np.concatenate(chunks)


def covered(box, points, margin=0.0):
    x, y = points[:, 0], points[:, 1]
    inside = (x >= box.x0 - margin) & (x <= box.x1 + margin)
    return int((inside & (y >= box.y0 - margin) & (y <= box.y1 + margin)).sum())


def test_regression_every_line_in_the_legend_lies_within_the_axes():
    # R² of a regression: the control (-0.08 to -0.28) and the chance level
    # (-0.02) lie below 0, where the axis used to stop.
    control = [-0.08, -0.12, -0.15, -0.2, -0.24, -0.26, -0.28]
    frame = scores_frame([0.05, 0.2, 0.35, 0.45, 0.5, 0.48, 0.4], {"control": control})
    display = LayerScoresDisplay(
        frame, score_name="R²", chance_level=-0.02, control_name="permuted targets"
    ).plot()
    low, high = display.ax_.get_ylim()
    lines = named_lines(display)
    labels = {line.get_label() for line in lines}
    assert "control (permuted targets)" in labels
    assert any(label.startswith("chance") for label in labels)
    for line in lines:
        y = np.asarray(line.get_ydata(), dtype=float)
        assert low <= y.min() and y.max() <= high, line.get_label()
    assert low < -0.28


def test_the_chance_label_stays_off_the_probe_curve():
    # One curve whose first layers run just above chance, where the label sat.
    frame = scores_frame([0.53, 0.54, 0.6, 0.7, 0.75, 0.72, 0.7])
    display = LayerScoresDisplay(frame, chance_level=0.52).plot()
    assert display.legend_ is None and display.chance_text_ is not None
    ax = display.ax_
    ax.figure.draw_without_rendering()
    points = pixels_of(ax, [display.lines_[("cv_score", "")], display.best_marker_])
    text = display.chance_text_
    box = text.get_window_extent()
    assert covered(box, points, margin=4) == 0
    assert ax.get_window_extent().contains(box.x0, box.y0)
    assert ax.get_window_extent().contains(box.x1, box.y1)
    # Still next to the line it names.
    y_line = ax.transData.transform((0, 0.52))[1]
    assert min(abs(box.y0 - y_line), abs(box.y1 - y_line)) < 10


def test_with_a_random_weights_curve_no_label_sits_on_a_curve():
    random = [0.52, 0.55, 0.53, 0.54, 0.52, 0.53, 0.52]
    frame = scores_frame(
        [0.7, 0.74, 0.78, 0.8, 0.79, 0.77, 0.75], {"random_weights": random}
    )
    display = LayerScoresDisplay(frame, chance_level=0.51).plot()
    ax = display.ax_
    ax.figure.draw_without_rendering()
    points = pixels_of(ax, list(display.lines_.values()))
    for text in ax.texts:
        if text.get_text() and text.get_visible():
            assert covered(text.get_window_extent(), points) == 0, text.get_text()
    # The chance line is named in the legend instead.
    assert "chance (majority class): 0.51" in [
        t.get_text() for t in display.legend_.get_texts()
    ]


def test_the_best_label_stays_inside_the_axes_and_off_the_ticks():
    # Best at layer 0 of 13: the centred label reached over the tick labels.
    frame = scores_frame(list(np.linspace(0.8, 0.62, 13)), std=0.03)
    display = LayerScoresDisplay(frame, chance_level=0.5).plot()
    ax = display.ax_
    ax.figure.draw_without_rendering()
    box = display.best_text_.get_window_extent()
    frame_box = ax.get_window_extent()
    assert frame_box.x0 <= box.x0 and box.x1 <= frame_box.x1
    assert frame_box.y0 <= box.y0 and box.y1 <= frame_box.y1
    for tick in ax.get_yticklabels():
        if tick.get_text():
            assert not box.overlaps(tick.get_window_extent()), tick.get_text()
    # No opaque box over the band.
    assert display.best_text_.get_bbox_patch() is None


def test_baselines_have_their_own_look_and_a_legend_entry():
    frame = scores_frame(
        [0.67, 0.67, 0.7, 0.72, 0.74, 0.73, 0.7],
        {
            "control": [0.55, 0.54, 0.56, 0.55, 0.53, 0.54, 0.55],
            "length": [0.57] * 7,
            "bag_of_words": [0.71] * 7,
        },
    )
    display = LayerScoresDisplay(frame, chance_level=0.58).plot()
    legend = [t.get_text() for t in display.legend_.get_texts()]
    assert "length only: 0.57" in legend
    assert "bag of words (TF-IDF): 0.71" in legend
    curves = [*display.lines_.values(), display.chance_line_]
    for name, reference in display.references_.items():
        for line in curves:
            same_colour = to_rgb(reference.get_color()) == to_rgb(line.get_color())
            same_dashes = reference.get_linestyle() == line.get_linestyle()
            assert not (same_colour and same_dashes), (name, line.get_label())
            assert not same_colour, (name, line.get_label())


def grid_frame():
    """Linear and MLP probes at C=0.1 and 1; the two C=0.1 curves coincide and
    the MLP at C=1 learned nothing at layers 0 and 1."""
    base = np.array([0.67, 0.67, 0.7, 0.72, 0.74, 0.73, 0.7])
    rows = []
    for sizes, C, shift in [((), 0.1, 0), ((), 1.0, 0.01), ((256,), 0.1, 0)] + [
        ((256,), 1.0, -0.04)
    ]:
        for layer in range(7):
            nothing = 2 if sizes and C == 1.0 and layer < 2 else 0
            rows.append(
                {
                    "layer": layer,
                    "hidden_layer_sizes": sizes,
                    "C": C,
                    "cv_score_mean": 0.58 if nothing else base[layer] + shift,
                    "cv_score_std": 0.02,
                    "degenerate_folds": nothing,
                }
            )
    return pd.DataFrame(rows)


def test_grid_curves_differ_in_colour_dashes_and_marker():
    display = LayerScoresDisplay(
        grid_frame(), group_by=["hidden_layer_sizes", "C"], chance_level=0.58
    ).plot()
    lines = list(display.lines_.values())
    assert len(lines) == 4
    colours = [np.array(to_rgb(line.get_color())) for line in lines]
    for i in range(4):
        for j in range(i + 1, 4):
            # Vermillion and orange (distance 0.26) read as one colour.
            assert np.linalg.norm(colours[i] - colours[j]) > 0.3
            assert lines[i].get_linestyle() != lines[j].get_linestyle()
            assert lines[i].get_marker() != lines[j].get_marker()
    # The linear C=0.1 curve lies exactly under the MLP C=0.1 one: its
    # markers are larger, so they show around the later ones.
    under, over = (
        display.lines_[("cv_score", "linear probe, C=0.1")],
        display.lines_[("cv_score", "MLP(256) probe, C=0.1")],
    )
    np.testing.assert_array_equal(under.get_ydata(), over.get_ydata())
    assert under.get_markersize() > over.get_markersize()
    assert under.get_linewidth() > over.get_linewidth()
    assert under.get_zorder() < over.get_zorder()
    # Only the best setting keeps its band: four bands hid the curves.
    assert list(display.bands_) == [("cv_score", "linear probe, C=1.0")]


def test_grid_marks_the_rows_whose_probe_learned_nothing():
    frame = grid_frame()
    display = LayerScoresDisplay(
        frame, group_by=["hidden_layer_sizes", "C"], chance_level=0.58
    ).plot()
    (marks,) = display.nothing_markers_
    expected = frame[frame["degenerate_folds"] > 0]
    np.testing.assert_array_equal(marks.get_xdata(), expected["layer"])
    np.testing.assert_allclose(marks.get_ydata(), expected["cv_score_mean"])
    legend = [t.get_text() for t in display.legend_.get_texts()]
    assert "MLP(256) probe, C=1.0: learned nothing" in legend


def test_one_curve_with_a_layer_that_learned_nothing_gets_a_legend():
    frame = scores_frame([0.58, 0.6, 0.7], degenerate_folds=[3, 0, 0])
    display = LayerScoresDisplay(frame, chance_level=0.58).plot()
    assert display.legend_ is not None
    np.testing.assert_array_equal(display.nothing_markers_[0].get_xdata(), [0])
    plt.close(display.figure_)
