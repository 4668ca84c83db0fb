"""The command's clock: a run's time from the process's start, part by part;
what importing the command leaves for later."""

import json
import os
import subprocess
import sys
import time

import numpy as np
import pandas as pd
import pytest
from helpers import length_corpus

from sklearn_probe.cli._clock import process_started

#: Parts of results.json's report_timings_s that add up to its "whole".
PARTS = ("startup", "sweep", "pictures", "pipeline", "report", "rest")

ENV = {
    **os.environ,
    "HF_HUB_OFFLINE": "1",
    "HF_DATASETS_OFFLINE": "1",
    "OMP_NUM_THREADS": "1",
    # The worktree's package first, as in the parent process.
    "PYTHONPATH": os.pathsep.join(p for p in sys.path if p),
}


def test_this_process_started_before_now():
    started = process_started()
    assert started is not None
    # pytest and its imports ran between the process's start and here.
    assert 0 < time.perf_counter() - started < 86400


def _imported_after(code, modules):
    """Which of ``modules`` a fresh Python process has imported after
    running ``code``."""
    code += f"; import sys; print(sorted(m for m in {modules!r} if m in sys.modules))"
    proc = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env=ENV,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.strip()


def test_importing_the_command_leaves_pictures_and_saving_for_later():
    modules = ("matplotlib", "skops", "openTSNE", "torch")
    assert _imported_after("import sklearn_probe.cli", modules) == "[]"


@pytest.fixture(scope="module")
def command_run(tiny_bert, tmp_path_factory):
    """``python -m sklearn_probe sweep`` as its own process: its wall time
    and results.json's report_timings_s, and report.md."""
    folder = tmp_path_factory.mktemp("timed")
    texts, labels = length_corpus(60)
    data = folder / "reviews.csv"
    frame = pd.DataFrame({"review": texts, "size": np.asarray(labels)})
    frame.to_csv(data, index=False)
    out = folder / "report"
    command = [sys.executable, "-m", "sklearn_probe", "sweep"]
    command += ["--model", str(tiny_bert)]
    command += ["--dataset", str(data), "--text-column", "review"]
    command += ["--label-column", "size", "--cv", "3", "--max-epochs", "50"]
    command += ["--cache-dir", "none", "--out", str(out), "--quiet"]
    start = time.perf_counter()
    proc = subprocess.run(command, capture_output=True, text=True, env=ENV, timeout=600)
    wall = time.perf_counter() - start
    assert proc.returncode == 0, proc.stderr
    # Its output is all out, though the process ends before Python's teardown.
    assert proc.stdout.splitlines()[-1].startswith("Try it: sklearn-probe predict")
    saved = json.loads((out / "results.json").read_text())
    return wall, saved, (out / "report.md").read_text()


def test_the_run_s_time_includes_its_start_up_and_its_parts_add_up(command_run):
    wall, saved, page = command_run
    parts = saved["report_timings_s"]
    assert set(PARTS) <= set(parts)
    assert parts["sweep"] == pytest.approx(saved["timings_s"]["total"])
    # Python and the imports of scikit-learn and the package take a while.
    assert parts["startup"] > 0.1
    assert sum(parts[k] for k in PARTS) == pytest.approx(parts["whole"], abs=0.01)
    # The whole run is the process's time less its exit (and the files' last
    # writes): within a few seconds of the wall time seen from outside.
    assert wall - 5 < parts["whole"] <= wall
    line = next(x for x in page.splitlines() if "s in all" in x)
    assert line.startswith(
        f"Took {parts['whole']:.1f} s in all: start-up (Python and imports) "
        f"{parts['startup']:.1f} s, the sweep {parts['sweep']:.1f} s ("
    )
    assert f"loading the data and the rest {parts['rest']:.1f} s." in line


def test_the_command_keeps_transformers_load_reports_off_without_importing_it_early(
    tmp_path,
):
    """The command silences transformers' load reports through the variables
    it reads at import, so its start-up does not import it (1-1.5 s) before
    the sweep that needs it. A checkpoint of BertForMaskedLM loaded as the
    bare BertModel makes transformers print a "LOAD REPORT" of its unused
    head: a plain load shows it, a load after the command's set-up does not."""
    import torch
    from helpers import make_bert
    from transformers import AutoConfig, BertForMaskedLM

    path = make_bert(tmp_path / "mlm")
    torch.manual_seed(0)
    BertForMaskedLM(AutoConfig.from_pretrained(path)).save_pretrained(path)
    load = (
        "from sklearn_probe import HiddenStateTransformer as H; "
        f"H({path!r}, layer=1).fit_transform(['a good film'])"
    )
    set_up = (
        "from sklearn_probe import cli; "
        "cli._configure_logging(cli.build_parser().parse_args(['sweep'])); "
        "import sys; print(sorted(m for m in ('transformers', 'huggingface_hub') "
        "if m in sys.modules)); "
    )
    plain, quiet = (
        subprocess.run(
            [sys.executable, "-c", code],
            capture_output=True,
            text=True,
            env=ENV,
            timeout=300,
        )
        for code in (load, set_up + load)
    )
    assert plain.returncode == 0, plain.stderr
    assert "LOAD REPORT" in plain.stderr
    assert quiet.returncode == 0, quiet.stderr
    # Nothing of transformers imported by the set-up; no report at the load.
    assert quiet.stdout.strip() == "[]"
    assert "LOAD REPORT" not in quiet.stderr
    assert "UNEXPECTED" not in quiet.stderr
