"""Distributed extraction: every distinct text through a model once, on a cluster.

:func:`extract` reads as its steps: check the arguments and the store, drop
repeated texts, ask one worker which texts the store lacks (the worker has the
model, so the caller needs none), cut those into partitions, run the partitions
on every worker (Dask: tasks pinned to workers, a GPU each; Ray: an actor pool,
one GPU per actor), and sum up what each worker did.
"""

import math
import numbers
import os
import time
import uuid
from dataclasses import dataclass, field

from sklearn.utils._param_validation import Interval, StrOptions, validate_params

from ..hidden import HiddenStateTransformer, check_texts
from ..store import CHUNK_SIZE
from . import _worker
from ._backends import require, shared_cache_dir

BACKENDS = ("dask", "ray")


@dataclass(kw_only=True)
class ExtractionReport:
    """What :func:`extract` did.

    Attributes
    ----------
    backend : {"dask", "ray"}
    poolings : list of str
        The poolings cached (``"auto"`` resolved for the model).
    n_texts : int
        Texts given.
    n_distinct : int
        Distinct texts among them.
    n_missing : int
        Distinct texts the store lacked (under one pooling or more) before.
    n_computed : int
        Texts run through a model: ``n_missing`` unless workers died or
        another process wrote some of them meanwhile.
    n_partitions : int
        Partitions the missing texts were cut into.
    workers : dict
        Per worker (Dask: its address; Ray: ``"pid-<process id>"``): ``partitions``,
        ``texts``, ``computed``, ``models_loaded`` (models that worker's
        process holds) and ``device``.
    seconds : float
        Wall-clock time of the whole call.
    """

    backend: str
    poolings: list
    n_texts: int
    n_distinct: int
    n_missing: int
    n_computed: int
    n_partitions: int
    workers: dict = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def texts_per_second(self):
        """Texts computed per second of the call."""
        return self.n_computed / self.seconds if self.seconds > 0 else 0.0


@validate_params(
    {
        "texts": "no_validation",  # check_texts says more
        "transformer": [HiddenStateTransformer, None],
        "cache_dir": [str, os.PathLike, None],
        "client": "no_validation",
        "backend": [StrOptions(set(BACKENDS)), None],
        "pooling": [str, list, tuple, None],
        "partition_size": [Interval(numbers.Integral, 1, None, closed="left"), None],
        "n_workers": [Interval(numbers.Integral, 1, None, closed="left"), None],
    },
    prefer_skip_nested_validation=True,
)
def extract(
    texts,
    transformer=None,
    *,
    cache_dir=None,
    client=None,
    backend=None,
    pooling=None,
    partition_size=None,
    n_workers=None,
    **params,
):
    """Cache the pooled hidden states of ``texts`` in a shared store, on a cluster.

    Every worker holds one model for the whole call (Dask: one per worker
    process; Ray: one per actor), and every distinct text that the store
    lacks goes through a model once, whatever the number of poolings: the
    texts are deduplicated, checked against the store, and cut into
    partitions that no two workers share. Each partition writes its vectors
    to ``cache_dir`` in shards written whole, so the call is idempotent: run
    again (after a worker was killed, or the whole job), it computes only what
    is missing. Any :class:`~sklearn_probe.HiddenStateTransformer` of the same
    model and settings then reads them with ``cache_dir`` and runs no model.

    Parameters
    ----------
    texts : iterable of str
        Texts; repeats are computed once.
    transformer : HiddenStateTransformer, default=None
        The settings of the vectors (model, pooling, max_length, dtype, ...),
        read from its ``get_params()``; None is a
        ``HiddenStateTransformer()`` of default settings. Every worker must be
        able to load its model (a hub name, or a folder every worker sees).
        ``layer`` and ``verbose`` are not used, and the workers always write
        to the store.
    cache_dir : str or path-like, default=None
        The store every worker writes and the caller reads: an fsspec URL
        (``s3://bucket/prefix``, ``gs://...``) or a folder on a file system
        every worker mounts. Credentials come from the usual fsspec and cloud
        configuration of each worker. None is the transformer's
        ``cache_dir``, which must then name such a store.
    client : distributed.Client, default=None
        The Dask cluster to run on. None with ``backend="dask"``: the current
        default client.
    backend : {"dask", "ray"}, default=None
        ``"ray"`` runs on the Ray cluster this process is connected to
        (``ray.init()`` first). None is ``"dask"`` when ``client`` is given.
    pooling : str or sequence of str, default=None
        Pooling(s) to cache, all from one forward pass per text. None is the
        transformer's ``pooling``.
    partition_size : int, default=None
        Texts per task. None: enough partitions for four per worker, at most
        2048 texts and at least ``batch_size`` each.
    n_workers : int, default=None
        Ray only: actors to start. None: one per GPU of the cluster, or one
        per CPU when it has none.
    **params : dict
        Parameters of :class:`~sklearn_probe.HiddenStateTransformer` (such as
        ``model="minilm"``, ``max_length=256``) set on ``transformer`` (or
        on a default one) for this call. With ``device="auto"`` each Dask
        worker of a host with several GPUs takes its own (unless
        ``CUDA_VISIBLE_DEVICES`` gives it one already); Ray actors ask for
        one GPU each when the cluster has GPUs.

    Returns
    -------
    ExtractionReport
    """
    started = time.perf_counter()
    backend = _check_backend(client, backend)
    params, poolings = _transformer_params(transformer, params, cache_dir, pooling)
    texts = check_texts(texts, estimator_name="extract")
    distinct = list(dict.fromkeys(texts))
    run = _on_dask if backend == "dask" else _on_ray
    report = run(client, params, distinct, poolings, partition_size, n_workers)
    report.n_texts = len(texts)
    report.seconds = time.perf_counter() - started
    return report


def _check_backend(client, backend):
    if backend is None:
        backend = "dask" if client is not None else None
    if backend not in BACKENDS:
        raise ValueError(
            f"extract needs a cluster: pass client=<a distributed.Client> (Dask) "
            f"or backend='ray'; got client={client!r}, backend={backend!r}."
        )
    if backend == "ray" and client is not None:
        raise ValueError("client= is a Dask client; with backend='ray' leave it None.")
    require(backend)
    return backend


def _transformer_params(transformer, params, cache_dir, pooling):
    """``(params, poolings)``: the workers' transformer parameters, taken from
    ``transformer`` (or a default one) with ``params`` set, and checked here
    before any worker starts; the poolings to cache."""
    base = transformer if transformer is not None else HiddenStateTransformer()
    known = base.get_params()
    unknown = sorted(set(params) - set(known))
    if unknown:
        raise TypeError(
            f"extract() got unexpected keyword argument(s) {unknown}; besides its "
            "own arguments it takes the parameters of HiddenStateTransformer: "
            f"{sorted(known)}."
        )
    settings = {**known, **params}
    if cache_dir is None:
        cache_dir = settings["cache_dir"]
    if pooling is None:
        pooling = settings["pooling"]
    poolings = [pooling] if isinstance(pooling, str) else list(pooling)
    settings.update(
        cache_dir=shared_cache_dir(cache_dir, "Distributed extraction"),
        pooling=poolings[0] if poolings else "auto",
        layer=-1,  # not used; every site has it
        verbose=0,
        cache_mode="read-write",
    )
    HiddenStateTransformer(**settings)._validate_params()
    settings["model"] = str(settings["model"])
    settings["cache_dir"] = str(settings["cache_dir"])
    return settings, poolings


def _partitions(texts, positions, n_workers, size, batch_size):
    """The texts at ``positions`` cut into lists of about ``size`` texts."""
    if size is None:
        size = math.ceil(len(positions) / max(4 * n_workers, 1))
        size = min(CHUNK_SIZE, max(batch_size, size))
    size = max(int(size), 1)
    return [
        [texts[i] for i in positions[start : start + size]]
        for start in range(0, len(positions), size)
    ]


def _report(backend, poolings, distinct, missing, parts, results):
    workers = {}
    for name, result in results:
        entry = workers.setdefault(
            name, {"partitions": 0, "texts": 0, "computed": 0, "models_loaded": 0}
        )
        entry["partitions"] += 1
        entry["texts"] += result["texts"]
        entry["computed"] += result["computed"]
        entry["models_loaded"] = max(entry["models_loaded"], result["models_loaded"])
        entry["device"] = result["device"]
    return ExtractionReport(
        backend=backend,
        poolings=poolings,
        n_texts=len(distinct),
        n_distinct=len(distinct),
        n_missing=len(missing),
        n_computed=sum(r["computed"] for _, r in results),
        n_partitions=len(parts),
        workers=workers,
    )


def _on_dask(client, params, texts, poolings, partition_size, n_workers):
    """Partitions as Dask tasks, each pinned to a worker (another one takes it
    over if that worker dies), with a GPU ordinal per worker of each host."""
    distributed = require("dask")
    if client is None:
        client = distributed.get_client()
    info = client.scheduler_info(n_workers=-1)["workers"]
    if not info:
        raise RuntimeError(f"The Dask cluster of {client!r} has no workers.")
    addresses = sorted(info)
    per_host, ordinal = {}, {}
    for address in addresses:
        host = info[address].get("host", address)
        ordinal[address] = per_host.get(host, 0)
        per_host[host] = ordinal[address] + 1
    token = uuid.uuid4().hex[:12]
    first = addresses[0]
    poolings, missing = client.submit(
        _worker.plan,
        params,
        texts,
        poolings,
        key=f"sklearn-probe-plan-{token}",
        workers=[first],
        allow_other_workers=True,
        pure=False,
    ).result()
    parts = _partitions(
        texts, missing, len(addresses), partition_size, params["batch_size"]
    )
    futures = []
    for k, part in enumerate(parts):
        address = addresses[k % len(addresses)]
        futures.append(
            client.submit(
                _worker.run_partition,
                params,
                part,
                poolings,
                ordinal[address],
                key=f"sklearn-probe-extract-{token}-{k}",
                workers=[address],
                allow_other_workers=True,
                pure=False,
            )
        )
    results = client.gather(futures)
    who = client.who_has(futures)
    named = [
        (next(iter(who.get(f.key, ())), "?"), result)
        for f, result in zip(futures, results, strict=True)
    ]
    return _report("dask", poolings, texts, missing, parts, named)


def _on_ray(client, params, texts, poolings, partition_size, n_workers):
    """Partitions over a pool of Ray actors, one model (and GPU) each; an actor
    that dies is restarted and its partition run again."""
    ray = require("ray")
    from ray.util import ActorPool

    if not ray.is_initialized():
        raise RuntimeError(
            "backend='ray' runs on the Ray cluster this process is connected "
            "to: call ray.init() (or ray.init(address='auto')) first."
        )
    resources = ray.cluster_resources()
    gpus = int(resources.get("GPU", 0))
    n_workers = n_workers or gpus or max(int(resources.get("CPU", 1)), 1)
    actor = ray.remote(
        num_cpus=0 if gpus else 1,
        num_gpus=1 if gpus else 0,
        max_restarts=3,
        max_task_retries=3,
    )(_worker.RayExtractor)
    actors = [actor.remote(params) for _ in range(n_workers)]
    try:
        poolings, missing = ray.get(actors[0].plan.remote(texts, poolings))
        parts = _partitions(
            texts, missing, n_workers, partition_size, params["batch_size"]
        )
        pool = ActorPool(actors)
        named = []
        for result in pool.map_unordered(
            lambda a, part: a.run.remote(part, poolings), parts
        ):
            named.append((f"pid-{result['pid']}", result))
    finally:
        for a in actors:
            ray.kill(a)
    return _report("ray", poolings, texts, missing, parts, named)
