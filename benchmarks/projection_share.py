"""The embeddings picture's share of a default ``sklearn-probe sweep`` run.

Runs the default command (MiniLM, Rotten Tomatoes, 1,000 texts: 800 cross-
validated, 200 held out) into a temporary folder and times the 2-D projection
of the embeddings picture (every panel) against the whole command, in wall
and CPU time (CPU time reads the same on a busy machine). Run it twice to time
the command with the hidden states in the cache. Offline.

    .venv/bin/python benchmarks/projection_share.py
    .venv/bin/python benchmarks/projection_share.py --plot-samples 800
"""

import argparse
import sys
import tempfile
import time


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--plot-samples", type=int, default=None)
    parser.add_argument("--projection", default=None)
    args = parser.parse_args(argv)

    import sklearn_probe.plotting._embeddings as embeddings
    from sklearn_probe.cli import main as command

    project, spent = embeddings._project, {"wall": 0.0, "cpu": 0.0}

    def timed(*a, **k):
        wall, cpu = time.perf_counter(), time.process_time()
        try:
            return project(*a, **k)
        finally:
            spent["wall"] += time.perf_counter() - wall
            spent["cpu"] += time.process_time() - cpu

    embeddings._project = timed
    extra = []
    if args.plot_samples:
        extra += ["--plot-samples", str(args.plot_samples)]
    if args.projection:
        extra += ["--projection", args.projection]
    with tempfile.TemporaryDirectory() as out:
        wall, cpu = time.perf_counter(), time.process_time()
        command(["sweep", "--out", f"{out}/report", "--quiet", *extra])
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    print(
        f"projection: wall {spent['wall']:.1f} s, CPU {spent['cpu']:.1f} s; "
        f"command: wall {wall:.1f} s, CPU {cpu:.1f} s; projection share: wall "
        f"{spent['wall'] / wall:.0%}, CPU {spent['cpu'] / cpu:.0%}"
    )
    embeddings._project = project
    return 0


if __name__ == "__main__":
    sys.exit(main())
