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
    lines = out.splitlines()
    assert status == 1  # damage found: not a success
    assert lines[0] == f"{tmp_path}: 4 shards checked in 1 keys, 1 bad:"
    assert lines[1].startswith(f"  {KEY[:12]}/{path.name}: vectors checksum mismatch;")
    assert lines[2] == (
        "1 moved to quarantine/: their texts are computed again when needed."
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


def test_info_names_the_model_and_counts_words_as_words(tiny_bert, tmp_path, capsys):
    from sklearn_probe import HiddenStateTransformer, WordHiddenStateTransformer

    as_in_a_new_process()
    texts = ["a first text", "a second one", "a third"]
    HiddenStateTransformer(tiny_bert, cache_dir=tmp_path).fit_transform(texts)
    sentences = [("The", "dogs", "bark"), ("a", "film")]
    words = [(s, i) for s in sentences for i in range(len(s))]
    WordHiddenStateTransformer(tiny_bert, cache_dir=tmp_path).fit_transform(words)
    status, out, _ = run(capsys, "info", "--cache-dir", str(tmp_path))
    assert status == 0
    lines = out.splitlines()
    assert lines[1].startswith("2 keys, 2 shards, 3 texts, 5 words, ")
    [text_key] = [line for line in lines if "mean pooling" in line]
    [word_key] = [line for line in lines if "subword" in line]
    assert f"model {tiny_bert} (fingerprint " in text_key
    assert (
        "mean pooling, max_length 128" in text_key and ": 1 shards, 3 texts" in text_key
    )
    assert f"model {tiny_bert} (fingerprint " in word_key
    assert "words, first subword" in word_key and ": 1 shards, 5 words" in word_key


def test_clear_needs_yes_and_deletes_only_what_the_store_wrote(tmp_path, capsys):
    fill(tmp_path, 2)
    foreign = [tmp_path / "other" / "data.shard", tmp_path / KEY / "my-notes.txt"]
    for path in foreign:
        path.parent.mkdir(exist_ok=True)
        path.write_text("not the store's")
    status, _, err = run(capsys, "clear", "--cache-dir", str(tmp_path))
    assert status == 1 and "add --yes to do it" in err
    assert len(list(tmp_path.glob(f"{KEY}/*.shard"))) == 2  # nothing deleted
    status, out, _ = run(capsys, "clear", "--cache-dir", str(tmp_path), "--yes")
    assert status == 0
    assert out.startswith(f"{tmp_path}: 1 keys cleared, 3 files (")
    assert f"1 files the store did not write were left: {foreign[1]}" in out
    assert all(path.read_text() == "not the store's" for path in foreign)
    assert sorted(p.name for p in (tmp_path / KEY).iterdir()) == ["my-notes.txt"]
    assert not (tmp_path / ".sklearn-probe-store").exists()  # no key of its own left
    as_in_a_new_process()
    status, out, _ = run(capsys, "info", "--cache-dir", str(tmp_path), "--json")
    assert [k["texts"] for k in json.loads(out)["keys"]] == [0, 0]


def test_verify_without_metadata_says_what_it_did(tmp_path, capsys, monkeypatch):
    fill(tmp_path, 3, monkeypatch=monkeypatch)
    path = sorted(tmp_path.glob("*/*.shard"))[0]
    raw = bytearray(path.read_bytes())
    raw[-1] ^= 0x10
    path.write_bytes(bytes(raw))
    (tmp_path / KEY / "meta.json").unlink()
    as_in_a_new_process()
    status, out, _ = run(capsys, "verify", "--cache-dir", str(tmp_path))
    assert status == 1
    assert out.splitlines()[0] == f"{tmp_path}: 3 shards checked in 1 keys, 1 bad:"
    assert (
        f"{KEY[:12]}: meta.json missing or unreadable; its shards were checked" in out
    )


def test_compact_names_who_holds_the_lock(tmp_path, capsys, monkeypatch):
    import socket

    from sklearn_probe.store import _owner

    fill(tmp_path, 3, monkeypatch=monkeypatch)
    (tmp_path / KEY / "compact.lock").write_text(
        json.dumps(
            {
                "owner": f"1.{_owner.start_time(1)}",
                "host": socket.gethostname(),
                "since": 0,
            }
        )
    )
    status, out, _ = run(capsys, "compact", "--cache-dir", str(tmp_path))
    assert status == 1
    assert (
        f"  key {KEY[:12]} not compacted: it is locked by process 1 on "
        f"{socket.gethostname()} since "
    ) in out
