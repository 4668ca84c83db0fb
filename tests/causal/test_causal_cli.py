"""``sklearn-probe sweep --neurons K --causal`` adds its sections to the report."""

import numpy as np
import pandas as pd
import pytest
from helpers import length_corpus

from sklearn_probe.cli import main
from sklearn_probe.cli._causal import unit_counts
from sklearn_probe.cli._common import UserError


@pytest.fixture(scope="module")
def data_csv(tmp_path_factory):
    texts, labels = length_corpus(60)
    path = tmp_path_factory.mktemp("data") / "texts.csv"
    pd.DataFrame({"text": texts, "label": np.where(labels, "long", "short")}).to_csv(
        path, index=False
    )
    return path


def _argv(model, data, out, *extra):
    return [
        "sweep",
        "--model",
        str(model),
        "--dataset",
        str(data),
        "--cv",
        "3",
        "--max-epochs",
        "30",
        "--test-size",
        "0",
        "--out",
        str(out),
        "--quiet",
        *extra,
    ]


@pytest.mark.slow
def test_neurons_and_causal_write_their_sections(tiny_bert, data_csv, tmp_path):
    import matplotlib

    matplotlib.use("Agg")
    out = tmp_path / "report"
    argv = _argv(tiny_bert, data_csv, out, "--neurons", "8", "--causal")
    assert main([*argv, "--causal-controls", "2"]) == 0
    text = (out / "report.md").read_text()
    assert "## Single units" in text and "![single units](neurons.png)" in text
    assert "## Does the model use it? (causal sweep)" in text
    curve = pd.read_csv(out / "neuron_curve.csv")
    assert list(curve["k"]) == [1, 2, 5, 8]
    assert "| 8 |" in text
    causal = pd.read_csv(out / "causal_scores.csv")
    assert list(causal["layer"]) == [0, 1, 2, 3]
    assert (causal["rank"] == 1).all()
    for name in ("neurons.png", "neurons.svg", "causal.png", "causal.svg"):
        assert (out / name).stat().st_size > 0
    # The same folder can be written again: the new files belong to a report.
    assert main(_argv(tiny_bert, data_csv, out)) == 0
    assert "Single units" not in (out / "report.md").read_text()


def test_the_flags_are_refused_where_they_do_not_apply(tiny_bert, tmp_path, capsys):
    texts, _ = length_corpus(30)
    path = tmp_path / "numbers.csv"
    values = np.linspace(0, 1, 30)
    pd.DataFrame({"text": texts, "label": values}).to_csv(path, index=False)
    argv = _argv(tiny_bert, path, tmp_path / "out", "--task", "regression")
    assert main([*argv, "--neurons", "4"]) != 0
    assert "--neurons need a classification" in capsys.readouterr().err
    with pytest.raises(UserError, match="more than the 16 units"):
        unit_counts(40, 16)
