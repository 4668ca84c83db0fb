"""Claims: the texts a process is computing now, so that others wait for them.

Before it computes a chunk, a process writes ``<key>/claims/<pid>-<id>@<host>
.claim`` (the chunk's 16-byte text hashes, written whole) and removes it once
the chunk's shard is committed. Another process skips the texts of live claims,
computes the rest, then waits for the skipped ones to appear in the store and
computes only what a claim left behind (its process died, or it wrote
nothing). A claim is live while its process runs (same host) or, from another
host, for :data:`STALE_S` seconds. Claims only save work: two processes that
claim the same texts at the same instant both compute them, and the store
stays right either way, since every shard is validated on its own.
"""

import contextlib
import os
import socket
import time
import uuid

from ._fs import TMP_MARK

FOLDER = "claims"
SUFFIX = ".claim"
STALE_S = 1800
_HOST = socket.gethostname()


class Claims:
    """The claims of one store (a :class:`._store.Store`)."""

    def __init__(self, store):
        self.fs = store.fs
        self.folder = store.fs.join(store.path, FOLDER)

    @property
    def _prefix(self):
        return f"{os.getpid()}-"  # read each time: a forked child is another

    def of_others(self, digests):
        """The subset of ``digests`` that live claims of other processes hold."""
        wanted = set(digests)
        held = set()
        for name, (_, mtime, _) in self.fs.listdir(self.folder).items():
            if not self._live(name, mtime):
                continue
            try:
                data = self.fs.read(self.fs.join(self.folder, name))
            except FileNotFoundError:
                continue  # released meanwhile
            for start in range(0, len(data) - 15, 16):
                digest = data[start : start + 16]
                if digest in wanted:
                    held.add(digest)
        return held

    def remove_stale(self):
        """Delete the claims of processes that are gone; how many."""
        removed = 0
        for name, (_, mtime, _) in self.fs.listdir(self.folder).items():
            if not name.startswith(self._prefix) and not self._live(name, mtime):
                self.fs.remove(self.fs.join(self.folder, name))
                removed += 1
        return removed

    def _live(self, name, mtime):
        if not name.endswith(SUFFIX) or TMP_MARK in name or "@" not in name:
            return False
        owner, host = name[: -len(SUFFIX)].rsplit("@", 1)
        if owner.startswith(self._prefix) and host == _HOST:
            return False  # this process's own
        if host != _HOST:
            return time.time() - mtime < STALE_S
        try:
            os.kill(int(owner.split("-", 1)[0]), 0)
        except (ValueError, ProcessLookupError):
            return False
        except PermissionError:
            return True
        return True

    @contextlib.contextmanager
    def hold(self, digests):
        """Claim ``digests`` for the duration of the block (best effort)."""
        path = self.fs.join(self.folder, f"{self._prefix}{uuid.uuid4().hex}@{_HOST}")
        path += SUFFIX
        try:
            self.fs.makedirs(self.folder)
            self.fs.write_whole(path, b"".join(digests))
        except OSError:
            path = None  # unclaimed: others may compute the same texts
        try:
            yield
        finally:
            if path is not None:
                self.fs.remove(path)
