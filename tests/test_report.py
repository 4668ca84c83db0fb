"""A sweep's report on disk: written whole or not at all, checked up front."""

import dataclasses
import os
import signal

import pytest
from helpers import length_corpus
from sklearn.linear_model import LogisticRegression

from sklearn_probe import layer_sweep
from sklearn_probe.report import _folder, _report
from sklearn_probe.report import check_out_dir


@pytest.fixture(scope="module")
def result(tiny_bert):
    texts, labels = length_corpus(40)
    return layer_sweep(
        texts,
        labels,
        model=tiny_bert,
        layers=[0, 1],
        probe=LogisticRegression(),
        cv=2,
        verbose=0,
    )


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
