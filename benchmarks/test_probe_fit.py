"""Benchmark 5: ProbeClassifier vs LogisticRegression on the same features, by layer.

One extraction of every layer of ``BENCH_N`` texts, an 80/20 stratified split,
then per layer: fit time and test accuracy of LogisticRegression and of
ProbeClassifier (its defaults), the latter with torch's default thread count
and with one torch thread (small probes are dominated by per-step overhead,
where a second OpenMP thread costs more than it gives on a busy 2-core
machine).
"""

import time

import numpy as np
from _bench import MODEL, bench_n, make_corpus, report


def _fit(make, X_train, y_train, X_test, y_test):
    start = time.perf_counter()
    est = make().fit(X_train, y_train)
    seconds = time.perf_counter() - start
    return seconds, float(est.score(X_test, y_test))


def test_probe_vs_logistic_regression(benchmark):
    import torch
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import train_test_split

    from sklearn_probe import HiddenStateTransformer, ProbeClassifier

    n = bench_n()
    texts, labels = make_corpus(n)
    hidden = HiddenStateTransformer(MODEL, layer="all", device="cpu")
    X = hidden.fit_transform(texts).reshape(n, hidden.n_layers_, -1)
    train, test = train_test_split(
        np.arange(n), test_size=0.2, stratify=labels, random_state=0
    )
    makers = {
        "logreg": lambda: LogisticRegression(max_iter=1000),
        "probe": lambda: ProbeClassifier(random_state=0, device="cpu"),
    }
    rows = []
    default_threads = torch.get_num_threads()

    def run():
        for layer in range(hidden.n_layers_):
            Xl = X[:, layer]
            args = (Xl[train], labels[train], Xl[test], labels[test])
            row = {name: _fit(make, *args) for name, make in makers.items()}
            torch.set_num_threads(1)
            try:
                row["probe_1thread"] = _fit(makers["probe"], *args)
            finally:
                torch.set_num_threads(default_threads)
            rows.append((layer, row))

    benchmark.pedantic(run, rounds=1, iterations=1)
    lines = [
        f"{n} texts, train {len(train)} / test {len(test)}; times in s",
        f"{'layer':>5} {'logreg s':>9} {'acc':>6} {'probe s':>8} {'acc':>6} "
        f"{'probe 1-thr s':>13} {'acc':>6} {'RATIO probe/logreg':>18}",
    ]
    for layer, r in rows:
        lines.append(
            f"{layer:>5} {r['logreg'][0]:9.3f} {r['logreg'][1]:6.3f} "
            f"{r['probe'][0]:8.2f} {r['probe'][1]:6.3f} "
            f"{r['probe_1thread'][0]:13.2f} {r['probe_1thread'][1]:6.3f} "
            f"{r['probe'][0] / r['logreg'][0]:18.0f}"
        )
    total = {k: sum(r[k][0] for _, r in rows) for k in rows[0][1]}
    lines.append(
        f"total: logreg {total['logreg']:.2f} s, probe {total['probe']:.1f} s "
        f"({default_threads} torch threads), probe {total['probe_1thread']:.1f} s "
        f"(1 thread): RATIO threads {total['probe'] / total['probe_1thread']:.1f}x"
    )
    benchmark.extra_info.update(rows=rows)
    report("probe fitting: ProbeClassifier vs LogisticRegression", lines)


def test_array_batches_vs_dataloader(benchmark, monkeypatch):
    """ProbeClassifier's one-index batches against skorch's default DataLoader.

    Same data (800 x 384 float32, MiniLM's width), same defaults, one torch
    thread; fits alternate between the two and the best of five is kept.
    """
    import torch
    from torch.utils.data import DataLoader

    import sklearn_probe.probe._batches as batches
    from sklearn_probe import ProbeClassifier

    rng = np.random.RandomState(0)
    X = rng.normal(size=(800, 384)).astype(np.float32)
    y = (X[:, :5].sum(axis=1) + rng.normal(size=800) > 0).astype(int)
    loaders = {"ArrayBatchLoader": batches.ArrayBatchLoader, "DataLoader": DataLoader}
    times = {name: [] for name in loaders}
    scores = {}
    threads = torch.get_num_threads()

    def run():
        torch.set_num_threads(1)
        try:
            for _ in range(5):
                for name, loader in loaders.items():
                    monkeypatch.setattr(batches, "ArrayBatchLoader", loader)
                    probe = ProbeClassifier(random_state=0, device="cpu")
                    start = time.perf_counter()
                    probe.fit(X, y)
                    times[name].append(time.perf_counter() - start)
                    scores[name] = probe.score(X, y)
        finally:
            torch.set_num_threads(threads)
            monkeypatch.undo()

    benchmark.pedantic(run, rounds=1, iterations=1)
    best = {name: min(t) for name, t in times.items()}
    lines = [
        f"{name:>16}: best of 5 fits {best[name]:.3f} s, train accuracy "
        f"{scores[name]:.3f}"
        for name in loaders
    ]
    lines.append(
        f"RATIO DataLoader / ArrayBatchLoader: "
        f"{best['DataLoader'] / best['ArrayBatchLoader']:.2f}x"
    )
    benchmark.extra_info.update(best=best, scores=scores)
    report("probe fitting: mini-batches by one index vs torch's DataLoader", lines)


#: Shapes of the linear-probe benchmark: (samples, features, classes).
LINEAR_SHAPES = ((800, 384, 2), (1650, 384, 7), (5000, 768, 2), (10000, 384, 17))


def _linear_data(n, d, k, seed=0):
    """``n`` float32 vectors of ``d`` correlated features, not standardised (as
    hidden states are), and ``k`` classes from noisy linear scores."""
    rng = np.random.default_rng(seed)
    mixing = rng.normal(size=(d, d)) / np.sqrt(d)
    X = rng.normal(size=(n, d)) @ mixing * rng.uniform(0.2, 3, size=d) + 0.5
    scores = X @ rng.normal(size=(d, k)) / np.sqrt(d) + rng.gumbel(size=(n, k))
    return X.astype(np.float32), np.argmax(scores, axis=1)


def linear_probe_ratios(shapes=LINEAR_SHAPES, repeats=3, clock=time.perf_counter):
    """Fit time of the linear ProbeClassifier against ``StandardScaler`` +
    ``LogisticRegression(C=C/d)`` (the pipeline it is documented to equal: the
    same L-BFGS at ``LogisticRegression``'s default ``tol=1e-4``, the probe's
    ``gtol = tol / 10``) on the same data, the fits alternating, best of
    ``repeats`` each; the largest difference of their predicted probabilities
    on the training data; and the probe's largest difference from the exact
    optimum's (the pipeline at ``tol=1e-10``, fitted once, not timed).

    ``clock=time.process_time`` counts the CPU seconds of this process
    instead of wall seconds: on a shared, loaded machine, what the fits cost
    rather than how long they waited (run it with one BLAS thread,
    ``OMP_NUM_THREADS=1``).
    """
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    from sklearn_probe import ProbeClassifier

    rows = []
    for n, d, k in shapes:
        X, y = _linear_data(n, d, k)
        makers = {
            "pipeline": lambda d=d: make_pipeline(
                StandardScaler(), LogisticRegression(C=1.0 / d)
            ),
            "probe": lambda: ProbeClassifier(random_state=0, device="cpu"),
        }
        times = {name: [] for name in makers}
        fitted = {}
        for _ in range(repeats):
            for name, make in makers.items():
                start = clock()
                fitted[name] = make().fit(X, y)
                times[name].append(clock() - start)
        best = {name: min(t) for name, t in times.items()}
        exact = make_pipeline(
            StandardScaler(), LogisticRegression(C=1.0 / d, tol=1e-10, max_iter=10_000)
        ).fit(X, y)
        proba = fitted["probe"].predict_proba(X)
        gap = float(np.abs(proba - fitted["pipeline"].predict_proba(X)).max())
        to_optimum = float(np.abs(proba - exact.predict_proba(X)).max())
        rows.append((n, d, k, best["pipeline"], best["probe"], gap, to_optimum))
    return rows


def test_linear_probe_vs_pipeline(benchmark):
    """The linear probe's fit against the pipeline it is documented to equal."""
    rows = []
    benchmark.pedantic(
        lambda: rows.extend(linear_probe_ratios()), rounds=1, iterations=1
    )
    lines = [
        "pipeline: StandardScaler + LogisticRegression(C=1/d) at its default "
        "tol=1e-4 (the probe's tol / 10); optimum: the pipeline at tol=1e-10",
        f"{'n x d, classes':>20} {'pipeline s':>10} {'probe s':>8} "
        f"{'RATIO probe/pipeline':>20} {'max |dp|':>9} {'to optimum':>10}",
    ]
    for n, d, k, pipeline, probe, gap, to_optimum in rows:
        lines.append(
            f"{f'{n} x {d}, {k}':>20} {pipeline:10.3f} {probe:8.3f} "
            f"{probe / pipeline:20.2f} {gap:9.1e} {to_optimum:10.1e}"
        )
    benchmark.extra_info.update(rows=rows)
    report("linear ProbeClassifier vs StandardScaler + LogisticRegression(C/d)", lines)


if __name__ == "__main__":
    # .venv/bin/python benchmarks/test_probe_fit.py [--cpu]: the linear-probe
    # ratios alone, without pytest; --cpu times CPU seconds (time.process_time).
    import sys

    cpu = "--cpu" in sys.argv[1:]
    clock = time.process_time if cpu else time.perf_counter
    print(f"{'CPU' if cpu else 'wall'} seconds, best of 5")
    for n, d, k, pipeline, probe, gap, to_optimum in linear_probe_ratios(
        repeats=5, clock=clock
    ):
        print(
            f"{n} x {d}, {k} classes: pipeline {pipeline:.3f} s, probe "
            f"{probe:.3f} s: RATIO {probe / pipeline:.2f}, max |dp| {gap:.1e} "
            f"(to the exact optimum {to_optimum:.1e})"
        )
