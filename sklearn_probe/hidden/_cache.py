"""Pooled all-layer vectors, kept so that no text goes through a model twice.

An entry is the ``(n_layers, width)`` array of one text (float32, or float16 when
the transformer's ``dtype`` asks for reduced-precision storage) under one
*extraction key*: a hash of everything that determines the numbers (the model's
fingerprint, which covers weights, configuration and tokenizer; pooling;
max_length; storage and compute dtype). Texts are looked up by the text itself
in memory and by a 128-bit hash of it on disk.

Two levels:

- :class:`MemoryCache`, one per process, shared by every estimator and clone
  (GridSearchCV clones the pipeline for each candidate and fold, so a cache on the
  instance would help nobody). Bounded in bytes; the least recently used entries
  go first.
- :class:`DiskStore`, optional (``cache_dir``), shared by processes and runs. Each
  write is a new shard: a ``.vectors.npy`` file, then a ``.keys.npy`` file, each
  written to a temporary name, flushed and renamed into place. Readers only trust
  shards whose keys file exists, so a run killed at any point never leaves a
  shard that is read back wrong, and a restarted run reuses every finished shard.
"""

import hashlib
import json
import logging
import os
import threading
import uuid
from collections import OrderedDict

import numpy as np

logger = logging.getLogger(__name__)

CACHE_FORMAT = 1
# Texts computed (and, with a disk store, written) per step: what a killed run
# can lose at most.
CHUNK_SIZE = 2048
_DEFAULT_LIMIT = int(os.environ.get("SKLEARN_PROBE_CACHE_BYTES", 4 * 1024**3))


def extraction_key(
    *, fingerprint, pooling, max_length, dtype="float32", compute="float32"
):
    """Hash of everything that determines a text's pooled vectors.

    ``dtype`` is how vectors are stored, ``compute`` what the forward pass ran
    in (float16 autocast on CUDA gives other numbers than float32 on the CPU).
    The defaults give the keys of earlier versions, so their caches stay valid.
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
    blob = json.dumps(description, sort_keys=True).encode()
    return hashlib.blake2b(blob, digest_size=20).hexdigest(), description


def text_digest(text):
    """16-byte hash of a text, as stored on disk."""
    return hashlib.blake2b(
        text.encode("utf-8", "surrogatepass"), digest_size=16
    ).digest()


class MemoryCache:
    """Least-recently-used store of per-text arrays, bounded in bytes."""

    def __init__(self, limit_bytes=_DEFAULT_LIMIT):
        self.limit_bytes = int(limit_bytes)
        self.nbytes = 0
        self._entries = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self):
        return len(self._entries)

    def get(self, key, text):
        with self._lock:
            value = self._entries.get((key, text))
            if value is not None:
                self._entries.move_to_end((key, text))
            return value

    def put(self, key, text, value):
        if value.nbytes > self.limit_bytes:
            return
        with self._lock:
            old = self._entries.pop((key, text), None)
            if old is not None:
                self.nbytes -= old.nbytes
            self._entries[(key, text)] = value
            self.nbytes += value.nbytes
            while self.nbytes > self.limit_bytes:
                _, evicted = self._entries.popitem(last=False)
                self.nbytes -= evicted.nbytes

    def set_limit(self, limit_bytes):
        with self._lock:
            self.limit_bytes = int(limit_bytes)
            while self.nbytes > self.limit_bytes and self._entries:
                _, evicted = self._entries.popitem(last=False)
                self.nbytes -= evicted.nbytes

    def clear(self):
        with self._lock:
            self._entries.clear()
            self.nbytes = 0


MEMORY = MemoryCache()


def set_memory_cache_limit(limit_bytes):
    """Bound the process-wide cache of pooled vectors to ``limit_bytes`` bytes.

    The default is 4 GiB (or the environment variable
    ``SKLEARN_PROBE_CACHE_BYTES``). The least recently used entries are dropped
    first; 0 turns the in-memory cache off.
    """
    if isinstance(limit_bytes, bool) or not isinstance(limit_bytes, int | np.integer):
        raise TypeError(f"limit_bytes must be an int; got {limit_bytes!r}.")
    if limit_bytes < 0:
        raise ValueError(f"limit_bytes must be >= 0; got {limit_bytes}.")
    MEMORY.set_limit(limit_bytes)


def clear_cache():
    """Empty the in-memory cache of pooled vectors and forget loaded models.

    Disk caches (``cache_dir``) are left alone: delete the directory to clear one.
    """
    from ._models import clear_loaded_models

    MEMORY.clear()
    clear_loaded_models()


class DiskStore:
    """Append-only, crash-safe shards of pooled vectors for one extraction key."""

    def __init__(self, cache_dir, key, description):
        self.path = os.path.join(os.fspath(cache_dir), key)
        os.makedirs(self.path, exist_ok=True)
        meta = os.path.join(self.path, "meta.json")
        if not os.path.exists(meta):
            _atomic_write(meta, lambda f: f.write(json.dumps(description).encode()))
        self._index = {}  # digest -> (shard name, row)
        self._seen = set()
        self._vectors = {}  # shard name -> read-only memory map

    def refresh(self):
        """Index the shards that other processes (or earlier runs) finished."""
        for name in sorted(os.listdir(self.path)):
            if not name.endswith(".keys.npy"):
                continue
            shard = name[: -len(".keys.npy")]
            if shard in self._seen:
                continue
            try:
                keys = np.load(os.path.join(self.path, name))
                vectors = np.load(
                    os.path.join(self.path, shard + ".vectors.npy"), mmap_mode="r"
                )
            except (OSError, ValueError) as exc:
                logger.warning("Ignoring unreadable cache shard %s: %s", shard, exc)
                self._seen.add(shard)
                continue
            self._seen.add(shard)
            if keys.ndim != 2 or keys.shape[1] != 16 or len(keys) != len(vectors):
                logger.warning("Ignoring malformed cache shard %s", shard)
                continue
            self._vectors[shard] = vectors
            for row, digest in enumerate(keys):
                self._index[digest.tobytes()] = (shard, row)

    def get(self, digest):
        hit = self._index.get(digest)
        if hit is None:
            return None
        shard, row = hit
        return np.array(self._vectors[shard][row])

    def write(self, digests, vectors):
        """Store ``vectors[i]`` under ``digests[i]`` as one new shard."""
        if not len(digests):
            return
        shard = f"shard-{os.getpid()}-{uuid.uuid4().hex}"
        keys = np.frombuffer(b"".join(digests), dtype=np.uint8).reshape(-1, 16)
        # float16 stays float16 (reduced-precision storage); anything else float32.
        dtype = np.float16 if vectors.dtype == np.float16 else np.float32
        vectors = np.ascontiguousarray(vectors, dtype=dtype)
        base = os.path.join(self.path, shard)
        # Vectors first, keys last: the keys file is what makes a shard visible.
        _atomic_write(base + ".vectors.npy", lambda f: np.save(f, vectors))
        _atomic_write(base + ".keys.npy", lambda f: np.save(f, keys))
        self._seen.add(shard)
        self._vectors[shard] = np.load(base + ".vectors.npy", mmap_mode="r")
        for row, digest in enumerate(digests):
            self._index[digest] = (shard, row)


def _atomic_write(path, write):
    tmp = f"{path}.tmp-{os.getpid()}-{uuid.uuid4().hex}"
    try:
        with open(tmp, "wb") as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)


def cached_vectors(
    texts,
    *,
    key,
    description,
    compute,
    layers,
    cache_dir=None,
    chunk_size=None,
    progress=None,
):
    """Pooled vectors of ``layers`` for every text, computing only what is missing.

    ``compute(list_of_texts, bar)`` returns the all-layer array
    ``(n, n_layers, width)`` of texts seen nowhere yet, calling ``bar.update(k)``
    as it goes if ``bar`` is not None. ``progress(total)``, if given, makes that
    bar when there is anything to compute. Repeated texts are computed once.
    Misses are computed ``chunk_size`` texts at a time and each chunk is stored
    (in memory and, with ``cache_dir``, on disk) before the next starts, so an
    interrupted run resumes where it stopped.

    Returns ``(n, len(layers), width)`` float32 (float16 entries are widened).
    Peak memory is this output plus one chunk: with ``cache_dir`` and a small
    in-memory limit (:func:`set_memory_cache_limit`), a corpus far larger than
    memory streams through in chunks, every chunk on disk before the next.
    """
    layers = list(layers)
    chunk_size = chunk_size or CHUNK_SIZE
    store = DiskStore(cache_dir, key, description) if cache_dir is not None else None
    if store is not None:
        store.refresh()

    out = None
    missing = {}  # text -> positions in ``texts``
    for i, text in enumerate(texts):
        value = MEMORY.get(key, text)
        if value is None and store is not None:
            value = store.get(text_digest(text))
            if value is not None:
                MEMORY.put(key, text, value)
        if value is None:
            missing.setdefault(text, []).append(i)
            continue
        if out is None:
            out = np.empty((len(texts), len(layers), value.shape[1]), np.float32)
        out[i] = value[layers]

    todo = list(missing)
    bar = progress(len(todo)) if progress is not None and todo else None
    try:
        for start in range(0, len(todo), chunk_size):
            chunk = todo[start : start + chunk_size]
            computed = compute(chunk, bar)
            if out is None:
                shape = (len(texts), len(layers), computed.shape[2])
                out = np.empty(shape, np.float32)
            keep = MEMORY.limit_bytes > 0
            for text, value in zip(chunk, computed, strict=True):
                if keep:
                    value = value.copy()  # own memory: the chunk can be freed
                    MEMORY.put(key, text, value)
                out[missing[text]] = value[layers]
            if store is not None:
                store.write([text_digest(t) for t in chunk], computed)
    finally:
        if bar is not None:
            bar.close()
    return out
