"""sklearn-probe sweep --tokens: the selection reaches the sweep and the report."""

import json

import numpy as np
import pandas as pd
import pytest
from helpers import length_corpus

from sklearn_probe.cli import main


@pytest.fixture(scope="module")
def reviews_csv(tmp_path_factory):
    texts, labels = length_corpus(45, gap=True)
    path = tmp_path_factory.mktemp("data") / "reviews.csv"
    pd.DataFrame({"text": texts, "label": labels}).to_csv(path, index=False)
    return path


def _sweep(model, data, out, *extra):
    return main(
        [
            "sweep",
            "--model",
            str(model),
            "--dataset",
            str(data),
            "--cv",
            "3",
            "--max-epochs",
            "50",
            "--layers",
            "1-2",
            "--cache-dir",
            "none",
            "--out",
            str(out),
            "--quiet",
            *extra,
        ]
    )


def test_tokens_flag_reaches_the_result_and_the_report(
    tiny_bert, reviews_csv, tmp_path, one_blas_thread
):
    assert _sweep(tiny_bert, reviews_csv, tmp_path, "--tokens", "last:3") == 0
    data = json.loads((tmp_path / "results.json").read_text())
    assert data["settings"]["tokens"] == "last:3"
    report = (tmp_path / "report.md").read_text()
    assert "- **tokens**: last:3" in report
    assert report.splitlines()[0].endswith("(tokens: last:3)")


def test_several_tokens_are_swept(tiny_bert, reviews_csv, tmp_path, one_blas_thread):
    status = _sweep(tiny_bert, reviews_csv, tmp_path, "--tokens", "all", "first")
    assert status == 0
    data = json.loads((tmp_path / "results.json").read_text())
    assert data["settings"]["tokens"] == ["all", "first"]
    scores = pd.read_csv(tmp_path / "scores.csv")
    assert sorted(np.unique(scores["tokens"])) == ["all", "first"]
    assert "- **tokens**: all, first" in (tmp_path / "report.md").read_text()


def test_bad_tokens_flag_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["sweep", "--tokens", "last:0"])
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert "--tokens" in err and "at least 1" in err
