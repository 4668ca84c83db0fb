"""The process-wide in-memory cache of pooled vectors.

One per process, shared by every estimator and clone (GridSearchCV clones the
pipeline for each candidate and fold, so a cache on the instance would help
nobody). Bounded in bytes; the least recently used entries go first.
"""

import os
import threading
from collections import OrderedDict

import numpy as np

DEFAULT_LIMIT = int(os.environ.get("SKLEARN_PROBE_CACHE_BYTES", 4 * 1024**3))


class MemoryCache:
    """Least-recently-used store of per-text arrays, bounded in bytes."""

    def __init__(self, limit_bytes=DEFAULT_LIMIT):
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

    The least recently used entries are dropped first.

    Parameters
    ----------
    limit_bytes : int
        The bound; 0 turns the in-memory cache off. The default is 4 GiB (or
        the environment variable ``SKLEARN_PROBE_CACHE_BYTES``).
    """
    if isinstance(limit_bytes, bool) or not isinstance(limit_bytes, int | np.integer):
        raise TypeError(f"limit_bytes must be an int; got {limit_bytes!r}.")
    if limit_bytes < 0:
        raise ValueError(f"limit_bytes must be >= 0; got {limit_bytes}.")
    MEMORY.set_limit(limit_bytes)


def clear_memory_cache():
    """Empty the in-memory cache of pooled vectors (disk stores are left alone)."""
    MEMORY.clear()
