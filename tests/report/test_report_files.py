"""A saved sweep written again: results.json read back, to_dict and save_report
on every kind of sweep (tests/report/fixtures, made by make_fixtures.py)."""

import json
from pathlib import Path

import numpy as np
import pytest

from sklearn_probe import LayerSweepResult

FIXTURES = Path(__file__).parent / "fixtures"
KINDS = ["text_classification", "regression", "word"]


def saved(name):
    return json.loads((FIXTURES / name / "results.json").read_text())


@pytest.mark.parametrize("name", KINDS)
def test_a_loaded_sweep_gives_back_the_json_it_was_read_from(name):
    result = LayerSweepResult.load(FIXTURES / name, pipeline=False)
    again = result.to_dict()
    data = saved(name)
    for key in ("settings", "data", "scoring", "best", "chance_score", "timings_s"):
        assert again[key] == data[key], key
    assert again["scores"] == data["scores"]


def test_a_loaded_regression_has_no_classes_and_writes_its_report(tmp_path):
    result = LayerSweepResult.load(FIXTURES / "regression", pipeline=False)
    assert result.classes is None
    assert result.to_dict()["data"]["classes"] is None
    written = result.save_report(tmp_path / "again", save_pipeline=False)
    rewritten = json.loads(written["results.json"].read_text())
    assert rewritten["data"]["classes"] is None
    scores = [row["cv_score_mean"] for row in saved("regression")["scores"]]
    best = int(np.argmax(scores))
    report = written["report.md"].read_text()
    assert f"the pipeline kept is that of layer {best}." in report
    assert f"tie at {scores[best]:.3f}" in report  # layers 1-3 print 0.776
