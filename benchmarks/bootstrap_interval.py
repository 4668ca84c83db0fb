"""What the held-out test's bootstrap interval costs: ``bootstrap_score`` on a
test set the size of the default sweep's (200 rows, two classes).

    python benchmarks/bootstrap_interval.py [--n-test 200] [--repeats 3]

A logistic regression fitted on synthetic features stands in for the best
pipeline (its outputs are computed once either way); each scoring is timed
with the sweep's settings (1,000 stratified draws), best of ``--repeats``, and
also with ``r2`` on a regression (unstratified). Nothing is asserted.
"""

import argparse
import functools
import time

from sklearn.datasets import make_classification, make_regression
from sklearn.linear_model import LogisticRegression, Ridge

from sklearn_probe.metrics import bootstrap_score

SCORINGS = ("accuracy", "roc_auc", "recall_at_1pct_fpr", "f1", "balanced_accuracy")


def best_of(repeats, function):
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - start)
    return min(times), result


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-test", type=int, default=200)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    n = args.n_test
    X, y = make_classification(n + 800, n_informative=5, flip_y=0.2, random_state=0)
    model = LogisticRegression().fit(X[n:], y[n:])
    cases = [(name, model, X[:n], y[:n], name, True) for name in SCORINGS]
    Xr, yr = make_regression(n + 800, n_features=10, noise=20, random_state=0)
    ridge = Ridge().fit(Xr[n:], yr[n:])
    cases.append(("r2 (regression)", ridge, Xr[:n], yr[:n], "r2", False))
    print(f"bootstrap_score, {n} test rows, 1000 draws, best of {args.repeats}")
    for label, estimator, X_test, y_test, scoring, stratify in cases:
        seconds, ci = best_of(
            args.repeats,
            functools.partial(
                bootstrap_score,
                estimator,
                X_test,
                y_test,
                scoring=scoring,
                stratify=stratify,
            ),
        )
        print(
            f"  {label:<20} {seconds:7.3f} s   score {ci['score']:.6f} "
            f"[{ci['low']:.6f}, {ci['high']:.6f}]"
        )


if __name__ == "__main__":
    main()
