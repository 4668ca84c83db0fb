"""Extraction throughput on an accelerator, against its measured matmul peak.

The short prepared script for a GPU machine (CI and the development machine
have none; nothing else needs one). For each compute dtype (float32, float16
and bfloat16 under autocast) and batch size it times the library's all-layer
pass (``_extract.extract``: tokenise, sort by length, token-budget batches,
forward, pool every layer) over Rotten Tomatoes texts, and reports texts/s,
real tokens/s, TFLOP/s (2 x non-embedding parameters x real tokens, plus
attention) and that as a fraction of the device's matmul throughput in the
same dtype, measured in the same run. Tokenisation is timed apart, since it
runs on the CPU whatever the device.

    .venv/bin/python benchmarks/extraction_gpu.py --device cuda --out gpu.json
    .venv/bin/python benchmarks/extraction_gpu.py --device cpu --n 200 --dtypes float32

A spec-sheet peak (``--peak-tflops``, e.g. 989 for an H100 SXM's dense
bf16/fp16) adds a column against it as well.
"""

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _bench import MODEL, forward_flops, make_corpus  # noqa: E402


def _sync(device):
    import torch

    if device.startswith("cuda"):
        torch.cuda.synchronize(device)


def matmul_tflops(device, dtype, seconds=1.0):
    """Best matmul throughput in ``dtype`` on ``device``, in TFLOP/s: square
    products of 4096 and BERT-shaped dense products (tokens x width x 4 width)."""
    import torch

    torch_dtype = getattr(torch, dtype)
    best = 0.0
    for m, k, n in ((4096, 4096, 4096), (16384, 384, 1536), (16384, 1536, 384)):
        a = torch.randn(m, k, device=device, dtype=torch_dtype)
        b = torch.randn(k, n, device=device, dtype=torch_dtype)
        a @ b  # warm up
        _sync(device)
        reps, start = 0, time.perf_counter()
        while time.perf_counter() - start < seconds / 3:
            for _ in range(10):
                a @ b
            _sync(device)
            reps += 10
        elapsed = time.perf_counter() - start
        best = max(best, 2.0 * m * k * n * reps / elapsed / 1e12)
    return best


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", default="cuda")
    parser.add_argument("--model", default=MODEL)
    parser.add_argument("--n", type=int, default=25_000, help="texts per run")
    parser.add_argument("--batch-sizes", type=int, nargs="+", default=[64, 256, 1024])
    parser.add_argument(
        "--dtypes", nargs="+", default=["float32", "float16", "bfloat16"]
    )
    parser.add_argument("--peak-tflops", type=float, default=None)
    parser.add_argument("--out", type=Path, default=None, help="JSON of the results")
    args = parser.parse_args(argv)

    import torch

    from sklearn_probe.hidden._extract import extract, tokenize
    from sklearn_probe.hidden._models import load_model

    if args.device.startswith("cuda") and not torch.cuda.is_available():
        parser.error("--device cuda, but torch sees no CUDA device here")
    loaded = load_model(args.model, args.device)
    texts, _ = make_corpus(args.n)

    start = time.perf_counter()
    ids, _ = tokenize(loaded, texts, 128)
    tokenize_s = time.perf_counter() - start
    lengths = [len(seq) for seq in ids]
    tokens = sum(lengths)
    flops = forward_flops(loaded.model, lengths)
    name = (
        torch.cuda.get_device_name(args.device)
        if args.device.startswith("cuda")
        else "cpu"
    )
    print(
        f"{name}, {args.model}, {len(texts)} texts, {tokens} real tokens; "
        f"tokenising alone {tokenize_s:.2f} s ({len(texts) / tokenize_s:.0f} texts/s)"
    )

    rows = []
    for dtype in args.dtypes:
        peak = matmul_tflops(args.device, dtype)
        for batch_size in args.batch_sizes:
            kwargs = dict(pooling="mean", max_length=128, batch_size=batch_size)
            extract(loaded, texts[: 4 * batch_size], dtype=dtype, **kwargs)  # warm up
            _sync(args.device)
            start = time.perf_counter()
            extract(loaded, texts, dtype=dtype, **kwargs)
            _sync(args.device)
            seconds = time.perf_counter() - start
            achieved = flops / seconds / 1e12
            row = {
                "dtype": dtype,
                "batch_size": batch_size,
                "seconds": seconds,
                "texts_per_s": len(texts) / seconds,
                "tokens_per_s": tokens / seconds,
                "tflops": achieved,
                "matmul_tflops": peak,
                "fraction_of_matmul": achieved / peak,
            }
            if args.peak_tflops:
                row["fraction_of_spec"] = achieved / args.peak_tflops
            rows.append(row)
            spec = (
                f", {row['fraction_of_spec']:.1%} of {args.peak_tflops:g} spec"
                if args.peak_tflops
                else ""
            )
            print(
                f"{dtype:>8} batch {batch_size:>5}: {row['texts_per_s']:9.0f} texts/s "
                f"{row['tokens_per_s'] / 1e3:8.1f}k tok/s {achieved:7.2f} TFLOP/s = "
                f"{row['fraction_of_matmul']:.1%} of {peak:.3g} TFLOP/s matmul{spec}"
            )
    if args.out:
        args.out.write_text(
            json.dumps(
                {
                    "device": name,
                    "model": args.model,
                    "texts": len(texts),
                    "real_tokens": tokens,
                    "tokenize_seconds": tokenize_s,
                    "rows": rows,
                },
                indent=2,
            )
        )


if __name__ == "__main__":
    main()
