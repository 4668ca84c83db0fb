"""``sklearn-probe cache info|verify|compact``: no model, numbers from the store."""

import json

from test_store import KEY, as_in_a_new_process, fill

from sklearn_probe.cli import main


def run(capsys, *argv):
    status = main(["cache", *argv])
    out, err = capsys.readouterr()
    return status, out, err


def test_info_verify_compact(tmp_path, capsys, monkeypatch):
    fill(tmp_path, 4, monkeypatch=monkeypatch)  # 4 shards of 3 texts
    status, out, _ = run(capsys, "info", "--cache-dir", str(tmp_path))
    assert status == 0
    assert "1 keys, 4 shards, 12 texts" in out
    assert f"{KEY[:12]}  model test-model, mean pooling, max_length 8, 3 x 4" in out
    # One flipped bit: verify finds it and moves it aside.
    path = sorted(tmp_path.glob("*/*.shard"))[1]
    raw = bytearray(path.read_bytes())
    raw[-1] ^= 0x10
    path.write_bytes(bytes(raw))
    as_in_a_new_process()
    status, out, _ = run(capsys, "verify", "--cache-dir", str(tmp_path))
    assert (status, out.split(": ", 1)[1].strip()) == (
        0,
        "4 shards checked, 1 bad (moved to quarantine/).",
    )
    status, out, _ = run(capsys, "compact", "--cache-dir", str(tmp_path))
    assert "3 shards merged into 1, 0 duplicate rows dropped" in out
    status, out, _ = run(capsys, "info", "--cache-dir", str(tmp_path), "--json")
    [key] = json.loads(out)["keys"]
    assert (key["shards"], key["texts"], key["quarantined"]) == (1, 9, 1)


def test_info_shows_the_default_store(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("SKLEARN_PROBE_CACHE_DIR", str(tmp_path))
    monkeypatch.setenv("SKLEARN_PROBE_CACHE_DISK_BYTES", str(2 * 1024**3))
    status, out, _ = run(capsys, "info")
    assert status == 0
    assert out.splitlines()[:2] == [
        f"{tmp_path} (default store, bound 2.0 GiB)",
        "0 keys, 0 shards, 0 texts, 0 B",
    ]


def test_no_store_is_a_one_line_error(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("SKLEARN_PROBE_CACHE_DIR", "off")
    status, _, err = run(capsys, "info")
    assert status == 1
    assert "switched off (SKLEARN_PROBE_CACHE_DIR)" in err
    status, _, err = run(capsys, "compact", "--cache-dir", str(tmp_path / "nowhere"))
    assert (status, err.strip()) == (
        1,
        f"sklearn-probe: error: No cache folder at {str(tmp_path / 'nowhere')!r}.",
    )
