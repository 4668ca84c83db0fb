"""AttentionProbe from raw texts: in a Pipeline, GridSearchCV and layer_sweep."""

import io
import sys

import numpy as np
import pandas as pd
import pytest
from helpers import count_forward_rows, length_corpus
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV, StratifiedKFold, cross_val_score
from sklearn.pipeline import Pipeline

from sklearn_probe import (
    AttentionProbe,
    HiddenStateTransformer,
    ProbeClassifier,
    layer_sweep,
    load_pipeline,
    save_pipeline,
)
from sklearn_probe.baselines import ControlTask

N_TEXTS = 48


@pytest.fixture(scope="module")
def corpus():
    return length_corpus(N_TEXTS)


def attention_pipeline(path, layer, **probe):
    hidden = HiddenStateTransformer(path, layer=layer, pooling="tokens", cache_dir=None)
    probe = AttentionProbe(random_state=0, max_iter=50, **probe)
    return Pipeline([("hidden", hidden), ("probe", probe)])


def hand_scores(path, texts, y, splits, layers, wrap=None, **hidden):
    """Accuracy of a fresh pipeline per layer and fold, by hand."""
    scores = []
    for layer in layers:
        folds = []
        for train, test in splits:
            step = HiddenStateTransformer(
                path, layer=layer, pooling="tokens", cache_dir=None, **hidden
            )
            probe = AttentionProbe(random_state=0, max_iter=50)
            probe = probe if wrap is None else wrap(probe)
            X_train = step.fit_transform([texts[i] for i in train])
            probe.fit(X_train, y[train])
            X_test = step.transform([texts[i] for i in test])
            folds.append(np.mean(probe.predict(X_test) == y[test]))
        scores.append(np.mean(folds))
    return np.array(scores)


def test_layer_sweep_scores_equal_a_hand_loop_over_the_same_folds(tiny_bert, corpus):
    texts, y = corpus
    with count_forward_rows(tiny_bert) as seen:
        result = layer_sweep(
            texts,
            y,
            model=tiny_bert,
            probe=AttentionProbe(random_state=0, max_iter=50),
            cv=3,
            cache_dir=None,
            verbose=0,
            baselines=["control"],
        )
    assert seen["rows"] == N_TEXTS  # every layer, fold, control: one pass
    splits = list(StratifiedKFold(3, shuffle=True, random_state=0).split(texts, y))
    expected = hand_scores(tiny_bert, texts, y, splits, range(4))
    np.testing.assert_allclose(result.scores["cv_score_mean"], expected, atol=1e-12)
    control = hand_scores(
        tiny_bert,
        texts,
        y,
        splits,
        range(4),
        wrap=lambda p: ControlTask(p, random_state=0),
    )
    np.testing.assert_allclose(result.scores["control_mean"], control, atol=1e-12)
    assert result.settings["probe"] == "attention-pooling"
    assert result.settings["pooling"] == "tokens"
    assert result.best_pipeline.named_steps["hidden"].pooling == "tokens"


def test_grid_search_scores_equal_the_hand_loop(tiny_bert, corpus):
    texts, y = corpus
    splits = list(StratifiedKFold(3, shuffle=True, random_state=1).split(texts, y))
    grid = {"hidden__layer": [1, 3]}
    search = GridSearchCV(attention_pipeline(tiny_bert, 0), grid, cv=splits)
    search.fit(texts, y)
    expected = hand_scores(tiny_bert, texts, y, splits, [1, 3])
    np.testing.assert_allclose(search.cv_results_["mean_test_score"], expected)


def test_random_weights_baseline_runs_its_own_model_once(tiny_bert, corpus):
    texts, y = corpus
    with count_forward_rows(tiny_bert, random_init_seed=3) as seen:
        result = layer_sweep(
            texts,
            y,
            model=tiny_bert,
            layers=[0, 2],
            probe=AttentionProbe(random_state=0, max_iter=50),
            cv=3,
            cache_dir=None,
            verbose=0,
            random_state=3,
            baselines=["random_weights", "length"],
        )
    assert seen["rows"] == N_TEXTS
    splits = list(StratifiedKFold(3, shuffle=True, random_state=3).split(texts, y))
    random = hand_scores(
        tiny_bert, texts, y, splits, [0, 2], weights="random", random_state=3
    )
    np.testing.assert_allclose(result.scores["random_weights_mean"], random, atol=1e-12)
    assert np.isfinite(result.scores["length_mean"]).all()


def test_probe_attention_by_name_and_the_best_pipeline_saves(
    tiny_bert, corpus, tmp_path
):
    texts, y = corpus
    train, test = slice(0, 36), slice(36, None)
    result = layer_sweep(
        texts[train],
        y[train],
        model=tiny_bert,
        layers=[1, 2],
        probe="attention",
        cv=3,
        cache_dir=None,
        verbose=0,
        test=(texts[test], y[test]),
    )
    assert isinstance(result.best_pipeline.named_steps["probe"], AttentionProbe)
    save_pipeline(result.best_pipeline, tmp_path / "best.skops")
    loaded = load_pipeline(tmp_path / "best.skops")
    np.testing.assert_array_equal(
        loaded.predict_proba(texts[test]), result.predict_proba(texts[test])
    )
    assert result.test_score == pytest.approx(
        np.mean(loaded.predict(texts[test]) == y[test])
    )
    # The pictures' vectors: the texts' mean over tokens, served from the warm-up.
    with count_forward_rows(tiny_bert) as seen:
        vectors = result.hidden_states(texts[:5])
    assert seen["rows"] == 0 and vectors.shape == (5, 2, 16)


def test_mdl_runs_on_the_token_states(tiny_bert, corpus):
    texts, y = corpus
    result = layer_sweep(
        texts, y, model=tiny_bert, layers=[1], probe="attention", cv=3,
        cache_dir=None, verbose=0, mdl=True,
    )  # fmt: skip
    assert result.scores["mdl_compression"].iloc[0] > 0


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"pooling": "mean"}, "Leave pooling='auto'"),
        ({"n_jobs": 2}, "Use n_jobs=1"),
        ({"probe": ["attention", ProbeClassifier()]}, "sweep them apart"),
        ({"probe": "attentive"}, "'probe' parameter of layer_sweep"),
        ({"task": "regression"}, "a classifier, but the task is regression"),
        ({"param_grid": {"hidden__site": ["mlp"]}}, "residual stream only"),
    ],
)
def test_what_a_token_sweep_cannot_do_is_refused_at_once(
    tiny_bert, corpus, options, message
):
    texts, y = corpus
    options = {"probe": "attention", **options}
    with (
        count_forward_rows(tiny_bert) as seen,
        pytest.raises(ValueError, match=message),
    ):
        layer_sweep(texts, y, model=tiny_bert, cache_dir=None, verbose=0, **options)
    assert seen["rows"] == 0


def test_words_are_refused(tiny_bert):
    samples = [(["a", "good", "film"], i) for i in range(3)] * 4
    with pytest.raises(ValueError, match="unit='text'"):
        layer_sweep(
            samples, [0, 1, 0] * 4, model=tiny_bert, unit="word",
            probe="attention", cv=2, cache_dir=None, verbose=0,
        )  # fmt: skip


def test_the_command_sweeps_with_the_attention_probe(tiny_bert, corpus, tmp_path):
    from sklearn_probe.cli import main

    texts, y = corpus
    data = tmp_path / "data.csv"
    pd.DataFrame({"text": texts, "label": y}).to_csv(data, index=False)
    out = tmp_path / "report"
    args = ["sweep", "--model", tiny_bert, "--dataset", str(data), "--cv", "3"]
    args += ["--probe", "attention", "--max-epochs", "30", "--layers", "1,2"]
    args += ["--cache-dir", "none", "--out", str(out), "--quiet"]
    mp = pytest.MonkeyPatch()
    mp.setattr(sys, "stdout", io.StringIO())
    try:
        assert main(args) == 0
    finally:
        mp.undo()
    report = (out / "report.md").read_text()
    assert "An attention-pooling probe was trained on the per-token hidden" in report
    pipeline = load_pipeline(out / "best_pipeline.skops")
    assert pipeline.named_steps["probe"].max_iter == 30
    assert pipeline.predict(texts[:3]).shape == (3,)


def test_a_grid_over_the_head_clones_cleanly(tiny_bert, corpus):
    texts, y = corpus
    pipe = attention_pipeline(tiny_bert, 2)
    scores = cross_val_score(clone(pipe), texts, y, cv=3)
    assert scores.shape == (3,)


@pytest.mark.slow
def test_the_gallery_example_shows_attention_beating_mean_pooling(
    tmp_path, monkeypatch, capsys
):
    from pathlib import Path

    monkeypatch.chdir(tmp_path)
    path = Path(__file__).parents[2] / "examples" / "plot_11_attention_probe.py"
    exec(compile(path.read_text(), str(path), "exec"), {"__name__": "__main__"})
    out = capsys.readouterr().out
    scores = {
        line.split(":")[0].strip(): float(line.split("accuracy ")[1].split()[0])
        for line in out.splitlines()
        if "CV accuracy" in line
    }
    assert scores["attention"] > scores["mean + linear"] + 0.05
    assert "predicted: [1 0]" in out
