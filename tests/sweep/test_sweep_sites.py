"""A sweep over sites x layers: one forward pass per text, a site column, one
curve per site, and the command's ``--site``."""

import io
import json
import sys

import numpy as np
import pandas as pd
import pytest
from helpers import count_forward_rows, length_corpus

from sklearn_probe import layer_sweep
from sklearn_probe.cli import main
from sklearn_probe.plotting import LayerScoresDisplay

SITES = ["residual", "attention", "mlp"]


@pytest.fixture(scope="module")
def site_sweep(tiny_bert):
    texts, y = length_corpus(40)
    test_texts, test_y = length_corpus(12, seed=1)
    test_texts = [f"held out {t}" for t in test_texts]
    with count_forward_rows(tiny_bert) as counter:
        result = layer_sweep(
            texts,
            y,
            model=tiny_bert,
            param_grid={"hidden__site": SITES},
            pooling=["mean", "max"],
            test=(test_texts, test_y),
            cv=2,
            cache_dir=None,
            verbose=0,
        )
    return result, dict(counter), len(texts) + len(test_texts)


def test_one_forward_pass_per_text_for_every_site_and_layer(site_sweep):
    result, counter, n_texts = site_sweep
    assert counter["rows"] == n_texts


def test_the_table_has_a_site_column_and_sublayer_sites_start_at_layer_1(site_sweep):
    result, _, _ = site_sweep
    scores = result.scores
    assert "site" in result.param_columns
    layers = {site: sorted(set(part["layer"])) for site, part in scores.groupby("site")}
    assert layers == {
        "residual": [0, 1, 2, 3],
        "attention": [1, 2, 3],
        "mlp": [1, 2, 3],
    }
    assert len(scores) == 2 * (4 + 3 + 3)  # two poolings
    assert result.settings["site"] == SITES
    assert result.best_params["hidden__site"] in SITES


def test_the_picture_draws_one_curve_per_site(site_sweep, close_figures):
    import matplotlib

    matplotlib.use("Agg")
    result, _, _ = site_sweep
    display = LayerScoresDisplay.from_sweep(result)
    labels = sorted(group for _, group in display.lines_)
    assert len(labels) == len(SITES) * 2  # one curve per site and pooling
    assert {label.split(", ")[1] for label in labels} == {
        f"site={site}" for site in SITES
    }


def test_explicit_layer_zero_of_a_sublayer_site_is_an_error(tiny_bert):
    texts, y = length_corpus(20)
    with pytest.raises(ValueError, match=r"layer 0.*\['attention'\].*layers='all'"):
        layer_sweep(
            texts,
            y,
            model=tiny_bert,
            layers=[0, 2],
            cv=2,
            cache_dir=None,
            param_grid={"hidden__site": ["residual", "attention"]},
            verbose=0,
        )
    result = layer_sweep(
        texts,
        y,
        model=tiny_bert,
        layers=[-1],
        cv=2,
        cache_dir=None,
        param_grid={"hidden__site": ["attention"]},
        verbose=0,
    )
    assert list(result.scores["layer"]) == [3]
    assert result.settings["site"] == "attention"


def test_the_command_sweeps_sites_and_the_report_names_them(tiny_bert, tmp_path):
    import matplotlib

    matplotlib.use("Agg")
    texts, labels = length_corpus(40)
    data = tmp_path / "reviews.csv"
    pd.DataFrame({"text": texts, "label": labels}).to_csv(data, index=False)
    out = tmp_path / "report"
    argv = [
        "sweep",
        "--model",
        tiny_bert,
        "--dataset",
        data,
        "--cv",
        "2",
        "--max-epochs",
        "20",
        "--out",
        out,
        "--quiet",
        "--cache-dir",
        "none",
        "--site",
        "residual",
        "attention",
        "mlp",
    ]
    stdout, stderr = io.StringIO(), io.StringIO()
    mp = pytest.MonkeyPatch()
    mp.setattr(sys, "stdout", stdout)
    mp.setattr(sys, "stderr", stderr)
    try:
        status = main([str(a) for a in argv])
    finally:
        mp.undo()
    assert status == 0, stderr.getvalue()
    saved = json.loads((out / "results.json").read_text())
    assert saved["settings"]["site"] == SITES
    report = (out / "report.md").read_text()
    heading = report.splitlines()[0]
    assert heading.endswith("(sites: residual, attention, mlp)")
    assert "hidden states, attention outputs and MLP outputs of every layer" in report
    assert "- **site**: residual, attention, mlp" in report
    frame = pd.read_csv(out / "scores.csv")
    assert set(frame["site"]) == set(SITES)


def test_a_report_whose_best_site_is_a_sublayer_draws_its_layers(
    tiny_bert, tmp_path, close_figures
):
    """The embeddings picture shows the best pipeline's site: from layer 1."""
    import matplotlib

    from sklearn_probe.report import write_report

    matplotlib.use("Agg")
    texts, y = length_corpus(30)
    result = layer_sweep(
        texts,
        y,
        model=tiny_bert,
        cv=2,
        cache_dir=None,
        verbose=0,
        param_grid={"hidden__site": ["mlp"]},
    )
    assert result.best_params["hidden__site"] == "mlp"
    write_report(result, tmp_path / "report", texts=texts, labels=y, projection="pca")
    report = (tmp_path / "report" / "report.md").read_text()
    assert report.splitlines()[0].endswith("(site: mlp)")
    assert "mean-pooled MLP outputs of every layer" in report


def test_a_word_sweep_reads_sites_too(tiny_bert):
    """Words: one pass per sentence and site; sublayer sites from layer 1."""
    rng = np.random.default_rng(0)
    X, y = [], []
    for _ in range(16):
        sentence = ("the", str(rng.choice(["film", "plot"])), "was", "good")
        X += [(sentence, i) for i in range(4)]
        y += [0, 0, 0, 1]
    with count_forward_rows(tiny_bert) as counter:
        result = layer_sweep(
            X,
            np.array(y),
            unit="word",
            model=tiny_bert,
            cv=2,
            cache_dir=None,
            verbose=0,
            param_grid={"hidden__site": ["residual", "attention"]},
        )
    n_sentences = len({sample[0] for sample in X})
    assert n_sentences > 1
    assert counter["rows"] == 2 * n_sentences  # each sentence once per site
    layers = {s: sorted(set(p["layer"])) for s, p in result.scores.groupby("site")}
    assert layers == {"residual": [0, 1, 2, 3], "attention": [1, 2, 3]}
