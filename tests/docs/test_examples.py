"""The example script runs offline and does what its docstring says."""

import importlib.util
from pathlib import Path

import pytest

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "probe_layers.py"


@pytest.mark.slow
def test_probe_layers_example_runs(tmp_path, capsys, one_openmp_thread):
    spec = importlib.util.spec_from_file_location("probe_layers", EXAMPLE)
    example = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(example)
    example.main(["--n-samples", "150", "--out", str(tmp_path)])
    out = capsys.readouterr().out
    assert "best layer" in out
    assert "Two hours of my life I will never get back." in out
    for picture in ("layer_scores.png", "tsne_layers.png"):
        assert (tmp_path / picture).stat().st_size > 10_000
