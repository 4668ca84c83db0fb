"""What runs in a worker process: one long-lived transformer, partitions of texts.

A worker keeps the fitted transformer of each parameter set it was asked for
(:func:`transformer`) for the life of its process, and the model behind it is
shared by every clone in that process (:func:`~sklearn_probe.hidden._models
.load_model`), so a worker loads a model once however many partitions it runs.
A partition writes its vectors to the shared store chunk by chunk, each shard
whole, and computes only what the store lacks: run again after a worker died,
it finishes what the dead one left.
"""

import os

_TRANSFORMERS = {}  # parameters -> fitted HiddenStateTransformer, this process


def transformer(params):
    """The fitted transformer of ``params`` in this process (loaded once)."""
    from ..hidden import HiddenStateTransformer
    from ..hidden._transformer import fitted

    key = tuple(sorted((k, str(v)) for k, v in params.items()))
    found = _TRANSFORMERS.get(key)
    if found is None:
        found = fitted(HiddenStateTransformer(**params))
        _TRANSFORMERS[key] = found
    return found


def models_loaded():
    """How many models this process holds in memory."""
    from ..hidden._models import _LOADED

    return len(_LOADED)


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
    from ..hidden._cache import missing_texts

    fitted = transformer(params)
    resolved = list(
        dict.fromkeys(fitted.pooling_ if p == "auto" else p for p in poolings)
    )
    lacking = set()
    for pooling in resolved:
        key, _ = fitted._extraction_key(pooling, fitted._get_loaded())
        lacking.update(missing_texts(fitted.cache_dir, key, texts))
    return resolved, [i for i, text in enumerate(texts) if text in lacking]


def run_partition(params, texts, poolings, ordinal=None):
    """Cache ``texts`` under every pooling in the shared store; what it did."""
    from ..hidden._one_pass import cache_poolings

    fitted = transformer(pick_device(params, ordinal))
    computed = cache_poolings(fitted, texts, poolings)
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
