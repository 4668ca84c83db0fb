"""``sklearn-probe predict`` and ``load_pipeline`` on the pipelines a user may
hand them: a regression, a word pipeline, a file written by joblib or skops
directly, and one whose model ships its own code."""

import json
import os
import subprocess
import sys
from pathlib import Path

import joblib
import numpy as np
import pytest
import skops.io
from helpers import length_corpus, make_custom_code_model
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.pipeline import Pipeline

from sklearn_probe import (
    HiddenStateTransformer,
    WordHiddenStateTransformer,
    load_pipeline,
    save_pipeline,
)
from sklearn_probe.cli import build_parser, main

ROOT = Path(__file__).resolve().parents[2]


def one_line_error(capsys, argv):
    assert main([str(a) for a in argv]) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("sklearn-probe: error: ") and "\n" not in err, err
    return err


@pytest.fixture(scope="module")
def regression(tiny_bert, tmp_path_factory):
    """A pipeline that predicts the number of words of a text."""
    texts, _ = length_corpus(40)
    lengths = np.array([len(t.split()) for t in texts], dtype=float)
    pipeline = Pipeline(
        [
            ("hidden", HiddenStateTransformer(model=tiny_bert, layer=1)),
            ("probe", Ridge()),
        ]
    ).fit(texts, lengths)
    path = tmp_path_factory.mktemp("regression") / "best_pipeline.skops"
    save_pipeline(pipeline, path)
    return path, texts[:3]


def test_a_regression_prints_its_value_under_value(regression, capsys):
    path, texts = regression
    expected = load_pipeline(path).predict(texts)
    assert main(["predict", "--pipeline", str(path), "--json", *texts]) == 0
    records = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [r["text"] for r in records] == texts
    assert all("label" not in r and "probability" not in r for r in records)
    np.testing.assert_allclose([r["value"] for r in records], expected, rtol=1e-6)
    assert main(["predict", "--pipeline", str(path), *texts]) == 0
    lines = capsys.readouterr().out.splitlines()
    shown = [float(line.split()[0]) for line in lines]
    np.testing.assert_allclose(shown, expected, rtol=1e-3)
    assert [line.split(None, 1)[1] for line in lines] == texts


def test_a_word_pipeline_says_it_takes_words(tiny_bert, tmp_path, capsys):
    sentences = [("the", "dogs", "bark", "."), ("a", "cat", "sleeps", ".")]
    samples = [(s, i) for s in sentences for i in range(len(s))]
    labels = ["DET", "NOUN", "VERB", "PUNCT"] * 2
    pipeline = Pipeline(
        [
            ("hidden", WordHiddenStateTransformer(model=tiny_bert, layer=1)),
            ("probe", LogisticRegression(max_iter=1000)),
        ]
    ).fit(samples, labels)
    path = tmp_path / "best_pipeline.skops"
    save_pipeline(pipeline, path)
    line = one_line_error(capsys, ["predict", "--pipeline", tmp_path, "the dogs"])
    assert "This pipeline takes words: use it from Python" in line
    code = line.split("e.g. ", 1)[1]
    assert code.startswith("from sklearn_probe import load_pipeline; print(")
    assert "sample" not in line.lower().split("e.g.")[0]  # no sample-format error


def test_a_joblib_dumped_pipeline_points_to_save_pipeline(regression, tmp_path, capsys):
    pipeline = load_pipeline(regression[0])
    dumped = tmp_path / "model.joblib"
    joblib.dump(pipeline, dumped)
    line = one_line_error(capsys, ["predict", "--pipeline", dumped, "a text"])
    assert "--allow-pickle" in line and "save_pipeline(" in line
    line = one_line_error(
        capsys, ["predict", "--pipeline", dumped, "a text", "--allow-pickle"]
    )
    assert "holds a Pipeline" in line and "save_pipeline(pipeline, " in line
    raw = tmp_path / "raw.skops"
    skops.io.dump(pipeline, raw)
    with pytest.raises(ValueError, match=r"sklearn_probe\.save_pipeline\(pipeline"):
        load_pipeline(raw)


def test_help_says_each_call_loads_the_model():
    (sub,) = [a for a in build_parser()._actions if a.dest == "command"]
    text = " ".join(sub.choices["predict"].format_help().split())
    assert "Each call loads the model again" in text
    assert "--file" in text and "--trust-remote-code" in text


# ------------------------------------------------- remote code (item 21)


def _python(*args, env_extra, **kwargs):
    env = dict(os.environ, PYTHONPATH=str(ROOT), **env_extra)
    return subprocess.run(
        [sys.executable, *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        **kwargs,
    )


@pytest.fixture(scope="module")
def custom_pipeline(tmp_path_factory):
    """A .skops of trusted types only, whose transformer says
    trust_remote_code=True and names a folder with auto_map code; fitted in
    another process, so that this one never imported that code."""
    folder = tmp_path_factory.mktemp("custom")
    marker = folder / "ran.txt"
    model = make_custom_code_model(folder / "model", marker)
    path = folder / "best_pipeline.skops"
    env = {"HF_MODULES_CACHE": str(folder / "modules")}
    script = (
        "import sys\n"
        "from sklearn.linear_model import LogisticRegression\n"
        "from sklearn.pipeline import Pipeline\n"
        "from sklearn_probe import HiddenStateTransformer, save_pipeline\n"
        "texts = ['a short one', 'a much longer text than that', 'tiny', "
        "'another long text here today']\n"
        "hidden = HiddenStateTransformer(model=sys.argv[1], layer=1, "
        "trust_remote_code=True)\n"
        "pipe = Pipeline([('hidden', hidden), ('probe', LogisticRegression())])\n"
        "save_pipeline(pipe.fit(texts, [0, 1, 0, 1]), sys.argv[2])\n"
    )
    done = _python("-c", script, model, str(path), env_extra=env)
    assert done.returncode == 0, done.stderr
    assert marker.exists()  # fitting with trust ran the code, as it should
    marker.unlink()
    assert skops.io.get_untrusted_types(file=path) == [
        "sklearn_probe.hidden._transformer.HiddenStateTransformer"
    ]
    return path, marker, env


def test_load_pipeline_refuses_remote_code_unless_the_caller_trusts_it(
    custom_pipeline,
):
    path, marker, _ = custom_pipeline
    with pytest.raises(ValueError) as exc:
        load_pipeline(path)
    message = str(exc.value)
    assert "trust_remote_code=True (hidden__trust_remote_code)" in message
    assert "load_pipeline(..., trust_remote_code=True)" in message
    assert "--trust-remote-code" in message
    pipeline = load_pipeline(path, trust_remote_code=True)
    assert pipeline.named_steps["hidden"].trust_remote_code is True
    assert not marker.exists()  # loading alone never runs it


def test_predict_never_imports_remote_code_on_its_own(custom_pipeline):
    path, marker, env = custom_pipeline
    argv = ["-m", "sklearn_probe", "predict", "--pipeline", str(path), "tiny"]
    done = _python(*argv, env_extra=env)
    assert done.returncode == 1, done.stderr
    assert not marker.exists()
    assert "--trust-remote-code" in done.stderr
    assert "nothing was run" in done.stderr
    done = _python(*argv, "--trust-remote-code", "--json", env_extra=env)
    assert done.returncode == 0, done.stderr
    assert marker.exists()  # the caller's own opt-in
    assert json.loads(done.stdout)["label"] in (0, 1)
