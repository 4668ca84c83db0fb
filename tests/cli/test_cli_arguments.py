"""The command's arguments: refused in argparse when they cannot work, the
same defaults as the Python API, ``--help`` that says what each one does, and
errors in the command's words (flags, not parameter names)."""

import ast
import inspect
import io
import shlex
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from helpers import length_corpus

import sklearn_probe.cli
from sklearn_probe import HiddenStateTransformer, WordHiddenStateTransformer
from sklearn_probe.cli import build_parser, main
from sklearn_probe.datasets import make_agreement_conllu


def run(*argv):
    """main(argv) with stdout and stderr captured: (status, stdout, stderr)."""
    stdout, stderr = io.StringIO(), io.StringIO()
    mp = pytest.MonkeyPatch()
    mp.setattr(sys, "stdout", stdout)
    mp.setattr(sys, "stderr", stderr)
    try:
        status = main([str(a) for a in argv])
    finally:
        mp.undo()
    return status, stdout.getvalue(), stderr.getvalue()


def usage_error(capsys, argv):
    """The stderr of an argument that argparse refuses (exit status 2)."""
    with pytest.raises(SystemExit) as exc:
        build_parser().parse_args(argv)
    assert exc.value.code == 2
    return capsys.readouterr().err


def subparsers():
    parser = build_parser()
    (sub,) = [a for a in parser._actions if a.dest == "command"]
    return sub.choices


# ------------------------------------------------------------------ item 13


@pytest.mark.parametrize(
    ("flag", "value", "rule"),
    [
        ("--cv", "0", "at least 2"),
        ("--cv", "1", "at least 2"),
        ("--batch-size", "0", "at least 1"),
        ("--max-length", "0", "at least 1"),
        ("--repeats", "0", "at least 1"),
        ("--max-epochs", "0", "at least 1"),
        ("--plot-samples", "0", "at least 1"),
        ("--n-samples", "-1", ">= 0"),
    ],
)
def test_counts_that_cannot_work_are_refused_by_argparse(capsys, flag, value, rule):
    err = usage_error(capsys, ["sweep", flag, value])
    assert f"argument {flag}: '{value}' must be {rule}" in err


def test_the_smallest_counts_that_work_are_accepted():
    args = build_parser().parse_args(
        ["sweep", "--cv", "2", "--batch-size", "1", "--max-length", "1"]
        + ["--repeats", "1", "--max-epochs", "1", "--n-samples", "0"]
    )
    assert (args.cv, args.batch_size, args.max_length) == (2, 1, 1)
    assert (args.repeats, args.max_epochs, args.n_samples) == (1, 1, 0)


# ------------------------------------------------------------------ item 14


def test_help_shows_no_python_reprs_and_one_default_each(capsys):
    with pytest.raises(SystemExit):
        build_parser().parse_args(["sweep", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    for junk in ("[()]", "(default: None)", "(default: [", "(default: False)"):
        assert junk not in text
    c_help = text.split("--C C [C ...]")[-1].split("--max-epochs")[0]
    assert c_help.lower().count("default") == 1
    epochs = text.split("--max-epochs MAX_EPOCHS")[-1].split("--task")[0]
    assert epochs.lower().count("default") == 1
    plot_layers = text.split("--plot-layers PLOT_LAYERS")[-1]
    assert "the first, the middle, the best and the last layer" in plot_layers
    assert "(default: minilm)" in text  # a list default shown as typed


@pytest.mark.parametrize("command", ["sweep", "compare", "predict"])
def test_every_option_has_help(command):
    for parser in (build_parser(), subparsers()[command]):
        for action in parser._actions:
            assert action.help, f"{command} {action.option_strings or action.dest}"


@pytest.mark.parametrize("command", ["sweep", "compare", "predict"])
def test_each_subcommand_shows_examples_that_parse(capsys, command):
    parser = subparsers()[command]
    help_text = parser.format_help()
    assert "examples:" in help_text
    lines = [ln for ln in help_text.split("examples:")[1].splitlines() if ln.strip()]
    assert lines and all(ln.startswith("  ") and "sklearn-probe " in ln for ln in lines)
    for line in lines:  # every example is a valid command line
        command_line = line.split("sklearn-probe ", 1)[1].split(" > ")[0]
        args = build_parser().parse_args(shlex.split(command_line))
        assert args.command == command


def test_the_defaults_shown_are_the_ones_used():
    """--C and --max-epochs say the probe's own defaults, --max-length the
    transformers' (read from them, so they cannot drift)."""
    from sklearn_probe import ProbeClassifier

    sweep = subparsers()["sweep"].format_help()
    text = " ".join(sweep.split())
    probe = ProbeClassifier()
    assert f"Default: the probe's own, {probe.C}" in text
    assert f"Default: the probe's own, {probe.max_epochs}" in text
    text_default = inspect.signature(HiddenStateTransformer).parameters["max_length"]
    word_default = inspect.signature(WordHiddenStateTransformer).parameters[
        "max_length"
    ]
    assert f"{text_default.default} for texts, {word_default.default} for words" in text


def _code_lines(node, source_lines):
    """Lines of ``node``'s body that hold code (no docstring, blank or comment)."""
    body = node.body
    if (
        body
        and isinstance(body[0], ast.Expr)
        and isinstance(body[0].value, ast.Constant)
        and isinstance(body[0].value.value, str)
    ):
        body = body[1:]
    if not body:
        return 0
    lines = source_lines[body[0].lineno - 1 : node.end_lineno]
    return sum(1 for line in lines if line.strip() and not line.strip().startswith("#"))


def test_no_function_of_the_command_is_over_60_code_lines():
    folder = Path(sklearn_probe.cli.__file__).parent
    too_long = []
    for module in sorted(folder.glob("*.py")):
        source = module.read_text()
        lines = source.splitlines()
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                n = _code_lines(node, lines)
                if n > 60:
                    too_long.append(f"{module.name}:{node.name} {n}")
    assert too_long == []


# ------------------------------------------------------------------ item 12


@pytest.fixture(scope="module")
def long_treebank(tmp_path_factory):
    """The agreement treebank with one sentence of 140 words (142 tokens with
    [CLS] and [SEP] for the tiny BERT): more than 128, less than 512."""
    path = tmp_path_factory.mktemp("long") / "long.conllu"
    make_agreement_conllu(path, n_sentences=24, random_state=2)
    words = ["the"] * 139 + ["."]
    rows = [
        "\t".join(
            [str(i + 1), w, w, "PUNCT" if w == "." else "DET", "_", "_"]
            + (["0", "root"] if i == 0 else ["1", "dep"])
            + ["_", "_"]
        )
        for i, w in enumerate(words)
    ]
    with open(path, "a", encoding="utf-8") as f:
        f.write("# sent_id = long\n# text = " + " ".join(words) + "\n")
        f.write("\n".join(rows) + "\n\n")
    return path


def word_sweep_args(model, data, out, *extra):
    return [
        "sweep",
        "--model",
        model,
        "--dataset",
        data,
        "--unit",
        "word",
        "--cv",
        "2",
        "--max-epochs",
        "50",
        "--layers",
        "1",
        "--test-size",
        "0",
        "--out",
        out,
        "--quiet",
        *extra,
    ]


def test_word_sweep_takes_the_word_transformers_max_length(
    tiny_bert, long_treebank, tmp_path
):
    """A 142-token sentence: the command's word sweep reads it whole, as
    WordHiddenStateTransformer() does (max_length 512), not 128."""
    from sklearn_probe import load_pipeline

    status, _, stderr = run(*word_sweep_args(tiny_bert, long_treebank, tmp_path / "o"))
    assert status == 0, stderr
    pipeline = load_pipeline(tmp_path / "o" / "best_pipeline.skops")
    assert pipeline.named_steps["hidden"].max_length == 512
    assert (
        inspect.signature(WordHiddenStateTransformer).parameters["max_length"].default
        == 512
    )


def test_a_sentence_too_long_names_the_flag(tiny_bert, long_treebank, tmp_path):
    argv = word_sweep_args(tiny_bert, long_treebank, tmp_path / "o")
    status, _, stderr = run(*argv, "--max-length", "64")
    assert status == 1
    assert "more than --max-length 64" in stderr
    assert "Raise --max-length (up to 512" in stderr
    assert "max_length" not in stderr


def test_errors_of_the_library_speak_of_flags(tiny_bert, tmp_path, monkeypatch):
    texts, labels = length_corpus(30)
    data = tmp_path / "reviews.csv"
    pd.DataFrame({"review": texts, "size": labels}).to_csv(data, index=False)
    status, _, stderr = run(
        "sweep", "--model", tiny_bert, "--dataset", data, "--out", tmp_path / "o"
    )
    assert status == 1
    assert "Pass --text-column and --label-column to choose others." in stderr
    assert "text_column" not in stderr
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    status, _, stderr = run(
        "sweep", "--model", "no-such-org/no-such-model", "--n-samples", "40"
    )
    assert status == 1
    assert "--model minilm" in stderr and "model=" not in stderr


def test_cv_one_is_refused_in_the_commands_words(capsys):
    err = usage_error(capsys, ["sweep", "--cv", "1"])
    assert "argument --cv: '1' must be at least 2 (folds)" in err
    assert "The 'cv' parameter" not in err


def test_truncation_warning_speaks_of_the_flag(tiny_bert, tmp_path):
    """A text longer than --max-length: the warning names --max-length."""
    import warnings

    texts, labels = length_corpus(24)
    data = tmp_path / "t.csv"
    pd.DataFrame({"text": texts, "label": np.asarray(labels)}).to_csv(data, index=False)
    with warnings.catch_warnings():
        warnings.simplefilter("always")
        status, _, stderr = run(
            "sweep", "--model", tiny_bert, "--dataset", data, "--out",
            tmp_path / "o", "--max-length", "4", "--cv", "2", "--layers", "1",
            "--test-size", "0", "--max-epochs", "5", "--quiet",
        )  # fmt: skip
    assert status == 0, stderr
    line = [ln for ln in stderr.splitlines() if "truncated" in ln][0]
    assert line.startswith("sklearn-probe: TruncationWarning: ")
    assert "longer than --max-length 4 tokens" in line
    assert "raise --max-length" in line


def test_messages_already_naming_the_flag_are_left_as_they_are():
    from sklearn_probe.cli._common import flag_names, speak_flags

    predict = flag_names(subparsers()["predict"])
    message = (
        "load it with load_pipeline(..., trust_remote_code=True) "
        "(sklearn-probe predict --trust-remote-code)."
    )
    assert speak_flags(message, predict) == message
    sweep = flag_names(subparsers()["sweep"])
    assert (
        speak_flags("HiddenStateTransformer(model='x'): trust_remote_code=True", sweep)
        == "HiddenStateTransformer(model='x'): --trust-remote-code"
    )


def test_baselines_choices_and_help_come_from_the_registry(monkeypatch):
    """A baseline added to the registry is a --baselines choice, with its help."""
    from sklearn_probe.baselines import BASELINES, BaselineSpec

    spec = BaselineSpec(name="shuffled_words", help="the words of each text shuffled")
    monkeypatch.setitem(BASELINES, spec.name, spec)
    args = build_parser().parse_args(["sweep", "--baselines", "shuffled_words"])
    assert args.baselines == ["shuffled_words"]
    text = " ".join(subparsers()["sweep"].format_help().split())
    assert "'shuffled_words' (the words of each text shuffled)" in text
    for name, known in BASELINES.items():
        assert f"'{name}' ({known.help})" in text
