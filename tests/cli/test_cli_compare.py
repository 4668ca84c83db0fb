"""``sklearn-probe sweep --model A B`` and ``sklearn-probe compare``: the folders
they log and name, and their refusals, in the command's words."""

import io
import json
import logging
import shutil
import sys

import numpy as np
import pandas as pd
import pytest
from helpers import length_corpus, make_bert

from sklearn_probe.cli import main


def run(*argv):
    """main(argv) with stdout and stderr captured: (status, stdout, stderr)."""
    stdout, stderr = io.StringIO(), io.StringIO()
    mp = pytest.MonkeyPatch()
    mp.setattr(sys, "stdout", stdout)
    mp.setattr(sys, "stderr", stderr)
    root = logging.getLogger()
    handlers = root.handlers[:]
    root.handlers = []  # main() adds its own handler, on the captured stderr
    try:
        status = main([str(a) for a in argv])
    finally:
        for handler in root.handlers:
            root.removeHandler(handler)
        root.handlers = handlers
        mp.undo()
    return status, stdout.getvalue(), stderr.getvalue()


@pytest.fixture(scope="module")
def two_model_sweep(tiny_bert, tmp_path_factory):
    folder = tmp_path_factory.mktemp("two")
    other = make_bert(folder / "other-bert", seed=1)
    texts, labels = length_corpus(30)
    data = folder / "t.csv"
    pd.DataFrame({"text": texts, "label": np.asarray(labels)}).to_csv(data, index=False)
    out = folder / "comparison"
    status, stdout, stderr = run(
        "sweep", "--model", tiny_bert, other, "--dataset", data, "--cv", "2",
        "--layers", "1", "--max-epochs", "50", "--test-size", "0", "--out", out,
    )  # fmt: skip
    assert status == 0, stderr
    return out, stderr, stdout


def test_several_models_log_their_final_folders(two_model_sweep):
    out, stderr, _ = two_model_sweep
    wrote = [line for line in stderr.splitlines() if line.startswith("Wrote")]
    assert ".new-" not in stderr  # no temporary folder named
    folders = json.loads((out / "comparison.json").read_text())["models"]
    assert len(wrote) == 2
    for name, model in folders.items():
        assert f"Wrote the report of {name} to {out / model['folder']}" in wrote
        assert (out / model["folder"] / "report.md").exists()


def test_the_printed_pictures_are_the_ones_written(two_model_sweep):
    """Two models of equal depth: one picture by layer, and the line that
    points at the report names it and no picture that is not there."""
    out, _, stdout = two_model_sweep
    pictures = sorted(p.name for p in out.glob("models_by_*.png"))
    assert pictures == ["models_by_layer.png"]
    line = next(x for x in stdout.splitlines() if x.startswith("Report:"))
    assert "models_by_layer.png" in line
    assert "relative_depth" not in line


def test_compare_names_two_sweeps_of_one_model_by_their_folders(
    two_model_sweep, tmp_path
):
    out, *_ = two_model_sweep
    first = sorted(p for p in out.iterdir() if p.is_dir())[0]
    shutil.copytree(first, tmp_path / "monday")
    shutil.copytree(first, tmp_path / "tuesday")
    status, stdout, stderr = run(
        "compare", tmp_path / "monday", tmp_path / "tuesday", "--out", tmp_path / "c"
    )
    assert status == 0, stderr
    summary = pd.read_csv(tmp_path / "c" / "comparison.csv")
    assert sorted(summary["model"]) == ["monday", "tuesday"]
    assert "(2)" not in stdout


def test_compare_of_other_folds_speaks_of_the_command(two_model_sweep, tmp_path):
    out, *_ = two_model_sweep
    first, second = sorted(p for p in out.iterdir() if p.is_dir())
    shutil.copytree(second, tmp_path / "other-folds")
    results = tmp_path / "other-folds" / "results.json"
    payload = json.loads(results.read_text())
    payload["settings"]["data_fingerprint"]["folds"] = "folds of another --seed"
    results.write_text(json.dumps(payload))
    status, _, stderr = run(
        "compare", first, tmp_path / "other-folds", "--out", tmp_path / "c"
    )
    assert status == 1
    assert "ran on different folds (--cv, --repeats and --seed)" in stderr
    assert "Run 'sklearn-probe sweep' with the same --dataset" in stderr
    assert "layer_sweep" not in stderr
