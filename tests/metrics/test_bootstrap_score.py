"""The bootstrap interval of a held-out test score, against a bootstrap written
here with numpy and scikit-learn's metrics from the same seed: on a plain
estimator (:func:`bootstrap_score`), on a sweep's best pipeline
(``LayerSweepResult.test_score_ci``), through save and load, in the report,
and from the command.
"""

import io
import json
import sys

import numpy as np
import pandas as pd
import pytest
from helpers import length_corpus
from sklearn.datasets import make_classification, make_regression
from sklearn.linear_model import LinearRegression, LogisticRegression, Ridge
from sklearn.metrics import accuracy_score, r2_score, roc_auc_score, roc_curve

from sklearn_probe import LayerSweepResult, layer_sweep, load_pipeline
from sklearn_probe.datasets import load_named
from sklearn_probe.metrics import bootstrap_score
from sklearn_probe.report import summary_lines


def _recall_at_1pct(y, s):
    fpr, tpr, _ = roc_curve(y, s)
    return tpr[fpr <= 0.01].max()


#: scoring -> (what the scorer reads, the metric on it), written here.
BY_HAND = {
    "accuracy": ("predict", accuracy_score),
    "roc_auc": ("decision_function", roc_auc_score),
    "recall_at_1pct_fpr": ("decision_function", _recall_at_1pct),
    "r2": ("predict", r2_score),
}


def hand_bootstrap(y, outputs, metric, *, seed, stratify, n=1000, level=0.95):
    """Percentile bootstrap: draws with replacement (within each class when
    ``stratify``) from ``np.random.RandomState(seed)``, the metric on each."""
    rng = np.random.RandomState(seed)
    groups = (
        [np.flatnonzero(y == c) for c in np.unique(y)]
        if stratify
        else [np.arange(len(y))]
    )
    values = []
    for _ in range(n):
        draw = np.concatenate([rng.choice(g, size=len(g)) for g in groups])
        values.append(metric(y[draw], outputs[draw]))
    tail = (1 - level) / 2 * 100
    low, high = np.percentile(values, [tail, 100 - tail])
    return metric(y, outputs), low, high


class Counting(LogisticRegression):
    """Counts the rows each response method is asked for."""

    def decision_function(self, X):
        self.rows_.append(len(X))
        return super().decision_function(X)


@pytest.mark.parametrize("scoring", ["accuracy", "roc_auc", "recall_at_1pct_fpr"])
def test_bootstrap_score_equals_a_hand_bootstrap(scoring):
    X, y = make_classification(500, n_informative=3, flip_y=0.2, random_state=0)
    model = LogisticRegression().fit(X[:300], y[:300])
    method, metric = BY_HAND[scoring]
    outputs = getattr(model, method)(X[300:])
    got = bootstrap_score(model, X[300:], y[300:], scoring=scoring, random_state=7)
    want = hand_bootstrap(y[300:], outputs, metric, seed=7, stratify=True)
    assert (got["score"], got["low"], got["high"]) == pytest.approx(want, abs=1e-12)
    assert got["low"] < got["score"] < got["high"]


def test_bootstrap_score_of_a_regression_draws_every_row():
    X, y = make_regression(300, n_features=5, noise=30, random_state=0)
    model = Ridge().fit(X[:200], y[:200])
    got = bootstrap_score(
        model, X[200:], y[200:], scoring="r2", stratify=False, random_state=3
    )
    want = hand_bootstrap(
        y[200:], model.predict(X[200:]), r2_score, seed=3, stratify=False
    )
    assert (got["score"], got["low"], got["high"]) == pytest.approx(want, abs=1e-12)


def test_bootstrap_score_runs_the_estimator_once():
    X, y = make_classification(300, random_state=1)
    model = Counting().fit(X[:200], y[:200])
    model.rows_ = []
    bootstrap_score(model, X[200:], y[200:], scoring="roc_auc", n_resamples=500)
    assert model.rows_ == [100]  # the whole test set, once, for 501 scores


# -- a sweep's held-out score ---------------------------------------------


@pytest.fixture(scope="module")
def corpus():
    texts, labels = length_corpus(60, seed=3)
    test_texts, test_labels = length_corpus(40, seed=4)
    return texts, labels, test_texts, test_labels


def sweep(tiny_bert, corpus, **kwargs):
    texts, labels, test_texts, test_labels = corpus
    return layer_sweep(
        texts,
        labels,
        model=tiny_bert,
        layers=[1, 3],
        cv=3,
        test=(test_texts, test_labels),
        cache_dir=None,
        verbose=0,
        random_state=5,
        **kwargs,
    )


@pytest.mark.parametrize("scoring", ["accuracy", "roc_auc", "recall_at_1pct_fpr"])
def test_a_sweeps_test_interval_equals_a_hand_bootstrap(tiny_bert, corpus, scoring):
    result = sweep(tiny_bert, corpus, scoring=scoring, probe=LogisticRegression())
    _, _, test_texts, test_labels = corpus
    method, metric = BY_HAND[scoring]
    outputs = getattr(result.best_pipeline, method)(test_texts)
    score, low, high = hand_bootstrap(
        np.asarray(test_labels), outputs, metric, seed=5, stratify=True
    )
    ci = result.test_score_ci
    assert result.test_score == pytest.approx(score, abs=1e-12)
    assert (ci["low"], ci["high"]) == pytest.approx((low, high), abs=1e-12)
    assert ci["confidence"] == 0.95 and ci["n_resamples"] == 1000
    assert ci["stratified"] and ci["random_state"] == 5
    assert low < high


def test_a_regression_sweeps_test_interval_draws_every_row(tiny_bert, corpus):
    texts, _, test_texts, _ = corpus
    lengths = np.array([len(t) for t in texts], float)
    test_lengths = np.array([len(t) for t in test_texts], float)
    result = sweep(
        tiny_bert,
        (texts, lengths, test_texts, test_lengths),
        task="regression",
        probe=LinearRegression(),
    )
    outputs = result.best_pipeline.predict(test_texts)
    score, low, high = hand_bootstrap(
        test_lengths, outputs, r2_score, seed=5, stratify=False
    )
    assert result.test_score == pytest.approx(score, abs=1e-12)
    assert (result.test_score_ci["low"], result.test_score_ci["high"]) == (
        pytest.approx((low, high), abs=1e-12)
    )
    assert result.test_score_ci["stratified"] is False


def test_the_interval_survives_save_and_load_and_is_in_the_report(
    tiny_bert, corpus, tmp_path
):
    result = sweep(tiny_bert, corpus, scoring="roc_auc", probe=LogisticRegression())
    written = result.save_report(tmp_path / "r", save_pipeline=False)
    saved = json.loads(written["results.json"].read_text())
    assert saved["test_score_ci"] == result.test_score_ci
    loaded = LayerSweepResult.load(tmp_path / "r", pipeline=False)
    assert loaded.test_score_ci == result.test_score_ci
    assert loaded.test_score == result.test_score
    ci = result.test_score_ci
    line = (
        f"Held-out test roc_auc of the best pipeline: {result.test_score:.3f}, "
        f"95% CI {ci['low']:.3f}-{ci['high']:.3f} (40 texts, not used to choose "
        "the layer; the interval from 1000 stratified bootstrap draws of them)."
    )
    assert line in written["report.md"].read_text()
    assert f"[{ci['low']:.3f}, {ci['high']:.3f}]" in repr(loaded)


def test_a_sweep_without_a_test_set_has_no_interval(tiny_bert, corpus):
    texts, labels, _, _ = corpus
    result = layer_sweep(
        texts, labels, model=tiny_bert, layers=[1], cv=3, cache_dir=None, verbose=0
    )
    assert result.test_score is None and result.test_score_ci is None
    assert result.to_dict()["test_score_ci"] is None
    assert "Held-out" not in "\n".join(summary_lines(result))


def test_the_command_reports_recall_at_1pct_fpr_with_its_interval(
    tiny_bert, tmp_path, monkeypatch
):
    import matplotlib

    from sklearn_probe.cli import main

    matplotlib.use("Agg")
    texts, labels = length_corpus(80, seed=9)
    data = tmp_path / "data.csv"
    pd.DataFrame({"text": texts, "label": labels}).to_csv(data, index=False)
    out = tmp_path / "report"
    stdout = io.StringIO()
    monkeypatch.setattr(sys, "stdout", stdout)
    status = main(
        [
            "sweep",
            "--model",
            str(tiny_bert),
            "--dataset",
            str(data),
            "--layers",
            "1,3",
            "--cv",
            "3",
            "--scoring",
            "recall_at_1pct_fpr",
            "--test-size",
            "0.25",
            "--projection",
            "pca",
            "--out",
            str(out),
            "--quiet",
        ]
    )
    monkeypatch.undo()
    assert status == 0
    saved = json.loads((out / "results.json").read_text())
    assert saved["scoring"] == "recall_at_1pct_fpr"
    assert saved["data"]["n_test"] == 20
    ci = saved["test_score_ci"]
    assert 0 <= ci["low"] <= saved["test_score"] <= ci["high"] <= 1
    assert ci["n_resamples"] == 1000 and ci["stratified"] is True
    # The interval is that of the saved pipeline's decision values on the
    # held-out texts (the command's split, seeded by --seed 0).
    held_out = load_named(str(data), test_size=0.25, random_state=0).test
    pipeline = load_pipeline(out / "best_pipeline.skops")
    y = held_out["label"].to_numpy()
    want = hand_bootstrap(
        y,
        pipeline.decision_function(list(held_out["text"])),
        _recall_at_1pct,
        seed=0,
        stratify=True,
    )
    assert (saved["test_score"], ci["low"], ci["high"]) == pytest.approx(
        want, abs=1e-12
    )
    shown = f"95% CI {ci['low']:.3f}-{ci['high']:.3f}"
    assert shown in stdout.getvalue()
    assert shown in (out / "report.md").read_text()
