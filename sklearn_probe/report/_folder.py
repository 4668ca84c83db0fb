"""A report folder that is whole or absent: check it first, build it aside,
rename it into place.

:func:`check_out_dir` is the cheap check to run before a sweep computes
anything: the folder can be created or replaced. :func:`replacing` yields a
new temporary sibling folder to write into; when the block ends without error
the new folder takes the old one's place (the old one is kept until then), and
on any error (Ctrl-C included) the temporary folder is removed and the old
report stays as it was. The two renames of the swap run with SIGINT held back,
so an interrupt never leaves the place empty.

A run killed outright (SIGKILL, a lost machine) cannot clean up after itself:
its temporary folder stays beside ``out_dir``. The folder's name records its
owner (``.<out>.new-<pid>@<host>-<random>``), and the next report written to
the same place removes the folders of owners that are dead (same host, no
such process), never those of a live run or of another host.
"""

import contextlib
import glob
import logging
import os
import re
import shutil
import signal
import socket
import tempfile
import threading
from pathlib import Path

logger = logging.getLogger(__name__)

#: Files a report folder may hold: what a report writes (its pictures in PNG
#: and SVG).
REPORT_FILES = frozenset(
    ["scores.csv", "results.json", "report.md"]
    + [
        f"{name}.{fmt}"
        for name in ("layer_scores", "tsne_layers", "pca_layers", "probe_layers")
        for fmt in "png svg".split()
    ]
    + [f"best_pipeline.{fmt}" for fmt in ("skops", "joblib")]
    # The sections that --neurons and --causal add.
    + ["neuron_curve.csv", "causal_scores.csv", "causal_amnesic.csv"]
    + [f"{name}.{fmt}" for name in ("neurons", "causal") for fmt in ("png", "svg")]
)
#: Files a comparison folder (:func:`~sklearn_probe.compare_sweeps`' report)
#: may hold besides one report folder per model.
COMPARISON_FILES = frozenset(
    ["comparison.csv", "comparison_scores.csv", "comparison.json", "comparison.md"]
    + [
        f"models_by_{x}.{fmt}"
        for x in ("layer", "relative_depth")
        for fmt in "png svg".split()
    ]
)


def _foreign(out):
    """What in ``out`` a report (or a comparison with its model reports) does
    not write."""
    names = {p.name for p in out.iterdir()}
    if "comparison.json" not in names:
        return sorted(names - REPORT_FILES)
    return sorted(
        p.name
        for p in out.iterdir()
        if p.name not in COMPARISON_FILES
        and not (p.is_dir() and not _foreign(p) and (p / "results.json").exists())
    )


def check_out_dir(out_dir):
    """Raise ``OSError`` now if a report cannot be written to ``out_dir``.

    The folder must be absent, empty or a report folder (holding only the
    files a report writes, :data:`REPORT_FILES`, or a comparison's,
    :data:`COMPARISON_FILES` and report folders: it is replaced whole), and its
    parent folder (or the nearest existing ancestor) must let us create a
    folder. Returns ``out_dir`` as a :class:`~pathlib.Path`.
    """
    out = Path(out_dir).expanduser()
    if out.exists():
        if not out.is_dir():
            raise OSError(f"Cannot write the report to {str(out)!r}: not a folder.")
        foreign = _foreign(out)
        if foreign:
            shown = ", ".join(foreign[:5]) + (", ..." if len(foreign) > 5 else "")
            raise OSError(
                f"Cannot write the report to {str(out)!r}: it holds files that a "
                f"report does not write ({shown}), and a report replaces its "
                "folder whole. Choose a new or empty folder."
            )
    parent = out.absolute().parent
    while not parent.exists():
        parent = parent.parent
    if not parent.is_dir():
        raise OSError(
            f"Cannot write the report to {str(out)!r}: {str(parent)!r} is a file. "
            "Choose another --out / out_dir."
        )
    try:
        probe = tempfile.mkdtemp(prefix=_prefix(out, "check"), dir=parent)
    except OSError as exc:
        raise OSError(
            f"Cannot write the report to {str(out)!r}: cannot create a folder in "
            f"{str(parent)!r} ({exc.strerror or exc}). Choose another --out / "
            "out_dir."
        ) from None
    os.rmdir(probe)
    return out


@contextlib.contextmanager
def replacing(out_dir):
    """Yield a temporary folder beside ``out_dir``; on success it becomes
    ``out_dir`` (replacing the old one whole); on error it is removed."""
    out = check_out_dir(out_dir)
    out.absolute().parent.mkdir(parents=True, exist_ok=True)
    remove_stale(out)
    new = Path(tempfile.mkdtemp(prefix=_prefix(out, "new"), dir=out.absolute().parent))
    # mkdtemp makes a private folder; a report folder has the usual mode.
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(new, 0o777 & ~umask)
    try:
        yield new
        _swap(new, out)
    finally:
        shutil.rmtree(new, ignore_errors=True)  # gone already after a swap


def _host():
    """This machine's name as it goes into a folder name."""
    return re.sub(r"[^A-Za-z0-9.]+", "_", socket.gethostname()) or "host"


def _prefix(out, kind):
    """``.<out>.new-<pid>@<host>-``: a temporary folder that names its owner."""
    return f".{out.name}.{kind}-{os.getpid()}@{_host()}-"


def _alive(pid):
    """Whether a process ``pid`` runs on this machine."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # someone else's process: alive
        return True
    return True


def remove_stale(out):
    """Remove the temporary folders beside ``out`` whose owner is dead.

    Only folders named by :func:`_prefix` on this host whose process is gone:
    a live run's folder, or one of another host (sharing the file system), is
    left alone. An ``old`` folder (the previous report, moved aside during a
    swap) is removed only when ``out`` is in place. Returns the removed paths.
    """
    pattern = re.compile(
        rf"^\.{re.escape(out.name)}\.(new|old|check)-(\d+)@(.+)-[A-Za-z0-9_]+$"
    )
    parent = out.absolute().parent
    removed = []
    for path in sorted(parent.glob(f".{glob.escape(out.name)}.*-*@*")):
        match = pattern.match(path.name)
        if not match or not path.is_dir() or path.is_symlink():
            continue
        kind, pid, host = match[1], int(match[2]), match[3]
        if host != _host() or _alive(pid) or (kind == "old" and not out.exists()):
            continue
        shutil.rmtree(path, ignore_errors=True)
        logger.info(
            "Removed %s, left by a run (pid %d) that ended without cleaning up",
            path,
            pid,
        )
        removed.append(path)
    return removed


def _swap(new, out):
    """``new`` takes ``out``'s place; the old ``out`` is deleted."""
    with _sigint_held():
        old = None
        if out.exists():
            old = Path(tempfile.mkdtemp(prefix=_prefix(out, "old"), dir=new.parent))
            os.rename(out, old / out.name)
        os.rename(new, out)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)


@contextlib.contextmanager
def _sigint_held():
    """Hold back SIGINT inside the block, then deliver it (main thread only)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    received = []
    previous = signal.signal(signal.SIGINT, lambda *args: received.append(args))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
        if received:
            if callable(previous):
                previous(*received[0])
            else:
                raise KeyboardInterrupt
