"""The grid search of a layer sweep: its candidates, the search, its scores.

``_candidates`` lists the candidates (every layer for every setting of the other
swept parameters) and the rows that show them; ``_SweepSearchCV`` evaluates them
on fixed folds (one at a time with a progress bar in one process, all at once in
parallel); ``_scores_frame`` turns its
``cv_results_`` into the scores DataFrame of
:class:`~sklearn_probe.sweep.LayerSweepResult`. ``_single_torch_thread`` keeps
torch to one CPU thread while the probes train. The sweep itself and its
baselines (:mod:`sklearn_probe._sweep_baselines`) run these searches.
"""

import contextlib
import itertools
import logging
import time

import numpy as np
import pandas as pd
from joblib import Parallel, delayed, effective_n_jobs
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV

from .._names import CV, TRAIN, describe_probe

logger = logging.getLogger(__name__)


class _SweepSearchCV(GridSearchCV):
    """GridSearchCV over an explicit list of candidates, with a progress bar
    over candidates.

    In one process (``n_jobs`` 1 or None, no parallel backend) the candidates
    are evaluated one at a time, so the bar moves with each; in parallel every
    candidate x fold fit is handed to joblib at once, so that every worker has
    work. The folds are fixed (a list of splits), so both give exactly the same
    results. Under a distributed joblib backend (Dask, Ray) the refit of the
    best candidate runs on a worker too.
    """

    def __init__(
        self,
        estimator,
        param_grid,
        *,
        scoring=None,
        n_jobs=None,
        refit=True,
        cv=None,
        verbose=0,
        pre_dispatch="2*n_jobs",
        error_score=np.nan,
        return_train_score=False,
        verbose_bar=0,
        desc="layer sweep",
    ):
        super().__init__(
            estimator,
            param_grid,
            scoring=scoring,
            n_jobs=n_jobs,
            refit=refit,
            cv=cv,
            verbose=verbose,
            pre_dispatch=pre_dispatch,
            error_score=error_score,
            return_train_score=return_train_score,
        )
        self.verbose_bar = verbose_bar
        self.desc = desc

    def fit(self, X, y=None, **params):
        from ..distributed._backends import active_backend

        refit = self.refit
        if not callable(refit) or active_backend() is None:
            return super().fit(X, y, **params)
        self.refit = False
        try:
            super().fit(X, y, **params)
        finally:
            self.refit = refit
        self.best_index_ = refit(self.cv_results_)
        self.best_params_ = self.cv_results_["params"][self.best_index_]
        best = clone(self.estimator).set_params(**clone(self.best_params_, safe=False))
        start = time.perf_counter()
        (self.best_estimator_,) = Parallel(n_jobs=-1)([delayed(_fit)(best, X, y)])
        self.refit_time_ = time.perf_counter() - start
        return self

    def _run_search(self, evaluate_candidates, **kwargs):
        from sklearn.model_selection import ParameterGrid
        from tqdm.auto import tqdm

        candidates = list(ParameterGrid(self.param_grid))
        if effective_n_jobs(self.n_jobs) != 1:
            # All at once: every candidate x fold is a task in flight.
            results = evaluate_candidates(candidates)
            for params, score in zip(
                candidates, results["mean_test_score"], strict=True
            ):
                logger.debug("%s: mean CV score %.4f", params, score)
            return
        with tqdm(
            total=len(candidates),
            desc=self.desc,
            unit="candidate",
            disable=None if self.verbose_bar else True,
            leave=False,
        ) as bar:
            for params in candidates:
                results = evaluate_candidates([params])
                score = results["mean_test_score"][-1]
                bar.set_postfix_str(
                    f"layer {params['hidden__layer']}: {score:.3f}", refresh=False
                )
                bar.update(1)
                logger.debug("%s: mean CV score %.4f", params, score)


def _fit(estimator, X, y):
    """``estimator`` fitted: the refit, as a task of the joblib backend."""
    return estimator.fit(X, y)


@contextlib.contextmanager
def _single_torch_thread():
    """One torch CPU thread while the probes train, then the caller's setting.

    The vectors are cached by then, and a probe's small matrix products gain
    nothing from intra-op threads; on a busy 2-core machine two OpenMP threads
    made a linear probe's fit 40x slower (6 s instead of 0.15 s). Parallel fits
    are what ``n_jobs`` is for.
    """
    import sys

    torch = sys.modules.get("torch")
    if torch is None:
        yield
        return
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(before)


def _run_search(estimator, grid, texts, y, *, refit, return_train_score, **kwargs):
    """Fit a :class:`_SweepSearchCV` over ``grid`` on one torch thread.

    The main search and every baseline search share ``scoring``, ``cv``,
    ``n_jobs`` and ``verbose_bar`` (passed in ``kwargs``) and raise on a failed
    fit. Returns the fitted search and the seconds it took.
    """
    search = _SweepSearchCV(
        estimator,
        grid,
        refit=refit,
        error_score="raise",
        return_train_score=return_train_score,
        **kwargs,
    )
    start = time.perf_counter()
    with _single_torch_thread():
        search.fit(texts, y)
    return search, time.perf_counter() - start


def _argmax_mean_score(cv_results):
    """Index of the best candidate: argmax of the mean CV score (first of ties)."""
    return int(np.argmax(cv_results["mean_test_score"]))


def _candidates(layers, poolings, probes, extra_grid, pooling="pooling"):
    """Candidates in display order, and what each row shows.

    For every setting of the other parameters, every layer in increasing order.
    ``pooling`` is the ``hidden`` step's parameter that ``poolings`` set.
    """
    others = []  # (pipeline parameter, column name, values)
    if len(poolings) > 1:
        others.append((f"hidden__{pooling}", pooling, poolings))
    if len(probes) > 1:
        others.append(("probe", "probe", probes))
    for key, values in extra_grid.items():
        column = (
            key.split("__", 1)[1] if key.startswith(("probe__", "hidden__")) else key
        )
        others.append((key, column, values))

    fixed = {}
    if len(poolings) == 1:
        fixed[f"hidden__{pooling}"] = poolings[0]
    if len(probes) == 1:
        fixed["probe"] = probes[0]

    candidates, rows = [], []
    for combo in itertools.product(*(values for _, _, values in others)):
        for layer in layers:
            params = {"hidden__layer": layer, **fixed}
            row = {"layer": layer}
            for (key, column, _), value in zip(others, combo, strict=True):
                params[key] = value
                row[column] = describe_probe(value) if key == "probe" else value
            candidates.append({k: [v] for k, v in params.items()})
            rows.append(row)
    return candidates, rows


def _scores_frame(cv_results, rows, n_splits):
    frame = pd.DataFrame(rows)
    param_columns = [c for c in frame.columns if c != "layer"]
    frame[f"{CV}_mean"] = cv_results["mean_test_score"]
    frame[f"{CV}_std"] = cv_results["std_test_score"]
    frame[f"{TRAIN}_mean"] = cv_results["mean_train_score"]
    frame[f"{TRAIN}_std"] = cv_results["std_train_score"]
    frame["fit_time_mean"] = cv_results["mean_fit_time"]
    frame["score_time_mean"] = cv_results["mean_score_time"]
    frame["rank"] = np.asarray(cv_results["rank_test_score"], dtype=int)
    for k in range(n_splits):
        frame[f"{CV}_fold{k}"] = cv_results[f"split{k}_test_score"]
    return frame, param_columns
