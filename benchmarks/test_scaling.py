"""Benchmark 4: time and peak memory of extraction + sweep at growing sizes.

Each size runs in a fresh process: the model's forward pass alone (no hidden
states kept, no pooling), then a cold 7-layer x 5-fold GridSearchCV with
LogisticRegression (one extraction of every layer + 35 fits). Time should grow
linearly in real tokens (seconds per 1k tokens about constant) and peak memory
stay at the model plus the pooled vectors (n x 7 x 384 float32) plus the
fold's feature matrices.
"""

from _bench import report, run_job, scaling_sizes


def test_scaling(benchmark):
    results = []

    def run():
        for n in scaling_sizes():
            results.append(run_job("scaling", n=n))

    benchmark.pedantic(run, rounds=1, iterations=1)
    lines = [
        f"{'texts':>6} {'tokens':>8} {'forward s':>9} {'sweep s':>8} "
        f"{'RATIO sweep/fwd':>15} {'fwd ms/1k tok':>13} {'sweep ms/1k tok':>15} "
        f"{'peak MB':>8} {'model MB':>8} {'pooled MB':>9} {'peak-model-pooled':>17}",
    ]
    for r in results:
        k = r["tokens"] / 1000
        lines.append(
            f"{r['n']:>6} {r['tokens']:>8} {r['forward_s']:9.1f} {r['sweep_s']:8.1f} "
            f"{r['sweep_s'] / r['forward_s']:15.2f} {1000 * r['forward_s'] / k:13.0f} "
            f"{1000 * r['sweep_s'] / k:15.0f} {r['peak_rss_mb']:8.0f} "
            f"{r['model_rss_mb']:8.0f} {r['pooled_mb']:9.0f} "
            f"{r['peak_rss_mb'] - r['model_rss_mb'] - r['pooled_mb']:17.0f}"
        )
    benchmark.extra_info.update(results=results)
    report("scaling (LogisticRegression probes)", lines)
