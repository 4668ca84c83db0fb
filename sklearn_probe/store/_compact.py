"""Compaction and eviction of a vector store: fewer, larger shards, no debris,
and a bounded size (:func:`evict`, least recently used out).

:func:`compact_key` merges the small shards of one key into shards of up to
:data:`TARGET_BYTES`, keeping each text once; the merged shards are committed
before any source is removed, so a concurrent reader that finds a source gone
goes back to the listing and finds its rows in a merged shard. It also deletes
temporary files whose writer is dead (or that are a day old).
"""

import json
import logging
import os
import time

import numpy as np

from . import _owned, _owner, _shard
from ._fs import TMP_MARK

logger = logging.getLogger(__name__)

TARGET_BYTES = 256 * 1024**2
LOCK = "compact.lock"
STALE_S = 24 * 3600


def compact_key(store, *, everything=False):
    """Compact one key's shards; a dict of what was done.

    Only shards under a quarter of :data:`TARGET_BYTES` are merged, unless
    ``everything``; shards already that large are left as they are. When
    another live process holds the key's lock, nothing is done and the dict
    says who (``locked_by``); a lock whose owner is gone is broken.
    """
    fs = store.fs
    if not store.writable:
        return {"locked_by": None, "read_only": True}
    lock = fs.join(store.path, LOCK)
    holder = _acquire(fs, lock)
    if holder is not None:
        return {"locked_by": holder}
    try:
        with _owner.Heartbeat(fs, lock):
            done = {"merged": 0, "written": 0, "duplicates": 0}
            done["removed_debris"] = _remove_debris(store)
            store.refresh()
            small = [
                name
                for name, shard in store.shards().items()
                if everything or shard["size"] < TARGET_BYTES // 4
            ]
            if len(small) > 1:
                done.update(_merge(store, small))
            return done
    finally:
        fs.remove(lock)


def _acquire(fs, lock):
    """None once this process holds ``lock``, else who holds it (in words).

    A lock whose owner is gone (see :mod:`._owner`) is broken and taken.
    """
    payload = {"owner": _owner.me(), "host": _owner.HOST, "since": time.time()}
    payload = json.dumps(payload).encode()
    for _ in range(2):
        if fs.create_exclusive(lock, payload):
            return None
        token, host, since, mtime = _lock_holder(fs, lock)
        if mtime is None:
            continue  # released meanwhile: try again
        who = _owner.describe(token, host) if token else "an unknown process"
        if not _owner.stale(token or "", host or "", mtime):
            when = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(since or mtime))
            return f"{who} since {when} ({lock})"
        fs.remove(lock)
        logger.warning("Broke the compaction lock %s: %s is gone.", lock, who)
    return f"another process ({lock})"


def _lock_holder(fs, lock):
    """``(owner token, host, since, mtime)`` of a lock; mtime None if gone."""
    entry = fs.listdir(os.path.dirname(lock)).get(os.path.basename(lock))
    if entry is None:
        return None, None, None, None
    try:
        held = json.loads(fs.read(lock))
        return str(held["owner"]), str(held["host"]), float(held["since"]), entry[1]
    except Exception:  # gone, or a lock of an earlier version: heartbeat only
        return None, None, None, entry[1]


def _merge(store, names):
    """Rewrite the shards ``names`` as few shards, each text once."""
    seen = set()
    parts, keys, size = [], [], 0
    done = {"merged": 0, "written": 0, "duplicates": 0}
    merged = []
    shards = store.shards()
    for name in names:
        shard = shards.get(name)
        block = None if shard is None else store.read_shard(name)
        if block is None:  # gone or quarantined meanwhile
            continue
        rows = np.arange(shard["rows"])
        merged.append(name)
        fresh = [i for i, k in enumerate(shard["keys"]) if k not in seen]
        done["duplicates"] += len(rows) - len(fresh)
        for i in fresh:
            seen.add(shard["keys"][i])
        parts.append(block[fresh])
        keys.extend(shard["keys"][i].ljust(_shard.DIGEST_SIZE, b"\0") for i in fresh)
        size += len(fresh) * block[0].nbytes
        if size >= TARGET_BYTES:
            done["written"] += _flush(store, parts, keys)
            parts, keys, size = [], [], 0
    if keys:
        done["written"] += _flush(store, parts, keys)
    if not store.writable:
        return done  # a write failed: every source stays
    for name in merged:
        store.fs.remove(store.fs.join(store.path, name))
    done["merged"] = len(merged)
    store.refresh()
    return done


def _flush(store, parts, keys):
    return int(store.write(keys, np.concatenate(parts)))


def _remove_debris(store):
    """Delete temporary files and claims whose writer is gone (or a day old)."""
    fs = store.fs
    removed = store.claims.remove_stale()
    for name, (_, mtime, _) in fs.listdir(store.path).items():
        if TMP_MARK in name and (
            not fs.owner_alive(name) or time.time() - mtime > STALE_S
        ):
            fs.remove(fs.join(store.path, name))
            removed += 1
    return removed


def evict(fs, root, limit_bytes):
    """Delete the least recently used shards until ``root`` fits its bound.

    Only what the store wrote counts and goes (see :mod:`._owned`): another
    program's files under the root are neither deleted nor counted. A shard's
    access time is its last use (the store marks it when a process first
    reads it, and a new shard is new). Returns the bytes deleted. Down to 90%
    of the bound, so that eviction does not run at every write.
    """
    shards, total = [], fs.listdir(root).get(_owned.MARKER, (0,))[0]
    for key in _owned.keys(fs, root):
        folder = fs.join(root, key)
        for name, (size, mtime, atime) in fs.listdir(folder).items():
            if _owned.is_ours(name):
                total += size
            if _owned.is_shard(name):
                shards.append((max(atime, mtime), size, fs.join(folder, name)))
    if total <= limit_bytes:
        return 0
    freed = 0
    for _, size, path in sorted(shards):
        if total - freed <= 0.9 * limit_bytes:
            break
        fs.remove(path)
        freed += size
    return freed
