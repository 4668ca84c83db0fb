"""Where a ``cache_dir`` lives: nowhere, a local folder, or the default store.

- ``None``: no disk, the in-memory cache only.
- ``"auto"``: the default store, under the user's cache directory
  (``platformdirs.user_cache_dir("sklearn-probe")/vectors``), as Hugging
  Face's caches are. The environment variable ``SKLEARN_PROBE_CACHE_DIR``
  moves it (a path) or switches it off (``off``, ``0``, ``none`` or empty).
  It is bounded (``SKLEARN_PROBE_CACHE_DISK_BYTES``, default 20 GiB): past
  the bound the least recently used shards are deleted.
- any other string or path: that folder, never bounded; a URL names a
  folder of an fsspec file system (``s3://bucket/path``, ``gs://...``;
  ``file://`` is a local folder), and an unknown scheme is an error.
"""

import math
import os
import re
import warnings

ENV_DIR = "SKLEARN_PROBE_CACHE_DIR"
ENV_BYTES = "SKLEARN_PROBE_CACHE_DISK_BYTES"
DEFAULT_BYTES = 20 * 1024**3
_OFF = {"", "0", "off", "none", "false", "no"}
_URL = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*)://")


def default_cache_dir():
    """The default store's folder, or None when it is switched off."""
    value = os.environ.get(ENV_DIR)
    if value is not None:
        return None if value.strip().lower() in _OFF else value
    import platformdirs

    return os.path.join(platformdirs.user_cache_dir("sklearn-probe"), "vectors")


def default_limit_bytes():
    """The bound on the default store's size, in bytes."""
    value = os.environ.get(ENV_BYTES)
    if value is None:
        return DEFAULT_BYTES
    try:
        limit = float(value)
    except ValueError:
        limit = None
    if limit is None or not math.isfinite(limit):
        raise ValueError(
            f"The environment variable {ENV_BYTES}={value!r} is not a number of "
            "bytes: set it to one (such as 20e9), or unset it for the default "
            f"bound of {DEFAULT_BYTES // 1024**3} GiB."
        )
    return max(int(limit), 0)


def resolve(cache_dir, *, strict=False):
    """``(fs, root, limit_bytes)`` for a ``cache_dir`` value, or None (no disk).

    ``limit_bytes`` is the default store's bound, None for a folder the user
    named. A bad :data:`ENV_BYTES` is an error with ``strict``; otherwise it
    is said (a warning) and the run goes on without the default store.
    """
    from ._fs import LocalFS

    if cache_dir is None:
        return None
    limit = None
    if isinstance(cache_dir, str) and cache_dir == "auto":
        cache_dir = default_cache_dir()
        if cache_dir is None:
            return None
        try:
            limit = default_limit_bytes()
        except ValueError as exc:
            if strict:
                raise
            from ._problems import StoreUnavailableWarning

            warnings.warn(
                f"{exc} Going on without the disk cache.",
                StoreUnavailableWarning,
                stacklevel=4,
            )
            return None
    path = os.fspath(cache_dir)
    match = _URL.match(path)
    if match is None:
        return LocalFS(), os.path.abspath(os.path.expanduser(path)), limit
    scheme = match.group(1).lower()
    if scheme == "file":
        return LocalFS(), os.path.abspath(path[len("file://") :]), limit
    return _fsspec(path, scheme) + (limit,)


def _fsspec(url, scheme):
    """``(FsspecFS, root)`` of an fsspec URL, or a clear error."""
    import fsspec

    from ._fs import FsspecFS

    try:
        fsspec.get_filesystem_class(scheme)
    except ValueError:
        raise ValueError(
            f"cache_dir={url!r}: unknown scheme {scheme!r}. Use a local folder, "
            "or a URL of a file system fsspec knows, such as s3://bucket/path "
            "or gs://bucket/path."
        ) from None
    # A missing file-system package (s3fs, gcsfs) raises ImportError here,
    # naming what to install.
    fs, root = fsspec.core.url_to_fs(url)
    return FsspecFS(fs, scheme), root.rstrip("/")
