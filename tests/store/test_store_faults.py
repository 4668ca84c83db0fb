"""The fault matrix of the disk store: damaged, foreign, stale and unusable
things under a cache folder. Each is said once, in words that name the fix,
and never serves a wrong vector, deletes another program's file, or stops a
run that can go on without the store."""

import errno
import json
import os
import socket
import threading
import time
import uuid

import numpy as np
import pytest
from test_store import (
    DESCRIPTION,
    KEY,
    SHAPE,
    as_in_a_new_process,
    fill,
    shard_names,
    truth,
    vectors,
)

from sklearn_probe.store import (
    ReadOnlyStoreWarning,
    StoreUnavailableWarning,
    _admin,
    _cache,
    _claims,
    _compact,
    _fs,
    _owner,
    open_store,
    text_digest,
)


def expected(texts):
    return np.stack([truth(t) for t in texts])


def in_a_thread(run, seconds):
    """``run()``'s result, or a failure if it takes over ``seconds`` (a wait
    that would never end)."""
    out = {}
    thread = threading.Thread(target=lambda: out.update(value=run()), daemon=True)
    thread.start()
    thread.join(seconds)
    assert not thread.is_alive(), f"still waiting after {seconds} s"
    return out["value"]


# -- 19: a shard damaged in place after it was read -------------------------


def test_a_shard_damaged_in_place_after_it_was_read_is_checked_again(
    tmp_path, monkeypatch, caplog
):
    texts = fill(tmp_path, 2, monkeypatch=monkeypatch)
    as_in_a_new_process()
    np.testing.assert_array_equal(vectors(texts, tmp_path), expected(texts))
    # The same process, its memory cache emptied (off, or full): the shard
    # it checked is rewritten in place, same size.
    path = tmp_path / KEY / shard_names(tmp_path)[0]
    time.sleep(0.05)
    with open(path, "r+b") as f:
        f.seek(-4 * SHAPE[1], os.SEEK_END)
        f.write(np.full(SHAPE[1], 5.9e25, np.float32).tobytes())
    _cache.MEMORY.clear()
    calls = []
    got = vectors(texts, tmp_path, calls)
    np.testing.assert_array_equal(got, expected(texts))
    assert sorted(t for c in calls for t in c) == sorted(texts[:3])
    assert "vectors checksum mismatch" in caplog.text


# -- 20: eviction touches only what the store wrote ---------------------------


def test_eviction_deletes_only_the_stores_own_shards(tmp_path, monkeypatch):
    fill(tmp_path, 4, monkeypatch=monkeypatch)
    ours = shard_names(tmp_path)
    theirs = [
        tmp_path / "other-program" / "data.shard",
        tmp_path / "loose.shard",
        tmp_path / ("ab" * 20) / "1.shard",  # a key-like folder, not the store's
        tmp_path / KEY / "notes.shard",  # a foreign name in a key folder
    ]
    for path in theirs:
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(b"x" * 10_000)
    store = open_store(tmp_path, KEY, DESCRIPTION, SHAPE)
    size = (tmp_path / KEY / ours[0]).stat().st_size
    freed = _compact.evict(store.fs, str(tmp_path), 2 * size + 500)
    assert freed == 2 * size  # the two oldest of ours: theirs neither go nor count
    left = [p.name for p in (tmp_path / KEY).glob("*.shard") if p.name in ours]
    assert len(left) == 2 and ours[-1] in left  # the newest of ours stay
    assert all(path.read_bytes() == b"x" * 10_000 for path in theirs)
    # Without the store's marker at the root, nothing at all is deleted.
    (tmp_path / ".sklearn-probe-store").unlink()
    assert _compact.evict(store.fs, str(tmp_path), 0) == 0
    assert len(shard_names(tmp_path)) == 2 + len(theirs) - 1  # loose.shard: root


# -- 22: claims whose owner is gone; bounded, logged waits -------------------


def claim(tmp_path, name, texts, age=0.0):
    folder = tmp_path / KEY / "claims"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_bytes(b"".join(text_digest(t) for t in texts))
    if age:
        os.utime(path, (time.time() - age, time.time() - age))
    return path


def test_a_claim_whose_pid_is_another_process_now_is_broken(tmp_path, caplog):
    texts = ["one", "two", "three"]
    open_store(tmp_path, KEY, DESCRIPTION, SHAPE)
    host = socket.gethostname()
    init_start = _owner.start_time(1)
    stale = [
        # Process 1 runs, but is not the process that claimed (earlier format
        # with no start time; or another start time).
        claim(tmp_path, f"1-{uuid.uuid4().hex}@{host}.claim", texts[:1]),
        claim(tmp_path, f"1.{init_start + 7}-{uuid.uuid4().hex}@{host}.claim", texts),
    ]
    calls = []
    got = in_a_thread(lambda: vectors(texts, tmp_path, calls), 30)
    np.testing.assert_array_equal(got, expected(texts))
    assert sorted(t for c in calls for t in c) == sorted(texts)
    assert not any(path.exists() for path in stale)


def test_a_claim_from_another_host_whose_heartbeat_stopped_is_broken(tmp_path):
    texts = ["one", "two"]
    open_store(tmp_path, KEY, DESCRIPTION, SHAPE)
    path = claim(tmp_path, f"5.5-{uuid.uuid4().hex}@elsewhere.claim", texts, age=600)
    got = in_a_thread(lambda: vectors(texts, tmp_path), 30)
    np.testing.assert_array_equal(got, expected(texts))
    assert not path.exists()


def test_a_wait_for_a_live_claim_is_said_and_bounded(tmp_path, monkeypatch, caplog):
    monkeypatch.setattr(_claims, "SAY_AFTER_S", 0.3)
    monkeypatch.setattr(_claims, "WAIT_S", 1.5)
    texts = ["one", "two"]
    open_store(tmp_path, KEY, DESCRIPTION, SHAPE)
    path = claim(tmp_path, f"5.5-{uuid.uuid4().hex}@elsewhere.claim", texts)
    start = time.monotonic()
    got = in_a_thread(lambda: vectors(texts, tmp_path), 60)
    np.testing.assert_array_equal(got, expected(texts))
    assert 1.5 <= time.monotonic() - start < 30
    assert (
        f"Waiting for 2 texts that another process is computing (claims: {path})"
        in (caplog.text)
    )
    assert "computing them here" in caplog.text


def test_a_held_claim_beats(tmp_path, monkeypatch):
    """The claimant touches its claim while it computes: others see it live
    however long the chunk takes."""
    monkeypatch.setattr(_owner, "BEAT_S", 0.1)
    store = open_store(tmp_path, KEY, DESCRIPTION, SHAPE)
    with store.claims.hold([text_digest("a")]):
        [path] = (tmp_path / KEY / "claims").iterdir()
        first = path.stat().st_mtime_ns
        time.sleep(0.5)
        assert path.stat().st_mtime_ns > first
    assert not path.exists()


# -- 23: a dead compactor's lock ---------------------------------------------


def lock(tmp_path, owner, host=None):
    path = tmp_path / KEY / "compact.lock"
    payload = {"owner": owner, "host": host or socket.gethostname(), "since": 0}
    path.write_text(json.dumps(payload))
    return path


def test_a_dead_compactors_lock_is_broken(tmp_path, monkeypatch, caplog):
    fill(tmp_path, 4, monkeypatch=monkeypatch)
    path = lock(tmp_path, "999999999.1")  # no such process
    done = _admin.compact_cache(tmp_path)
    assert (done["merged"], done["written"], done["locked"]) == (4, 1, [])
    assert not path.exists()
    assert f"Broke the compaction lock {path}" in caplog.text


def test_a_live_compactors_lock_is_named(tmp_path, monkeypatch):
    fill(tmp_path, 4, monkeypatch=monkeypatch)
    lock(tmp_path, f"1.{_owner.start_time(1)}")  # process 1 runs
    done = _admin.compact_cache(tmp_path)
    assert done["merged"] == 0
    [locked] = done["locked"]
    assert locked["key"] == KEY
    assert locked["by"].startswith(f"process 1 on {socket.gethostname()} since ")
    assert len(shard_names(tmp_path)) == 4


# -- 24: .shard entries that are not files ------------------------------------


def test_shards_that_are_not_files_are_quarantined_and_said(tmp_path, caplog):
    texts = ["one", "two"]
    vectors(texts, tmp_path)
    folder = tmp_path / KEY
    outside = tmp_path.parent / f"outside-{uuid.uuid4().hex}"
    outside.write_bytes(b"SKPSHARD not the store's")
    (folder / "a-directory.shard").mkdir()
    (folder / "zeros.shard").symlink_to("/dev/zero")
    (folder / "outside.shard").symlink_to(outside)
    as_in_a_new_process()
    calls = []
    got = vectors(texts, tmp_path, calls)
    np.testing.assert_array_equal(got, expected(texts))
    assert calls == []
    for words in (
        "a-directory.shard is unusable (a directory, not a shard file)",
        "zeros.shard is unusable (a symbolic link to /dev/zero, not a shard file)",
        f"outside.shard is unusable (a symbolic link to {outside}, not a shard",
    ):
        assert words in caplog.text
    assert sorted(
        p.name.rsplit(".", 1)[0] for p in (folder / "quarantine").iterdir()
    ) == [
        "a-directory.shard",
        "outside.shard",
        "zeros.shard",
    ]
    assert outside.read_bytes() == b"SKPSHARD not the store's"  # the link moved
    caplog.clear()
    as_in_a_new_process()
    vectors(texts, tmp_path)
    assert "unusable" not in caplog.text  # said once, not at every run


# -- 25: bounded metadata reads ----------------------------------------------


def test_metadata_that_is_a_device_is_refused_with_a_reason(tmp_path, caplog):
    texts = ["one", "two"]
    vectors(texts, tmp_path)
    meta = tmp_path / KEY / "meta.json"
    meta.unlink()
    meta.symlink_to("/dev/zero")
    as_in_a_new_process()
    got = in_a_thread(lambda: vectors(texts, tmp_path), 30)
    np.testing.assert_array_equal(got, expected(texts))
    assert "meta.json is unusable (unreadable metadata (a character device" in (
        caplog.text
    )
    assert json.loads(meta.read_text())["layers"] == SHAPE[0]  # written again


def test_metadata_that_is_a_pipe_does_not_block(tmp_path, caplog):
    texts = ["one"]
    vectors(texts, tmp_path)
    meta = tmp_path / KEY / "meta.json"
    meta.unlink()
    os.mkfifo(meta)
    as_in_a_new_process()
    got = in_a_thread(lambda: vectors(texts, tmp_path), 30)
    np.testing.assert_array_equal(got, expected(texts))
    assert "meta.json is unusable (unreadable metadata (a named pipe" in caplog.text


def test_small_reads_are_bounded(tmp_path):
    big = tmp_path / "big.json"
    big.write_bytes(b" " * 2000)
    with pytest.raises(_fs.NotAFile, match="over 1000 bytes"):
        _fs.LocalFS().read(str(big), limit=1000)
    assert _fs.LocalFS().read(str(big), limit=2000) == b" " * 2000


# -- 26: verify says what it did ---------------------------------------------


def damage(path):
    raw = bytearray(path.read_bytes())
    raw[-1] ^= 0x10
    path.write_bytes(bytes(raw))


def test_verify_checks_every_shard_without_metadata(tmp_path, monkeypatch):
    fill(tmp_path, 4, monkeypatch=monkeypatch)
    names = shard_names(tmp_path)
    for name in names[1:3]:
        damage(tmp_path / KEY / name)
    (tmp_path / KEY / "meta.json").unlink()
    as_in_a_new_process()
    report = _admin.verify_cache(tmp_path)
    assert (report["checked"], report["bad"], report["moved"]) == (4, 2, 2)
    assert report["keys_without_meta"] == [KEY]
    assert sorted(p["file"] for p in report["problems"]) == names[1:3]
    assert shard_names(tmp_path) == [names[0], names[3]]
    assert not (tmp_path / KEY / "meta.json").exists()  # not made up


def test_verify_on_a_read_only_store_moves_nothing_and_says_so(tmp_path, monkeypatch):
    fill(tmp_path, 2, monkeypatch=monkeypatch)
    names = shard_names(tmp_path)
    damage(tmp_path / KEY / names[0])
    as_in_a_new_process()

    def refuse(self, path):
        raise PermissionError(errno.EROFS, "Read-only file system", path)

    monkeypatch.setattr(_fs.LocalFS, "check_writable", refuse)
    report = _admin.verify_cache(tmp_path)
    assert (report["bad"], report["moved"], report["read_only"]) == (1, 0, True)
    assert report["problems"][0]["done"] == "left in place (read-only store)"
    assert shard_names(tmp_path) == names


# -- 27: stores that cannot be used: one sentence, and the run goes on ---------


def test_a_new_store_on_a_full_disk(tmp_path, monkeypatch):
    def full(self, path, data):
        raise OSError(errno.ENOSPC, "No space left on device", path)

    monkeypatch.setattr(_fs.LocalFS, "write_whole", full)
    with pytest.warns(ReadOnlyStoreWarning, match="the disk is full: free some space"):
        got = vectors(["one", "two"], tmp_path / "new")
    np.testing.assert_array_equal(got, expected(["one", "two"]))


def test_an_infinite_disk_bound_names_the_variable(tmp_path, monkeypatch):
    monkeypatch.setenv("SKLEARN_PROBE_CACHE_DIR", str(tmp_path))
    monkeypatch.setenv("SKLEARN_PROBE_CACHE_DISK_BYTES", "inf")
    with pytest.warns(
        StoreUnavailableWarning,
        match=r"SKLEARN_PROBE_CACHE_DISK_BYTES='inf' is not a number of bytes: set",
    ):
        got = vectors(["one"], "auto")
    np.testing.assert_array_equal(got, expected(["one"]))
    with pytest.raises(ValueError, match="SKLEARN_PROBE_CACHE_DISK_BYTES='inf'"):
        _admin.cache_info("auto")


def test_a_cache_dir_that_is_a_file(tmp_path):
    path = tmp_path / "a-file"
    path.write_bytes(b"mine")
    with pytest.warns(
        StoreUnavailableWarning, match="a file stands where a folder should be"
    ):
        got = vectors(["one"], path)
    np.testing.assert_array_equal(got, expected(["one"]))
    assert path.read_bytes() == b"mine"


def test_a_store_folder_this_user_may_not_read(tmp_path, monkeypatch):
    """Mode 000 (simulated: the tests run as root, whom chmod does not stop)."""
    fill(tmp_path, 1)
    as_in_a_new_process()
    denied = PermissionError(errno.EACCES, "Permission denied")
    scandir = os.scandir

    def guarded(path="."):
        if os.fspath(path).startswith(str(tmp_path)):
            raise denied
        return scandir(path)

    def refuse(self, path, *args, **kwargs):
        raise denied

    monkeypatch.setattr(_fs.os, "scandir", guarded)
    monkeypatch.setattr(_fs.LocalFS, "check_writable", refuse)
    monkeypatch.setattr(_fs.LocalFS, "read", refuse)
    with pytest.warns(StoreUnavailableWarning, match="give it read and write access"):
        got = vectors(["one", "two"], tmp_path)
    np.testing.assert_array_equal(got, expected(["one", "two"]))


def test_an_s3_cache_dir_without_credentials(monkeypatch):
    pytest.importorskip("s3fs")
    import fsspec

    for name in list(os.environ):
        if name.startswith("AWS_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.setenv("AWS_CONFIG_FILE", "/nonexistent")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setitem(
        fsspec.config.conf, "s3", {"endpoint_url": "http://127.0.0.1:9"}
    )
    url = f"s3://no-credentials-{uuid.uuid4().hex[:8]}/cache"
    with pytest.warns(
        StoreUnavailableWarning, match="set the file system's credentials"
    ):
        got = vectors(["one"], url)
    np.testing.assert_array_equal(got, expected(["one"]))
    with pytest.raises(ValueError, match="cannot be read .*NoCredentialsError"):
        _admin.cache_info(url)
