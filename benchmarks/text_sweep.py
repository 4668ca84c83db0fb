"""A text sweep against a hand-written one pass + the same fits; the default
command's wall time against its sweep's own computation.

``--part sweep``: in one process, MiniLM loaded once beforehand (untimed),
the in-memory vectors cleared before each run and no disk store, alternating
``--repeats`` times:

- ``layer_sweep(texts, labels, cv=5)`` (Rotten Tomatoes, ``--n`` texts, 7
  layers x 5 folds, the default linear probe), its wall time;
- by hand: ``HiddenStateTransformer(layer="all").fit_transform(texts)``,
  then for every layer and fold the same ``ProbeClassifier`` fitted and
  scored on the same folds (one by one).

The sweep runs with the probe solver ``SKLEARN_PROBE_SOLVER`` gives (its
choice is printed): run it with ``SKLEARN_PROBE_SOLVER=one-by-one`` for the
same fits as the hand-written pass.

``--part command``: ``sklearn-probe sweep --out DIR --quiet`` (the default
command: 1,000 texts, 800 cross-validated, pictures, report, pipeline) as a
fresh process, its wall time against the sweep's own total that its report
prints ("the sweep N s"), with the store off (``--cache-dir none``) or warm;
alternating with the same sweep (the data loaded as the command loads them,
then the ``layer_sweep`` call the command makes, nothing written) in a fresh
Python process of its own, its wall time from outside: what a user who runs
the sweep from Python waits for, start-up and imports included.

    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/text_sweep.py --part sweep
    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/text_sweep.py --part command \\
        --cache-dir none
"""

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.dirname(HERE))


def by_hand(texts, labels, folds):
    from sklearn_probe import HiddenStateTransformer, ProbeClassifier

    start = time.perf_counter()
    X = HiddenStateTransformer("minilm", layer="all", device="cpu", cache_dir=None)
    X = X.fit_transform(texts)
    X = X.reshape(len(texts), 7, -1)
    extract = time.perf_counter() - start
    scores = np.zeros((7, len(folds)))
    for layer in range(7):
        for k, (train, test) in enumerate(folds):
            probe = ProbeClassifier(random_state=0, device="cpu")
            probe.fit(X[train, layer], labels[train])
            scores[layer, k] = probe.score(X[test, layer], labels[test])
    return time.perf_counter() - start, extract, scores.mean(axis=1)


def sweep_part(n, repeats):
    import torch
    from _bench import make_corpus
    from sklearn.model_selection import StratifiedKFold

    from sklearn_probe import layer_sweep
    from sklearn_probe.hidden._models import load_model
    from sklearn_probe.store import MEMORY

    torch.set_num_threads(1)
    texts, labels = make_corpus(n)
    labels = np.asarray(labels)
    _ = load_model("minilm", "cpu").model  # the weights too (read when asked for)
    folds = list(StratifiedKFold(5, shuffle=True, random_state=0).split(texts, labels))
    times = {"sweep": [], "hand": []}
    for _ in range(repeats):
        MEMORY.clear()
        start = time.perf_counter()
        result = layer_sweep(texts, labels, cv=5, cache_dir=None, verbose=0)
        times["sweep"].append(time.perf_counter() - start)
        MEMORY.clear()
        seconds, extract, hand_scores = by_hand(texts, labels, folds)
        times["hand"].append(seconds)
    gap = np.abs(result.scores["cv_score_mean"].to_numpy() - hand_scores).max()
    s, h = min(times["sweep"]), min(times["hand"])
    t = result.timings
    print(
        f"{n} texts, 7 layers x 5 folds, best of {repeats}: layer_sweep {s:.1f} s "
        f"(hidden states {t['hidden_states']:.1f} s, cross-validation "
        f"{t['cross_validation']:.1f} s, refit {t['refit']:.1f} s; probe solver "
        f"{result.settings['probe_solver']['solver']}); by hand {h:.1f} s "
        f"(one pass {extract:.1f} s + 35 fits): RATIO {s / h:.2f}; max |d mean "
        f"CV score| {gap:.4f}"
    )


#: The command's sweep alone, in a fresh process: its data, its layer_sweep
#: call (the command's own arguments), no pictures, report or pipeline.
FRESH_SWEEP = """
import json, sys
from sklearn_probe.cli import build_parser
from sklearn_probe.cli._sweep import _load_data, _sweep, _task
args = build_parser().parse_args(["sweep", "--quiet", *sys.argv[1:]])
data = _load_data(args)
result = _sweep(args, data.train, data.test, _task(args.task, data.train, data.test))
print(json.dumps(result.timings["total"]))
"""


def command_part(repeats, extra):
    runs = []
    with tempfile.TemporaryDirectory() as out:
        for _ in range(repeats):
            start = time.perf_counter()
            subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "sklearn_probe",
                    "sweep",
                    "--out",
                    f"{out}/report",
                    "--quiet",
                    *extra,
                ],
                check=True,
                capture_output=True,
            )
            wall = time.perf_counter() - start
            with open(f"{out}/report/report.md", encoding="utf-8") as f:
                line = re.search(r"Took .*", f.read()).group(0)
            sweep = float(re.search(r"the sweep ([0-9.]+) s", line).group(1))
            start = time.perf_counter()
            proc = subprocess.run(
                [sys.executable, "-c", FRESH_SWEEP, *extra],
                check=True,
                capture_output=True,
                text=True,
            )
            fresh = time.perf_counter() - start
            fresh_sweep = float(proc.stdout.strip().splitlines()[-1])
            runs.append((wall, sweep, line, fresh, fresh_sweep))
    for wall, sweep, line, fresh, fresh_sweep in runs:
        print(
            f"command {wall:.1f} s wall, its sweep {sweep:.1f} s: RATIO "
            f"{wall / sweep:.2f}; the same sweep from a fresh Python process "
            f"{fresh:.1f} s wall (its sweep {fresh_sweep:.1f} s): command / "
            f"fresh RATIO {wall / fresh:.2f}"
        )
        print(f"  report: {line}")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--part", choices=["sweep", "command"], default="sweep")
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--repeats", type=int, default=2)
    args, extra = parser.parse_known_args(argv)
    if args.part == "sweep":
        sweep_part(args.n, args.repeats)
    else:
        command_part(args.repeats, extra)


if __name__ == "__main__":
    main()
