"""The in-memory index of one store: which shard and row hold each text.

A sorted array of the 16-byte text hashes, looked up with
``np.searchsorted``, beside an array of ``(shard number << 32) | row``. It
grows by whole shards and sorts itself again only when looked up.
"""

import numpy as np

from ._shard import DIGEST_SIZE


class Index:
    """Text hash -> (shard number, row) of the shards of one store."""

    def __init__(self):
        self.names = []  # shard number -> name (numbers are never reused)
        self._keys = np.empty(0, f"S{DIGEST_SIZE}")
        self._ids = np.empty(0, np.int64)
        self._stale = False

    @property
    def dtype(self):
        return self._keys.dtype

    def add(self, name, keys):
        """Index the ``keys`` of the shard ``name``; its number."""
        number = len(self.names)
        self.names.append(name)
        ids = (np.int64(number) << 32) | np.arange(len(keys), dtype=np.int64)
        self._keys = np.concatenate([self._keys, keys])
        self._ids = np.concatenate([self._ids, ids])
        self._stale = True
        return number

    def keep(self, numbers):
        """Forget every shard but those numbered ``numbers``."""
        keep = np.isin(self._ids >> 32, list(numbers))
        self._keys = self._keys[keep]
        self._ids = self._ids[keep]

    def lookup(self, digests):
        """``(shard number << 32) | row`` of each digest (-1 where absent)."""
        if self._stale:
            order = np.argsort(self._keys, kind="stable")
            self._keys = self._keys[order]
            self._ids = self._ids[order]
            self._stale = False
        query = np.array(digests, dtype=self._keys.dtype)
        if not len(self._keys):
            return np.full(len(query), -1, np.int64)
        pos = np.searchsorted(self._keys, query)
        pos = np.minimum(pos, len(self._keys) - 1)
        found = self._keys[pos] == query
        return np.where(found, self._ids[pos], -1)

    def row_keys(self):
        """The hash of every indexed row (repeats kept)."""
        return self._keys.copy()
