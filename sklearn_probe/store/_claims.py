"""Claims: the texts a process is computing now, so that others wait for them.

Before it computes a chunk, a process writes ``<key>/claims/<pid>.<start>-<id>
@<host>.claim`` (the chunk's 16-byte text hashes, written whole), touches it
every few seconds while it computes (a heartbeat) and removes it once the
chunk's shard is committed. Another process skips the texts of live claims,
computes the rest, then waits for the skipped ones to appear in the store,
for at most :data:`WAIT_S` seconds, saying so after :data:`SAY_AFTER_S`, and
computes what is still missing. A claim is stale, and is broken (deleted) by
the next process that meets it, when its process is gone (same host: the
process id no longer runs, or runs a process started at another time) or its
heartbeat stopped (see :mod:`._owner`). Claims only save work: two processes
that claim the same texts at the same instant both compute them, and the
store stays right either way, since every shard is validated on its own.
"""

import contextlib
import logging
import time
import uuid

from . import _owner
from ._fs import TMP_MARK

logger = logging.getLogger(__name__)

FOLDER = "claims"
SUFFIX = ".claim"
# How long a process waits for texts that others claim, and when it says so.
WAIT_S = 900
SAY_AFTER_S = 5


def parse(name):
    """``(owner token, host)`` of a claim's file name, or None."""
    if not name.endswith(SUFFIX) or TMP_MARK in name or "@" not in name:
        return None
    owner, host = name[: -len(SUFFIX)].rsplit("@", 1)
    return owner.split("-", 1)[0], host


class Claims:
    """The claims of one store (a :class:`._store.Store`)."""

    def __init__(self, store):
        self.fs = store.fs
        self.store = store
        self.folder = store.fs.join(store.path, FOLDER)

    def of_others(self, digests, *, paths=None):
        """The subset of ``digests`` that live claims of other processes hold.

        Stale claims met on the way are broken (when the store is writable);
        ``paths``, a list, receives the paths of the live claims that hold any.
        """
        wanted = set(digests)
        held = set()
        try:
            listing = self.fs.listdir(self.folder)
        except OSError:
            return held  # cannot be read: nothing to wait for
        for name, (_, mtime, _) in listing.items():
            if not self._live(name, mtime):
                continue
            path = self.fs.join(self.folder, name)
            try:
                data = self.fs.read(path)
            except Exception:  # released meanwhile, or not a claim
                continue
            mine = {data[i : i + 16] for i in range(0, len(data) - 15, 16)} & wanted
            held |= mine
            if mine and paths is not None:
                paths.append(path)
        return held

    def remove_stale(self):
        """Delete the claims of processes that are gone; how many."""
        removed = 0
        for name, (_, mtime, _) in self.fs.listdir(self.folder).items():
            if parse(name) is None:
                if TMP_MARK in name and not self.fs.owner_alive(name):
                    self.fs.remove(self.fs.join(self.folder, name))
                    removed += 1
            elif parse(name)[0] != _owner.me() and not self._live(name, mtime):
                self.fs.remove(self.fs.join(self.folder, name))
                removed += 1
        return removed

    def _live(self, name, mtime):
        owner = parse(name)
        if owner is None:
            return False
        token, host = owner
        if token == _owner.me() and host == _owner.HOST:
            return False  # this process's own
        if not _owner.stale(token, host, mtime):
            return True
        if self.store.writable:
            self.fs.remove(self.fs.join(self.folder, name))
            logger.info(
                "Broke a stale claim %s (%s is gone or its heartbeat stopped).",
                self.fs.join(self.folder, name),
                _owner.describe(token, host),
            )
        return False

    @contextlib.contextmanager
    def hold(self, digests):
        """Claim ``digests`` for the duration of the block (best effort)."""
        path = self.fs.join(
            self.folder, f"{_owner.me()}-{uuid.uuid4().hex}@{_owner.HOST}{SUFFIX}"
        )
        try:
            self.fs.makedirs(self.folder)
            self.fs.write_whole(path, b"".join(digests))
        except OSError:
            path = None  # unclaimed: others may compute the same texts
        try:
            if path is None:
                yield
            else:
                with _owner.Heartbeat(self.fs, path):
                    yield
        finally:
            if path is not None:
                self.fs.remove(path)


class Waiting:
    """The bounded wait for texts that other processes claim: it says after
    :data:`SAY_AFTER_S` seconds which claims it waits for, and ends after
    :data:`WAIT_S`."""

    def __init__(self, claims):
        self.claims = claims
        self.start = time.monotonic()
        self.said = False

    def others_hold(self, digests):
        """The digests still held by live claims, or an empty set once the
        wait is over."""
        paths = []
        held = self.claims.of_others(digests, paths=paths)
        waited = time.monotonic() - self.start
        if held and waited > WAIT_S:
            logger.warning(
                "Waited %.0f s for %d texts claimed by %s; computing them here.",
                waited,
                len(held),
                ", ".join(paths),
            )
            return set()
        if held and not self.said and waited > SAY_AFTER_S:
            self.said = True
            logger.warning(
                "Waiting for %d texts that another process is computing (claims: "
                "%s); at most %d s, then they are computed here. A claim whose "
                "process is gone is broken as soon as that shows.",
                len(held),
                ", ".join(paths),
                WAIT_S,
            )
        return held
