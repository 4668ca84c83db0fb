"""Whole-store operations behind ``sklearn-probe cache info|verify|compact|clear``.

Each works key by key through a read-write (compact, verify, clear) or
read-only (info) :class:`._store.Store` built from the key's own
``meta.json`` (or, for a key whose ``meta.json`` is gone, from its shards'
own headers), so they need no model.
"""

import collections
import json

import numpy as np

from . import _owned, _shard
from ._compact import compact_key
from ._fs import TMP_MARK
from ._location import resolve
from ._owned import MARKER
from ._problems import advice
from ._store import META, QUARANTINE, Store


def _keys(cache_dir):
    """``(fs, root, limit, [(key, meta or None)])`` of a cache folder."""
    where = resolve(cache_dir, strict=True)
    if where is None:
        raise ValueError(
            "No disk cache: cache_dir is None or the default store is switched "
            "off (SKLEARN_PROBE_CACHE_DIR)."
        )
    fs, root, limit = where
    found = []
    try:
        subdirs = fs.subdirs(root)
    except OSError as exc:
        reason, fix = advice(exc, fs.url_prefix + root)
        raise ValueError(
            f"The cache {fs.url_prefix + root!r} cannot be read ({reason}): {fix}."
        ) from None
    for key in subdirs:
        try:
            meta = json.loads(fs.read(fs.join(root, key, META)))
            if not {"layers", "width", "storage"} <= set(meta):
                meta = None
        except Exception:  # absent or unreadable
            meta = None
        found.append((key, meta))
    return fs, root, limit, found


def _open(fs, root, key, meta, mode, **kwargs):
    return Store(fs, root, key, meta, mode=mode, **kwargs)


def _meta_from_shards(fs, folder, key):
    """The shape and storage most shards of ``key`` declare (a key whose
    ``meta.json`` is gone), or None when no shard has a readable header."""
    seen = collections.Counter()
    for name in fs.listdir(folder):
        if not name.endswith(_shard.SUFFIX):
            continue
        try:
            path = fs.join(folder, name)
            head = fs.read_prefix(path, _shard.header_size(fs.read_prefix(path, 16)))
            header = json.loads(bytes(head[16:]).decode())
            if header["key"] == key:
                seen[(header["layers"], header["width"], header["dtype"])] += 1
        except Exception:  # a bad shard: verify will say so
            continue
    if not seen:
        return None
    (layers, width, storage), _ = seen.most_common(1)[0]
    return {"layers": layers, "width": width, "storage": storage}


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
        its ``meta`` (model fingerprint and name, pooling, max_length, dtype,
        layers, width), ``unit`` (``"texts"``, or ``"words"`` for a word
        transformer's key), ``shards``, ``rows``, distinct ``texts`` and
        ``words`` (one of them 0), ``bytes``, and the counts of
        ``quarantined`` and ``temporary`` files.
    """
    fs, root, limit, keys = _keys(cache_dir)
    out = []
    for key, meta in keys:
        listing = fs.listdir(fs.join(root, key))
        shards = {n: v for n, v in listing.items() if n.endswith(_shard.SUFFIX)}
        words = str((meta or {}).get("pooling", "")).startswith("words:")
        entry = {
            "key": key,
            "meta": meta,
            "unit": "words" if words else "texts",
            "shards": len(shards),
            "bytes": sum(v[0] for v in listing.values()),
            "temporary": sum(TMP_MARK in n for n in listing),
            "quarantined": len(fs.listdir(fs.join(root, key, QUARANTINE))),
            "rows": 0,
            "texts": 0,
            "words": 0,
        }
        if meta is not None and shards:
            store = _open(fs, root, key, meta, "read-only")
            store.refresh()
            keys_of_rows = store.row_keys()
            entry["rows"] = int(len(keys_of_rows))
            entry[entry["unit"]] = int(len(np.unique(keys_of_rows)))
        out.append(entry)
    return {"root": root, "limit_bytes": limit, "keys": out}


def verify_cache(cache_dir="auto"):
    """Check every shard of a disk cache whole and quarantine the bad ones.

    Each shard's header is checked against its key's metadata and its keys and
    vectors against their checksums; a shard that fails, or a ``.shard`` that
    is not a plain file, is moved to its key's ``quarantine/`` folder (its
    texts will be recomputed when needed). A key whose ``meta.json`` is gone
    or unreadable has its shards checked against their own headers. On a
    store that cannot be written, bad files are found and left in place.

    Parameters
    ----------
    cache_dir : str or path-like, default="auto"
        The cache to check (``"auto"``: the default store).

    Returns
    -------
    report : dict
        ``root``; ``keys`` (key folders looked at); ``checked`` (``.shard``
        entries examined); ``bad`` (files found unusable, ``meta.json``
        included), of which ``moved`` went to ``quarantine/``; ``problems``:
        one dict per bad file (``key``, ``file``, ``reason``, ``done``);
        ``keys_without_meta``; ``read_only`` (nothing could be moved).
    """
    fs, root, _, keys = _keys(cache_dir)
    try:
        fs.check_writable(root)
        mode = "read-write"
    except OSError:
        mode = "read-only"
    report = {"root": root, "keys": len(keys), "checked": 0, "bad": 0, "moved": 0}
    report.update(problems=[], keys_without_meta=[], read_only=mode == "read-only")
    for key, meta in keys:
        folder = fs.join(root, key)
        files, others = fs.scan(folder)
        names = [n for n in [*files, *others] if n.endswith(_shard.SUFFIX)]
        if meta is None:
            report["keys_without_meta"].append(key)
            meta = _meta_from_shards(fs, folder, key)
            meta = meta or {"layers": 0, "width": 0, "storage": "float32"}
        store = _open(fs, root, key, meta, mode, write_meta=False)
        store.refresh()
        for name in store.shards():
            store.read_shard(name)  # a bad one is quarantined and logged
        report["checked"] += len(names)
        for name, what in sorted(store.rejected.items()):
            report["problems"].append({"key": key, "file": name, **what})
            report["moved"] += what["done"].startswith("moved")
    report["bad"] = len(report["problems"])
    return report


def clear_disk_cache(cache_dir="auto"):
    """Delete what the store wrote in a disk cache, and nothing else.

    Under a folder the store marked as its own, the key folders it made lose
    their shards, metadata, claims, locks, temporary and quarantined files;
    any other file (another program's, even one named ``*.shard``) stays and
    is listed. Empty folders the store made are removed.

    Parameters
    ----------
    cache_dir : str or path-like, default="auto"
        The cache to clear (``"auto"``: the default store).

    Returns
    -------
    report : dict
        ``root``, ``keys`` (key folders cleared), ``files`` and ``bytes``
        deleted, ``left`` (paths kept: not written by the store) and
        ``marked`` (whether the folder holds the store's marker at all).
    """
    where = resolve(cache_dir, strict=True)
    if where is None:
        raise ValueError(
            "No disk cache: cache_dir is None or the default store is switched "
            "off (SKLEARN_PROBE_CACHE_DIR)."
        )
    fs, root, _ = where
    report = {"root": root, "keys": 0, "files": 0, "bytes": 0, "left": []}
    report["marked"] = MARKER in fs.listdir(root)
    for key in _owned.keys(fs, root):
        report["keys"] += 1
        folder = fs.join(root, key)
        for sub in ("claims", "quarantine", ""):
            path = fs.join(folder, sub) if sub else folder
            files, others = fs.scan(path)
            for name, (size, _, _) in files.items():
                if _owned.is_ours(name, sub):
                    fs.remove(fs.join(path, name))
                    report["files"] += 1
                    report["bytes"] += size
                else:
                    report["left"].append(fs.join(path, name))
            kept = set(others) - ({"claims", "quarantine"} if not sub else set())
            report["left"] += [fs.join(path, name) for name in sorted(kept)]
            fs.rmdir(path)
    if report["marked"] and not _owned.keys(fs, root):
        fs.remove(fs.join(root, MARKER))
    return report


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
