"""Benchmark jobs, each run in a fresh process by ``_bench.run_job``.

``python benchmarks/_jobs.py NAME '{"n": 1000, ...}'`` prints one JSON line with
the job's timings and ``peak_rss_mb`` (``ru_maxrss`` of the whole process:
Python, torch, the model and the data) and ``model_rss_mb`` (resident memory
once the model is loaded, before the measured part).
"""

import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import numpy as np  # noqa: E402
from _bench import MODEL, make_corpus, peak_rss_mb, rss_mb  # noqa: E402

LAYERS = 7  # MiniLM: embedding output + 6 layers
FOLDS = 5


def make_probe(name):
    if name == "logreg":
        from sklearn.linear_model import LogisticRegression

        return LogisticRegression(max_iter=1000)
    if name == "probe":
        from sklearn_probe import ProbeClassifier

        return ProbeClassifier(random_state=0, device="cpu")
    raise ValueError(name)


def _folds(labels):
    from sklearn.model_selection import StratifiedKFold

    return StratifiedKFold(FOLDS, shuffle=True, random_state=0)


def _load():
    from sklearn_probe.hidden._models import load_model

    loaded = load_model(MODEL, "cpu")
    _ = loaded.model  # the weights are read when first asked for: not timed
    return loaded


def naive(n, probe):
    """The lesson's structure: the model re-run for every layer and fold."""
    from naive import naive_layer_sweep

    from sklearn_probe.hidden._models import resolve_source

    texts, labels = make_corpus(n)
    base = rss_mb()
    scores, seconds, rows = naive_layer_sweep(
        resolve_source(MODEL),
        texts,
        labels,
        lambda: make_probe(probe),
        layers=range(LAYERS),
        cv=FOLDS,
    )
    return {
        "seconds": seconds,
        "rows": rows,
        "scores": {k: float(np.mean(v)) for k, v in scores.items()},
        "model_rss_mb": base,
        "peak_rss_mb": peak_rss_mb(),
    }


def sweep(n, probe, n_jobs=1, cache_dir=None, warm=False):
    """GridSearchCV over ``hidden__layer`` x 5 folds, as a user writes it."""
    from sklearn.model_selection import GridSearchCV
    from sklearn.pipeline import Pipeline

    from sklearn_probe import HiddenStateTransformer

    texts, labels = make_corpus(n)
    _load()
    base = rss_mb()
    hidden = HiddenStateTransformer(MODEL, device="cpu", cache_dir=cache_dir)
    if warm:  # fill the (disk) cache first, untimed
        hidden.set_params(layer="all").fit_transform(texts)
        hidden.set_params(layer=-1)
    pipe = Pipeline([("hidden", hidden), ("probe", make_probe(probe))])
    search = GridSearchCV(
        pipe,
        {"hidden__layer": list(range(LAYERS))},
        cv=_folds(labels),
        refit=False,
        n_jobs=n_jobs,
    )
    start = time.perf_counter()
    search.fit(texts, labels)
    seconds = time.perf_counter() - start
    return {
        "seconds": seconds,
        "scores": {
            int(k): float(v)
            for k, v in zip(
                search.cv_results_["param_hidden__layer"],
                search.cv_results_["mean_test_score"],
                strict=True,
            )
        },
        "model_rss_mb": base,
        "peak_rss_mb": peak_rss_mb(),
    }


def one_pass(n, probe):
    """One extraction of every layer, then the same 35 probe fits by hand."""
    from sklearn_probe import HiddenStateTransformer

    texts, labels = make_corpus(n)
    _load()
    start = time.perf_counter()
    X = HiddenStateTransformer(MODEL, layer="all", device="cpu").fit_transform(texts)
    extract_s = time.perf_counter() - start
    X = X.reshape(len(texts), LAYERS, -1)
    start = time.perf_counter()
    for layer in range(LAYERS):
        for train, test in _folds(labels).split(texts, labels):
            est = make_probe(probe).fit(X[train, layer], labels[train])
            est.score(X[test, layer], labels[test])
    fits_s = time.perf_counter() - start
    return {"extract_s": extract_s, "fits_s": fits_s, "seconds": extract_s + fits_s}


def forward_only(loaded, texts, batch_size=32):
    """The model alone: same batches, no hidden states kept, no pooling."""
    import torch

    from sklearn_probe.hidden._extract import pad_batch, plan_batches, tokenize

    ids, _ = tokenize(loaded, texts, 128)
    start = time.perf_counter()
    with torch.inference_mode():
        for rows in plan_batches([len(s) for s in ids], batch_size):
            input_ids, mask = pad_batch(loaded, [ids[i] for i in rows])
            loaded.model(input_ids=input_ids, attention_mask=mask)
    return time.perf_counter() - start, sum(len(s) for s in ids)


def scaling(n):
    """Forward-only time, then a cold 7-layer x 5-fold sweep (LogisticRegression)."""
    texts, labels = make_corpus(n)
    loaded = _load()
    forward_s, tokens = forward_only(loaded, texts)
    result = sweep(n, "logreg")  # same process: the model is already loaded
    pooled_mb = n * LAYERS * loaded.width * 4 / 1024**2
    return {
        "n": n,
        "tokens": tokens,
        "forward_s": forward_s,
        "sweep_s": result["seconds"],
        "model_rss_mb": result["model_rss_mb"],
        "peak_rss_mb": result["peak_rss_mb"],
        "pooled_mb": pooled_mb,
    }


def threads():
    """Threads torch and BLAS use here and inside joblib's loky workers."""
    from joblib import Parallel, delayed

    def info():
        import torch
        from threadpoolctl import threadpool_info

        return {
            "torch": torch.get_num_threads(),
            "pools": sorted(
                {(p["internal_api"], p["num_threads"]) for p in threadpool_info()}
            ),
        }

    __import__("torch")  # load torch's OpenMP in the parent too

    return {
        "parent": info(),
        "workers": Parallel(n_jobs=2)(delayed(info)() for _ in range(2)),
    }


if __name__ == "__main__":
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    import warnings

    warnings.simplefilter("ignore")
    name, kwargs = sys.argv[1], json.loads(sys.argv[2]) if len(sys.argv) > 2 else {}
    result = globals()[name](**kwargs)
    print(json.dumps(result))
