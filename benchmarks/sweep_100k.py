"""A layer sweep over 100,000 texts on a laptop-class machine, in bounded memory.

    .venv/bin/python benchmarks/sweep_100k.py --cache-dir /tmp/sp100k
    # kill it at any point (Ctrl-C, kill, timeout) and run the same line again:
    # it resumes from the chunks already on disk.

The corpus is ``_bench.make_corpus(n)``: the 12,752 Rotten Tomatoes critic
snippets, then copies with small deterministic edits (one word dropped, one
filler word inserted, the copy number appended), so every text is distinct.

Phase 1 streams every text through MiniLM in chunks of ``CHUNK_SIZE`` texts;
each chunk's pooled vectors of all 7 hidden states go to a new shard of the
disk cache (float16 by default) before the next chunk starts. The in-memory
cache is off (``set_memory_cache_limit(0)``), so memory holds the model, one
chunk and the transform's output only. Phase 2 is the sweep: GridSearchCV over
the 7 layers x ``--folds`` folds with LogisticRegression, every transform served
from the memory-mapped shards. The script prints timings and peak memory
(VmHWM) and one JSON line at the end.
"""

import argparse
import glob
import json
import os
import sys
import time
import warnings

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

import numpy as np  # noqa: E402
from _bench import make_corpus, peak_rss_mb, rss_mb  # noqa: E402


def rows_on_disk(cache_dir):
    from sklearn_probe.store import cache_info

    if not os.path.isdir(cache_dir):
        return 0
    return sum(key["rows"] for key in cache_info(cache_dir)["keys"])


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--cache-dir", required=True)
    parser.add_argument("--dtype", default="float16")
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--extract-only", action="store_true")
    args = parser.parse_args(argv)
    warnings.simplefilter("ignore")

    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import GridSearchCV, StratifiedKFold
    from sklearn.pipeline import Pipeline

    from sklearn_probe import HiddenStateTransformer, set_memory_cache_limit
    from sklearn_probe.hidden._models import load_model

    texts, labels = make_corpus(args.n)
    assert len(set(texts)) == len(texts), "texts must be distinct"
    set_memory_cache_limit(0)
    _ = load_model("minilm", "cpu").model  # the weights too (read when asked for)
    model_mb = rss_mb()
    before = rows_on_disk(args.cache_dir)
    print(
        f"{args.n} texts; already on disk: {before} rows; model loaded, "
        f"RSS {model_mb:.0f} MB",
        flush=True,
    )

    hidden = HiddenStateTransformer(
        "minilm",
        layer=0,
        device="cpu",
        cache_dir=args.cache_dir,
        dtype=args.dtype,
        batch_size=args.batch_size,
        verbose=1,
    )
    start = time.perf_counter()
    hidden.fit(texts[:1]).transform(texts)  # every layer goes to disk
    extract_s = time.perf_counter() - start
    computed = max(rows_on_disk(args.cache_dir) - before, 0)
    print(
        f"phase 1 (extract, {computed} texts computed): {extract_s:.1f} s, "
        f"{computed / max(extract_s, 1e-9):.0f} texts/s; peak RSS "
        f"{peak_rss_mb():.0f} MB",
        flush=True,
    )
    result = {
        "n": args.n,
        "on_disk_before": before,
        "computed": computed,
        "extract_s": extract_s,
        "model_rss_mb": model_mb,
        "peak_rss_after_extract_mb": peak_rss_mb(),
        "store_mb": sum(
            os.path.getsize(p)
            for p in glob.glob(os.path.join(args.cache_dir, "*", "*.shard"))
        )
        / 1024**2,
    }
    if not args.extract_only:
        pipe = Pipeline(
            [
                ("hidden", hidden.set_params(verbose=0)),
                ("probe", LogisticRegression(max_iter=200)),
            ]
        )
        search = GridSearchCV(
            pipe,
            {"hidden__layer": list(range(hidden.n_layers_))},
            cv=StratifiedKFold(args.folds, shuffle=True, random_state=0),
            refit=False,
        )
        start = time.perf_counter()
        search.fit(texts, labels)
        result["sweep_s"] = time.perf_counter() - start
        result["scores"] = [float(s) for s in search.cv_results_["mean_test_score"]]
        print(
            f"phase 2 (sweep, 7 layers x {args.folds} folds): "
            f"{result['sweep_s']:.1f} s; accuracy by layer "
            f"{np.round(result['scores'], 3).tolist()}",
            flush=True,
        )
    result["peak_rss_mb"] = peak_rss_mb()
    print(
        f"peak RSS {result['peak_rss_mb']:.0f} MB (model loaded: {model_mb:.0f} "
        f"MB); store {result['store_mb']:.0f} MB on disk",
        flush=True,
    )
    print(json.dumps(result))


if __name__ == "__main__":
    main()
