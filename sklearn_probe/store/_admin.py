"""Whole-store operations behind ``sklearn-probe cache info|verify|compact``.

Each works key by key through a read-write (compact) or read-only (info,
verify) :class:`._store.Store` built from the key's own ``meta.json``, so they
need no model.
"""

import json

import numpy as np

from . import _shard
from ._compact import compact_key
from ._fs import TMP_MARK
from ._location import resolve
from ._store import META, QUARANTINE, Store


def _keys(cache_dir):
    """``(fs, root, limit, [(key, meta or None)])`` of a cache folder."""
    where = resolve(cache_dir)
    if where is None:
        raise ValueError(
            "No disk cache: cache_dir is None or the default store is switched "
            "off (SKLEARN_PROBE_CACHE_DIR)."
        )
    fs, root, limit = where
    found = []
    for key in fs.subdirs(root):
        try:
            meta = json.loads(fs.read(fs.join(root, key, META)))
            if not {"layers", "width", "storage"} <= set(meta):
                meta = None
        except Exception:  # absent or unreadable
            meta = None
        found.append((key, meta))
    return fs, root, limit, found


def _open(fs, root, key, meta, mode):
    return Store(fs, root, key, meta, mode=mode)


def cache_info(cache_dir="auto"):
    """What a disk cache holds, key by key, without loading any model.

    Parameters
    ----------
    cache_dir : str or path-like, default="auto"
        The cache to describe; ``"auto"`` is the default store.

    Returns
    -------
    info : dict
        ``root`` (the folder), ``limit_bytes`` (the default store's bound, None
        for a folder you named) and ``keys``: one dict per extraction key with
        its ``meta`` (model fingerprint, pooling, max_length, dtype, layers,
        width), ``shards``, ``rows``, distinct ``texts``, ``bytes``, and the
        counts of ``quarantined`` and ``temporary`` files.
    """
    fs, root, limit, keys = _keys(cache_dir)
    out = []
    for key, meta in keys:
        listing = fs.listdir(fs.join(root, key))
        shards = {n: v for n, v in listing.items() if n.endswith(_shard.SUFFIX)}
        entry = {
            "key": key,
            "meta": meta,
            "shards": len(shards),
            "bytes": sum(v[0] for v in listing.values()),
            "temporary": sum(TMP_MARK in n for n in listing),
            "quarantined": len(fs.listdir(fs.join(root, key, QUARANTINE))),
            "rows": 0,
            "texts": 0,
        }
        if meta is not None and shards:
            store = _open(fs, root, key, meta, "read-only")
            store.refresh()
            keys_of_rows = store.row_keys()
            entry["rows"] = int(len(keys_of_rows))
            entry["texts"] = int(len(np.unique(keys_of_rows)))
        out.append(entry)
    return {"root": root, "limit_bytes": limit, "keys": out}


def verify_cache(cache_dir="auto"):
    """Check every shard of a disk cache whole and quarantine the bad ones.

    Each shard's header is checked against its key's metadata and its keys and
    vectors against their checksums; a shard that fails is moved to its key's
    ``quarantine/`` folder (its texts will be recomputed when needed).

    Parameters
    ----------
    cache_dir : str or path-like, default="auto"
        The cache to check (``"auto"``: the default store). Writable, so
        that bad shards can be moved aside.

    Returns
    -------
    report : dict
        ``root``, ``checked`` (shards read whole) and ``bad`` (shards rejected).
    """
    fs, root, _, keys = _keys(cache_dir)
    checked = bad = 0
    for key, meta in keys:
        if meta is None:
            continue
        store = _open(fs, root, key, meta, "read-write")
        store.refresh()
        for name in store.shards():
            checked += 1
            store.read_shard(name)  # a bad one is quarantined and logged
        bad += len(store.rejected)
    return {"root": root, "checked": checked, "bad": bad}


def compact_cache(cache_dir="auto"):
    """Merge a disk cache's small shards and remove what killed runs left.

    Shards under 64 MiB are merged into shards of up to 256 MiB, each text
    kept once; temporary files of writers that are gone are deleted. Safe
    while other processes read or write the cache: merged shards are
    committed before their sources are removed, and a reader that finds a
    source gone looks again. Runs by itself when a key passes 256 shards.

    Parameters
    ----------
    cache_dir : str or path-like, default="auto"
        The cache to compact, which must be writable; ``"auto"`` is the
        default store.

    Returns
    -------
    report : dict
        ``root`` and the totals: ``keys`` compacted, shards ``merged``, shards
        ``written``, ``duplicates`` dropped, ``removed_debris`` (temporary
        files); ``locked``, the keys another live process is compacting
        (``key``, ``by``: who), left as they are; ``read_only`` when the store
        cannot be written.
    """
    fs, root, _, keys = _keys(cache_dir)
    totals = {"keys": 0, "merged": 0, "written": 0, "duplicates": 0}
    totals.update(removed_debris=0, locked=[], read_only=False)
    for key, meta in keys:
        if meta is None:
            continue
        done = compact_key(_open(fs, root, key, meta, "read-write"))
        if done.get("read_only"):
            totals["read_only"] = True
            continue
        if "locked_by" in done:
            totals["locked"].append({"key": key, "by": done["locked_by"]})
            continue
        totals["keys"] += 1
        for name, value in done.items():
            totals[name] += value
    return {"root": root, **totals}
