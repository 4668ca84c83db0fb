"""``sklearn-probe sweep --unit word|arc``: a CoNLL-U treebank's words and arcs
through the command, checked against the file read with ``conllu`` itself."""

import io
import json
import sys
from collections import Counter

import conllu
import pandas as pd
import pytest

from sklearn_probe.cli import main
from sklearn_probe.datasets import make_agreement_conllu

N_SENTENCES = 30


@pytest.fixture(scope="module")
def treebank(tmp_path_factory):
    path = tmp_path_factory.mktemp("treebank") / "agreement.conllu"
    make_agreement_conllu(path, n_sentences=N_SENTENCES, random_state=1)
    return path


@pytest.fixture(scope="module")
def tokens(treebank):
    """Every word of the file, read with the conllu package alone."""
    with open(treebank, encoding="utf-8") as f:
        return [token for sentence in conllu.parse(f.read()) for token in sentence]


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


def word_args(model, data, out, *extra):
    return [
        "sweep",
        "--model",
        model,
        "--dataset",
        data,
        "--cv",
        "3",
        "--max-epochs",
        "30",
        "--layers",
        "0,3",
        "--out",
        out,
        "--quiet",
        *extra,
    ]


@pytest.fixture(scope="module")
def number_run(tiny_bert, treebank, tmp_path_factory):
    out = tmp_path_factory.mktemp("report-number")
    argv = word_args(tiny_bert, treebank, out, "--unit", "word")
    return (*run(*argv, "--label", "feats:Number", "--test-size", "0"), out)


def test_word_sweep_probes_the_words_that_have_the_label(number_run, tokens):
    status, stdout, stderr, out = number_run
    assert status == 0, stderr
    expected = Counter(
        t["feats"]["Number"] for t in tokens if "Number" in (t["feats"] or {})
    )
    results = json.loads((out / "results.json").read_text())
    assert results["settings"]["unit"] == "word"
    assert results["settings"]["cv_groups"] == "sentence"
    assert results["settings"]["class_counts"] == dict(expected)
    assert results["data"]["n_train"] == sum(expected.values())
    assert results["dataset"]["label_column"] == "feats:Number"
    assert results["dataset"]["n_without_label"] == len(tokens) - sum(expected.values())
    assert pd.read_csv(out / "scores.csv")["layer"].tolist() == [0, 3]
    report = (out / "report.md").read_text()
    assert report.startswith(
        f"# Which layer of `{results['settings']['model']}` knows the "
        "feats:Number of words of agreement.conllu?"
    )
    assert f"on {sum(expected.values())} training words." in report
    assert "grouped by sentence" in report
    assert "## Try sentences of your own" in report
    svg = (out / "layer_scores.svg").read_text()
    assert "<!-- Probe accuracy by layer: feats:Number of words (" in svg
    assert "Try it in Python: from sklearn_probe import load_pipeline" in stdout


def test_word_sweep_pipeline_labels_words(number_run):
    from sklearn_probe import load_pipeline

    out = number_run[-1]
    pipeline = load_pipeline(out / "best_pipeline.skops")
    sentence = ("the", "dogs", "near", "the", "cat", "ran", ".")
    assert set(pipeline.predict([(sentence, 1), (sentence, 4)])) <= {"Sing", "Plur"}


def test_arc_sweep_probes_relations_with_held_out_sentences(
    tiny_bert, treebank, tokens, tmp_path
):
    status, stdout, stderr = run(
        *word_args(tiny_bert, treebank, tmp_path / "arcs", "--unit", "arc")
    )
    assert status == 0, stderr
    expected = Counter(t["deprel"] for t in tokens if t["head"] != 0)
    results = json.loads((tmp_path / "arcs" / "results.json").read_text())
    data = results["data"]
    assert data["n_train"] + data["n_test"] == sum(expected.values())
    assert data["n_test"] > 0
    assert results["dataset"]["label_column"] == "deprel"
    report = (tmp_path / "arcs" / "report.md").read_text()
    assert "knows the deprel of arcs of agreement.conllu?" in report
    assert '(("The", "dogs", "bark", "."), (1, 2), (2, 3))' in report


@pytest.mark.parametrize(
    ("extra", "dataset", "message"),
    [
        (
            ["--unit", "word", "--label", "pos"],
            "treebank",
            "--label 'pos' is not a label of",
        ),
        (["--unit", "word"], "csv", "--unit word reads a CoNLL-U treebank"),
        ([], "treebank", "is a CoNLL-U treebank, not a table of texts"),
        (["--label", "upos"], "csv", "--label is for --unit word or arc"),
        (
            ["--unit", "word", "--pooling", "mean"],
            "treebank",
            "the tokens of a word are pooled by --subword",
        ),
        (
            ["--unit", "word", "--label", "misc:SubjNumber", "--n-samples", "4"]
            + ["--test-size", "0"],
            "treebank",
            "fewer than --cv 3 folds: use more words",
        ),
        (
            ["--unit", "word", "--n-samples", "1"],
            "treebank",
            "--test-size 0.2 of 1 sentence leaves none to train on",
        ),
    ],
)
def test_word_sweep_refuses_bad_arguments(
    tiny_bert, treebank, tmp_path, extra, dataset, message
):
    data = treebank if dataset == "treebank" else tmp_path / "texts.csv"
    pd.DataFrame({"text": ["a", "b"], "label": [0, 1]}).to_csv(
        tmp_path / "texts.csv", index=False
    )
    status, _, stderr = run(*word_args(tiny_bert, data, tmp_path / "out", *extra))
    assert status == 1
    assert message in stderr
    assert not (tmp_path / "out" / "report.md").exists()


def test_bad_label_lists_the_labels_of_the_file(tiny_bert, treebank, tmp_path):
    argv = word_args(tiny_bert, treebank, tmp_path / "out", "--unit", "word")
    status, _, stderr = run(*argv, "--label", "Number")
    assert status == 1
    listed = stderr.split("choose one of ")[1].rstrip(".\n").split(", ")
    assert listed == [
        "upos",
        "xpos",
        "feats",
        "deprel",
        "feats:Definite",
        "feats:Degree",
        "feats:Mood",
        "feats:Number",
        "feats:Person",
        "feats:PronType",
        "feats:Tense",
        "feats:VerbForm",
        "misc:SubjNumber",
    ]
