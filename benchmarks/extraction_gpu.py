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

``--large`` adds the large-model case: a 1B-class decoder (Llama-3.2-1B's
shape: width 2048, 16 layers, grouped-query attention; random weights, since
the machine has no hub) saved in bfloat16, then loaded through
``HiddenStateTransformer(torch_dtype="bfloat16")``. It reports the load time,
the fingerprint's cost (weight files digested, then read from the record), the
memory the weights take on the device, and last-token extraction of every layer
(left padding) in texts/s, tokens/s and TFLOP/s. ``--large-layers`` and
``--large-width`` shrink it for a smoke run on the CPU:

    .venv/bin/python benchmarks/extraction_gpu.py --device cuda --large --out gpu.json
    .venv/bin/python benchmarks/extraction_gpu.py --device cpu --n 64 --dtypes \
        float32 --batch-sizes 32 --large --large-layers 2 --large-width 128
"""

import argparse
import json
import os
import sys
import tempfile
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


def build_decoder(path, tokenizer_source, *, width, layers):
    """Save a random Llama-shaped decoder (bfloat16) with ``tokenizer_source``'s
    tokenizer at ``path``: the stand-in for a 1B-class checkpoint."""
    import torch
    from transformers import AutoTokenizer, LlamaConfig, LlamaModel

    tokenizer = AutoTokenizer.from_pretrained(tokenizer_source)
    tokenizer.save_pretrained(path)
    config = LlamaConfig(
        vocab_size=len(tokenizer),
        hidden_size=width,
        intermediate_size=4 * width,
        num_hidden_layers=layers,
        num_attention_heads=max(1, width // 64),
        num_key_value_heads=max(1, width // 256),
        max_position_embeddings=2048,
        architectures=["LlamaForCausalLM"],
    )
    torch.manual_seed(0)
    LlamaModel(config).to(torch.bfloat16).save_pretrained(path)


def large_model_case(args, texts):
    """Load, fingerprint and extraction figures of a 1B-class bf16 decoder."""
    import torch

    from sklearn_probe import HiddenStateTransformer
    from sklearn_probe.hidden import _fingerprint
    from sklearn_probe.hidden._extract import extract, tokenize
    from sklearn_probe.hidden._models import resolve_source

    cuda = args.device.startswith("cuda")
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["SKLEARN_PROBE_DIGEST_DIR"] = os.path.join(tmp, "digests")
        path = os.path.join(tmp, "decoder")
        build_decoder(
            path,
            resolve_source(args.model),
            width=args.large_width,
            layers=args.large_layers,
        )
        if cuda:
            torch.cuda.reset_peak_memory_stats(args.device)
        start = time.perf_counter()
        hidden = HiddenStateTransformer(
            path, layer="all", torch_dtype="bfloat16", device=args.device
        ).fit([""])
        load_s = time.perf_counter() - start
        loaded = hidden._loaded
        _fingerprint._DIGESTS.clear()
        start = time.perf_counter()
        _fingerprint.weight_file_digests(path)
        recorded_ms = (time.perf_counter() - start) * 1000
        params = sum(p.numel() for p in loaded.model.parameters())
        weight_gb = (
            sum(p.numel() * p.element_size() for p in loaded.model.parameters()) / 1e9
        )
        ids, _ = tokenize(loaded, texts, 128)
        lengths = [len(seq) for seq in ids]
        flops = forward_flops(loaded.model, lengths)
        rows = []
        for batch_size in args.batch_sizes:
            kwargs = dict(pooling="last", max_length=128, batch_size=batch_size)
            extract(loaded, texts[: 2 * batch_size], **kwargs)  # warm up
            _sync(args.device)
            start = time.perf_counter()
            extract(loaded, texts, **kwargs)
            _sync(args.device)
            seconds = time.perf_counter() - start
            rows.append(
                {
                    "batch_size": batch_size,
                    "seconds": seconds,
                    "texts_per_s": len(texts) / seconds,
                    "tokens_per_s": sum(lengths) / seconds,
                    "tflops": flops / seconds / 1e12,
                }
            )
        peak_gb = torch.cuda.max_memory_allocated(args.device) / 1e9 if cuda else None
    result = {
        "parameters": params,
        "weights_gb": weight_gb,
        "weights_dtype": str(loaded.model.dtype),
        "load_seconds": load_s,
        "fingerprint_recorded_ms": recorded_ms,
        "peak_device_gb": peak_gb,
        "rows": rows,
    }
    print(
        f"large: {params / 1e9:.2f}B-parameter decoder in {loaded.model.dtype}, "
        f"{weight_gb:.2f} GB of weights; load {load_s:.1f} s (first, files "
        f"digested), fingerprint from the record {recorded_ms:.1f} ms"
        + (f", peak {peak_gb:.1f} GB on the device" if cuda else "")
    )
    for row in rows:
        print(
            f"   bf16 batch {row['batch_size']:>5}: {row['texts_per_s']:9.0f} "
            f"texts/s {row['tokens_per_s'] / 1e3:8.1f}k tok/s "
            f"{row['tflops']:7.2f} TFLOP/s (last token, every layer)"
        )
    return result


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
    parser.add_argument(
        "--large", action="store_true", help="also the 1B-class bf16 decoder case"
    )
    parser.add_argument("--large-layers", type=int, default=16)
    parser.add_argument("--large-width", type=int, default=2048)
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
    large = large_model_case(args, texts) if args.large else None
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
                    "large": large,
                },
                indent=2,
            )
        )


if __name__ == "__main__":
    main()
