"""The validated disk store of pooled vectors (``cache_dir``).

On disk, one folder per extraction key (see :func:`._cache.extraction_key`)::

    <cache_dir>/<key>/meta.json       what every vector of this key is: format,
                                      model fingerprint, pooling, max_length,
                                      dtype, compute, layers, width
    <cache_dir>/<key>/<id>.shard      committed shards (format in ._shard)
    <cache_dir>/<key>/quarantine/     files found unusable, moved aside
    <cache_dir>/<key>/compact.lock    held while a compaction runs

A shard is committed by writing it whole under its final name (a temporary file
renamed into place on a disk; one PUT on object storage). Nothing else is ever
rewritten: a reader sees a shard entirely or not at all, so a run killed at any
point loses at most the chunk it was computing and never leaves anything that
reads back wrong.

Before a shard is used its header is checked against ``meta.json`` (key,
layers, width, dtype; the file size against the row count) and its keys
against their CRC-32; its vectors are checked against theirs the first time a
process reads them. A shard that fails is moved to ``quarantine/`` (or, when
the store is read-only, skipped), logged once, and its texts are recomputed: no
exception from a bad file reaches the caller.

Each process keeps one :class:`Store` per (folder, key): its index (a sorted
array of the 16-byte text hashes, looked up with ``np.searchsorted``) grows
incrementally with the shards it has not seen yet, and shards are opened only
to read rows, one at a time, so the number of shards never bounds anything by
open files. A shard that disappears (compacted or evicted by another process)
sends the reader back to the listing, where the merged shard already is.
"""

import json
import logging
import os
import threading
import time
import uuid
import warnings

import numpy as np

from . import _shard
from ._claims import Claims

logger = logging.getLogger(__name__)

META = "meta.json"
QUARANTINE = "quarantine"
# Automatic compaction once a key holds more shards than this.
COMPACT_AT = 256


class ReadOnlyStoreWarning(UserWarning):
    """The disk cache cannot be written: new vectors stay in memory only."""


class _ShardGone(Exception):
    """A shard listed earlier is no longer there (compacted or evicted)."""


class Store:
    """The shards of one extraction key in one cache folder, for one process.

    ``meta`` is the key's description plus ``layers`` and ``width``; ``mode``
    is ``"read-write"`` or ``"read-only"``.
    """

    def __init__(self, fs, root, key, meta, *, mode="read-write", on_use=None):
        self.fs = fs
        self.root = root
        self.key = key
        self.meta = dict(meta)
        self.path = fs.join(root, key)
        self.on_use = on_use  # called with a shard path when it serves rows
        self.limit_bytes = None  # the default store's bound on its folder
        self._written = 0  # bytes written since the folder's size was checked
        self._evicted_once = False
        self._lock = threading.RLock()
        self._shards = {}  # name -> {"layout", "keys", "size", "verified"}
        self._rejected = set()  # names found bad here and left in place
        self._names = []  # shard number -> name (numbers are never reused)
        self._index_keys = np.empty(0, f"S{_shard.DIGEST_SIZE}")
        self._index_ids = np.empty(0, np.int64)
        self._stale_index = False
        self.writable = mode == "read-write" and self._check_writable()
        self.claims = Claims(self)
        self._check_meta()

    # -- opening ---------------------------------------------------------

    def _check_writable(self):
        try:
            self.fs.check_writable(self.path)
        except OSError as exc:
            warnings.warn(
                f"The cache directory {self.root!r} cannot be written ({exc}). "
                "Vectors found there are used; the others are computed and kept "
                "in memory only. Pass a writable cache_dir, or cache_dir=None.",
                ReadOnlyStoreWarning,
                stacklevel=6,
            )
            return False
        return True

    def _check_meta(self):
        path = self.fs.join(self.path, META)
        try:
            on_disk = json.loads(self.fs.read(path))
        except FileNotFoundError:
            on_disk = None
        except Exception as exc:  # unreadable: anything at all
            self.quarantine(META, f"unreadable metadata ({exc})")
            on_disk = None
        if on_disk is not None and on_disk != self.meta:
            self.quarantine(META, f"metadata {on_disk} differs from {self.meta}")
            on_disk = None
        if on_disk is None and self.writable:
            self.fs.write_whole(path, json.dumps(self.meta, sort_keys=True).encode())

    # -- reading -----------------------------------------------------------

    def refresh(self):
        """Index the shards not seen yet; forget those that have gone."""
        with self._lock:
            listing = self.fs.listdir(self.path)
            for name in list(self._shards):
                if name not in listing:
                    self._drop(name)
            for name, (size, _, _) in sorted(listing.items()):
                if name.endswith(_shard.SUFFIX):
                    if name not in self._shards and name not in self._rejected:
                        self._index_shard(name, size)

    def _index_shard(self, name, size):
        path = self.fs.join(self.path, name)
        try:
            head = self.fs.read_prefix(path, 4096)
            need = _shard.header_size(head[:16])
            if len(head) < need:
                head = self.fs.read_prefix(path, need)
            layout = self._layout(head, size)
            keys_end = layout["keys_at"] + layout["rows"] * _shard.DIGEST_SIZE
            if len(head) < keys_end:
                head = self.fs.read_prefix(path, keys_end)
            keys = _shard.check_keys(head[layout["keys_at"] : keys_end], layout)
        except FileNotFoundError:
            return
        except Exception as exc:
            self.quarantine(name, exc)
            return
        self._add(name, layout, keys, size, verified=False)

    def _layout(self, head, size):
        return _shard.parse_header(
            head,
            key=self.key,
            layers=self.meta["layers"],
            width=self.meta["width"],
            dtype=self.meta["storage"],
            size=size,
        )

    def _add(self, name, layout, keys, size, *, verified):
        number = len(self._names)
        self._names.append(name)
        self._shards[name] = {
            "layout": layout,
            "keys": keys,
            "size": size,
            "verified": verified,
            "number": number,
        }
        ids = (np.int64(number) << 32) | np.arange(len(keys), dtype=np.int64)
        self._index_keys = np.concatenate([self._index_keys, keys])
        self._index_ids = np.concatenate([self._index_ids, ids])
        self._stale_index = True

    def _drop(self, name):
        self._shards.pop(name, None)
        numbers = [s["number"] for s in self._shards.values()]
        keep = np.isin(self._index_ids >> 32, numbers)
        self._index_keys = self._index_keys[keep]
        self._index_ids = self._index_ids[keep]

    def _lookup(self, digests):
        """Shard number and row of each digest (-1 where absent)."""
        if self._stale_index:
            order = np.argsort(self._index_keys, kind="stable")
            self._index_keys = self._index_keys[order]
            self._index_ids = self._index_ids[order]
            self._stale_index = False
        query = np.array(digests, dtype=self._index_keys.dtype)
        if not len(self._index_keys):
            return np.full(len(query), -1, np.int64)
        pos = np.searchsorted(self._index_keys, query)
        pos = np.minimum(pos, len(self._index_keys) - 1)
        found = self._index_keys[pos] == query
        return np.where(found, self._index_ids[pos], -1)

    def fetch(self, digests):
        """``(found, vectors)``: which digests the store holds, and their rows."""
        with self._lock:
            found = np.zeros(len(digests), bool)
            vectors = {}
            for _ in range(3):  # again after a shard went (compacted) or was bad
                self.refresh()
                todo = np.flatnonzero(~found)
                ids = self._lookup([digests[i] for i in todo])
                failed = False
                for number in np.unique(ids[ids >= 0] >> 32):
                    mine = ids >> 32 == number
                    positions = todo[mine]
                    rows = ids[mine] & 0xFFFFFFFF
                    try:
                        block = self._read_rows(self._names[number], rows)
                    except _ShardGone:
                        failed = True
                        continue
                    found[positions] = True
                    vectors.update(zip(positions.tolist(), block, strict=True))
                    failed = failed or block is None
                if not failed:
                    break
            return found, vectors

    def _read_rows(self, name, rows):
        shard = self._shards.get(name)
        if shard is None:
            raise _ShardGone(name)
        path = self.fs.join(self.path, name)
        try:
            with self.fs.buffer(path) as buffer:
                block, problem = self._copy_rows(buffer, shard, rows)
        except FileNotFoundError:
            self._drop(name)
            raise _ShardGone(name) from None
        except Exception as exc:
            problem = f"unreadable ({exc})"
        if problem is not None:
            self.quarantine(name, problem)
            raise _ShardGone(name)
        if not shard["verified"]:
            shard["verified"] = True
            if self.on_use is not None:
                self.on_use(path)
        return block

    def _copy_rows(self, buffer, shard, rows):
        """``(rows copied, None)`` or ``(None, what is wrong)``.

        Nothing that points into ``buffer`` outlives this call (a memory map
        with live views cannot be closed), so errors come back as text.
        """
        if len(buffer) != shard["size"]:
            return None, f"{len(buffer)} bytes, {shard['size']} when indexed"
        try:
            vectors = self._vectors(buffer, shard)
            if not shard["verified"]:
                _shard.check_vectors(vectors, shard["layout"])
            return vectors[rows], None  # fancy indexing copies
        except Exception as exc:
            return None, str(exc)

    def _vectors(self, buffer, shard):
        return _shard.vectors_view(
            buffer,
            shard["layout"],
            layers=self.meta["layers"],
            width=self.meta["width"],
            dtype=self.meta["storage"],
        )

    def quarantine(self, name, reason):
        """Move an unusable file aside (or, read-only, skip it), logged once."""
        with self._lock:
            if name in self._rejected:
                return
            self._rejected.add(name)
            self._drop(name)
            source = self.fs.join(self.path, name)
            where = "skipped (read-only store)"
            if self.writable:
                folder = self.fs.join(self.path, QUARANTINE)
                dest = self.fs.join(folder, f"{name}.{uuid.uuid4().hex[:8]}")
                try:
                    self.fs.makedirs(folder)
                    self.fs.move(source, dest)
                    where = f"moved to {dest}"
                except FileNotFoundError:
                    return  # someone else moved it first
                except OSError as exc:
                    where = f"skipped (could not move it: {exc})"
            logger.warning(
                "Cache file %s is unusable (%s); %s. Its texts are recomputed.",
                source,
                reason,
                where,
            )

    # -- writing -----------------------------------------------------------

    def write(self, digests, vectors):
        """Commit ``vectors[i]`` under ``digests[i]`` as one shard; True if done."""
        if not self.writable or not len(digests):
            return False
        name = f"{time.time_ns():020d}-{os.getpid()}-{uuid.uuid4().hex}"
        name += _shard.SUFFIX
        data = _shard.encode(self.key, digests, vectors, self.meta["storage"])
        try:
            self.fs.write_whole(self.fs.join(self.path, name), data)
        except OSError as exc:
            self.writable = False
            warnings.warn(
                f"Writing to the cache directory {self.root!r} failed ({exc}); "
                "new vectors are kept in memory only from now on.",
                ReadOnlyStoreWarning,
                stacklevel=4,
            )
            return False
        layout = self._layout(data, len(data))
        keys = np.frombuffer(b"".join(digests), dtype=self._index_keys.dtype)
        with self._lock:
            self._add(name, layout, keys.copy(), len(data), verified=True)
            crowded = len(self._shards) > COMPACT_AT
        if crowded:
            from ._compact import compact_key

            compact_key(self)
        if self.limit_bytes is not None:
            self._written += len(data)
            if self._written > self.limit_bytes // 20 or not self._evicted_once:
                from ._compact import evict

                self._written, self._evicted_once = 0, True
                evict(self.fs, self.root, self.limit_bytes)
        return True

    def shards(self):
        """``{name: {"size", "rows", "keys"}}`` of the shards indexed now."""
        with self._lock:
            return {
                name: {
                    "size": shard["size"],
                    "rows": shard["layout"]["rows"],
                    "keys": shard["keys"],
                }
                for name, shard in sorted(self._shards.items())
            }

    def read_shard(self, name):
        """Every row of the shard ``name``, checked; None if gone or bad."""
        with self._lock:
            shard = self._shards.get(name)
            if shard is None:
                return None
            try:
                return self._read_rows(name, np.arange(shard["layout"]["rows"]))
            except _ShardGone:
                return None

    def row_keys(self):
        """The text hashes of every indexed row (one per row, repeats kept)."""
        with self._lock:
            return self._index_keys.copy()

    @property
    def rejected(self):
        """Names of the files this process found unusable."""
        with self._lock:
            return frozenset(self._rejected)

    def contains(self, digests):
        """Which of ``digests`` the store holds (after indexing new shards)."""
        with self._lock:
            self.refresh()
            return self._lookup(digests) >= 0
