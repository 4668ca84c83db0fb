"""The few file operations the vector store needs, on a local disk.

Every write the store makes goes through :meth:`LocalFS.write_whole`: the bytes
go to a temporary name, are flushed to disk and renamed into place, so a file
is either absent or complete. On object storage one PUT does the same, which is
why a shard is one file and a commit is one write.
"""

import contextlib
import mmap
import os
import time
import uuid

TMP_MARK = ".tmp-"


class LocalFS:
    """A local directory tree (or a network file system mounted as one)."""

    url_prefix = ""

    def join(self, *parts):
        return os.path.join(*parts)

    def makedirs(self, path):
        os.makedirs(path, exist_ok=True)

    def listdir(self, path):
        """``{name: (size, mtime, atime)}`` of the plain files in ``path``."""
        out = {}
        try:
            entries = list(os.scandir(path))
        except FileNotFoundError:
            return out
        for entry in entries:
            try:
                if entry.is_file(follow_symlinks=False):
                    st = entry.stat(follow_symlinks=False)
                    out[entry.name] = (st.st_size, st.st_mtime, st.st_atime)
            except FileNotFoundError:
                continue
        return out

    def subdirs(self, path):
        try:
            return sorted(e.name for e in os.scandir(path) if e.is_dir())
        except FileNotFoundError:
            return []

    def read_prefix(self, path, n):
        with open(path, "rb") as f:
            return f.read(n)

    def read(self, path):
        with open(path, "rb") as f:
            return f.read()

    @contextlib.contextmanager
    def buffer(self, path):
        """The whole file as a read-only buffer (a memory map, closed on exit).

        A view of the map still referenced elsewhere (a profiler holding the
        reader's frame, as Dask's does) makes ``close`` refuse; the rows were
        read by then, so the map is left for the garbage collector to unmap.
        """
        with open(path, "rb") as f:
            if os.fstat(f.fileno()).st_size == 0:
                yield b""
                return
            mapped = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
            try:
                yield mapped
            finally:
                with contextlib.suppress(BufferError):
                    mapped.close()

    def write_whole(self, path, data):
        tmp = f"{path}{TMP_MARK}{os.getpid()}-{uuid.uuid4().hex}"
        try:
            with open(tmp, "wb") as f:
                f.write(data)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, path)
        finally:
            with contextlib.suppress(FileNotFoundError):
                os.remove(tmp)

    def create_exclusive(self, path, data):
        """Write ``path`` only if it does not exist; False if it did."""
        try:
            fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
        except FileExistsError:
            return False
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        return True

    def remove(self, path):
        with contextlib.suppress(FileNotFoundError):
            os.remove(path)

    def move(self, path, dest):
        os.replace(path, dest)

    def touch_access(self, path):
        """Mark ``path`` as used now (its access time; the content is unchanged)."""
        with contextlib.suppress(OSError):
            st = os.stat(path)
            os.utime(path, ns=(time.time_ns(), st.st_mtime_ns))

    def check_writable(self, path):
        """Raise OSError if no file can be created in ``path``."""
        self.makedirs(path)
        probe = os.path.join(path, f".write-check{TMP_MARK}{os.getpid()}")
        with open(probe, "wb"):
            pass
        os.remove(probe)

    def owner_alive(self, name):
        """Whether the process named in a temporary file's or lease's name lives."""
        try:
            pid = int(name.split(TMP_MARK, 1)[1].split("-", 1)[0])
        except (IndexError, ValueError):
            return False
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True
        return True


class FsspecFS:
    """Object storage or any other fsspec file system (``s3://``, ``gs://``).

    A shard is written with one PUT, which object stores make visible whole
    or not at all; there are no temporary files. Listings are read afresh
    (fsspec caches them) so that a reader sees other processes' shards.
    Credentials come from the file system's usual configuration.
    """

    def __init__(self, fs, protocol):
        self.fs = fs
        self.url_prefix = f"{protocol}://"

    def join(self, *parts):
        return "/".join(p.rstrip("/") for p in parts)

    def makedirs(self, path):
        self.fs.makedirs(path, exist_ok=True)

    def _ls(self, path):
        self.fs.invalidate_cache(path)
        try:
            return self.fs.ls(path, detail=True)
        except FileNotFoundError:
            return []

    def listdir(self, path):
        out = {}
        for entry in self._ls(path):
            if entry.get("type") == "file":
                mtime = entry.get("LastModified", entry.get("mtime", 0))
                mtime = mtime.timestamp() if hasattr(mtime, "timestamp") else mtime
                out[entry["name"].rstrip("/").rsplit("/", 1)[-1]] = (
                    entry["size"],
                    mtime or 0,
                    mtime or 0,
                )
        return out

    def subdirs(self, path):
        names = (e["name"].rstrip("/") for e in self._ls(path) if e["type"] != "file")
        return sorted(n.rsplit("/", 1)[-1] for n in names)

    def read_prefix(self, path, n):
        return self.fs.cat_file(path, start=0, end=n)

    def read(self, path):
        return self.fs.cat_file(path)

    @contextlib.contextmanager
    def buffer(self, path):
        yield self.fs.cat_file(path)

    def write_whole(self, path, data):
        self.fs.pipe_file(path, data)

    def create_exclusive(self, path, data):
        # Best effort (check, then put): two compactions at once cost work,
        # never correctness.
        if self.fs.exists(path):
            return False
        self.fs.pipe_file(path, data)
        return True

    def remove(self, path):
        with contextlib.suppress(FileNotFoundError):
            self.fs.rm_file(path)

    def move(self, path, dest):
        self.fs.mv(path, dest)

    def touch_access(self, path):
        """Objects have no access time: least recently used is least recently
        written there."""

    def check_writable(self, path):
        probe = self.join(
            path, f".write-check{TMP_MARK}{os.getpid()}-{uuid.uuid4().hex}"
        )
        try:
            self.fs.pipe_file(probe, b"")
            self.fs.rm_file(probe)
        except Exception as exc:  # botocore and kin raise their own errors
            raise PermissionError(f"{type(exc).__name__}: {exc}") from exc

    def owner_alive(self, name):
        return False  # no temporary files are written here
