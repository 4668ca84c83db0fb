"""``sklearn-probe sweep --encoding``: a Latin-1 CSV is read with the flag, and
refused without it by a line that names the encoding tried and --encoding."""

import json

import numpy as np
import pandas as pd
from helpers import length_corpus

from sklearn_probe.cli import main


def test_a_latin1_csv_needs_and_takes_encoding(tiny_bert, tmp_path, capsys):
    texts, labels = length_corpus(30)
    texts = [f"café {t}" for t in texts]
    data = tmp_path / "avis.csv"
    frame = pd.DataFrame({"text": texts, "label": np.asarray(labels)})
    data.write_bytes(frame.to_csv(index=False).encode("latin-1"))
    argv = ["sweep", "--model", tiny_bert, "--dataset", str(data), "--cv", "2"]
    argv += ["--layers", "1", "--max-epochs", "50", "--test-size", "0", "--quiet"]
    argv += ["--out", str(tmp_path / "out")]
    assert main(argv) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("sklearn-probe: error: ") and "\n" not in err
    assert "is not utf-8 text" in err
    assert "--encoding latin-1" in err and "encoding=" not in err
    assert main([*argv, "--encoding", "latin-1"]) == 0
    results = json.loads((tmp_path / "out" / "results.json").read_text())
    assert results["data"]["n_train"] == 30
    assert "café" in (tmp_path / "out" / "report.md").read_text()
