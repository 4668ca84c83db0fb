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
