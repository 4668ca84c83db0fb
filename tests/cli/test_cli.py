"""Tests for the ``sklearn-probe`` command line (sklearn_probe.cli)."""

import io
import json
import logging
import os
import re
import shlex
import subprocess
import sys

import joblib
import numpy as np
import pandas as pd
import pytest
from helpers import length_corpus, make_custom_code_model

from sklearn_probe import load_pipeline
from sklearn_probe.cli import main
from sklearn_probe.cli._common import layers as _layers
from sklearn_probe.cli._common import sizes as _sizes


@pytest.fixture(scope="module")
def reviews_csv(tmp_path_factory):
    """A small labelled CSV; the label (long/short) is visible to a random model."""
    texts, labels = length_corpus(60)
    path = tmp_path_factory.mktemp("data") / "reviews.csv"
    pd.DataFrame({"review": texts, "size": np.where(labels, "long", "short")}).to_csv(
        path, index=False
    )
    return path


def sweep_args(model, data, out, *extra):
    return [
        "sweep",
        "--model",
        str(model),
        "--dataset",
        str(data),
        "--text-column",
        "review",
        "--label-column",
        "size",
        "--cv",
        "3",
        "--max-epochs",
        "50",
        "--out",
        str(out),
        "--quiet",
        *extra,
    ]


@pytest.fixture(scope="module")
def sweep_run(tiny_bert, reviews_csv, tmp_path_factory):
    """One sweep through main(): (exit status, stdout, stderr, out folder)."""
    import matplotlib

    matplotlib.use("Agg")
    out = tmp_path_factory.mktemp("report")
    mp = pytest.MonkeyPatch()
    stdout, stderr = io.StringIO(), io.StringIO()
    mp.setattr(sys, "stdout", stdout)
    mp.setattr(sys, "stderr", stderr)
    try:
        status = main(sweep_args(tiny_bert, reviews_csv, out))
    finally:
        mp.undo()
    return status, stdout.getvalue(), stderr.getvalue(), out


def test_sweep_prints_the_table_and_writes_the_report(sweep_run, reviews_csv):
    status, out, err, folder = sweep_run
    assert status == 0, err
    lines = out.splitlines()
    header = lines[0].split()
    assert header[:3] == ["layer", "CV", "accuracy"]
    assert [line.split()[0] for line in lines[1:5]] == ["0", "1", "2", "3"]
    assert sum(line.rstrip().endswith("*") for line in lines[1:5]) == 1
    assert re.search(r"^Best layers?: ", out, re.M)
    assert "Held-out test accuracy" in out
    # The "try it" hint labels texts of the user's own data, not movie lines.
    (hint,) = [line for line in out.splitlines() if line.startswith("Try it:")]
    words = shlex.split(hint.removeprefix("Try it: "))
    data = pd.read_csv(reviews_csv)
    assert words[:3] == ["sklearn-probe", "predict", "--pipeline"]
    examples = words[4:]
    assert len(examples) == 2  # one per class
    assert {data.set_index("review").loc[t, "size"] for t in examples} == {
        "long",
        "short",
    }
    assert f"Report: {folder / 'report.md'}" in out
    for name in (
        "scores.csv",
        "results.json",
        "layer_scores.png",
        "layer_scores.svg",
        "tsne_layers.png",
        "tsne_layers.svg",
        "report.md",
        "best_pipeline.skops",
    ):
        assert (folder / name).stat().st_size > 0, name


def test_results_json_and_csv(sweep_run):
    *_, folder = sweep_run
    data = json.loads((folder / "results.json").read_text())
    for key in ("settings", "versions", "scores", "best", "timings_s", "dataset"):
        assert key in data
    assert data["versions"]["scikit-learn"]
    assert data["settings"]["cv"] == 3
    assert data["dataset"]["text_column"] == "review"
    assert [row["layer"] for row in data["scores"]] == [0, 1, 2, 3]
    means = [row["cv_score_mean"] for row in data["scores"]]
    assert data["best"]["layer"] == int(np.argmax(means))
    assert data["test_score"] is not None
    assert data["data"]["n_test"] == 12 and data["data"]["n_train"] == 48
    # --n-samples 1000 (the default) on a 60-row file: 60 texts were used.
    assert data["dataset"]["n_samples"] == 60
    assert "n_samples=60" in (folder / "report.md").read_text()
    scores = pd.read_csv(folder / "scores.csv")
    np.testing.assert_allclose(scores["cv_score_mean"], means)


def test_report_shows_table_and_pictures(sweep_run):
    *_, folder = sweep_run
    report = (folder / "report.md").read_text()
    assert "![Probe score by layer](layer_scores.png)" in report
    assert "(tsne_layers.png)" in report
    assert "| layer | CV accuracy |" in report
    assert "sklearn-probe predict --pipeline" in report


def test_saved_pipeline_is_small_and_predicts_names(sweep_run):
    *_, folder = sweep_run
    path = folder / "best_pipeline.skops"
    assert path.stat().st_size < 200_000  # parameters, not model weights
    pipeline = load_pipeline(path)
    assert set(pipeline.predict(["a", "a good film with brilliant acting"])) <= {
        "long",
        "short",
    }


def test_predict_sentences(sweep_run, capsys):
    *_, folder = sweep_run
    status = main(
        [
            "predict",
            "--pipeline",
            str(folder / "best_pipeline.skops"),
            "a good film",
            "boring",
        ]
    )
    assert status == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2
    for line, sentence in zip(lines, ["a good film", "boring"], strict=True):
        label, probability, text = line.split(maxsplit=2)
        assert label in ("long", "short")
        assert 0.5 <= float(probability) <= 1.0
        assert text == sentence


def test_predict_from_file_stdin_and_json(sweep_run, capsys, monkeypatch, tmp_path):
    *_, folder = sweep_run
    sentences = tmp_path / "mine.txt"
    sentences.write_text("a good film\n\nboring\n")
    assert main(["predict", "--pipeline", str(folder), "--file", str(sentences)]) == 0
    assert len(capsys.readouterr().out.splitlines()) == 2

    monkeypatch.setattr(sys, "stdin", io.StringIO("dull\ni love it\n"))
    assert main(["predict", "--pipeline", str(folder), "--json"]) == 0
    records = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [r["text"] for r in records] == ["dull", "i love it"]
    pipeline = load_pipeline(folder / "best_pipeline.skops")
    proba = pipeline.predict_proba(["dull", "i love it"])
    for record, row in zip(records, proba, strict=True):
        # Every class's probability, keyed by the class name, as plain numbers.
        assert list(record["probabilities"]) == list(pipeline.classes_)
        np.testing.assert_allclose(
            list(record["probabilities"].values()), row, atol=1e-4
        )
        assert record["label"] == pipeline.classes_[row.argmax()]
        assert record["probability"] == pytest.approx(row.max(), abs=1e-4)


def test_predict_decodes_non_utf8_input(sweep_run, capsys, monkeypatch, caplog):
    """Invalid UTF-8 becomes U+FFFD with a warning naming where, never a crash."""
    *_, folder = sweep_run
    stdin = io.TextIOWrapper(io.BytesIO(b"caf\xe9 good\n\n\xff\xfe\nfine\n"))
    monkeypatch.setattr(sys, "stdin", stdin)
    with caplog.at_level(logging.WARNING, logger="sklearn_probe"):
        assert main(["predict", "--pipeline", str(folder), "--json"]) == 0
    texts = [json.loads(line)["text"] for line in capsys.readouterr().out.splitlines()]
    assert texts == ["caf\ufffd good", "\ufffd\ufffd", "fine"]
    assert "line 1 of standard input, line 3 of standard input" in caplog.text
    caplog.clear()
    # Arguments as Python hands them over (surrogateescape), and a lone surrogate.
    argv = ["predict", "--pipeline", str(folder), "ok", "caf\udce9", "x\ud800"]
    with caplog.at_level(logging.WARNING, logger="sklearn_probe"):
        assert main(argv) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split(maxsplit=2)[2] for line in lines] == [
        "ok",
        "caf\ufffd",
        "x\ufffd\ufffd\ufffd",
    ]
    assert "argument 2, argument 3" in caplog.text and "argument 1" not in caplog.text


def test_predict_help_states_the_decoding(capsys):
    with pytest.raises(SystemExit):
        main(["predict", "--help"])
    assert "U+FFFD" in " ".join(capsys.readouterr().out.split())


def test_closed_stdout_ends_quietly(sweep_run, monkeypatch, capsys):
    """`sklearn-probe ... | head`: once the reader has gone, no error."""
    *_, folder = sweep_run
    read_end, write_end = os.pipe()
    os.close(read_end)
    stdout = open(write_end, "w")  # noqa: SIM115 - closed below
    monkeypatch.setattr(sys, "stdout", stdout)
    try:
        status = main(["predict", "--pipeline", str(folder), "a", "b", "c"])
    finally:
        monkeypatch.undo()
        stdout.close()
    assert status == 0
    assert capsys.readouterr().err == ""


def test_unwritable_out_fails_before_any_work(
    capsys, tiny_bert, reviews_csv, tmp_path, monkeypatch
):
    import sklearn_probe.sweep

    def no_sweep(*args, **kwargs):
        raise AssertionError("the sweep ran before --out was checked")

    monkeypatch.setattr(sklearn_probe.sweep, "layer_sweep", no_sweep)
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    argv = sweep_args(tiny_bert, reviews_csv, blocker / "report")
    line = one_line_error(capsys, argv)
    assert "--out" in line and "is a file" in line


def one_line_error(capsys, argv):
    status = main(argv)
    captured = capsys.readouterr()
    assert status == 1
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1, captured.err
    assert lines[0].startswith("sklearn-probe: error: ")
    assert "Traceback" not in captured.err
    return lines[0]


def test_error_unknown_dataset(capsys, no_hub, tmp_path):
    line = one_line_error(
        capsys, ["sweep", "--dataset", "rotten_tomatos", "--out", str(tmp_path)]
    )
    assert "Unknown dataset 'rotten_tomatos'" in line
    assert "Did you mean 'rotten_tomatoes'?" in line
    assert no_hub == []  # a close name is answered at once, not after hub retries


def test_error_class_names_are_plain_values(capsys, tiny_bert, tmp_path):
    data = tmp_path / "one.csv"
    pd.DataFrame({"text": list("abcdef"), "label": [1] * 6}).to_csv(data, index=False)
    argv = ["sweep", "--model", tiny_bert, "--dataset", str(data), "--test-size", "0"]
    line = one_line_error(capsys, argv)
    assert "single class (1);" in line and "np." not in line
    pd.DataFrame({"text": list("abcdefg"), "label": [1] * 6 + [0]}).to_csv(
        data, index=False
    )
    line = one_line_error(capsys, argv)
    assert "rarest label (0) has 1 text," in line and "np." not in line


def test_error_missing_column(capsys, reviews_csv, tiny_bert, tmp_path):
    line = one_line_error(
        capsys,
        [
            "sweep",
            "--model",
            tiny_bert,
            "--dataset",
            str(reviews_csv),
            "--out",
            str(tmp_path),
        ],
    )
    assert "no column 'text'" in line
    assert "'review'" in line  # the columns it has


def test_error_missing_and_unreadable_files(capsys, tiny_bert, tmp_path):
    line = one_line_error(
        capsys, ["sweep", "--model", tiny_bert, "--dataset", str(tmp_path / "no.csv")]
    )
    assert "No such file" in line
    broken = tmp_path / "broken.parquet"
    broken.write_bytes(b"not parquet at all")
    line = one_line_error(
        capsys, ["sweep", "--model", tiny_bert, "--dataset", str(broken)]
    )
    assert "Could not read" in line


def test_error_model_not_found(capsys, monkeypatch, tmp_path):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    line = one_line_error(capsys, ["sweep", "--model", str(tmp_path / "no-model")])
    assert "not a directory holding a model" in line
    line = one_line_error(
        capsys, ["sweep", "--model", "no-such-org/no-such-model", "--n-samples", "40"]
    )
    assert "Could not load model 'no-such-org/no-such-model'" in line


def test_error_layer_out_of_range(capsys, tiny_bert, reviews_csv, tmp_path):
    argv = sweep_args(tiny_bert, reviews_csv, tmp_path, "--layers", "0,9")
    line = one_line_error(capsys, argv)
    assert "layer 9 is out of range" in line
    assert "4 hidden states" in line


def test_error_too_few_texts_for_the_folds(capsys, tiny_bert, reviews_csv, tmp_path):
    argv = sweep_args(tiny_bert, reviews_csv, tmp_path, "--n-samples", "10")
    argv[argv.index("--cv") + 1] = "5"
    line = one_line_error(capsys, argv)
    assert "fewer than --cv 5 folds" in line


def test_error_predict_inputs(capsys, tmp_path, monkeypatch):
    line = one_line_error(
        capsys, ["predict", "--pipeline", str(tmp_path / "x.joblib"), "hi"]
    )
    assert "No pipeline at" in line
    junk = tmp_path / "junk.skops"
    junk.write_bytes(b"\x00\x01 not a zip")
    line = one_line_error(capsys, ["predict", "--pipeline", str(junk), "hi"])
    assert "Could not read" in line
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    joblib.dump({"not": "a pipeline"}, tmp_path / "dict.joblib")
    argv = ["predict", "--pipeline", str(tmp_path / "dict.joblib"), "hi"]
    assert "--allow-pickle" in one_line_error(capsys, argv)
    line = one_line_error(capsys, [*argv, "--allow-pickle"])
    assert "not a pipeline" in line


def test_usage_errors_exit_2(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["sweep", "--layers", "one"])
    assert exit_info.value.code == 2
    assert "not 'all' or a list of layers" in capsys.readouterr().err


def test_argument_parsers():
    assert _layers("all") == "all"
    assert _layers("0,2,4") == [0, 2, 4]
    assert _layers("1-3") == [1, 2, 3]
    assert _layers("-1") == [-1]
    assert _layers("0,3-4") == [0, 3, 4]
    assert _sizes("linear") == ()
    assert _sizes("256") == (256,)
    assert _sizes("256,64") == (256, 64)


def test_console_entry_point_and_module(tmp_path):
    """python -m sklearn_probe: one error line, exit status 1, no traceback."""
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1"}
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "sklearn_probe",
            "sweep",
            "--dataset",
            str(tmp_path / "missing.csv"),
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert proc.returncode == 1
    assert proc.stderr.strip().splitlines() == [
        f"sklearn-probe: error: No such file: '{tmp_path / 'missing.csv'}'."
    ]


def test_sweep_baselines_mdl_and_repeats(tiny_bert, reviews_csv, tmp_path, capsys):
    import matplotlib

    matplotlib.use("Agg")
    out = tmp_path / "report"
    status = main(
        sweep_args(
            tiny_bert,
            reviews_csv,
            out,
            "--baselines",
            "control",
            "random_weights",
            "bag_of_words",
            "length",
            "--mdl",
            "--repeats",
            "2",
            "--layers",
            "0,3",
            "--projection",
            "pca",
            "--seed",
            "1",  # the tiny model itself was initialised with seed 0
        )
    )
    assert status == 0
    printed = capsys.readouterr().out
    assert "selectivity" in printed and "Selectivity" in printed
    assert "Significantly worse than the best" in printed
    scores = pd.read_csv(out / "scores.csv")
    for column in (
        "control_mean",
        "selectivity",
        "random_weights_mean",
        "mdl_compression",
        "ci_low",
        "p_vs_best",
        "significantly_worse",
    ):
        assert column in scores.columns
    assert len(scores) == 2 and "cv_score_fold5" in scores.columns
    data = json.loads((out / "results.json").read_text())
    assert data["settings"]["repeats"] == 2
    assert data["settings"]["baselines"] == [
        "control",
        "random_weights",
        "bag_of_words",
        "length",
    ]
    assert "selectivity" in data["scores"][0]
    assert "bag_of_words_fold5" in scores.columns
    assert "the bag-of-words baseline (TF-IDF" in printed
    assert "What the baselines say" in (out / "report.md").read_text()


def test_sweep_probe_projection_names_its_picture(
    tiny_bert, reviews_csv, tmp_path, capsys
):
    """--projection probe draws the probe projection, and the report shows the
    file the picture was saved as."""
    import matplotlib

    matplotlib.use("Agg")
    out = tmp_path / "report"
    status = main(
        sweep_args(
            tiny_bert, reviews_csv, out, "--layers", "0,3", "--projection", "probe"
        )
    )
    assert status == 0
    assert (out / "probe_layers.png").is_file()
    assert not (out / "tsne_layers.png").exists()
    report = (out / "report.md").read_text()
    assert "(probe_layers.png)" in report
    assert "out-of-fold score" in report  # what the picture's x axis is


def test_baseline_flags_are_checked(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["sweep", "--baselines", "shuffled"])
    assert exc.value.code == 2
    assert "invalid choice" in capsys.readouterr().err


def test_custom_code_runs_only_with_trust_remote_code(
    capsys, monkeypatch, reviews_csv, tmp_path
):
    marker = tmp_path / "ran.txt"
    model = make_custom_code_model(tmp_path / "custom", marker)
    capsys.readouterr()  # the saving's progress bar
    monkeypatch.setattr(sys, "stdin", io.StringIO("y\n" * 10))
    argv = sweep_args(model, reviews_csv, tmp_path / "out", "--layers", "1")
    line = one_line_error(capsys, argv)
    assert "custom code" in line and "--trust-remote-code" in line
    assert not marker.exists() and sys.stdin.read() == "y\n" * 10  # never read
    assert main([*argv, "--trust-remote-code"]) == 0
    assert marker.exists() and (tmp_path / "out" / "scores.csv").exists()
    # The line that shows how to use the pipeline passes the same opt-in:
    # predict refuses the pipeline without it.
    (try_it,) = [
        line
        for line in capsys.readouterr().out.splitlines()
        if line.startswith("Try it: ")
    ]
    assert try_it.startswith("Try it: sklearn-probe predict --pipeline ")
    assert try_it.endswith(" --trust-remote-code")


def test_a_binary_scoring_on_three_classes_is_one_line(capsys, tiny_bert, tmp_path):
    """--scoring f1 on three classes: one line naming f1_macro, no traceback."""
    texts, _ = length_corpus(30)
    path = tmp_path / "three.csv"
    pd.DataFrame({"review": texts, "size": ["a", "b", "c"] * 10}).to_csv(
        path, index=False
    )
    args = sweep_args(tiny_bert, path, tmp_path / "out", "--scoring", "f1")
    assert main(args) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1, err
    assert "f1_macro" in err
    assert not (tmp_path / "out").exists()
