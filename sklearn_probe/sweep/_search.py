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
from sklearn.metrics import make_scorer
from sklearn.model_selection import GridSearchCV

from ..utils._names import CV, TRAIN, describe_probe
from ._batched_search import batched_fit, choose_probe_solver

logger = logging.getLogger(__name__)

#: The entry of a multi-metric scoring that carries each fold's predictions.
PREDICTIONS = "_fold_predictions"


class _FoldPredictions(float):
    """A score of 0 that carries one fold's predictions out of the scoring.

    A scorer must return a number, and the search hands back only what its
    scorers return (from joblib workers too, pickled); this number holds the
    predictions of the fold it was computed on, which
    :meth:`_SweepSearchCV._format_results` takes out before the scores are
    tabulated.
    """

    def __new__(cls, predictions):
        self = super().__new__(cls, 0.0)
        self.predictions = predictions
        return self

    def __mul__(self, other):
        # make_scorer multiplies the score by its sign (1): keep the carrier.
        return self if other == 1 else float(self) * other

    __rmul__ = __mul__

    def __reduce__(self):
        return (type(self), (self.predictions,))


def _fold_predictions(y_true, y_pred):
    """The predictions of a fold, as a score (see :class:`_FoldPredictions`)."""
    return _FoldPredictions(np.asarray(y_pred))


class _SweepSearchCV(GridSearchCV):
    """GridSearchCV over an explicit list of candidates, with a progress bar
    over candidates.

    In one process (``n_jobs`` 1 or None, no parallel backend) the candidates
    are evaluated one at a time, so the bar moves with each; in parallel every
    candidate x fold fit is handed to joblib at once, so that every worker has
    work. The folds are fixed (a list of splits), so both give exactly the same
    results. Under a distributed joblib backend (Dask, Ray) the refit of the
    best candidate runs on a worker too.

    With ``keep_predictions`` (a multi-metric ``scoring`` dict and ``cv`` a
    list of splits), the predictions of every candidate on the held-out texts
    of every fold are kept as the search computes them (from the
    ``"predict"`` call its scorers share), and those of the best candidate
    are returned by :meth:`best_cv_predictions`.

    ``probe_solver`` (``"auto"``, ``"batched"`` or ``"one-by-one"``) says
    whether the linear probes of every candidate x fold are solved at once
    (:mod:`._batched_search`); ``probe_solver_`` records the choice and why.
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
        keep_predictions=False,
        probe_solver="auto",
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
        self.keep_predictions = keep_predictions
        self.probe_solver = probe_solver

    def fit(self, X, y=None, **params):
        self._kept = {}
        scoring = self.scoring
        keep = (
            self.keep_predictions
            and isinstance(scoring, dict)
            and isinstance(self.cv, list | tuple)
        )
        if keep:
            recorder = make_scorer(_fold_predictions, response_method="predict")
            self.scoring = {**scoring, PREDICTIONS: recorder}
        try:
            choice = choose_probe_solver(self, X, y, params)
            self.probe_solver_ = choice.record()
            if choice.plan is None:
                self._fit(X, y, **params)
            else:
                batched_fit(self, X, y, choice.plan)
        finally:
            self.scoring = scoring
        if keep:
            self.scorer_.pop(PREDICTIONS, None)
            best = getattr(self, "best_index_", None)
            self._kept = {k: v for k, v in self._kept.items() if k[0] == best}
        return self

    def _format_results(self, candidate_params, n_splits, out, more_results=None):
        """Take the kept predictions out of the scores, then tabulate them."""
        for i, result in enumerate(out):
            for key in ("test_scores", "train_scores"):
                scores = result.get(key)
                # One metric gives floats: nothing was kept with them.
                carrier = (
                    scores.pop(PREDICTIONS, None) if isinstance(scores, dict) else None
                )
                if key == "test_scores" and carrier is not None:
                    predictions = getattr(carrier, "predictions", None)
                    if predictions is not None:
                        self._kept[divmod(i, n_splits)] = predictions
        return super()._format_results(candidate_params, n_splits, out, more_results)

    def best_cv_predictions(self, n_splits):
        """The best candidate's predictions on the held-out texts of the first
        ``n_splits`` folds, in the order of the texts (as
        ``cross_val_predict``), or None when they were not kept."""
        best = getattr(self, "best_index_", None)
        kept = getattr(self, "_kept", {})
        if best is None or any((best, k) not in kept for k in range(n_splits)):
            return None
        tests = np.concatenate([test for _, test in self.cv[:n_splits]])
        predictions = np.concatenate([kept[best, k] for k in range(n_splits)])
        order = np.empty(len(tests), dtype=np.intp)
        order[tests] = np.arange(len(tests))
        return predictions[order]

    def _fit(self, X, y=None, **params):
        from ..distributed import active_backend

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
    ``n_jobs`` and ``verbose_bar`` (passed in ``kwargs``, with
    ``keep_predictions``) and raise on a failed fit. Returns the fitted search
    and the seconds it took.
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
