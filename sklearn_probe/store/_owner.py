"""Who wrote a claim or a lock, and whether that writer still runs.

An owner is ``<pid>.<start>@<host>``: the process id, the process's start
time (clock ticks since boot, from ``/proc``; 0 where unknown) and the host.
On this host the owner is alive while a process of that id runs *and* started
at that time (a reused process id is another process). On another host
nothing can be asked: its owner keeps the file's modification time fresh (a
heartbeat, :class:`Heartbeat`), and a file whose heartbeat stopped is stale.
"""

import contextlib
import os
import re
import socket
import threading
import time

HOST = socket.gethostname()
# A holder touches its file this often; one untouched for STALE_AFTER_S is
# stale whatever its owner (clocks of two hosts may differ by some seconds).
BEAT_S = 10
STALE_AFTER_S = 120
_OWNER = re.compile(r"^(\d+)\.(\d+)$")


def start_time(pid):
    """The start time of process ``pid`` (0 where it cannot be read)."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            fields = f.read().rsplit(b")", 1)[1].split()
        return int(fields[19])  # field 22 of proc(5), counted after "comm"
    except (OSError, IndexError, ValueError):
        return 0


def me():
    """This process as an owner token (read each time: a fork is another)."""
    pid = os.getpid()
    return f"{pid}.{start_time(pid)}"


def alive(token, host):
    """Whether the owner ``token`` on ``host`` runs: True, False, or None
    (another host: ask the heartbeat)."""
    if host != HOST:
        return None
    match = _OWNER.match(token)
    if match is None:
        return False
    pid, start = int(match.group(1)), int(match.group(2))
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # it runs, as another user
    except (OverflowError, ValueError):
        return False
    return start == 0 or start_time(pid) in (0, start)


def stale(token, host, mtime, now=None):
    """Whether a file of ``token`` on ``host``, last touched at ``mtime``, is
    left over: its owner is gone, or its heartbeat stopped."""
    now = time.time() if now is None else now
    state = alive(token, host)
    if state is False:
        return True
    return now - mtime > STALE_AFTER_S


def describe(token, host):
    """``"process 123 on host-a"``."""
    return f"process {token.split('.', 1)[0]} on {host}"


class Heartbeat:
    """Touch ``path`` every :data:`BEAT_S` seconds until the block ends."""

    def __init__(self, fs, path):
        self.fs, self.path = fs, path
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._beat, daemon=True)

    def _beat(self):
        while not self._stop.wait(BEAT_S):
            if not self.fs.touch(self.path):
                return

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        with contextlib.suppress(RuntimeError):
            self._thread.join(timeout=5)
