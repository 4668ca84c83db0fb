"""Benchmark 3: extraction efficiency, as a fraction of the measured matmul peak.

Texts/s, real (non-padding) tokens/s and GFLOP/s of ``extract`` (the library's
all-layer pass) by batch size, for sorted batches cut by a token budget (the
default), sorted fixed-size batches and unsorted fixed-size batches; the
matmul throughput of torch is measured in the same run, before and after, and
the fraction uses their mean. FLOPs count real tokens only (2 x non-embedding
parameters per token plus attention), so padding is a cost, not a credit.
"""

import time

import numpy as np
import pytest
from _bench import (
    MODEL,
    bench_n,
    forward_flops,
    make_corpus,
    make_wide_corpus,
    matmul_gflops,
    report,
    rounds,
)


@pytest.fixture(scope="module")
def loaded():
    from sklearn_probe.hidden._models import load_model

    loaded = load_model(MODEL, "cpu")
    _ = loaded.model  # the weights are read when first asked for: not timed
    return loaded


def _measure(loaded, texts, flops, tokens, **kwargs):
    from sklearn_probe.hidden._extract import extract

    start = time.perf_counter()
    extract(loaded, texts, pooling="mean", max_length=128, **kwargs)
    seconds = time.perf_counter() - start
    return {
        "seconds": seconds,
        "texts_s": len(texts) / seconds,
        "tokens_s": tokens / seconds,
        "gflops": flops / seconds / 1e9,
    }


MODES = {
    "sorted, token budget": {},
    "sorted, fixed size": {"token_budget": 0},
    "unsorted": {"sort": False},
}


@pytest.mark.parametrize("corpus", ["rotten_tomatoes", "wide"])
def test_extraction_efficiency(benchmark, loaded, corpus):
    from sklearn_probe.hidden._extract import tokenize

    n = bench_n()
    make = make_corpus if corpus == "rotten_tomatoes" else make_wide_corpus
    texts, _ = make(n)
    lengths = [len(s) for s in tokenize(loaded, texts, 128)[0]]
    tokens = int(np.sum(lengths))
    flops = forward_flops(loaded.model, lengths)
    _measure(loaded, texts[:64], flops, tokens, batch_size=32)  # warm up
    peaks, best = [], {}

    def run():
        # Rounds interleave every configuration with a fresh matmul measurement;
        # each keeps its best round (the least disturbed by other processes).
        for _ in range(rounds()):
            peaks.append(matmul_gflops())
            for batch_size in (8, 32, 128):
                for mode, kwargs in MODES.items():
                    m = _measure(
                        loaded, texts, flops, tokens, batch_size=batch_size, **kwargs
                    )
                    key = (batch_size, mode)
                    if key not in best or m["seconds"] < best[key]["seconds"]:
                        best[key] = m

    benchmark.pedantic(run, rounds=1, iterations=1)
    peak = max(peaks)
    rows = [(b, mode, m) for (b, mode), m in best.items()]
    lines = [
        f"{n} texts, {tokens} real tokens (min {min(lengths)}, max {max(lengths)}), "
        f"{flops / 1e9:.0f} GFLOP; torch fp32 matmul {peak:.0f} GFLOP/s (best of "
        f"{len(peaks)} rounds: {', '.join(f'{p:.0f}' for p in peaks)}); each row "
        "is its best round",
        f"{'batch':>5} {'batches':<22} {'texts/s':>8} {'tokens/s':>9} "
        f"{'GFLOP/s':>8} {'FRACTION':>8}",
    ]
    for batch_size, mode, m in rows:
        lines.append(
            f"{batch_size:>5} {mode:<22} {m['texts_s']:8.0f} {m['tokens_s']:9.0f} "
            f"{m['gflops']:8.0f} {m['gflops'] / peak:8.0%}"
        )
    top = max(m["gflops"] for _, _, m in rows)
    default = best[(32, "sorted, token budget")]
    lines.append(
        f"FRACTION of matmul peak: default (batch 32, token budget) "
        f"{default['gflops'] / peak:.0%}, best {top / peak:.0%} (target >= 50%)"
    )
    benchmark.extra_info.update(matmul_gflops=peak, rows=rows)
    report(f"extraction efficiency ({corpus})", lines)
