"""The first stages of a layer sweep: load the model once, warm the cache.

:func:`_load_model` loads the model (every clone of the transformer in this
process then shares it) and resolves the layers and ``"auto"`` pooling for it;
:func:`_warm_cache` runs every text through it once, before any probe is
fitted, so that every candidate and fold of the search is served from the cache
of pooled vectors; :func:`_cache_for_workers` gives worker processes a disk
cache to share when the sweep has none.
"""

import contextlib
import dataclasses
import logging
import os
import tempfile
import time

from sklearn.base import clone

from ..hidden import fitted, resolve_layers
from ..store import resolve_cache_dir
from ._probe_kind import warm_texts
from ._sites import check_site_layers, sweep_sites, sweep_tokens

logger = logging.getLogger(__name__)


def _local_model(model):
    """A local model folder as an absolute path; a hub or bundled name as given.

    The best pipeline and the settings keep this, so that a pipeline saved by a
    sweep run with ``model="./my-model"`` predicts from any working folder.
    """
    from ..hidden import BUNDLED_MODELS

    name = os.fspath(model)
    if name in BUNDLED_MODELS:
        return model
    path = os.path.expanduser(name)
    return os.path.abspath(path) if os.path.isdir(path) else model


def _load_model(inputs, config):
    """The transformer, fitted once (every clone in this process shares its
    model), the inputs with their poolings resolved, the layers to sweep and
    the seconds it took.

    A local folder becomes its absolute path (:func:`_local_model`); the
    transformer's ``model`` is what the settings record.

    The inputs returned have ``"auto"`` in ``poolings`` replaced by the
    pooling it stands for with this model.
    """
    start = time.perf_counter()
    model = _local_model(config.model)
    unit = inputs.unit
    hidden = unit.hidden_step(
        model=model, pooling=inputs.poolings[0], **config.hidden_params
    )
    auto = unit.resolved_pooling(unit.fitted(hidden, inputs.texts))
    load_s = time.perf_counter() - start
    poolings = list(dict.fromkeys(auto if p == "auto" else p for p in inputs.poolings))
    inputs = dataclasses.replace(inputs, poolings=poolings)
    hidden.set_params(**{unit.pooling_param: poolings[0]})
    # Each layer once, in order: one row per layer.
    swept = sorted(
        set(resolve_layers(config.layers, hidden.n_layers_, name="layers", model=model))
    )
    check_site_layers(config.layers, swept, sweep_sites(hidden, inputs.grid))
    logger.info(
        "Model %s: %d hidden states (0 = embedding output) of width %d, on %s.",
        model,
        hidden.n_layers_,
        hidden.hidden_size_,
        hidden.device_,
    )
    return hidden, inputs, swept, load_s


@contextlib.contextmanager
def _cache_for_workers(hidden, n_jobs, cache_dir, unit):
    """A temporary disk cache for the sweep when worker processes need one.

    Worker processes do not share this process's memory cache: with ``n_jobs``
    > 1 and no disk cache (``cache_dir=None``, or ``"auto"`` with the default
    store switched off) they read the vectors from a temporary folder, removed
    at the end. Under a distributed joblib backend (Dask, Ray) the workers
    are other machines, so ``cache_dir`` must name a store they share: a
    clear error otherwise.
    """
    from ..distributed import active_backend, shared_cache_dir

    cluster = active_backend()
    if cluster is not None:
        if unit.has_word_types:
            raise ValueError(
                f"unit={unit.name!r} does not run on a distributed joblib backend yet "
                f"(joblib runs on a {cluster[0]} cluster here). Run a word-level "
                "sweep outside it; n_jobs > 1 there uses local worker processes "
                "that read the word vectors from the disk store."
            )
        where = "layer_sweep under a distributed joblib backend"
        hidden.set_params(cache_dir=shared_cache_dir(cache_dir, where))
        yield
        return
    if n_jobs in (None, 1) or resolve_cache_dir(cache_dir) is not None:
        yield
        return
    with tempfile.TemporaryDirectory(prefix="sklearn-probe-sweep-") as tmp:
        hidden.set_params(cache_dir=tmp)
        yield


def _warm_cache(hidden, inputs, random_state, layers=None):
    """One forward pass per text, before any probe is fitted; every site,
    pooling and token selection of the sweep is read from that pass (with a
    probe that pools for itself, the token states of ``layers``, a pass per
    selection: :func:`~._probe_kind.warm_texts`).

    The random-weights baseline's model runs on the training texts only (it is
    not scored on the test set). Returns the seconds it took.
    """
    from ..distributed import active_backend

    start = time.perf_counter()
    everything = inputs.texts + (inputs.test_texts or [])
    own_passes = _own_passes(inputs.baselines)
    unit = inputs.unit
    sites = sweep_sites(hidden, inputs.grid)
    readings = [(s, p) for s in sites for p in inputs.poolings]
    if unit.has_word_types:
        # One pass per site and subword pooling, into memory and cache_dir.
        for site, value in readings:
            step = clone(hidden).set_params(
                site=site, layer=-1, **{unit.pooling_param: value}
            )
            unit.fitted(step, everything).transform(everything)
            for spec in own_passes:
                step.set_params(**spec.hidden_params(random_state))
                unit.fitted(step, everything).transform(inputs.texts)
    elif active_backend() is not None:
        _warm_on_cluster(hidden, inputs, random_state)
    else:
        # Every swept token selection from the same pass (one model input).
        tokens = sweep_tokens(hidden, inputs.grid)
        warm = warm_texts([(*r, t) for r in readings for t in tokens], layers)
        warm(hidden, everything)
        for spec in own_passes:
            step = clone(hidden).set_params(**spec.hidden_params(random_state))
            warm(fitted(step), inputs.texts)
    seconds = time.perf_counter() - start
    # Words: a pass per sentence and subword pooling; texts: one per text.
    n_items, noun = unit.n_passes(everything), unit.passes
    trained = unit.n_passes(inputs.texts)
    n_passed = n_items + len(own_passes) * trained
    if unit.has_word_types:
        n_passed *= len(readings)
    logger.info(
        "Hidden states of %d %s in %.1f s (%.0f %s/s)%s.",
        n_items,
        noun,
        seconds,
        n_passed / max(seconds, 1e-9),
        noun,
        "".join(
            f", and of the training {noun} through the {spec.curve}"
            for spec in own_passes
        ),
    )
    return seconds


def _own_passes(baselines):
    """The specs of the baselines that need a forward pass of their own (the
    random-weights model): run on the training texts only."""
    from ..baselines import BASELINES

    return [BASELINES[b] for b in baselines if BASELINES[b].hidden_params]


def _warm_on_cluster(hidden, inputs, random_state):
    """The warm-up on the cluster of the joblib backend in use: every text once
    per site, on the workers, into the shared store
    (:func:`sklearn_probe.distributed.extract`); this process runs no text."""
    from ..distributed import active_backend, extract

    backend, client = active_backend()
    everything = inputs.texts + (inputs.test_texts or [])
    runs = []
    for site in sweep_sites(hidden, inputs.grid):
        runs.append((everything, {"site": site}))
        for spec in _own_passes(inputs.baselines):
            runs.append(
                (inputs.texts, {**spec.hidden_params(random_state), "site": site})
            )
    for texts, more in runs:
        report = extract(
            texts,
            hidden,  # the settings of the vectors, from the sweep's own step
            client=client,
            backend=backend,
            pooling=inputs.poolings,
            **more,
        )
        logger.info(
            "On the %s cluster: %d of %d distinct texts computed by %d workers.",
            backend,
            report.n_computed,
            report.n_distinct,
            len(report.workers),
        )
