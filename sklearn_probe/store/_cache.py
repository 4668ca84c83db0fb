"""Pooled all-layer vectors, kept so that no text goes through a model twice.

An entry is the ``(n_layers, width)`` array of one text (float32, or float16 when
the transformer's ``dtype`` asks for reduced-precision storage) under one
*extraction key*: a hash of everything that determines the numbers (the model's
fingerprint, which covers weights, configuration and tokenizer; pooling;
max_length; storage and compute dtype). Texts are looked up by the text itself
in memory and by a 128-bit hash of it on disk.

Two levels:

- the in-memory cache (:mod:`._memory`), one per process, bounded in bytes;
- the disk store (:mod:`._store`, format in :mod:`._shard`), optional
  (``cache_dir``; where it lives: :mod:`._location`), shared by processes and
  runs, every shard validated before use, compacted by :mod:`._compact`.

:func:`store_metadata` and :func:`missing_texts` let a caller learn from a store
alone what its vectors are and whether every text it needs is there, without
loading the model.
"""

import contextlib
import hashlib
import json
import threading
import time

import numpy as np

from ._claims import Waiting
from ._location import resolve
from ._memory import MEMORY
from ._shard import VERSION as SHARD_VERSION
from ._store import META, Store, same_meta

CACHE_FORMAT = 1
# Texts computed (and, with a disk store, written) per step: what a killed run
# can lose at most.
CHUNK_SIZE = 2048
CACHE_MODES = ("read-write", "read-only")

_STORES = {}  # (root, key, mode) -> Store, for the life of the process
_STORES_LOCK = threading.Lock()


def extraction_key(
    *,
    fingerprint,
    pooling,
    max_length,
    dtype="float32",
    compute="float32",
    name=None,
    site="residual",
    site_modules=None,
):
    """Hash of everything that determines a text's pooled vectors.

    ``dtype`` is how vectors are stored, ``compute`` what the forward pass ran
    in (float16 autocast on CUDA gives other numbers than float32 on the CPU).
    The defaults give the keys of earlier versions, so their caches stay valid.
    ``name``, the model as the caller named it, goes into the description
    (for ``cache info`` to show) but not into the key: one checkpoint has
    many names and the same vectors. ``site`` (where in the model the vectors
    are read) and the ``site_modules`` a user named enter the key only when
    the site is not ``"residual"``, so residual keys are those of before.
    """
    description = {
        "format": CACHE_FORMAT,
        "model": fingerprint,
        "pooling": pooling,
        "max_length": max_length,
        "dtype": dtype,
    }
    if compute != "float32":
        description["compute"] = compute
    if site not in (None, "residual"):
        description["site"] = site
        if site_modules is not None:
            description["site_modules"] = dict(site_modules)
    blob = json.dumps(description, sort_keys=True).encode()
    if name is not None:
        description["model_name"] = str(name)
    return hashlib.blake2b(blob, digest_size=20).hexdigest(), description


def text_digest(text):
    """16-byte hash of a text, as stored on disk."""
    return hashlib.blake2b(
        text.encode("utf-8", "surrogatepass"), digest_size=16
    ).digest()


def _store_meta(description, shape):
    """``meta.json`` of a key: its description, the shard format, the shape."""
    meta = dict(description)
    # Reduced precision (float16, bfloat16) is stored as float16.
    meta["storage"] = "float32" if description["dtype"] == "float32" else "float16"
    meta["shard_format"] = SHARD_VERSION
    meta["layers"], meta["width"] = (int(n) for n in shape)
    return meta


def open_store(cache_dir, key, description, shape, *, mode="read-write"):
    """This process's :class:`Store` of ``key`` in ``cache_dir`` (None: no disk)."""
    where = resolve(cache_dir)
    if where is None:
        return None
    fs, root, limit = where
    meta = _store_meta(description, shape)
    with _STORES_LOCK:
        name = fs.url_prefix + root
        store = _STORES.get((name, key, mode))
        if store is None or not same_meta(store.meta, meta):
            on_use = fs.touch_access if limit is not None else None
            store = Store(fs, root, key, meta, mode=mode, on_use=on_use)
            store.limit_bytes = limit
            _STORES[(name, key, mode)] = store
    return store


def store_metadata(cache_dir, key):
    """What the store's vectors of ``key`` are, read from ``meta.json``.

    A dict with ``model`` (fingerprint), ``pooling``, ``max_length``,
    ``dtype`` (the transformer's), ``storage`` (float32 or float16 on disk),
    ``layers`` (hidden states per text), ``width``, and ``compute`` where the
    forward pass was not float32; None if the store has no such key or its
    metadata is unreadable.
    """
    where = resolve(cache_dir)
    if where is None:
        return None
    fs, root, _ = where
    try:
        meta = json.loads(fs.read(fs.join(root, key, META)))
    except Exception:  # absent or unreadable: no usable metadata
        return None
    if not isinstance(meta, dict) or not {"layers", "width", "storage"} <= set(meta):
        return None
    return meta


def missing_texts(cache_dir, key, texts):
    """The texts of ``texts`` (in order, each once) that the store lacks.

    Only shards that pass their checks count; an empty list means a
    transformer of this key can serve every text from the store alone.
    """
    unique = list(dict.fromkeys(texts))
    meta = store_metadata(cache_dir, key)
    if meta is None:
        return unique
    extra = ("layers", "width", "storage", "shard_format")
    description = {k: v for k, v in meta.items() if k not in extra}
    store = open_store(
        cache_dir, key, description, (meta["layers"], meta["width"]), mode="read-only"
    )
    present = store.contains([text_digest(t) for t in unique])
    return [t for t, here in zip(unique, present, strict=True) if not here]


def cached_vectors(
    texts,
    *,
    key,
    description,
    compute,
    layers,
    shape=None,
    cache_dir=None,
    cache_mode="read-write",
    chunk_size=None,
    progress=None,
):
    """Pooled vectors of ``layers`` for every text, computing only what is missing.

    ``compute(list_of_texts, bar)`` returns the all-layer array
    ``(n, n_layers, width)`` of texts seen nowhere yet, calling ``bar.update(k)``
    as it goes if ``bar`` is not None. ``progress(total)``, if given, makes that
    bar when there is anything to compute. ``shape`` is ``(n_layers, width)``
    (the store checks every shard against it; without it, the first computed
    chunk tells). Repeated texts are computed once. Misses are computed
    ``chunk_size`` texts at a time and each chunk is stored (in memory and, with
    ``cache_dir`` in ``cache_mode="read-write"``, on disk) before the next
    starts, so an interrupted run resumes where it stopped. Texts that another
    process is computing at the same moment (a claim in the store) are waited
    for rather than computed twice.

    Returns ``(n, len(layers), width)`` float32 (float16 entries are widened).
    Peak memory is this output plus one chunk: with ``cache_dir`` and a small
    in-memory limit (:func:`set_memory_cache_limit`), a corpus far larger than
    memory streams through in chunks, every chunk on disk before the next.
    """
    job = _Job(texts, key, layers)
    for i, text in enumerate(texts):
        value = MEMORY.get(key, text)
        if value is None:
            job.missing.setdefault(text, []).append(i)
        else:
            job.put(i, value)
    if not job.missing:
        return job.out

    if shape is None and cache_dir is not None:
        meta = store_metadata(cache_dir, key)
        shape = None if meta is None else (meta["layers"], meta["width"])
    store = None
    if shape is not None:
        store = open_store(cache_dir, key, description, shape, mode=cache_mode)
    todo = job.take_from(store, list(job.missing))
    bar = progress(len(todo)) if progress is not None and todo else None
    step = chunk_size or CHUNK_SIZE
    try:
        deferred = []
        for start in range(0, len(todo), step):
            chunk = todo[start : start + step]
            if store is None and cache_dir is not None:
                # No shape known before: the first chunk tells it.
                computed, _ = job.compute(None, chunk, compute, bar)
                store = open_store(
                    cache_dir, key, description, computed.shape[1:], mode=cache_mode
                )
                if store is not None:
                    store.write([text_digest(t) for t in chunk], computed)
                continue
            deferred += job.compute(store, chunk, compute, bar)[1]
        # Texts other processes were computing: theirs once committed, else ours.
        rest = job.take_from(store, deferred, wait=True)
        for start in range(0, len(rest), step):
            job.compute(store, rest[start : start + step], compute, bar, claim=False)
    finally:
        if bar is not None:
            bar.close()
    return job.out


class _Job:
    """The output of one :func:`cached_vectors` call, filled from any source."""

    def __init__(self, texts, key, layers):
        self.n, self.key, self.layers = len(texts), key, list(layers)
        self.out = None
        self.missing = {}  # text -> positions in ``texts``
        self.keep_in_memory = MEMORY.limit_bytes > 0
        self.n_computed = 0

    def put(self, positions, value):
        if self.out is None:
            width = value.shape[1]
            self.out = np.empty((self.n, len(self.layers), width), np.float32)
        self.out[positions] = value[self.layers]

    def keep(self, texts, values):
        for text, value in zip(texts, values, strict=True):
            if self.keep_in_memory:
                value = value.copy()  # own memory: the chunk can be freed
                MEMORY.put(self.key, text, value)
            self.put(self.missing[text], value)

    def take_from(self, store, texts, *, wait=False):
        """Fill in what ``store`` holds of ``texts``; return the rest.

        With ``wait``, first wait for the texts other processes claim.
        """
        if store is None or not texts:
            return texts
        digests = [text_digest(t) for t in texts]
        found, values = store.fetch(digests)
        waiting = Waiting(store.claims) if wait else None
        while wait and not found.all():
            held = waiting.others_hold(
                [d for d, f in zip(digests, found, strict=True) if not f]
            )
            if not held:
                break
            time.sleep(0.1)
            more, new = store.fetch(digests)
            values.update(new)
            found |= more
        for i, value in values.items():
            if self.keep_in_memory:
                MEMORY.put(self.key, texts[i], value)
            self.put(self.missing[texts[i]], value)
        return [t for t, hit in zip(texts, found, strict=True) if not hit]

    def compute(self, store, chunk, compute, bar, *, claim=True):
        """Compute and store ``chunk`` but for what other processes claim.

        Returns ``(vectors computed or None, texts left to their claimants)``.
        """
        deferred = []
        if claim and store is not None and store.writable and chunk:
            chunk = self.take_from(store, chunk)  # finished by others meanwhile
            held = store.claims.of_others([text_digest(t) for t in chunk])
            deferred = [t for t in chunk if text_digest(t) in held]
            chunk = [t for t in chunk if text_digest(t) not in held]
        if not chunk:
            return None, deferred
        digests = [text_digest(t) for t in chunk]
        writing = store is not None and store.writable
        with store.claims.hold(digests) if writing else contextlib.nullcontext():
            computed = compute(chunk, bar)
            self.keep(chunk, computed)
            if store is not None:
                store.write(digests, computed)
        return computed, deferred
