"""Disk-cache transform latency and open files at 1,000 and 10,000 shards.

A store of N shards (3 texts each, 7 hidden states of width 384, as MiniLM's)
is filled through the package's own cache; then, each time in a fresh process:

- ``first_ms``: a transform of 10 cached texts with an empty memory (the
  store is listed and indexed);
- ``steady_ms`` / ``memory_ms``: the same transform again (the texts are in
  memory by then) against the in-memory path (``cache_dir=None``), median of
  repeated calls, and their ratio;
- ``open_files_peak``: the most file descriptors the process held during the
  first transform (sampled every millisecond), and ``open_files`` after;
- under ``--nofile`` (``ulimit -n``, 256 by default): a transform of 1,000
  cached texts spread over the whole store, whether it completes and how many
  texts it had to recompute (0 is right).

Then ``compact`` runs (where the package has it) and the cold transform is
timed again. The model is replaced by a function of the text, so only the
cache is measured. Runs against any version of the package on the path::

    .venv/bin/python benchmarks/cache_shards.py --shards 1000,10000 --out cache.json
"""

import argparse
import hashlib
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time

import numpy as np

SHAPE = (7, 384)
PER_SHARD = 3


def truth(text):
    seed = int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest())
    return np.random.default_rng(seed).random(SHAPE, dtype=np.float32)


def _call(texts, cache_dir, computed, chunk_size=None):
    from sklearn_probe.store import _cache

    key, description = _cache.extraction_key(
        fingerprint="bench", pooling="mean", max_length=128
    )

    def compute(chunk, bar):
        computed.extend(chunk)
        return np.stack([truth(t) for t in chunk])

    return _cache.cached_vectors(
        texts,
        key=key,
        description=description,
        compute=compute,
        layers=[3],
        cache_dir=cache_dir,
        chunk_size=chunk_size,
    )


def texts_of(n_shards):
    return [f"text number {i}" for i in range(n_shards * PER_SHARD)]


def fill(cache_dir, n_shards):
    """N shards of PER_SHARD texts, written as the package's cache writes them.

    Where the package has the validated store, its writer is called directly
    (the claims and automatic compaction of a real run are left out: only
    the reader is measured); otherwise through ``cached_vectors``.
    """
    from sklearn_probe.store import _cache

    texts = texts_of(n_shards)
    t0 = time.perf_counter()
    if not hasattr(_cache, "open_store"):  # the earlier two-file format
        _call(texts, cache_dir, [], chunk_size=PER_SHARD)
    else:
        from sklearn_probe.store import _store

        _store.COMPACT_AT = 10**9  # the uncompacted case first
        key, description = _cache.extraction_key(
            fingerprint="bench", pooling="mean", max_length=128
        )
        store = _cache.open_store(cache_dir, key, description, SHAPE)
        for start in range(0, len(texts), PER_SHARD):
            chunk = texts[start : start + PER_SHARD]
            store.write(
                [_cache.text_digest(t) for t in chunk],
                np.stack([truth(t) for t in chunk]),
            )
    _cache.MEMORY.clear()
    return time.perf_counter() - t0


def _median_ms(fn, min_s=1.0, min_calls=3):
    times, t_end = [], time.perf_counter() + min_s
    while len(times) < min_calls or time.perf_counter() < t_end:
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return 1000 * statistics.median(times)


class _PeakFiles:
    """The most open file descriptors seen while the block runs."""

    def __enter__(self):
        self.most, self._done = 0, threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)
        self._thread.start()
        return self

    def _watch(self):
        while not self._done.wait(0.001):
            self.most = max(self.most, len(os.listdir("/proc/self/fd")))

    def __exit__(self, *exc):
        self._done.set()
        self._thread.join()


def child(cache_dir, n_shards, nofile):
    """One fresh process's measurements (printed as JSON)."""
    from sklearn_probe.store import _cache

    texts = texts_of(n_shards)
    rng = np.random.default_rng(0)
    ten = [texts[i] for i in rng.choice(len(texts), 10, replace=False)]
    out = {}
    computed = []
    with _PeakFiles() as peak:
        t0 = time.perf_counter()
        got = _call(ten, cache_dir, computed)
        out["first_ms"] = 1000 * (time.perf_counter() - t0)
    out["open_files_peak"] = peak.most
    out["first_recomputed"] = len(computed)
    out["first_right"] = bool(
        np.array_equal(got[:, 0], np.stack([truth(t)[3] for t in ten]))
    )
    out["steady_ms"] = _median_ms(lambda: _call(ten, cache_dir, []))
    out["memory_ms"] = _median_ms(lambda: _call(ten, None, []))
    out["ratio"] = out["steady_ms"] / out["memory_ms"]
    out["open_files"] = len(os.listdir("/proc/self/fd"))
    _cache.MEMORY.clear()
    # A larger read under a small limit on open files.
    resource.setrlimit(resource.RLIMIT_NOFILE, (nofile, nofile))
    spread = [texts[i] for i in rng.choice(len(texts), 1000, replace=False)]
    computed = []
    try:
        _call(spread, cache_dir, computed)
        out["limited_run"] = "completed"
    except OSError as exc:
        out["limited_run"] = f"failed: {exc}"
    out["limited_recomputed"] = len(computed)
    print(json.dumps(out))


def measure(cache_dir, n_shards, nofile):
    done = subprocess.run(
        [sys.executable, __file__, "--child", str(n_shards), "--cache-dir", cache_dir]
        + ["--nofile", str(nofile)],
        capture_output=True,
        text=True,
    )
    if done.returncode:
        return {"error": done.stderr.strip().splitlines()[-1:]}
    return json.loads(done.stdout.strip().splitlines()[-1])


def compact(cache_dir):
    try:
        from sklearn_probe.store import compact_cache
    except ImportError:
        return None
    t0 = time.perf_counter()
    compact_cache(cache_dir)
    return time.perf_counter() - t0


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--shards", default="1000,10000")
    parser.add_argument("--nofile", type=int, default=256)
    parser.add_argument("--out", default=None)
    parser.add_argument("--child", type=int, default=None, help=argparse.SUPPRESS)
    parser.add_argument("--cache-dir", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child is not None:
        return child(args.cache_dir, args.child, args.nofile)
    results = []
    for n in (int(s) for s in args.shards.split(",")):
        with tempfile.TemporaryDirectory(prefix="sp-cache-bench-") as cache_dir:
            row = {"shards": n, "fill_s": fill(cache_dir, n)}
            row["before_compaction"] = measure(cache_dir, n, args.nofile)
            row["compact_s"] = compact(cache_dir)
            if row["compact_s"] is not None:
                row["after_compaction"] = measure(cache_dir, n, args.nofile)
        print(json.dumps(row, indent=1), flush=True)
        results.append(row)
    if args.out:
        with open(args.out, "w") as f:
            json.dump(results, f, indent=1)


if __name__ == "__main__":
    main()
