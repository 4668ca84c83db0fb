"""The task and the unit of a sweep: how ``task="auto"`` reads the labels, the
objects that hold what a task and a unit decide, and chance as the best
no-information guess."""

import dataclasses
import warnings

import numpy as np
import pytest
from helpers import WORDS, length_corpus
from sklearn.dummy import DummyClassifier, DummyRegressor
from sklearn.model_selection import KFold, StratifiedKFold, cross_val_score

from sklearn_probe import layer_sweep
from sklearn_probe.sweep import task_spec, unit_spec
from sklearn_probe.sweep._tasks import check_task


def _lengths(n=160, n_lengths=39, seed=0):
    """``n`` texts whose lengths in words take ``n_lengths`` distinct values,
    and those lengths as floats."""
    rng = np.random.default_rng(seed)
    lengths = np.r_[np.arange(1, n_lengths + 1), rng.integers(1, n_lengths + 1, n)]
    lengths = lengths[:n]
    rng.shuffle(lengths)
    texts = [f"{i} " + " ".join(rng.choice(WORDS, k)) for i, k in enumerate(lengths)]
    return texts, lengths.astype(float)


def test_float_lengths_sweep_as_a_regression(tiny_bert):
    """39 distinct whole-number floats (sentence lengths) of 160 texts are a
    continuous property under task="auto", not 39 classes."""
    texts, y = _lengths()
    assert len(np.unique(y)) == 39
    result = layer_sweep(texts, y, model=tiny_bert, layers=[1], cv=3, verbose=0)
    assert result.task == "regression"
    assert result.classes is None
    assert result.settings["cv_splitter"].startswith("KFold(")
    assert result.score_name == "R²"


def test_auto_task_rule():
    many_floats = np.arange(21, dtype=float)
    assert check_task("auto", many_floats) == "regression"
    assert check_task("auto", np.arange(20, dtype=float)) == "classification"
    assert check_task("auto", np.array([0.0, 1.0, 1.0])) == "classification"
    assert check_task("auto", np.arange(20)) == "classification"
    with pytest.raises(ValueError, match="21 distinct integers.*task='regression'"):
        check_task("auto", np.arange(21))
    assert check_task("classification", np.arange(21)) == "classification"
    assert check_task("regression", np.arange(21)) == "regression"


def test_many_integer_labels_stop_the_sweep_before_the_model_loads():
    texts, y = _lengths()
    with pytest.raises(ValueError, match="task="):
        layer_sweep(texts, y.astype(int), model="no-such-model-anywhere", verbose=0)


def test_specs_hold_what_a_task_and_a_unit_decide():
    regression, classification = task_spec("regression"), task_spec("classification")
    assert regression.default_scoring == "r2" and regression.score_fallback == "R²"
    assert classification.default_scoring == "accuracy"
    assert type(regression.default_probe(0)).__name__ == "ProbeRegressor"
    assert type(classification.default_probe(0)).__name__ == "ProbeClassifier"
    assert type(regression.splitter(5, 0)).__name__ == "KFold"
    assert type(classification.splitter(5, 0)).__name__ == "StratifiedKFold"
    assert type(classification.group_splitter(5, 0)).__name__ == "StratifiedGroupKFold"
    assert regression.labels == "targets" and classification.labels == "labels"
    word, text = unit_spec("word"), unit_spec("text")
    assert word.pooling_param == "subword" and text.pooling_param == "pooling"
    assert word.describe(1351, 96) == "1351 words in 96 sentences"
    assert text.describe(160) == "160 texts"
    assert word.control_legend(regression) == "word-type labels"
    assert text.control_legend(regression) == "permuted targets"
    assert "scored on those control labels" in word.control(classification)
    with pytest.raises(ValueError, match="one of"):
        task_spec("ranking")
    with pytest.raises(dataclasses.FrozenInstanceError):
        regression.name = "classification"


def test_chance_of_f1_macro_is_guessing_at_the_class_rates(tiny_bert):
    """On three balanced classes always the majority class scores 1/6 of
    macro F1 and guessing at the class rates about 1/3: chance is the best
    no-information guess, on the same folds, and the result names it."""
    texts, _ = length_corpus(90, seed=1)
    y = np.arange(90) % 3
    result = layer_sweep(
        texts, y, model=tiny_bert, layers=[1], cv=3, scoring="f1_macro", verbose=0
    )
    folds = StratifiedKFold(3, shuffle=True, random_state=0)
    X = np.zeros((len(y), 1))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the majority guess's ill-defined F1
        prior = cross_val_score(
            DummyClassifier(strategy="prior"), X, y, cv=folds, scoring="f1_macro"
        ).mean()
    assert prior == pytest.approx(1 / 6)
    assert result.chance_score == pytest.approx(1 / 3, abs=0.05)
    assert result.chance_guesser in (
        "DummyClassifier(random_state=0, strategy='stratified')",
        "DummyClassifier(random_state=0, strategy='uniform')",
    )
    assert result.settings["chance"]["scores"]["prior"] == pytest.approx(prior)
    assert result.chance_words.startswith("chance (guessing")


def test_regression_chance_is_the_better_of_mean_and_median(tiny_bert):
    """Skewed targets: the training median scores a better (negative) mean
    absolute error than the training mean, and is chance."""
    texts, _ = _lengths(60)
    y = np.r_[np.zeros(50), np.full(10, 100.0)] + np.linspace(0, 1, 60)
    scoring = "neg_mean_absolute_error"
    result = layer_sweep(
        texts, y, model=tiny_bert, layers=[1], cv=3, scoring=scoring, verbose=0
    )
    folds = KFold(3, shuffle=True, random_state=0)
    X = np.zeros((len(y), 1))
    by_strategy = {
        strategy: cross_val_score(
            DummyRegressor(strategy=strategy), X, y, cv=folds, scoring=scoring
        ).mean()
        for strategy in ("mean", "median")
    }
    assert by_strategy["median"] > by_strategy["mean"]
    assert result.chance_score == pytest.approx(by_strategy["median"])
    assert result.chance_guesser == "DummyRegressor(strategy='median')"
    assert result.chance_words == "chance (the training median)"
