"""All linear probes of a sweep solved at once against one by one.

A 7-layer x 5-fold sweep (x ``--Cs``) of the default linear
``ProbeClassifier`` on vectors of a given shape (random, correlated features
that are not standardised, as hidden states are; every layer its own), run
by the sweep's own search (``_SweepSearchCV``) with a hidden step that only
picks a layer's columns, so the time is the fits and their scoring:
``probe_solver="one-by-one"`` (GridSearchCV's fits) against
``"batched"`` (``sklearn_probe.probe._batched.solve_logistic``). The two
alternate, the best of ``--repeats`` is kept; the largest difference of
their mean CV scores and of their best candidate's held-out probabilities
is printed beside the ratio.

    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/batched_probes.py
    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/batched_probes.py \
        --shapes 1000x384x2 --layers 2 --folds 2   # the size rule's small end

``--device cuda`` solves the batch on the GPU (the one-by-one fits stay on
the CPU, as the linear probe's own fit does).
"""

import argparse
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from sklearn.base import BaseEstimator, TransformerMixin  # noqa: E402


class LayerColumns(BaseEstimator, TransformerMixin):
    """The hidden step of the benchmark: ``layer`` picks a block of columns."""

    def __init__(self, layer=0, width=384):
        self.layer = layer
        self.width = width

    def fit(self, X, y=None):
        return self

    def transform(self, X):
        start = self.layer * self.width
        return X[:, start : start + self.width]


def vectors(n, d, k, layers, seed=0):
    """``layers`` blocks of ``n`` x ``d`` float32 features side by side, and
    ``k`` classes from noisy linear scores of the first block."""
    rng = np.random.default_rng(seed)
    blocks = []
    for _ in range(layers):
        mixing = rng.normal(size=(d, d)) / np.sqrt(d)
        X = rng.normal(size=(n, d)) @ mixing * rng.uniform(0.2, 3, size=d) + 0.5
        blocks.append(X.astype(np.float32))
    scores = blocks[0] @ rng.normal(size=(d, k)) / np.sqrt(d)
    y = np.argmax(scores + rng.gumbel(size=(n, k)), axis=1)
    return np.hstack(blocks), y


def search(X, y, d, layers, splits, Cs, solver, device):
    from sklearn.pipeline import Pipeline

    from sklearn_probe import ProbeClassifier
    from sklearn_probe.sweep._diagnostics import _search_scoring
    from sklearn_probe.sweep._search import _argmax_mean_score, _run_search

    pipe = Pipeline(
        [
            ("hidden", LayerColumns(width=d)),
            ("probe", ProbeClassifier(random_state=0, device=device)),
        ]
    )
    grid = [{"hidden__layer": [layer], "probe__C": [C]} for C in Cs for layer in range(layers)]
    fitted, seconds = _run_search(
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
    return fitted, seconds - fitted.refit_time_


def main(argv=None):
    from sklearn.model_selection import StratifiedKFold

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--shapes", nargs="+", default=["1000x384x2", "1000x384x7", "5000x768x2", "5000x768x7"])
    parser.add_argument("--layers", type=int, default=7)
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--Cs", type=float, nargs="+", default=[1.0])
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--device", default="cpu")
    args = parser.parse_args(argv)
    print(
        f"{args.layers} layers x {args.folds} folds x {len(args.Cs)} C; wall seconds "
        f"of the search's fits and scoring, best of {args.repeats}"
    )
    for shape in args.shapes:
        n, d, k = (int(v) for v in shape.split("x"))
        X, y = vectors(n, d, k, args.layers)
        splits = list(StratifiedKFold(args.folds, shuffle=True, random_state=0).split(X, y))
        times = {"one-by-one": [], "batched": []}
        fitted = {}
        for _ in range(args.repeats):
            for solver in times:
                device = args.device if solver == "batched" else "cpu"
                fitted[solver], seconds = search(
                    X, y, d, args.layers, splits, args.Cs, solver, device
                )
                times[solver].append(seconds)
        one, batched = fitted["one-by-one"], fitted["batched"]
        score_gap = np.abs(
            one.cv_results_["mean_test_score"] - batched.cv_results_["mean_test_score"]
        ).max()
        same_best = one.best_index_ == batched.best_index_
        differ = int(
            np.sum(one.best_cv_predictions(args.folds) != batched.best_cv_predictions(args.folds))
        )
        b, o = min(times["batched"]), min(times["one-by-one"])
        print(
            f"{n} x {d}, {k} classes: one-by-one {o:.2f} s, batched {b:.2f} s: "
            f"RATIO batched/one-by-one {b / o:.2f}; max |d mean CV score| "
            f"{score_gap:.4f}; same best candidate: {same_best}; its CV "
            f"predictions differ on {differ} of {n}"
        )


if __name__ == "__main__":
    main()
