"""What the store says when a disk cache cannot be used as asked.

Each problem is one sentence that names it and its fix; the run goes on with
what still works (a read-only store, or the in-memory cache alone).
"""

import errno
import warnings


class ReadOnlyStoreWarning(UserWarning):
    """The disk cache cannot be written: new vectors stay in memory only."""


class StoreUnavailableWarning(ReadOnlyStoreWarning):
    """The disk cache cannot be used at all: vectors stay in memory only."""


_FIXES = {
    errno.ENOSPC: "the disk is full: free some space or pass another cache_dir",
    errno.EDQUOT: "the disk quota is used up: free some space or pass another "
    "cache_dir",
    errno.EACCES: "this user may not use it: give it read and write access "
    "(chmod u+rwx) or pass another cache_dir",
    errno.EPERM: "this user may not use it: give it read and write access "
    "(chmod u+rwx) or pass another cache_dir",
    errno.EROFS: "it is on a read-only file system: pass a writable cache_dir",
    errno.ENOTDIR: "a file stands where a folder should be: pass a folder as "
    "cache_dir (or cache_dir=None)",
    errno.EEXIST: "a file stands where a folder should be: pass a folder as "
    "cache_dir (or cache_dir=None)",
}


def advice(exc, root):
    """``(what went wrong, how to fix it)`` for an OSError met under ``root``."""
    reason = f"{exc.strerror or exc}" if isinstance(exc, OSError) else f"{exc}"
    reason = reason or type(exc).__name__
    fix = _FIXES.get(getattr(exc, "errno", None))
    if fix is None and "://" in str(root):
        fix = (
            "it cannot be reached: set the file system's credentials (for s3://, "
            "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY or ~/.aws/credentials) "
            "or pass a local cache_dir"
        )
    if fix is None:
        fix = "pass another cache_dir, or cache_dir=None"
    return reason, fix


def describe(exc):
    """An exception as a non-empty phrase (MemoryError has no message)."""
    text = str(exc)
    return f"{type(exc).__name__}: {text}" if not text else text


_SAYS = {
    "read-only": (
        ReadOnlyStoreWarning,
        "The cache directory {where!r} cannot be written ({reason}): {fix}. "
        "Vectors found there are used; the others are computed and kept in "
        "memory only.",
        8,
    ),
    "unusable": (
        StoreUnavailableWarning,
        "The cache directory {where!r} cannot be used ({reason}): {fix}. Going "
        "on without it: vectors are computed and kept in memory only.",
        8,
    ),
    "write failed": (
        ReadOnlyStoreWarning,
        "Writing to the cache directory {where!r} failed ({reason}): {fix}. New "
        "vectors are kept in memory only from now on.",
        6,
    ),
}


def warn(where, exc, what):
    """Say, as a warning at the caller's line, that a store cannot be used as
    asked (``what``: ``"read-only"``, ``"unusable"``, ``"write failed"``)."""
    category, text, stacklevel = _SAYS[what]
    reason, fix = advice(exc, where)
    warnings.warn(
        text.format(where=where, reason=reason, fix=fix),
        category,
        stacklevel=stacklevel,
    )
