"""The sweep's search with every linear probe solved at once
(``sweep._batched_search``): the same scores, kept predictions and best
pipeline as the one-by-one fits, the choice recorded, and forcing it works."""

import json

import numpy as np
import pytest
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import Pipeline

from sklearn_probe import ProbeClassifier, layer_sweep
from sklearn_probe.sweep._batched_search import MIN_PROBLEMS, SOLVER_VARIABLE
from sklearn_probe.sweep._diagnostics import _search_scoring
from sklearn_probe.sweep._search import _argmax_mean_score, _run_search


class Columns(BaseEstimator, TransformerMixin):
    """Stands in for the hidden step: ``layer`` picks a block of columns."""

    def __init__(self, layer=0, width=8):
        self.layer = layer
        self.width = width

    def fit(self, X, y=None):
        return self

    def transform(self, X):
        start = self.layer * self.width
        return np.asarray(X)[:, start : start + self.width]


def _data(n, k, layers=4, width=8, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, layers * width)) * rng.uniform(0.5, 4, layers * width)
    X += 3.0
    signal = X[:, width : width + 3] @ rng.normal(size=(3, k))
    y = np.argmax(signal + rng.gumbel(size=(n, k)), axis=1)
    return X, np.array(["a", "b", "c", "d"])[y]


def _search(X, y, solver, *, layers=4, folds=5, Cs=(0.1, 1.0, 10.0), probe=None):
    probe = ProbeClassifier(random_state=0, device="cpu") if probe is None else probe
    pipe = Pipeline([("hidden", Columns()), ("probe", probe)])
    grid = [
        {"hidden__layer": [layer], "probe__C": [C]}
        for C in Cs
        for layer in range(layers)
    ]
    splits = list(StratifiedKFold(folds, shuffle=True, random_state=0).split(X, y))
    search, _ = _run_search(
        pipe,
        grid,
        X,
        y,
        refit=_argmax_mean_score,
        return_train_score=True,
        scoring=_search_scoring(pipe, None, "classification"),
        cv=splits,
        n_jobs=1,
        keep_predictions=True,
        probe_solver=solver,
    )
    return search


@pytest.mark.parametrize("k", [2, 3])
def test_batched_scores_equal_the_one_by_one_fits(k):
    X, y = _data(1500, k)
    one = _search(X, y, "one-by-one")
    batched = _search(X, y, "batched")
    assert one.probe_solver_["solver"] == "one-by-one"
    assert batched.probe_solver_["solver"] == "batched"
    assert sorted(one.cv_results_) == sorted(batched.cv_results_)
    for key in ("mean_test_score", "mean_train_score"):
        np.testing.assert_allclose(
            batched.cv_results_[key], one.cv_results_[key], atol=1e-3
        )
    # A fold's score differs at most by one held-out text that sits on the
    # boundary (probabilities agree to 1e-3, not to the last bit).
    for fold in range(5):
        key = f"split{fold}_test_score"
        gap = np.abs(batched.cv_results_[key] - one.cv_results_[key])
        assert gap.max() <= 1 / 300 + 1e-12
    np.testing.assert_array_equal(
        batched.cv_results_["split0_test_constant_predictions"],
        one.cv_results_["split0_test_constant_predictions"],
    )
    assert batched.best_index_ == one.best_index_
    kept_one, kept_batched = (s.best_cv_predictions(5) for s in (one, batched))
    assert np.mean(kept_one != kept_batched) <= 2 / len(y)
    # The best pipeline is refitted on every text either way.
    np.testing.assert_allclose(
        batched.best_estimator_.predict_proba(X),
        one.best_estimator_.predict_proba(X),
        atol=1e-12,
    )
    assert batched.cv_results_["mean_fit_time"].min() > 0


def test_the_automatic_choice_follows_the_size_rule():
    X, y = _data(300, 2)
    small = _search(X, y, "auto", layers=2, folds=3, Cs=(1.0,))
    assert 2 * 3 < MIN_PROBLEMS
    assert small.probe_solver_["solver"] == "one-by-one"
    assert "6 linear probes" in small.probe_solver_["reason"]
    large = _search(X, y, "auto", layers=4, folds=3, Cs=(1.0,))
    assert 4 * 3 >= MIN_PROBLEMS
    assert large.probe_solver_ == {
        "solver": "batched",
        "reason": "12 linear probes of one shape: at least 9, where solving "
        "them together is faster on the CPU",
        "requested": "auto",
    }


@pytest.mark.parametrize(
    "probe, why",
    [
        (ProbeClassifier((4,), tol=1.0, random_state=0, device="cpu"), "MLP"),
        (LogisticRegression(), "not a ProbeClassifier"),
    ],
)
def test_what_batching_cannot_solve_is_fitted_one_by_one(probe, why):
    X, y = _data(200, 2)
    search = _search(X, y, "auto", layers=4, folds=3, Cs=(1.0,), probe=probe)
    assert search.probe_solver_["solver"] == "one-by-one"
    assert why in search.probe_solver_["reason"]
    with pytest.raises(ValueError, match="probe_solver='batched' cannot solve"):
        _search(X, y, "batched", layers=4, folds=3, Cs=(1.0,), probe=probe)


def test_the_environment_forces_the_solver(monkeypatch):
    X, y = _data(300, 2)
    monkeypatch.setenv(SOLVER_VARIABLE, "one-by-one")
    search = _search(X, y, "auto", layers=4, folds=3)
    assert search.probe_solver_ == {
        "solver": "one-by-one",
        "reason": "asked for",
        "requested": "one-by-one",
    }
    monkeypatch.setenv(SOLVER_VARIABLE, "batched")
    search = _search(X, y, "auto", layers=2, folds=2, Cs=(1.0,))
    assert search.probe_solver_["solver"] == "batched"
    monkeypatch.setenv(SOLVER_VARIABLE, "fast")
    with pytest.raises(ValueError, match="SKLEARN_PROBE_SOLVER"):
        _search(X, y, "auto", layers=2, folds=2, Cs=(1.0,))


def test_layer_sweep_records_the_solver(tiny_bert, texts, monkeypatch):
    labels = np.arange(len(texts)) % 2
    kwargs = dict(model=tiny_bert, cv=3, verbose=0, cache_dir=None)
    batched = layer_sweep(texts, labels, **kwargs)
    record = batched.settings["probe_solver"]
    assert record["solver"] == "batched"
    assert record["reason"].startswith(f"{len(batched.scores) * 3} linear probes")
    assert json.loads(json.dumps(batched.settings))["probe_solver"] == record
    monkeypatch.setenv(SOLVER_VARIABLE, "one-by-one")
    one = layer_sweep(texts, labels, **kwargs)
    assert one.settings["probe_solver"]["solver"] == "one-by-one"
    n_test = len(texts) // 3
    np.testing.assert_allclose(
        batched.scores["cv_score_mean"], one.scores["cv_score_mean"], atol=1 / n_test
    )
    assert batched.best_layer == one.best_layer or np.isclose(
        batched.scores["cv_score_mean"].max(), one.scores["cv_score_mean"].max()
    )
