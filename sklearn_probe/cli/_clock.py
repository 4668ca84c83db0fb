"""When this process started, on the ``time.perf_counter()`` clock.

The command's clock starts once its own code runs, after the interpreter has
started and imported scikit-learn, pandas and this package (seconds on a busy
machine). :func:`process_started` dates the process itself, so the report's
time line can show that start-up as a part of its own. :func:`exit_now` ends
the process without the interpreter's teardown of every module that the run
imported (seconds with torch and transformers loaded), once the command's
work is done.
"""

import atexit
import logging
import os
import sys
import threading
import time


def process_started():
    """``time.perf_counter()`` as it would have read when this process began.

    From the operating system's record of the process (``/proc/self/stat`` on
    Linux, else ``psutil`` when installed); None where neither is available or
    the record makes no sense (a start in the future, or over a day ago).
    """
    elapsed = _linux_elapsed()
    if elapsed is None:
        elapsed = _psutil_elapsed()
    if elapsed is None or not 0 <= elapsed < 86400:
        return None
    return time.perf_counter() - elapsed


def _linux_elapsed():
    """Seconds since this process started, from /proc (10 ms ticks)."""
    try:
        with open("/proc/self/stat", encoding="ascii") as f:
            stat = f.read()
        # Field 22 (starttime, clock ticks after boot); the fields after the
        # command name, which is in parentheses and may hold spaces.
        ticks = int(stat.rsplit(")", 1)[1].split()[19])
        boot = time.clock_gettime(time.CLOCK_BOOTTIME)
        return boot - ticks / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError, AttributeError):
        return None


def _psutil_elapsed():
    try:
        import psutil
    except ImportError:
        return None
    try:
        return time.time() - psutil.Process().create_time()
    except Exception:  # noqa: BLE001 - any failure: the start is unknown
        return None


def exit_now(status):
    """End this process with ``status`` once its output is out, skipping the
    interpreter's teardown of its modules (torch, transformers, scikit-learn,
    matplotlib: 2-3 s on a busy machine) when nothing else runs.

    The exit handlers run first (temporary folders, worker pools), then the
    logging handlers and the standard streams are flushed. With a thread
    other than this one still running it returns, and Python ends as usual
    (waiting for that thread). Only for the command run as its process's
    own entry point: a caller of ``main(argv)`` gets its status back.
    """
    if threading.active_count() > 1:
        return
    atexit._run_exitfuncs()
    logging.shutdown()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            pass
    os._exit(status)
