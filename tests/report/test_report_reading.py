"""What the baselines say in a report, and what results.json and report.md
carry, read from saved sweeps (tests/report/fixtures, made by make_fixtures.py).

Moved here from the sweep's tests, which ran a live sweep for them.
"""

import json
from pathlib import Path

import numpy as np
import pytest

from sklearn_probe import LayerSweepResult
from sklearn_probe.report import reading_lines, summary_table
from sklearn_probe.stats import paired_comparison, train_test_sizes

FIXTURES = Path(__file__).parent / "fixtures"


def load(name):
    return LayerSweepResult.load(FIXTURES / name, pipeline=False)


def saved(name):
    return json.loads((FIXTURES / name / "results.json").read_text())


def test_text_baselines_read_in_words():
    data = saved("text_classification")
    scores = {k: np.array([r[k] for r in data["scores"]]) for k in data["scores"][0]}
    best = data["best"]["index"]
    n_folds = data["n_splits"] * data["n_repeats"]
    lines = "\n".join(reading_lines(load("text_classification")))
    for name, words in (("bag_of_words", "TF-IDF"), ("length", "characters and words")):
        reference = scores[f"{name}_mean"][0]
        probe = np.array([scores[f"cv_score_fold{k}"][best] for k in range(n_folds)])
        text = np.array([scores[f"{name}_fold{k}"][best] for k in range(n_folds)])
        n_train, n_test = train_test_sizes(data["data"]["n_train"], data["n_splits"])
        p = paired_comparison(probe, text, n_train=n_train, n_test=n_test).p_value
        test = f"paired corrected t-test over 2 x 3-fold CV, p = {p:.3g}"
        best_score = data["best"]["cv_score_mean"]
        what = f"baseline ({words} + logistic regression on the same folds)"
        if (scores["cv_score_mean"] > reference).any():
            assert (
                f"Layer {data['best']['layer']} beats the "
                f"{name.replace('_', '-')} {what} by {best_score - reference:.3f} "
                f"({best_score:.3f} vs {reference:.3f}; {test})" in lines
            )
        else:
            assert f"No layer beats the {name.replace('_', '-')} {what}" in lines
            assert f"which scores {reference:.3f}" in lines
            assert f"({best_score - reference:+.3f}; {test})" in lines


def test_report_carries_the_columns_and_a_reading(tmp_path):
    result = load("text_classification")
    written = result.save_report(tmp_path / "r", save_pipeline=False)
    payload = json.loads(written["results.json"].read_text())
    row = payload["scores"][0]
    for key in ("control_mean", "selectivity", "random_weights_mean", "ci_low"):
        assert key in row
    assert payload["n_repeats"] == 2
    report = written["report.md"].read_text()
    assert "Selectivity" in report and "random weights" in report
    assert "significantly worse" in report
    assert "the bag-of-words baseline (TF-IDF + logistic regression" in report
    assert "the length baseline (characters and words" in report
    lines = reading_lines(result)
    assert any(line.startswith("Selectivity") for line in lines)
    table = summary_table(result)
    assert {"control", "selectivity", "random w.", "95% CI", "MDL compr."} <= set(
        table.columns
    )


def test_a_regression_report_speaks_of_r2_and_targets(tmp_path):
    result = load("regression")
    written = result.save_report(tmp_path / "out", save_pipeline=False)
    report = written["report.md"].read_text()
    assert "knows the targets of" in report
    assert "CV R²" in report and "chance (the training mean)" in report
    assert "class by class" not in report and "predicted " not in report
    assert "stratified" not in report
    assert "permuted inside each training fold" in report
    assert "targets**: mean" in report
    assert "tsne_layers.png" not in written
    payload = json.loads(written["results.json"].read_text())
    assert payload["scoring"] == "r2" and payload["settings"]["task"] == "regression"
    targets = saved("regression")["data"]["targets"]
    assert payload["data"]["targets"]["mean"] == pytest.approx(targets["mean"])
