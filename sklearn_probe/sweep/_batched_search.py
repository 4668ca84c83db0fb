"""The search's linear probes solved all at once (``probe_solver="batched"``).

A layer sweep with the default linear :class:`~sklearn_probe.ProbeClassifier`
fits one convex problem per layer x fold x ``C``. :func:`choose_probe_solver`
decides whether :class:`~._search._SweepSearchCV` solves them together
(:func:`~sklearn_probe.probe._batched.solve_logistic`) or fits them one by
one as ``GridSearchCV`` does, and says why; :func:`batched_fit` then fills
the search exactly as its ``fit`` would: ``cv_results_`` (the same scores,
from the same scorers, on the same folds), the kept predictions, the best
index and the best pipeline refitted on every text.

The choice (``SKLEARN_PROBE_SOLVER`` or the search's ``probe_solver``:
``"auto"``, ``"batched"`` or ``"one-by-one"``):

- batched only where the two give the same fits: every candidate's probe is
  the same linear ``ProbeClassifier`` but for ``C`` (finite), the grid sets
  nothing else but the ``hidden`` step, the folds are a fixed list, every
  class is in every training fold, the scorers are scikit-learn scorers
  (they are given the probe and its vectors instead of the pipeline and
  the texts: the same predictions), and no distributed backend is active;
- ``"auto"`` then picks batched when the problems are many enough for one
  shared product to beat their separate solves (:data:`MIN_PROBLEMS`, or
  on a GPU, always); measured with ``benchmarks/batched_probes.py``.
"""

import os
import time
from dataclasses import dataclass, field

import numpy as np
from sklearn.base import clone
from sklearn.model_selection import ParameterGrid
from sklearn.pipeline import Pipeline

#: The environment variable that forces the solver of every sweep.
SOLVER_VARIABLE = "SKLEARN_PROBE_SOLVER"
SOLVERS = ("auto", "batched", "one-by-one")

#: ``"auto"`` on the CPU: batched from this many problems (layers x folds x
#: C) on. Measured with ``benchmarks/batched_probes.py`` (see the benchmarks
#: page): 9 problems (3 layers x 3 folds) took 0.78-0.81 of the one-by-one
#: time on 200 and 1,000 rows of 384 features, 4 problems 0.89-1.23.
MIN_PROBLEMS = 9

#: At most this many bytes of float32 rows per batched solve: the layers are
#: solved in groups that fit.
GROUP_BYTES = 512 * 2**20


@dataclass
class SolverChoice:
    """The solver a search uses, why, and (batched) what to solve."""

    solver: str
    reason: str
    requested: str = "auto"
    plan: dict = field(default=None, repr=False)

    def record(self):
        """What ``result.settings["probe_solver"]`` keeps."""
        return {
            "solver": self.solver,
            "reason": self.reason,
            "requested": self.requested,
        }


def requested_solver(solver):
    """``solver``, or where it is ``"auto"`` the environment's choice."""
    if solver == "auto":
        solver = os.environ.get(SOLVER_VARIABLE, "auto") or "auto"
    if solver not in SOLVERS:
        raise ValueError(
            f"The probe solver must be one of {SOLVERS} (the search's "
            f"probe_solver or the environment variable {SOLVER_VARIABLE}); got "
            f"{solver!r}."
        )
    return solver


def choose_probe_solver(search, X, y, fit_params):
    """The :class:`SolverChoice` of ``search`` (a ``_SweepSearchCV``) on
    ``X``, ``y``: one-by-one wherever batching would not give the same fits,
    else by the size rule (``"auto"``) or as forced."""
    requested = requested_solver(search.probe_solver)
    if requested == "one-by-one":
        return SolverChoice("one-by-one", "asked for", requested)
    plan, why_not = _plan(search, X, y, fit_params)
    if plan is None:
        if requested == "batched":
            raise ValueError(
                f"probe_solver='batched' cannot solve this search: {why_not}. "
                "Use 'auto' or 'one-by-one'."
            )
        return SolverChoice("one-by-one", why_not, requested)
    n_problems = plan["n_problems"]
    if requested == "batched":
        return SolverChoice("batched", "asked for", requested, plan)
    if plan["device"] != "cpu":
        return SolverChoice(
            "batched",
            f"{n_problems} linear probes on {plan['device']}",
            requested,
            plan,
        )
    if n_problems < MIN_PROBLEMS:
        return SolverChoice(
            "one-by-one",
            f"{n_problems} linear probes: fewer than {MIN_PROBLEMS}, where one by "
            "one is faster on the CPU",
            requested,
        )
    return SolverChoice(
        "batched",
        f"{n_problems} linear probes of one shape: at least {MIN_PROBLEMS}, where "
        "solving them together is faster on the CPU",
        requested,
        plan,
    )


def _plan(search, X, y, fit_params):
    """What a batched solve needs (the hidden settings, the ``C`` values, the
    probe, the classes), or None and why it cannot stand in for the fits."""
    from ..utils._devices import resolve_device

    why_not = _search_blocks(search, fit_params)
    if why_not is not None:
        return None, why_not
    candidates = list(ParameterGrid(search.param_grid))
    grid, why_not = _linear_grid(search.estimator, candidates)
    if grid is None:
        return None, why_not
    hidden_settings, Cs, probe = grid
    y = np.asarray(y)
    classes = np.unique(y)
    for train, _ in search.cv:
        if len(np.unique(y[np.asarray(train)])) != len(classes):
            return None, "a training fold lacks a class"
    device = str(resolve_device(probe.device))
    plan = {
        "candidates": candidates,
        "hidden_settings": hidden_settings,
        "Cs": Cs,
        "probe": probe,
        "classes": classes,
        "n_problems": len(hidden_settings) * len(search.cv) * len(Cs),
        # The linear probe's own solve runs on the CPU unless CUDA is there.
        "device": device if device.startswith("cuda") else "cpu",
    }
    return plan, None


def _search_blocks(search, fit_params):
    """Why the search as a whole cannot be batched, or None."""
    from sklearn.metrics._scorer import (
        _BaseScorer,
        _MultimetricScorer,
        _PassthroughScorer,
    )

    from ..distributed import active_backend

    steps = getattr(search.estimator, "named_steps", None)
    if not isinstance(search.estimator, Pipeline) or list(steps) != [
        "hidden",
        "probe",
    ]:
        return "the searched estimator is not a (hidden, probe) pipeline"
    if fit_params:
        return "fit parameters are passed"
    if active_backend() is not None:
        return "a distributed joblib backend runs the fits"
    if not isinstance(search.cv, list | tuple):
        return "the folds are not a fixed list"
    scorers, _ = search._get_scorers()
    inner = (
        scorers._scorers if isinstance(scorers, _MultimetricScorer) else {0: scorers}
    )
    # Both call the estimator's own methods: the probe on its vectors answers
    # as the pipeline on the texts.
    known = (_BaseScorer, _PassthroughScorer)
    if not all(isinstance(s, known) for s in inner.values()):
        return "a scoring callable may need the pipeline and its texts"
    return None


def _linear_grid(estimator, candidates):
    """The candidates' distinct hidden settings, ``C`` values and their common
    linear ``ProbeClassifier``; or None and why they are not that."""
    from ..probe import ProbeClassifier

    hidden_settings, Cs, template = [], [], None
    for params in candidates:
        others = [k for k in params if k != "probe" and not k.startswith(_PREFIXES)]
        probe_params = {k[7:]: v for k, v in params.items() if k.startswith("probe__")}
        if others or set(probe_params) - {"C"}:
            return None, "the grid sets more than the hidden step and the probe's C"
        probe = params.get("probe", estimator.named_steps["probe"])
        if type(probe) is not ProbeClassifier:
            return None, "the probe is not a ProbeClassifier"
        probe = clone(probe).set_params(**probe_params)
        if probe._hidden_sizes():
            return None, "the probe is an MLP"
        if not np.isfinite(probe.C):
            return None, "C is infinite (no penalty)"
        settings = probe.get_params()
        settings.pop("C")
        if template is None:
            template = (probe, settings)
        elif repr(settings) != repr(template[1]):
            return None, "the probes differ in more than C"
        hidden = {k: v for k, v in params.items() if k.startswith("hidden__")}
        if hidden not in hidden_settings:
            hidden_settings.append(hidden)
        if probe.C not in Cs:
            Cs.append(probe.C)
    return (hidden_settings, Cs, template[0]), None


_PREFIXES = ("hidden__", "probe__")


def _vectors(estimator, hidden_params, X, y):
    """The ``hidden`` step's vectors of every text under ``hidden_params``
    (cached by then: no forward pass), in float32 as the probe reads them."""
    hidden = clone(estimator.named_steps["hidden"]).set_params(
        **{k[len("hidden__") :]: v for k, v in hidden_params.items()}
    )
    vectors = np.asarray(hidden.fit(X, y).transform(X), dtype=np.float32)
    if len(vectors) != len(y):
        raise ValueError(
            f"The hidden step gave {len(vectors)} rows for {len(y)} samples."
        )
    return vectors


def _solve(plan, vectors, y_encoded, splits):
    """Every problem's solution (see ``solve_logistic``), the layers in
    groups of at most :data:`GROUP_BYTES`; and the folds' standardisation."""
    from ..probe import fold_standardization, solve_logistic

    probe = plan["probe"]
    n, d = vectors[0].shape
    masks = np.zeros((len(splits), n), dtype=bool)
    for k, (train, _) in enumerate(splits):
        masks[k, train] = True
    if probe.standardize:
        stats = [fold_standardization(V, masks) for V in vectors]
        mean = np.array([m for m, _ in stats])
        scale = np.array([s for _, s in stats])
    else:
        mean = np.zeros((len(vectors), len(splits), d))
        scale = np.ones((len(vectors), len(splits), d))
    per_group = max(1, GROUP_BYTES // (4 * n * d))
    parts = []
    for start in range(0, len(vectors), per_group):
        group = slice(start, start + per_group)
        parts.append(
            solve_logistic(
                np.stack(vectors[group]),
                y_encoded,
                masks,
                plan["Cs"],
                mean=mean[group],
                scale=scale[group],
                gtol=probe.tol / 10,
                max_iter=probe.max_epochs,
                device=plan["device"],
            )
        )
    coef, intercept, n_iter, converged = (
        np.concatenate([p[i] for p in parts]) for i in range(4)
    )
    return coef, intercept, n_iter, converged, mean, scale


def batched_fit(search, X, y, plan):
    """Fill ``search`` as ``GridSearchCV.fit`` would, with every probe of the
    plan solved at once.

    A problem that the batched solve leaves unconverged is fitted on its own
    (the probe's own fit, with its ``ConvergenceWarning``). Each fit's
    ``fit_time`` is its share of the solve.
    """
    from sklearn.model_selection._validation import _score

    from ..probe import fitted_probe

    scorers, refit_metric = search._get_scorers()
    splits = [(np.asarray(tr), np.asarray(te)) for tr, te in search.cv]
    y = np.asarray(y)
    y_encoded = np.searchsorted(plan["classes"], y)
    start = time.perf_counter()
    vectors = [_vectors(search.estimator, h, X, y) for h in plan["hidden_settings"]]
    coef, intercept, n_iter, converged, mean, scale = _solve(
        plan, vectors, y_encoded, splits
    )
    fit_time = (time.perf_counter() - start) / plan["n_problems"]
    out = []
    for params in plan["candidates"]:
        hidden = {k: v for k, v in params.items() if k.startswith("hidden__")}
        h = plan["hidden_settings"].index(hidden)
        template = clone(plan["probe"])
        if "probe__C" in params:
            template.set_params(C=params["probe__C"])
        c = plan["Cs"].index(template.C)
        V = vectors[h]
        for k, (train, test) in enumerate(splits):
            started = time.perf_counter()
            probe = clone(template)
            if converged[h, k, c]:
                fitted_probe(
                    probe,
                    V[train],
                    y[train],
                    coef[h, k, c],
                    intercept[h, k, c],
                    mean[h, k],
                    scale[h, k],
                    n_iter[h, k, c],
                )
                seconds = fit_time
            else:
                probe.fit(V[train], y[train])
                seconds = fit_time + time.perf_counter() - started
            started = time.perf_counter()
            result = {
                "fit_error": None,
                "test_scores": _score(probe, V[test], y[test], scorers, None),
                "n_test_samples": len(test),
                "fit_time": seconds,
            }
            if search.return_train_score:
                result["train_scores"] = _score(
                    probe, V[train], y[train], scorers, None
                )
            result["score_time"] = time.perf_counter() - started
            out.append(result)
    _finish(search, X, y, plan["candidates"], out, scorers, refit_metric)
    return search


def _finish(search, X, y, candidates, out, scorers, refit_metric):
    """The end of ``BaseSearchCV.fit``: results, best index, refit, scorer."""
    from sklearn.metrics._scorer import _MultimetricScorer

    search.n_splits_ = len(search.cv)
    results = search._format_results(candidates, search.n_splits_, out)
    search.multimetric_ = isinstance(out[0]["test_scores"], dict)
    if search.refit or not search.multimetric_:
        search.best_index_ = search._select_best_index(
            search.refit, refit_metric, results
        )
        if not callable(search.refit):
            search.best_score_ = results[f"mean_test_{refit_metric}"][
                search.best_index_
            ]
        search.best_params_ = results["params"][search.best_index_]
    if search.refit:
        best = clone(search.estimator).set_params(
            **clone(search.best_params_, safe=False)
        )
        start = time.perf_counter()
        search.best_estimator_ = best.fit(X, y)
        search.refit_time_ = time.perf_counter() - start
    search.scorer_ = (
        scorers._scorers if isinstance(scorers, _MultimetricScorer) else scorers
    )
    search.cv_results_ = results
