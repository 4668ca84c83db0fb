"""What a report says, read from saved sweeps (tests/report/fixtures, made by
make_fixtures.py): the words follow the task and the unit, counts say what
they count, and no sentence ranks layers by a number that does not rank them.
"""

import dataclasses
import json
import re
import time
from pathlib import Path

import numpy as np
import pytest

from sklearn_probe import LayerSweepResult, compare_sweeps
from sklearn_probe.plotting import PROJECTION_NOTE
from sklearn_probe.report import (
    comparison_lines,
    reading_lines,
    summary_lines,
    write_comparison_report,
)

FIXTURES = Path(__file__).parent / "fixtures"


def load(name):
    return LayerSweepResult.load(FIXTURES / name, pipeline=False)


def saved_scores(name):
    """The scores table of a fixture, read with json alone."""
    records = json.loads((FIXTURES / name / "results.json").read_text())["scores"]
    return {key: np.array([r[key] for r in records]) for key in records[0]}


def with_control(result, control):
    """The same sweep with another control score per row (selectivity too)."""
    scores = result.scores.copy()
    scores["control_mean"] = control
    scores["selectivity"] = scores["cv_score_mean"] - scores["control_mean"]
    return dataclasses.replace(result, scores=scores)


def reading(result):
    return "\n".join(reading_lines(result))


def test_the_text_control_is_scored_on_the_true_labels():
    result = load("text_classification")
    scores = saved_scores("text_classification")
    selectivity = scores["cv_score_mean"] - scores["control_mean"]
    top = int(np.argmax(selectivity))
    text = reading(result)
    assert (
        "fitted on labels permuted inside each training fold, scored on the true "
        f"labels) is highest at layer {top}: {selectivity[top]:.3f}" in text
    )


def test_the_word_type_control_says_it_is_scored_on_its_own_labels(tmp_path):
    result = load("word")
    report = result.save_report(tmp_path / "r", save_pipeline=False)["report.md"]
    page = report.read_text()
    assert "scored on the true ones" not in page
    assert "scored on the true" not in page
    assert page.count("once per word type") == 2  # the reading and the column note
    assert "scored on those control labels" in reading(result)


def test_selectivity_at_most_zero_everywhere_names_no_highest_layer():
    result = load("word")
    scores = saved_scores("word")
    control = scores["cv_score_mean"] + np.array([0.01, 0.02, 0.03, 0.04])
    text = reading(with_control(result, control))
    assert "highest" not in text
    assert "is at most 0 at every layer (-0.040 to -0.010)" in text
    assert "it can memorise word identity" in text
    # A text sweep says what it means there.
    result = load("text_classification")
    scores = saved_scores("text_classification")
    text = reading(with_control(result, scores["cv_score_mean"]))
    assert "highest" not in text.split("Selectivity")[1].split("\n")[0]
    assert "no better on the true labels than one trained on permuted ones" in text


def test_a_regression_whose_control_overfits_ranks_no_layer_by_selectivity():
    result = load("regression")
    scores = saved_scores("regression")
    chance = result.chance_score
    below = np.flatnonzero(scores["control_mean"] < chance)
    assert len(below)  # the fixture's control predicts noise at some layers
    line = next(x for x in reading_lines(result) if x.startswith("Selectivity"))
    assert "highest" not in line
    assert "does not rank the layers" in line
    assert ", ".join(f"layer {i}" for i in below) in line
    # Worse still: a control at R² -0.45 makes selectivity pass 1.
    control = scores["control_mean"].copy()
    control[1] = -0.45
    line = reading(with_control(result, control))
    top = (scores["cv_score_mean"] - control).max()
    assert top > 1
    assert f"up to {top:.3f}" in line
    assert "above the best possible R² of 1" in line
    assert "highest" not in line


def test_the_regression_report_says_targets_and_ridge():
    text = reading(load("regression"))
    assert "permuted inside each training fold, scored on the true targets" in text
    assert "characters and words + ridge regression" in text


def test_a_word_report_counts_words_in_sentences(tmp_path):
    result = load("word")
    dataset = {"name": "ud.conllu", "unit": "word", "n_sentences": 24}
    dataset["n_samples"] = result.n_train
    written = result.save_report(tmp_path / "r", dataset=dataset, save_pipeline=False)
    page = written["report.md"].read_text()
    assert "96 words in 24 sentences" in page
    assert "n_samples=" not in page
    assert "held-out texts" not in page
    assert "- **held-out word samples**: 0" in page
    assert "on 96 training words" in page


def test_the_time_line_covers_the_whole_run_with_its_parts(tmp_path):
    result = load("text_classification")
    sweep = json.loads((FIXTURES / "text_classification" / "results.json").read_text())
    sweep_s = sweep["timings_s"]["total"]
    # The console line, before the report is written, is the sweep's alone.
    assert summary_lines(result)[-1].startswith(f"The sweep took {sweep_s:.1f} s: ")
    started = time.perf_counter() - sweep_s - 30  # 30 s of loading data before
    written = result.save_report(tmp_path / "r", save_pipeline=False, started=started)
    line = next(
        x for x in written["report.md"].read_text().splitlines() if "s in all" in x
    )
    saved = json.loads(written["results.json"].read_text())["report_timings_s"]
    whole = float(re.match(r"Took ([\d.]+) s in all", line)[1])
    assert whole >= sweep_s + 30
    assert f"the sweep {sweep_s:.1f} s (model " in line
    assert f"pictures {saved['pictures']:.1f} s" in line
    assert "report 0." in line and "loading the data and the rest 3" in line


def test_the_comparison_counts_hidden_states_as_its_summary_does(tmp_path):
    results = [load(f"comparison/{name}") for name in ("bert", "gpt2")]
    comparison = compare_sweeps(results, names=["bert", "gpt2"])
    written = write_comparison_report(comparison, tmp_path / "c")
    page = written["comparison.md"].read_text()
    n_layers = [r.settings["n_layers"] for r in results]  # 4 and 3 hidden states
    assert comparison.summary["n_layers"].tolist() == n_layers
    rows = [line for line in page.splitlines() if line.startswith("| bert")]
    assert rows[0].split("|")[2].strip() == str(n_layers[0])
    assert "| model | hidden states |" in page
    best = comparison.summary.set_index("model").loc[comparison.best_model]
    assert (
        f"layer {int(best['best_layer'])} of 0-{n_layers[0] - 1}"
        in (comparison_lines(comparison)[0])
    )


@pytest.mark.parametrize(
    "names, by_depth", [(("bert", "gpt2"), True), (("bert", "bert"), False)]
)
def test_the_comparison_draws_relative_depth_only_when_it_differs(
    tmp_path, names, by_depth
):
    """With equal numbers of layers, relative depth is the layer index rescaled:
    the comparison neither draws nor links that second, identical picture."""
    results = [load(f"comparison/{name}") for name in names]
    comparison = compare_sweeps(results, names=["first", "second"])
    written = write_comparison_report(comparison, tmp_path / "c")
    page = written["comparison.md"].read_text()
    files = {path.name for path in (tmp_path / "c").iterdir()}
    assert {"models_by_layer.png", "models_by_layer.svg"} <= files
    assert "(models_by_layer.png)" in page
    drawn = {"models_by_relative_depth.png", "models_by_relative_depth.svg"}
    assert (drawn <= files) is by_depth
    assert bool(drawn & files) is by_depth
    assert ("(models_by_relative_depth.png)" in page) is by_depth
    assert ("models_by_relative_depth.png" in written) is by_depth


@pytest.mark.parametrize("method", ["t-SNE", "PCA"])
def test_the_embeddings_picture_is_said_to_be_an_illustration(method):
    from sklearn_probe.report._markdown import markdown_report

    result = load("text_classification")
    page = markdown_report(
        result,
        {},
        dataset=None,
        command=None,
        pictures={"method": method, "n_points": 60},
        versions={},
    )
    note = page.split("(tsne_layers.png)")[1].strip().split("\n")[0]
    assert note.startswith(f"{method} of 60 texts. ")
    assert PROJECTION_NOTE in note  # what a 2-D projection can and cannot show
    assert f"{result.best_score:.3f} at layer {result.best_layer}" in note
    assert "all 16 dimensions" in note
