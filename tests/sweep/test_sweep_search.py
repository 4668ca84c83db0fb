"""The sweep's search keeps each fold's predictions: the best candidate's
cross-validated predictions come from the search's own fits, equal to a refit
on every fold (``cross_val_predict``, the path they replace)."""

import numpy as np
import pytest
from sklearn.base import BaseEstimator, TransformerMixin, clone
from sklearn.model_selection import StratifiedKFold, cross_val_predict
from sklearn.pipeline import Pipeline

from sklearn_probe import ProbeClassifier, ProbeRegressor
from sklearn_probe.sweep import _diagnostics
from sklearn_probe.sweep._diagnostics import _best_predictions, _search_scoring
from sklearn_probe.sweep._search import _argmax_mean_score, _run_search


class LayerColumns(BaseEstimator, TransformerMixin):
    """Stands in for the hidden step: ``layer`` picks a block of columns."""

    def __init__(self, layer=0, width=4):
        self.layer = layer
        self.width = width

    def fit(self, X, y=None):
        return self

    def transform(self, X):
        start = self.layer * self.width
        return np.asarray(X)[:, start : start + self.width]


class Inputs:
    """What ``_best_predictions`` reads of the sweep's inputs."""

    def __init__(self, texts, y, splits, n_splits):
        self.texts, self.y, self.splits, self.n_splits = texts, y, splits, n_splits


def _data(task, n=90, layers=3, width=4):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(n, layers * width))
    signal = X[:, width] + 0.5 * X[:, 2 * width]  # layers 1 and 2 carry it
    if task == "regression":
        return X, signal + 0.3 * rng.normal(size=n)
    y = np.digitize(signal + 0.5 * rng.normal(size=n), [-0.5, 0.5])
    return X, np.array(["low", "mid", "high"])[y]


def _search(X, y, task, probe, splits, n_jobs, keep=True):
    pipe = Pipeline([("hidden", LayerColumns()), ("probe", probe)])
    grid = [{"hidden__layer": [layer]} for layer in range(3)]
    search, _ = _run_search(
        pipe,
        grid,
        X,
        y,
        refit=_argmax_mean_score,
        return_train_score=True,
        scoring=_search_scoring(pipe, None, task),
        cv=splits,
        n_jobs=n_jobs,
        keep_predictions=keep,
    )
    return pipe, search


@pytest.mark.parametrize("n_jobs", [1, 2])
@pytest.mark.parametrize(
    "task, probe",
    [
        ("classification", ProbeClassifier(random_state=0, device="cpu")),
        ("classification", ProbeClassifier((8,), random_state=0, device="cpu")),
        ("regression", ProbeRegressor(device="cpu")),
    ],
)
def test_kept_predictions_equal_a_refit_on_every_fold(task, probe, n_jobs):
    X, y = _data(task)
    splitter = StratifiedKFold(3, shuffle=True, random_state=0)
    splits = list(splitter.split(X, y if task != "regression" else y > 0))
    pipe, search = _search(X, y, task, probe, splits, n_jobs)
    kept = search.best_cv_predictions(len(splits))
    refit = cross_val_predict(
        clone(pipe).set_params(**search.best_params_), X, y, cv=splits
    )
    assert kept is not None
    assert kept.dtype == refit.dtype
    np.testing.assert_array_equal(kept, refit)
    # The carrier of the predictions leaves no trace in the results.
    assert not any("fold_predictions" in key for key in search.cv_results_)
    assert list(search.scorer_) == ["score", "constant_predictions"]


def test_the_sweep_asks_the_search_not_a_refit(monkeypatch):
    X, y = _data("classification")
    splits = list(StratifiedKFold(3, shuffle=True, random_state=0).split(X, y))
    probe = ProbeClassifier(random_state=0, device="cpu")
    pipe, search = _search(X, y, "classification", probe, splits, 1)
    inputs = Inputs(X, y, splits, 3)
    expected = _best_predictions(pipe, search.best_params_, inputs)  # refits

    def refuse(*args, **kwargs):
        raise AssertionError("the best candidate was refitted on every fold")

    monkeypatch.setattr(_diagnostics, "cross_val_predict", refuse)
    kept = _best_predictions(pipe, search.best_params_, inputs, search)
    np.testing.assert_array_equal(kept, expected)


def test_without_keep_predictions_nothing_is_kept():
    X, y = _data("classification")
    splits = list(StratifiedKFold(3, shuffle=True, random_state=0).split(X, y))
    probe = ProbeClassifier(random_state=0, device="cpu")
    _, search = _search(X, y, "classification", probe, splits, 1, keep=False)
    assert search.best_cv_predictions(3) is None
