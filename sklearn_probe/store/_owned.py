"""What the store wrote, told apart from anything else under its root.

Eviction and ``cache clear`` delete files: only these. A root is a store's
when it holds the marker file (:data:`MARKER`, written when a store
first writes there); a key folder is the store's when its name is a key (40
hex digits) and it holds the store's ``meta.json``; a file in it is the
store's when its name is one the store gives (a shard's, a temporary file's,
a claim's, the compaction lock, a quarantined file's). Another program's
``*.shard`` files, or any other file, are never touched.
"""

import json
import re

from ._fs import TMP_MARK

# At the root of every store folder: the store evicts and clears only under a
# root that holds it.
MARKER = ".sklearn-probe-store"
MARKER_TEXT = b"sklearn-probe vector store: see `sklearn-probe cache info`.\n"
KEY = re.compile(r"^[0-9a-f]{40}$")
SHARD = re.compile(r"^\d{20}-\d+-[0-9a-f]{32}\.shard$")
_TEMPORARY = re.compile(
    r"^(meta\.json|\d{20}-\d+-[0-9a-f]{32}\.shard|\.write-check)"
    + re.escape(TMP_MARK)
    + r"\d+(-[0-9a-f]{32})?$"
)
_QUARANTINED = re.compile(r"^(meta\.json|\d{20}-\d+-[0-9a-f]{32}\.shard)\.[0-9a-f]{8}$")
_CLAIM = re.compile(
    r"^\d+(\.\d+)?-[0-9a-f]{32}@[^/]+\.claim(" + re.escape(TMP_MARK) + ".*)?$"
)


def keys(fs, root):
    """The key folders under ``root`` that the store wrote (none without the
    marker)."""
    if MARKER not in fs.listdir(root):
        return []
    found = []
    for key in fs.subdirs(root):
        if KEY.match(key) and _has_store_meta(fs, fs.join(root, key, "meta.json")):
            found.append(key)
    return found


def _has_store_meta(fs, path):
    try:
        meta = json.loads(fs.read(path))
    except Exception:  # absent, unreadable, not JSON: not the store's
        return False
    return isinstance(meta, dict) and {"layers", "width", "storage"} <= set(meta)


def is_shard(name):
    """Whether ``name`` is one the store gives a shard."""
    return SHARD.match(name) is not None


def is_ours(name, folder=""):
    """Whether a file ``name`` in a key folder's ``folder`` ("", "claims",
    "quarantine") is one the store writes."""
    if folder == "claims":
        return _CLAIM.match(name) is not None
    if folder == "quarantine":
        return _QUARANTINED.match(name) is not None
    return (
        name in ("meta.json", "compact.lock")
        or is_shard(name)
        or _TEMPORARY.match(name) is not None
    )
