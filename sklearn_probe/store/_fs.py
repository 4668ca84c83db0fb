"""The few file operations the vector store needs, on a local disk.

Every write the store makes goes through :meth:`LocalFS.write_whole`: the bytes
go to a temporary name, are flushed to disk and renamed into place, so a file
is either absent or complete. On object storage one PUT does the same, which is
why a shard is one file and a commit is one write.
"""

import contextlib
import functools
import mmap
import os
import stat
import time
import uuid

TMP_MARK = ".tmp-"
# Metadata, claims and locks are small: no read of one goes past this.
MAX_SMALL_READ = 16 * 1024**2


class NotAFile(ValueError):
    """A path that should be a plain file of bounded size and is not."""


def _kind(mode):
    """What a file mode is, in words."""
    for test, words in (
        (stat.S_ISDIR, "a directory"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
        (stat.S_ISFIFO, "a named pipe"),
        (stat.S_ISSOCK, "a socket"),
        (stat.S_ISLNK, "a symbolic link"),
    ):
        if test(mode):
            return words
    return "not a regular file"


class LocalFS:
    """A local directory tree (or a network file system mounted as one)."""

    url_prefix = ""

    def join(self, *parts):
        return os.path.join(*parts)

    def makedirs(self, path):
        os.makedirs(path, exist_ok=True)

    def listdir(self, path):
        """``{name: (size, mtime, atime)}`` of the plain files in ``path``."""
        return self.scan(path)[0]

    def scan(self, path):
        """``(plain files as listdir gives them, {name: what} of the rest)``."""
        files, others = {}, {}
        try:
            entries = list(os.scandir(path))
        except FileNotFoundError:
            return files, others
        for entry in entries:
            try:
                st = entry.stat(follow_symlinks=False)
            except FileNotFoundError:
                continue
            if stat.S_ISREG(st.st_mode):
                files[entry.name] = (st.st_size, st.st_mtime, st.st_atime)
            elif stat.S_ISLNK(st.st_mode):
                try:
                    target = os.readlink(entry.path)
                except OSError:
                    target = "?"
                others[entry.name] = f"a symbolic link to {target}"
            else:
                others[entry.name] = _kind(st.st_mode)
        return files, others

    def subdirs(self, path):
        try:
            return sorted(e.name for e in os.scandir(path) if e.is_dir())
        except FileNotFoundError:
            return []

    def read_prefix(self, path, n):
        with open(path, "rb") as f:
            return f.read(n)

    def read(self, path, limit=MAX_SMALL_READ):
        """The bytes of a plain file of at most ``limit`` bytes.

        Raises :class:`NotAFile` for anything else (a directory, a device such
        as ``/dev/zero``, a pipe, a file over the bound), without blocking.
        """
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
        with os.fdopen(fd, "rb") as f:
            mode = os.fstat(fd).st_mode
            if not stat.S_ISREG(mode):
                raise NotAFile(f"{_kind(mode)}, not a file")
            data = f.read(limit + 1)
        if len(data) > limit:
            raise NotAFile(f"over {limit} bytes, more than such a file ever holds")
        return data

    @contextlib.contextmanager
    def buffer(self, path):
        """``(the whole file as a read-only buffer, its signature)``.

        The buffer is a memory map, closed on exit; the signature (size,
        modification time, inode, device) tells whether the file changed since
        an earlier read. A view of the map still referenced elsewhere (a
        profiler holding the reader's frame, as Dask's does) makes ``close``
        refuse; the rows were read by then, so the map is left for the garbage
        collector to unmap.
        """
        with open(path, "rb") as f:
            st = os.fstat(f.fileno())
            signature = (st.st_size, st.st_mtime_ns, st.st_ino, st.st_dev)
            if not stat.S_ISREG(st.st_mode) or st.st_size == 0:
                yield b"", signature
                return
            mapped = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
            try:
                yield mapped, signature
            finally:
                with contextlib.suppress(BufferError):
                    mapped.close()

    def signature(self, path):
        """The signature :meth:`buffer` gives for ``path`` now (None if gone)."""
        try:
            st = os.stat(path)
        except OSError:
            return None
        return (st.st_size, st.st_mtime_ns, st.st_ino, st.st_dev)

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

    def rmdir(self, path):
        """Remove ``path`` if it is an empty folder."""
        with contextlib.suppress(OSError):
            os.rmdir(path)

    def move(self, path, dest):
        os.replace(path, dest)

    def touch(self, path):
        """Set ``path``'s modification time to now (a heartbeat); False if gone."""
        try:
            os.utime(path)
        except OSError:
            return False
        return True

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


def _foreign(method):
    """Raise what a file system package raises (botocore's errors and kin) as
    OSError, with its class name, so the store treats it as any I/O error."""

    @functools.wraps(method)
    def wrapper(*args, **kwargs):
        try:
            return method(*args, **kwargs)
        except (OSError, NotAFile):
            raise
        except Exception as exc:
            raise OSError(f"{type(exc).__name__}: {exc}") from exc

    return wrapper


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

    @_foreign
    def makedirs(self, path):
        self.fs.makedirs(path, exist_ok=True)

    def _ls(self, path):
        self.fs.invalidate_cache(path)
        try:
            return self.fs.ls(path, detail=True)
        except FileNotFoundError:
            return []

    @_foreign
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

    def scan(self, path):
        return self.listdir(path), {}  # objects are objects: nothing else

    @_foreign
    def subdirs(self, path):
        names = (e["name"].rstrip("/") for e in self._ls(path) if e["type"] != "file")
        return sorted(n.rsplit("/", 1)[-1] for n in names)

    @_foreign
    def read_prefix(self, path, n):
        return self.fs.cat_file(path, start=0, end=n)

    @_foreign
    def read(self, path, limit=MAX_SMALL_READ):
        size = self.fs.size(path)
        if size is not None and size > limit:
            raise NotAFile(f"over {limit} bytes, more than such a file ever holds")
        return self.fs.cat_file(path)

    @contextlib.contextmanager
    def buffer(self, path):
        """Fresh bytes each time (no signature: the caller checks them all)."""
        yield _foreign(self.fs.cat_file)(path), None

    def signature(self, path):
        return None

    @_foreign
    def write_whole(self, path, data):
        self.fs.pipe_file(path, data)

    @_foreign
    def create_exclusive(self, path, data):
        # Best effort (check, then put): two compactions at once cost work,
        # never correctness.
        if self.fs.exists(path):
            return False
        self.fs.pipe_file(path, data)
        return True

    @_foreign
    def remove(self, path):
        with contextlib.suppress(FileNotFoundError):
            self.fs.rm_file(path)

    def rmdir(self, path):
        """Object stores have no empty folders to remove."""

    @_foreign
    def move(self, path, dest):
        self.fs.mv(path, dest)

    def touch(self, path):
        """Rewrite ``path`` (its modification time is the last write)."""
        try:
            self.fs.pipe_file(path, self.fs.cat_file(path))
        except Exception:  # gone, or the file system refuses: no heartbeat
            return False
        return True

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
