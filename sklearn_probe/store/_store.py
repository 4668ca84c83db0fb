"""The validated disk store of pooled vectors (``cache_dir``).

On disk, one folder per extraction key (see :func:`._cache.extraction_key`)::

    <cache_dir>/.sklearn-probe-store  marks a folder the store writes in
    <cache_dir>/<key>/meta.json       what every vector of this key is
    <cache_dir>/<key>/<id>.shard      committed shards (format in ._shard)
    <cache_dir>/<key>/quarantine/     files found unusable, moved aside
    <cache_dir>/<key>/claims/         texts being computed now (._claims)
    <cache_dir>/<key>/compact.lock    held while a compaction runs

A shard is committed by writing it whole under its final name (a temporary
file renamed into place; one PUT on object storage) and never rewritten: a
run killed at any point loses at most the chunk it was computing.

Before a shard is used its header is checked against ``meta.json`` and its
keys against their CRC-32; its vectors are checked against theirs when a
process first reads them, and again whenever the file is no longer the one
checked (size, modification time, inode). A shard that fails, or a ``.shard``
that is not a plain file, is moved to ``quarantine/`` (read-only: left),
logged once, and its texts are recomputed. A store that cannot be used at all
says why and how to fix it once, and the run goes on without it.

Each process keeps one :class:`Store` per (folder, key), its index
(:mod:`._index`) grown with the shards it has not seen yet; shards are opened
only to read rows, so their number bounds nothing by open files. A shard that
disappears (compacted or evicted) sends the reader back to the listing.
"""

import json
import logging
import os
import threading
import time
import uuid

import numpy as np

from . import _shard
from ._claims import Claims
from ._index import Index
from ._owned import MARKER, MARKER_TEXT
from ._problems import describe, warn

logger = logging.getLogger(__name__)

META = "meta.json"
QUARANTINE = "quarantine"
# Automatic compaction once a key holds more shards than this.
COMPACT_AT = 256


class _ShardGone(Exception):
    """A shard listed earlier is no longer there (compacted or evicted)."""


class Store:
    """The shards of one extraction key in one cache folder, for one process.

    ``meta`` is the key's description plus ``layers`` and ``width``; ``mode``
    is ``"read-write"`` or ``"read-only"``. ``write_meta=False`` opens a key
    whose ``meta.json`` is missing without writing one (``cache verify``).
    A store that cannot be used (a file where its folder should be, no
    permission, no credentials) says so once and then holds nothing.
    """

    def __init__(
        self, fs, root, key, meta, *, mode="read-write", on_use=None, write_meta=True
    ):
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
        self._shards = {}  # name -> {"layout", "keys", "size", "signature", ...}
        self._rejected = {}  # name -> {"reason", "done"} (moved or left)
        self._index = Index()
        self.usable = True
        self.writable = False
        self.claims = Claims(self)
        try:
            self.writable = mode == "read-write" and self._check_writable()
            self._check_meta(write_meta)
            if self.writable:
                self._mark_root()
        except OSError as exc:
            self._unusable(exc)

    @property
    def where(self):
        """The root as the user named it (a URL for object storage)."""
        return self.fs.url_prefix + self.root

    # -- opening ---------------------------------------------------------

    def _check_writable(self):
        try:
            self.fs.check_writable(self.path)
        except OSError as exc:
            self.fs.listdir(self.path)  # raises if it cannot even be read
            warn(self.where, exc, "read-only")
            return False
        return True

    def _check_meta(self, write_meta):
        path = self.fs.join(self.path, META)
        try:
            on_disk = json.loads(self.fs.read(path))
        except FileNotFoundError:
            on_disk = None
        except OSError:
            raise  # the folder, not the file: the store cannot be used
        except Exception as exc:  # a bad file: anything at all
            self.quarantine(META, f"unreadable metadata ({describe(exc)})")
            on_disk = None
        if on_disk is not None and not same_meta(on_disk, self.meta):
            self.quarantine(META, f"metadata {on_disk} differs from {self.meta}")
            on_disk = None
        if on_disk is not None:
            self.meta = on_disk  # the name it was first written with stays
        if on_disk is None and self.writable and write_meta:
            try:
                self.fs.write_whole(
                    path, json.dumps(self.meta, sort_keys=True).encode()
                )
            except OSError as exc:
                self._write_failed(exc)

    def _mark_root(self):
        try:
            self.fs.create_exclusive(self.fs.join(self.root, MARKER), MARKER_TEXT)
        except OSError as exc:
            self._write_failed(exc)

    def _unusable(self, exc):
        """Go on without the disk: say why once, hold nothing from now on."""
        self.usable = self.writable = False
        self._shards.clear()
        self._index.keep([])
        warn(self.where, exc, "unusable")

    def _write_failed(self, exc):
        self.writable = False
        warn(self.where, exc, "write failed")

    # -- reading -----------------------------------------------------------

    def refresh(self):
        """Index the shards not seen yet; forget those that have gone.

        A ``.shard`` that is not a plain file (a directory, a link, a device)
        is quarantined, so that it is said once and not met at every run.
        """
        with self._lock:
            if not self.usable:
                return
            try:
                listing, others = self.fs.scan(self.path)
            except OSError as exc:
                self._unusable(exc)
                return
            for name in list(self._shards):
                if name not in listing:
                    self._drop(name)
            for name, what in sorted(others.items()):
                if name.endswith(_shard.SUFFIX) and name not in self._rejected:
                    self.quarantine(name, f"{what}, not a shard file")
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
            self.quarantine(name, describe(exc))
            return
        self._add(name, layout, keys, size, signature=None)

    def _layout(self, head, size):
        return _shard.parse_header(head, self.meta, key=self.key, size=size)

    def _add(self, name, layout, keys, size, *, signature):
        self._shards[name] = {
            "layout": layout,
            "keys": keys,
            "size": size,
            # Of the file when its vectors were last checked (None: never).
            "signature": signature,
            "used": False,
            "number": self._index.add(name, keys),
        }

    def _drop(self, name):
        if self._shards.pop(name, None) is not None:
            self._index.keep(s["number"] for s in self._shards.values())

    def fetch(self, digests):
        """``(found, vectors)``: which digests the store holds, and their rows."""
        with self._lock:
            found = np.zeros(len(digests), bool)
            vectors = {}
            for _ in range(3):  # again after a shard went (compacted) or was bad
                self.refresh()
                todo = np.flatnonzero(~found)
                ids = self._index.lookup([digests[i] for i in todo])
                failed = False
                for number in np.unique(ids[ids >= 0] >> 32):
                    mine = ids >> 32 == number
                    positions = todo[mine]
                    rows = ids[mine] & 0xFFFFFFFF
                    try:
                        block = self._read_rows(self._index.names[number], rows)
                    except _ShardGone:
                        failed = True
                        continue
                    found[positions] = True
                    vectors.update(zip(positions.tolist(), block, strict=True))
                if not failed:
                    break
            return found, vectors

    def _read_rows(self, name, rows):
        shard = self._shards.get(name)
        if shard is None:
            raise _ShardGone(name)
        path = self.fs.join(self.path, name)
        try:
            with self.fs.buffer(path) as (buffer, signature):
                block, problem = self._copy_rows(buffer, signature, shard, rows)
        except FileNotFoundError:
            self._drop(name)
            raise _ShardGone(name) from None
        except Exception as exc:
            problem = f"unreadable ({describe(exc)})"
        if problem is not None:
            self.quarantine(name, problem)
            raise _ShardGone(name)
        if not shard["used"]:
            shard["used"] = True
            if self.on_use is not None:
                self.on_use(path)
        return block

    def _copy_rows(self, buffer, signature, shard, rows):
        """``(rows copied, None)`` or ``(None, what is wrong)``.

        The whole shard is checked again (header, keys, vectors) unless it is
        the very file checked before: same size, modification time, inode and
        device. Nothing that points into ``buffer`` outlives this call (a
        memory map with live views cannot be closed), so errors come back as
        text.
        """
        if len(buffer) != shard["size"]:
            return None, f"{len(buffer)} bytes, {shard['size']} when indexed"
        try:
            if signature is None or signature != shard["signature"]:
                _shard.check_whole(
                    buffer, shard["layout"], shard["keys"], self.meta, key=self.key
                )
                shard["signature"] = signature
            vectors = _shard.vectors_view(buffer, shard["layout"], self.meta)
            return vectors[rows], None  # fancy indexing copies
        except Exception as exc:
            return None, describe(exc)

    def quarantine(self, name, reason):
        """Move an unusable file aside (or, read-only, leave it), logged once."""
        with self._lock:
            if name in self._rejected:
                return
            done = "left in place (read-only store)"
            self._drop(name)
            source = self.fs.join(self.path, name)
            if self.writable:
                folder = self.fs.join(self.path, QUARANTINE)
                dest = self.fs.join(folder, f"{name}.{uuid.uuid4().hex[:8]}")
                try:
                    self.fs.makedirs(folder)
                    self.fs.move(source, dest)
                    done = f"moved to {dest}"
                except FileNotFoundError:
                    done = "moved by another process"
                except OSError as exc:
                    done = f"left in place (could not move it: {exc})"
            self._rejected[name] = {"reason": reason, "done": done}
            if done != "moved by another process":
                logger.warning(
                    "Cache file %s is unusable (%s); %s. Its texts are recomputed.",
                    source,
                    reason,
                    done,
                )

    # -- writing -----------------------------------------------------------

    def write(self, digests, vectors):
        """Commit ``vectors[i]`` under ``digests[i]`` as one shard; True if done."""
        if not self.writable or not len(digests):
            return False
        name = f"{time.time_ns():020d}-{os.getpid()}-{uuid.uuid4().hex}"
        name += _shard.SUFFIX
        data = _shard.encode(self.key, digests, vectors, self.meta["storage"])
        path = self.fs.join(self.path, name)
        try:
            self.fs.write_whole(path, data)
        except OSError as exc:
            self._write_failed(exc)
            return False
        layout = self._layout(data, len(data))
        keys = np.frombuffer(b"".join(digests), dtype=self._index.dtype)
        with self._lock:
            signature = self.fs.signature(path)
            self._add(name, layout, keys.copy(), len(data), signature=signature)
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

    # -- the interface of compaction and the cache command -------------------

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
            return self._index.row_keys()

    @property
    def rejected(self):
        """``{name: {"reason", "done"}}`` of the files found unusable here."""
        with self._lock:
            return dict(self._rejected)

    def contains(self, digests):
        """Which of ``digests`` the store holds (after indexing new shards)."""
        with self._lock:
            self.refresh()
            return self._index.lookup(digests) >= 0


def same_meta(on_disk, meta):
    """Whether two metadata describe the same vectors (the model's name, kept
    for people to read, may differ: one checkpoint has many names)."""
    if not isinstance(on_disk, dict):
        return False
    names = ("model_name",)
    return {k: v for k, v in on_disk.items() if k not in names} == {
        k: v for k, v in meta.items() if k not in names
    }
