"""A sweep's report on disk: written whole or not at all, checked up front.

The sweep is a saved one (tests/report/fixtures, made by make_fixtures.py).
"""

import dataclasses
import os
import signal
from pathlib import Path

import pytest

from sklearn_probe import LayerSweepResult
from sklearn_probe.report import _folder, _report, check_out_dir

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="module")
def result():
    return LayerSweepResult.load(FIXTURES / "text_classification", pipeline=False)


def contents(folder):
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def other(result):
    """The same result with other numbers: another scores.csv."""
    scores = result.scores.copy()
    scores["fit_time_mean"] += 1.0
    return dataclasses.replace(result, scores=scores)


def test_an_interrupted_write_keeps_the_old_report_whole(result, tmp_path, monkeypatch):
    out = tmp_path / "report"
    result.save_report(out, save_pipeline=False)
    before = contents(out)
    calls = []

    def interrupted(fig, stem, dpi):
        calls.append(stem)
        raise KeyboardInterrupt  # Ctrl-C while the picture is written

    monkeypatch.setattr(_report, "save_figure", interrupted)
    with pytest.raises(KeyboardInterrupt):
        other(result).save_report(out, save_pipeline=False)
    assert calls
    assert contents(out) == before
    assert os.listdir(tmp_path) == ["report"]  # no temporary folder left


def test_an_interrupt_during_the_swap_leaves_the_new_report_whole(
    result, tmp_path, monkeypatch
):
    out = tmp_path / "report"
    result.save_report(out, save_pipeline=False)
    old = contents(out)
    rename = os.rename

    def signalled(src, dst):
        os.kill(os.getpid(), signal.SIGINT)  # arrives between the two renames
        rename(src, dst)

    monkeypatch.setattr(_folder.os, "rename", signalled)
    new = other(result)
    with pytest.raises(KeyboardInterrupt):
        new.save_report(out, save_pipeline=False)
    monkeypatch.undo()
    expected = tmp_path / "expected"
    new.save_report(expected, save_pipeline=False)
    got, want = contents(out), contents(expected)
    assert sorted(got) == sorted(want)
    assert got["scores.csv"] == want["scores.csv"] != old["scores.csv"]
    assert sorted(os.listdir(tmp_path)) == ["expected", "report"]


def test_an_unwritable_or_foreign_out_dir_fails_before_any_work(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    with pytest.raises(OSError, match="a-file.* is a file"):
        check_out_dir(blocker / "report")
    with pytest.raises(OSError, match="not a folder"):
        check_out_dir(blocker)
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "notes.txt").write_text("keep me")
    with pytest.raises(OSError, match=r"does not write \(notes.txt\)"):
        check_out_dir(mine)
    assert (mine / "notes.txt").read_text() == "keep me"
    assert check_out_dir(tmp_path / "new" / "report") == tmp_path / "new" / "report"
    assert not (tmp_path / "new").exists()


def _dead_pid():
    """The id of a process that has ended."""
    import subprocess
    import sys

    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def test_a_killed_runs_half_report_is_removed_by_the_next_run(result, tmp_path):
    """A SIGKILLed write leaves its temporary folder; the next write to the same
    place removes it when its owner is dead, and never a live run's."""
    import subprocess
    import sys

    out = tmp_path / "report"
    # A real write killed while it writes: the picture is drawn forever.
    code = (
        "import os, signal, sys\n"
        "from sklearn_probe import LayerSweepResult\n"
        "from sklearn_probe.report import _report\n"
        "def stuck(fig, stem, dpi):\n"
        "    os.kill(os.getpid(), signal.SIGKILL)\n"
        "_report.save_figure = stuck\n"
        f"r = LayerSweepResult.load({str(FIXTURES / 'text_classification')!r}, "
        "pipeline=False)\n"
        f"r.save_report({str(out)!r}, save_pipeline=False)\n"
    )
    killed = subprocess.run([sys.executable, "-c", code], env=os.environ.copy())
    assert killed.returncode == -signal.SIGKILL
    left = [p.name for p in tmp_path.iterdir()]
    assert len(left) == 1 and left[0].startswith(".report.new-")
    assert (tmp_path / left[0] / "scores.csv").exists()  # a half report
    result.save_report(out, save_pipeline=False)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report"]
    # Folders of a live run (this one) and of another host stay; the previous
    # report moved aside by a dead run goes once the report is in place.
    host = _folder._host()
    live = tmp_path / f".report.new-{os.getpid()}@{host}-live0001"
    elsewhere = tmp_path / f".report.new-{_dead_pid()}@not{host}-a1"
    dead_old = tmp_path / f".report.old-{_dead_pid()}@{host}-old00001"
    for folder in (live, elsewhere, dead_old):
        folder.mkdir()
    result.save_report(out, save_pipeline=False)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        ["report", live.name, elsewhere.name]
    )
    assert (out / "report.md").exists()
