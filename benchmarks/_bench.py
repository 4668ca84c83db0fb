"""Shared helpers of the benchmarks: sizes, corpora, FLOPs, matmul peak, memory.

Sizes come from environment variables so that ``make bench`` can run in a few
minutes (``BENCH_QUICK=1``) or at the issue's sizes (the default):

- ``BENCH_N``: texts of the sweep, extraction and probe benchmarks (1000; 200
  quick).
- ``BENCH_ROUNDS``: rounds of the extraction benchmark, best kept (3; 1 quick).
- ``BENCH_SCALING``: comma-separated sizes of the scaling benchmark
  (``1000,4000,16000``; ``250,1000,4000`` quick).
"""

import json
import os
import resource
import subprocess
import sys
import time

import numpy as np

# Timings of extraction must start cold: the default store of pooled vectors
# would make a second run warm. A benchmark that wants a store names it.
os.environ.setdefault("SKLEARN_PROBE_CACHE_DIR", "off")

HERE = os.path.dirname(os.path.abspath(__file__))
QUICK = os.environ.get("BENCH_QUICK", "") not in ("", "0")
MODEL = os.environ.get("BENCH_MODEL", "minilm")


def bench_n():
    return int(os.environ.get("BENCH_N", 200 if QUICK else 1000))


def rounds():
    """Rounds of the extraction benchmark (``BENCH_ROUNDS``; 3, quick 1)."""
    return int(os.environ.get("BENCH_ROUNDS", 1 if QUICK else 3))


def scaling_sizes():
    default = "250,1000,4000" if QUICK else "1000,4000,16000"
    return [int(s) for s in os.environ.get("BENCH_SCALING", default).split(",")]


# -- corpora -------------------------------------------------------------------

_FILLERS = (
    "indeed",
    "honestly",
    "frankly",
    "overall",
    "still",
    "really",
    "truly",
    "again",
)


def _edit(text, copy, index):
    """A small deterministic edit of ``text`` for its ``copy``-th repetition."""
    words = text.split()
    rng = np.random.default_rng([copy, index])
    if len(words) > 3:
        words.pop(int(rng.integers(len(words))))  # drop one word
    filler = _FILLERS[int(rng.integers(len(_FILLERS)))]
    words.insert(int(rng.integers(len(words) + 1)), filler)  # insert one
    return " ".join(words) + f" ({copy})"


def make_corpus(n, seed=0):
    """``n`` distinct Rotten Tomatoes texts and labels.

    The first 12,752 are the critic snippets themselves (shuffled with
    ``seed``); beyond that, copy ``k`` of snippet ``i`` drops one word, inserts a
    filler word ("indeed", "frankly", ...) at a seeded position and ends with
    ``(k)``: distinct texts of the same length distribution and labels.
    """
    from sklearn_probe.datasets import load_rotten_tomatoes

    data = load_rotten_tomatoes(random_state=seed)
    base_texts = list(data["text"])
    base_labels = np.asarray(data["label"])
    texts, labels = [], []
    copy = 0
    while len(texts) < n:
        take = min(n - len(texts), len(base_texts))
        if copy == 0:
            texts.extend(base_texts[:take])
        else:
            texts.extend(_edit(base_texts[i], copy, i) for i in range(take))
        labels.extend(base_labels[:take])
        copy += 1
    return texts, np.asarray(labels)


def make_wide_corpus(n, seed=0):
    """Texts whose lengths vary widely: one in eight is six snippets joined."""
    texts, labels = make_corpus(n, seed)
    rng = np.random.default_rng(seed)
    wide = list(texts)
    for i in range(0, n, 8):
        wide[i] = " ".join(texts[j] for j in rng.integers(0, n, size=6))
    return wide, labels


# -- FLOPs and the machine's matmul throughput ------------------------------------


def non_embedding_params(model):
    return sum(
        p.numel() for name, p in model.named_parameters() if "embeddings" not in name
    )


def forward_flops(model, lengths):
    """FLOPs of a forward pass over texts of these real lengths (no padding).

    2 x non-embedding parameters per token (the dense layers), plus attention:
    per layer, 2 x t^2 x width for the scores and 2 x t^2 x width for the
    weighted sum, for a text of t tokens.
    """
    cfg = model.config
    lengths = np.asarray(lengths, dtype=np.float64)
    dense = 2.0 * non_embedding_params(model) * lengths.sum()
    attention = 4.0 * cfg.num_hidden_layers * cfg.hidden_size * (lengths**2).sum()
    return dense + attention


def matmul_gflops(seconds=1.5):
    """Best fp32 matmul throughput torch reaches here, in GFLOP/s.

    The best of square 2048 products and of products shaped like a BERT dense
    layer (4096 tokens x 384 -> 1536), each timed for about ``seconds``.
    """
    import torch

    best = 0.0
    for m, k, n in ((2048, 2048, 2048), (4096, 384, 1536), (4096, 1536, 384)):
        a, b = torch.randn(m, k), torch.randn(k, n)
        a @ b  # warm up
        reps, start = 0, time.perf_counter()
        while time.perf_counter() - start < seconds / 3:
            a @ b
            reps += 1
        elapsed = time.perf_counter() - start
        best = max(best, 2.0 * m * k * n * reps / elapsed / 1e9)
    return best


# -- memory and subprocesses ------------------------------------------------------


def peak_rss_mb():
    """Peak resident memory of this process so far, in MiB.

    ``VmHWM`` of /proc/self/status: the high-water mark of this program's own
    address space. (``ru_maxrss`` would not do in a subprocess: Linux carries
    the parent's peak over the fork, so every child reported pytest's peak.)
    """
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def rss_mb():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1024**2


def run_job(name, **kwargs):
    """Run ``_jobs.<name>(**kwargs)`` in a fresh process; returns its result dict.

    A fresh process per measurement gives a clean peak memory (``ru_maxrss``)
    and caches that start empty.
    """
    cmd = [sys.executable, os.path.join(HERE, "_jobs.py"), name, json.dumps(kwargs)]
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"job {name} failed:\n{proc.stdout}\n{proc.stderr}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def report(title, lines):
    """Print a block of results (make bench runs pytest with -s)."""
    print(f"\n=== {title} ===")
    for line in lines:
        print(line)
