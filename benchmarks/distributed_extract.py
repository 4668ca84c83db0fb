"""Extraction on a Dask cluster: texts/s for 1, 2, 4 workers; a sweep on it.

    .venv/bin/python benchmarks/distributed_extract.py --n 2000 --workers 1,2,4
    .venv/bin/python benchmarks/distributed_extract.py --backend ray --workers 1,2

For each worker count a fresh cluster of that many worker processes (one thread
each; on a node with several GPUs each Dask worker takes its own GPU, and each
Ray actor asks for one) loads the model once per worker (a warm-up extraction
into a throwaway store, timed apart), then
:func:`sklearn_probe.distributed.extract` runs the ``--n`` texts into a fresh
store. The table gives texts/s and the parallel efficiency (texts/s of w
workers / (w x texts/s of one)), and the counts that say the work was done
once: texts computed, models loaded per worker, rows on disk per pooling.

Then, on the last store (every text cached), the same layer sweep runs on the
cluster (``joblib.parallel_backend``) and in this process (``n_jobs=1``): their
times, and whether their scores are equal. On a machine with fewer cores than
workers only the counts mean anything; the script is meant for a multi-GPU node
(``--device auto``, ``--model`` a hub name or folder every worker can load).
One JSON line at the end holds every number.
"""

import argparse
import json
import os
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

from _bench import make_corpus  # noqa: E402


def rows_on_disk(cache_dir):
    from sklearn_probe.hidden import cache_info

    return {
        key["meta"]["pooling"]: key["rows"] for key in cache_info(cache_dir)["keys"]
    }


class Cluster:
    """A local Dask cluster or Ray runtime of ``workers`` workers."""

    def __init__(self, backend, workers):
        self.backend, self.workers = backend, workers

    def __enter__(self):
        if self.backend == "dask":
            from distributed import Client, LocalCluster

            self.cluster = LocalCluster(
                n_workers=self.workers,
                threads_per_worker=1,
                processes=True,
                dashboard_address=":0",
            )
            self.client = Client(self.cluster)
        else:
            import ray

            ray.init(num_cpus=self.workers, include_dashboard=False)
            self.client = None
        return self

    def __exit__(self, *exc):
        if self.backend == "dask":
            self.client.close()
            self.cluster.close()
        else:
            import ray

            ray.shutdown()

    def extract(self, texts, cache_dir, args):
        from sklearn_probe.distributed import extract

        return extract(
            texts,
            model=args.model,
            cache_dir=cache_dir,
            client=self.client,
            backend=self.backend,
            pooling=args.pooling,
            device=args.device,
            dtype=args.dtype,
            torch_dtype=args.torch_dtype,
            batch_size=args.batch_size,
            n_workers=self.workers if self.backend == "ray" else None,
        )

    def joblib_backend(self):
        import joblib

        if self.backend == "ray":
            from ray.util.joblib import register_ray

            register_ray()
        return joblib.parallel_backend(self.backend)


def run_workers(cluster, texts, args, scratch):
    """Warm-up (model loads), then the timed extraction into a fresh store."""
    start = time.perf_counter()
    cluster.extract(texts[: 8 * cluster.workers], os.path.join(scratch, "warm"), args)
    load_s = time.perf_counter() - start
    store = os.path.join(scratch, "store")
    report = cluster.extract(texts, store, args)
    return store, {
        "workers": cluster.workers,
        "load_and_warm_s": round(load_s, 2),
        "seconds": round(report.seconds, 3),
        "texts_per_s": round(report.texts_per_second, 1),
        "computed": report.n_computed,
        "distinct": report.n_distinct,
        "partitions": report.n_partitions,
        "models_loaded": sorted(w["models_loaded"] for w in report.workers.values()),
        "rows_on_disk": rows_on_disk(store),
    }


def sweep_times(cluster, texts, labels, store, args):
    """The same sweep on the cluster and here, on the filled store."""
    from sklearn.linear_model import LogisticRegression

    from sklearn_probe import layer_sweep
    from sklearn_probe.hidden import clear_cache

    sweep_args = {
        "model": args.model,
        "pooling": args.pooling,
        "probe": LogisticRegression(max_iter=1000),
        "cv": args.folds,
        "cache_dir": store,
        "device": args.device,
        "batch_size": args.batch_size,
        "verbose": 0,
    }
    timings, scores = {}, {}
    with cluster.joblib_backend():
        start = time.perf_counter()
        scores["cluster"] = layer_sweep(texts, labels, **sweep_args).scores
        timings["cluster_s"] = round(time.perf_counter() - start, 2)
    clear_cache()
    start = time.perf_counter()
    scores["local"] = layer_sweep(texts, labels, n_jobs=1, **sweep_args).scores
    timings["local_s"] = round(time.perf_counter() - start, 2)
    columns = ["layer", "cv_score_mean"]
    timings["same_scores"] = bool(
        scores["cluster"][columns].equals(scores["local"][columns])
    )
    timings["candidates"] = len(scores["local"])
    return timings


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=2000)
    parser.add_argument("--workers", default="1,2,4")
    parser.add_argument("--backend", choices=["dask", "ray"], default="dask")
    parser.add_argument("--model", default=os.environ.get("BENCH_MODEL", "minilm"))
    parser.add_argument("--pooling", nargs="+", default=["mean"])
    parser.add_argument("--device", default="auto")
    parser.add_argument("--dtype", default="float32")
    parser.add_argument("--torch-dtype", default="float32")
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--no-sweep", action="store_true")
    args = parser.parse_args(argv)

    texts, labels = make_corpus(args.n)
    rows, store_dir = [], None
    counts = [int(w) for w in args.workers.split(",")]
    print(f"{args.n} texts, {args.model}, {args.backend}, poolings {args.pooling}")
    print(
        f"{'workers':>7} {'texts/s':>9} {'efficiency':>10} {'computed':>8} "
        f"{'models/worker':>13} {'rows on disk':>12}"
    )
    for w in counts:
        scratch = tempfile.mkdtemp(prefix=f"sp-dist-{w}-")
        with Cluster(args.backend, w) as cluster:
            store_dir, row = run_workers(cluster, texts, args, scratch)
            one = rows[0]["texts_per_s"] / rows[0]["workers"] if rows else None
            row["efficiency"] = round(row["texts_per_s"] / (w * one), 2) if one else 1.0
            rows.append(row)
            print(
                f"{w:>7} {row['texts_per_s']:>9.1f} {row['efficiency']:>10.2f} "
                f"{row['computed']:>8} {str(row['models_loaded']):>13} "
                f"{str(row['rows_on_disk']):>12}"
            )
            if w == counts[-1] and not args.no_sweep:
                sweep = sweep_times(cluster, texts, labels, store_dir, args)
                print(
                    f"sweep of {sweep['candidates']} candidates x {args.folds} "
                    f"folds on the same cache: cluster ({w} workers) "
                    f"{sweep['cluster_s']} s, local {sweep['local_s']} s, "
                    f"same scores: {sweep['same_scores']}"
                )
    result = {
        "n": args.n,
        "model": args.model,
        "backend": args.backend,
        "extraction": rows,
    }
    if not args.no_sweep:
        result["sweep"] = sweep
    print(json.dumps(result))


if __name__ == "__main__":
    main()
