"""Benchmarks 1 and 2: a layer sweep vs the naive reference, and vs one pass + fits.

A 7-layer x 5-fold GridSearchCV over MiniLM hidden states of ``BENCH_N``
Rotten Tomatoes texts, each job in a fresh process (clean peak memory, empty
caches, model loading not timed), with two probes: LogisticRegression (fits
take milliseconds, so the model's cost shows) and ProbeClassifier (fits take
about a second each, the same 35 in every variant).
"""

import pytest
from _bench import bench_n, report, run_job


@pytest.mark.parametrize("probe", ["logreg", "probe"])
def test_sweep_vs_naive_and_one_pass(benchmark, probe):
    n = bench_n()
    results = {}

    def run():
        results["sweep"] = run_job("sweep", n=n, probe=probe)

    benchmark.pedantic(run, rounds=1, iterations=1)
    results["one_pass"] = run_job("one_pass", n=n, probe=probe)
    results["naive"] = run_job("naive", n=n, probe=probe)
    sweep, naive, one = results["sweep"], results["naive"], results["one_pass"]
    speedup = naive["seconds"] / sweep["seconds"]
    overhead = sweep["seconds"] / one["seconds"]
    benchmark.extra_info.update(
        speedup_vs_naive=speedup, ratio_vs_one_pass=overhead, **results
    )
    report(
        f"sweep vs naive, {n} texts, 7 layers x 5 folds, probe={probe}",
        [
            f"naive:    {naive['seconds']:8.1f} s   peak RSS "
            f"{naive['peak_rss_mb']:6.0f} MB (before loading the model: "
            f"{naive['model_rss_mb']:.0f} MB)",
            f"sweep:    {sweep['seconds']:8.1f} s   peak RSS "
            f"{sweep['peak_rss_mb']:6.0f} MB (model loaded: "
            f"{sweep['model_rss_mb']:.0f} MB)",
            f"one pass: {one['extract_s']:8.1f} s + fits {one['fits_s']:.1f} s"
            f" = {one['seconds']:.1f} s",
            f"SPEED-UP sweep vs naive: {speedup:.1f}x (target >= 20x)",
            f"RATIO sweep / (one pass + fits): {overhead:.2f} (target <= 1.3)",
            f"best layer: sweep {max(sweep['scores'], key=sweep['scores'].get)}, "
            f"naive {max(naive['scores'], key=naive['scores'].get)}",
        ],
    )
    # The same folds and probes: the scores must agree (up to float noise).
    for layer, score in naive["scores"].items():
        assert abs(sweep["scores"][layer] - score) < 0.02


def test_threads_in_joblib_workers(benchmark):
    """torch and BLAS inside loky workers: one thread each on a 2-core machine."""
    info = benchmark.pedantic(lambda: run_job("threads"), rounds=1, iterations=1)
    report("threads", [f"parent: {info['parent']}", f"workers: {info['workers']}"])
    for worker in info["workers"]:
        assert worker["torch"] == 1


def test_parallel_grid_search_with_disk_cache(benchmark, tmp_path):
    """GridSearchCV(n_jobs=2) sharing a disk cache, vs n_jobs=1, same run."""
    n = bench_n()
    serial = run_job("sweep", n=n, probe="logreg")
    parallel = benchmark.pedantic(
        lambda: run_job(
            "sweep", n=n, probe="logreg", n_jobs=2, cache_dir=str(tmp_path / "c")
        ),
        rounds=1,
        iterations=1,
    )
    warm = run_job(
        "sweep", n=n, probe="logreg", n_jobs=2, cache_dir=str(tmp_path / "w"), warm=True
    )
    report(
        f"GridSearchCV n_jobs, {n} texts, logreg",
        [
            f"n_jobs=1:                      {serial['seconds']:6.1f} s",
            f"n_jobs=2, cold disk cache:     {parallel['seconds']:6.1f} s "
            f"(RATIO {parallel['seconds'] / serial['seconds']:.2f})",
            f"n_jobs=2, disk cache filled:   {warm['seconds']:6.1f} s "
            f"(RATIO {warm['seconds'] / serial['seconds']:.2f})",
        ],
    )
