"""What runs in a worker process: one long-lived transformer, partitions of texts.

A worker keeps the fitted transformer of each parameter set it was asked for
(:func:`transformer`) for the life of its process, and the model behind it is
shared by every clone in that process
(:func:`~sklearn_probe.hidden.loaded_model_count` counts them), so a worker
loads a model once however many partitions it runs.
A partition writes its vectors to the shared store chunk by chunk, each shard
whole, and computes only what the store lacks: run again after a worker died,
it finishes what the dead one left.
"""

import os

_TRANSFORMERS = {}  # parameters -> fitted HiddenStateTransformer, this process


def transformer(params):
    """The fitted transformer of ``params`` in this process (loaded once)."""
    from ..hidden import HiddenStateTransformer, fitted

    key = tuple(sorted((k, str(v)) for k, v in params.items()))
    found = _TRANSFORMERS.get(key)
    if found is None:
        found = fitted(HiddenStateTransformer(**params))
        _TRANSFORMERS[key] = found
    return found


def models_loaded():
    """How many models this process holds in memory."""
    from ..hidden import loaded_model_count

    return loaded_model_count()


def pick_device(params, ordinal):
    """``params`` with ``device="auto"`` made the ``ordinal``-th visible GPU.

    Workers of one host each take their own GPU when the host has several and
    nothing (``CUDA_VISIBLE_DEVICES``, Ray's ``num_gpus``) gave each worker
    one already; otherwise ``params`` as given.
    """
    if params["device"] != "auto" or ordinal is None:
        return params
    import torch

    if not torch.cuda.is_available() or torch.cuda.device_count() < 2:
        return params
    return {**params, "device": f"cuda:{ordinal % torch.cuda.device_count()}"}


def plan(params, texts, poolings):
    """``(poolings, positions)``: ``"auto"`` resolved for the model, and the
    positions in ``texts`` of those that the store lacks under some pooling."""
    from ..store import missing_texts

    fitted = transformer(params)
    resolved = list(
        dict.fromkeys(fitted.pooling_ if p == "auto" else p for p in poolings)
    )
    lacking = set()
    for pooling in resolved:
        key, _ = fitted._extraction_key(pooling, fitted._get_loaded())
        lacking.update(missing_texts(fitted.cache_dir, key, texts))
    return resolved, [i for i, text in enumerate(texts) if text in lacking]


def drop_claims_on(fitted, texts, poolings):
    """Remove the claims other processes hold on any of ``texts``.

    No two partitions share a text, so such a claim was left by an earlier
    attempt at this partition, on a worker that died: on another host it
    would look live for :data:`~sklearn_probe.store._owner.STALE_AFTER_S`
    seconds and the retry would wait for it. (A claim of an unrelated job on
    the same texts costs, at worst, the same texts computed twice; the store
    stays right either way.) Returns how many were removed.
    """
    from ..store import open_store, text_digest

    digests = {text_digest(t) for t in texts}
    loaded = fitted._get_loaded()
    removed = 0
    for pooling in poolings:
        key, description = fitted._extraction_key(pooling, loaded)
        shape = fitted._store_shape()
        store = open_store(fitted.cache_dir, key, description, shape)
        if store is None or not store.writable:
            continue
        fs, folder = store.fs, store.claims.folder
        for name in fs.listdir(folder):
            path = fs.join(folder, name)
            try:
                data = fs.read(path)
            except FileNotFoundError:
                continue  # released meanwhile
            if any(data[i : i + 16] in digests for i in range(0, len(data), 16)):
                fs.remove(path)
                removed += 1
    return removed


def run_partition(params, texts, poolings, ordinal=None):
    """Cache ``texts`` under every pooling in the shared store; what it did."""
    from ..hidden import cache_poolings
    from ..store import MEMORY

    fitted = transformer(pick_device(params, ordinal))
    drop_claims_on(fitted, texts, poolings)
    # The vectors are for the store: a text this worker holds in memory (from
    # a run into another store) would be served from there and never written.
    limit = MEMORY.limit_bytes
    MEMORY.set_limit(0)
    try:
        computed = cache_poolings(fitted, texts, poolings)
    finally:
        MEMORY.set_limit(limit)
    return {
        "pid": os.getpid(),
        "texts": len(texts),
        "computed": computed,
        "models_loaded": models_loaded(),
        "device": str(fitted.device_),
    }


class RayExtractor:
    """A Ray actor's state: the parameters of its transformer."""

    def __init__(self, params):
        self.params = params

    def plan(self, texts, poolings):
        return plan(self.params, texts, poolings)

    def run(self, texts, poolings):
        return run_partition(self.params, texts, poolings)
