"""The vector cache: one forward pass per text, no wrong hits, bounded, crash-safe."""

import json

import numpy as np
import pytest
from helpers import count_forward_rows, length_corpus, make_bert
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import Pipeline

from sklearn_probe import HiddenStateTransformer, clear_cache, set_memory_cache_limit
from sklearn_probe.store import DEFAULT_LIMIT, _cache


def test_layer_grid_search_runs_the_model_once_per_text(tiny_bert):
    texts, labels = length_corpus(40)
    pipe = Pipeline(
        [("hidden", HiddenStateTransformer(tiny_bert)), ("probe", LogisticRegression())]
    )
    search = GridSearchCV(pipe, {"hidden__layer": range(4)}, cv=4)
    with count_forward_rows(tiny_bert) as counter:
        search.fit(texts, labels)
    # 4 layers x 4 folds x (train + test) + refit would be 36 passes over the
    # data without the cache; with it every text runs once.
    assert counter["rows"] <= 2 * len(texts)
    assert counter["rows"] == len(texts)
    assert len(search.cv_results_["mean_test_score"]) == 4


def test_two_checkpoints_at_one_path_never_share_entries(tmp_path):
    path = make_bert(tmp_path / "model", seed=1)
    first = HiddenStateTransformer(path, cache_dir=tmp_path / "cache").fit(["a"])
    vectors_1 = first.transform(["a good film"])
    # Overwrite the checkpoint in place with different weights.
    make_bert(tmp_path / "model", seed=2)
    second = HiddenStateTransformer(path, cache_dir=tmp_path / "cache").fit(["a"])
    assert second.model_fingerprint_ != first.model_fingerprint_
    vectors_2 = second.transform(["a good film"])
    assert np.abs(vectors_1 - vectors_2).max() > 1e-3
    # And what the second checkpoint gives equals a fresh computation with it.
    clear_cache()
    fresh = HiddenStateTransformer(path).fit(["a"]).transform(["a good film"])
    np.testing.assert_array_equal(vectors_2, fresh)


def test_same_weights_in_two_directories_share_entries(tmp_path, tiny_bert):
    import shutil

    copy = shutil.copytree(tiny_bert, tmp_path / "copy")
    a = HiddenStateTransformer(tiny_bert).fit(["a"])
    b = HiddenStateTransformer(str(copy)).fit(["a"])
    assert a.model_fingerprint_ == b.model_fingerprint_


def test_cache_key_separates_pooling_and_max_length(tiny_bert):
    text = ["the acting was awful and the plot very bad"]
    mean = HiddenStateTransformer(tiny_bert, pooling="mean").fit(text).transform(text)
    cls = HiddenStateTransformer(tiny_bert, pooling="cls").fit(text).transform(text)
    assert np.abs(mean - cls).max() > 1e-3
    with pytest.warns(UserWarning, match="truncated"):
        short = (
            HiddenStateTransformer(tiny_bert, max_length=4).fit(text).transform(text)
        )
    assert np.abs(mean - short).max() > 1e-3


def test_disk_cache_serves_another_process_without_the_model(tiny_bert, tmp_path):
    texts, _ = length_corpus(10)
    est = HiddenStateTransformer(tiny_bert, layer="all", cache_dir=tmp_path)
    expected = est.fit_transform(texts)
    as_in_a_new_process()
    with count_forward_rows(tiny_bert) as counter:
        again = HiddenStateTransformer(tiny_bert, layer=2, cache_dir=tmp_path)
        got = again.fit_transform(texts)
    assert counter["rows"] == 0
    np.testing.assert_array_equal(got, expected.reshape(10, 4, -1)[:, 2])


def test_grid_search_with_two_processes_and_a_disk_cache(tiny_bert, tmp_path):
    texts, labels = length_corpus(24)
    pipe = Pipeline(
        [
            ("hidden", HiddenStateTransformer(tiny_bert, cache_dir=tmp_path)),
            ("probe", LogisticRegression()),
        ]
    )
    parallel = GridSearchCV(pipe, {"hidden__layer": range(4)}, cv=3, n_jobs=2)
    parallel.fit(texts, labels)
    clear_cache()
    serial = GridSearchCV(
        pipe.set_params(hidden__cache_dir=None), {"hidden__layer": range(4)}, cv=3
    ).fit(texts, labels)
    np.testing.assert_allclose(
        parallel.cv_results_["mean_test_score"], serial.cv_results_["mean_test_score"]
    )
    assert store_files(tmp_path)


def test_an_interrupted_run_resumes_and_leftovers_are_ignored(
    tiny_bert, tmp_path, monkeypatch
):
    texts, _ = length_corpus(10)
    reference = HiddenStateTransformer(tiny_bert, layer="all").fit_transform(texts)
    _cache.MEMORY.clear()
    monkeypatch.setattr(_cache, "CHUNK_SIZE", 4)

    import sklearn_probe.hidden._extract as extract_module

    real_extract = extract_module.extract
    calls = {"n": 0}

    def dying_extract(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 2:
            raise KeyboardInterrupt("killed")
        return real_extract(*args, **kwargs)

    monkeypatch.setattr(extract_module, "extract", dying_extract)
    est = HiddenStateTransformer(tiny_bert, layer="all", cache_dir=tmp_path)
    with pytest.raises(KeyboardInterrupt):
        est.fit_transform(texts)
    store = next(p for p in tmp_path.iterdir() if p.is_dir())
    # Debris a killed writer could leave: a half-written temporary file and a
    # vectors file whose keys never landed. Neither may be read.
    (store / "shard-x.vectors.npy.tmp-1-abc").write_bytes(b"\x93NUMPY garbage")
    np.save(store / "shard-orphan.vectors.npy", np.zeros((3, 4, 16), np.float32))
    (store / "1-2-3.shard.tmp-1-abc").write_bytes(b"SKPSHARD half")

    as_in_a_new_process()
    monkeypatch.setattr(extract_module, "extract", real_extract)
    with count_forward_rows(tiny_bert) as counter:
        got = HiddenStateTransformer(
            tiny_bert, layer="all", cache_dir=tmp_path
        ).fit_transform(texts)
    assert counter["rows"] == 10 - 4  # the first chunk came from disk
    np.testing.assert_allclose(got, reference, atol=1e-6)


def as_in_a_new_process():
    """Forget what this process holds: vectors in memory, indexed shards."""
    _cache.MEMORY.clear()
    _cache._STORES.clear()


def store_files(root):
    """The data file of every shard under ``root`` (quarantine aside): shards,
    or the vectors files of the earlier two-file format."""
    found = [p for p in sorted(root.rglob("*.shard")) if "quarantine" not in p.parts]
    return found or sorted(root.rglob("*.vectors.npy"))


def flip(path, offset, bit=0x01):
    raw = bytearray(path.read_bytes())
    raw[offset] ^= bit
    path.write_bytes(bytes(raw))


def rewrite_vectors(path, change):
    """Replace a shard's vectors by ``change(vectors)``, keys and checksums
    consistent: a well-formed file that holds the wrong thing."""
    if path.suffix == ".npy":
        np.save(path, change(np.load(path)))
        return
    from sklearn_probe.store import _shard

    raw = path.read_bytes()
    end = _shard.header_size(raw[:16])
    header = json.loads(raw[16:end])
    rows, shape = header["rows"], (header["layers"], header["width"])
    digests = [raw[end + 16 * i : end + 16 * (i + 1)] for i in range(rows)]
    at = -(-(end + 16 * rows) // 64) * 64
    vectors = np.frombuffer(raw, header["dtype"], offset=at).reshape(rows, *shape)
    new = change(vectors)
    path.write_bytes(_shard.encode(header["key"], digests, new, new.dtype.name))


def _more_layers(v):
    return np.concatenate([np.full_like(v[:, :1], 0.5), v], axis=1)


FAULTS = {
    # The cases, each on the file format the store writes.
    "flipped byte in the header": lambda p: flip(p, 10 if p.suffix == ".npy" else 16),
    "emptied": lambda p: p.write_bytes(b""),
    "truncated": lambda p: p.write_bytes(p.read_bytes()[:-40]),
    "widened": lambda p: rewrite_vectors(
        p, lambda v: np.pad(v, [(0, 0)] * 2 + [(0, 3)])
    ),
    "extra layer": lambda p: rewrite_vectors(p, _more_layers),
    "int dtype": lambda p: rewrite_vectors(p, lambda v: (v * 100).astype(np.int32)),
    "narrower": lambda p: rewrite_vectors(p, lambda v: v[..., :12].copy()),
    "flipped bit in the vectors": lambda p: flip(p, p.stat().st_size - 1, 0x10),
}


@pytest.mark.parametrize("fault", list(FAULTS))
def test_a_bad_shard_is_quarantined_and_recomputed(fault, tiny_bert, tmp_path, caplog):
    texts, _ = length_corpus(6)
    est = HiddenStateTransformer(tiny_bert, layer="all", cache_dir=tmp_path)
    expected = est.fit_transform(texts)
    [path] = store_files(tmp_path)
    FAULTS[fault](path)
    for run in range(2):  # the second run finds the store clean
        as_in_a_new_process()
        with count_forward_rows(tiny_bert) as counter:
            got = HiddenStateTransformer(
                tiny_bert, layer="all", cache_dir=tmp_path
            ).fit_transform(texts)
        assert got.shape == expected.shape
        np.testing.assert_allclose(got, expected, atol=1e-6)
        assert counter["rows"] == (6 if run == 0 else 0)
        assert caplog.text.count("is unusable") == 1
    # Moved aside, not deleted: there to look at.
    assert len(list(tmp_path.glob("*/quarantine/*"))) == 1


def test_unreadable_metadata_is_quarantined(tiny_bert, tmp_path, caplog):
    texts, _ = length_corpus(4)
    est = HiddenStateTransformer(tiny_bert, cache_dir=tmp_path)
    expected = est.fit_transform(texts)
    [meta] = tmp_path.glob("*/meta.json")
    meta.write_bytes(b"\xff{not json")
    as_in_a_new_process()
    got = HiddenStateTransformer(tiny_bert, cache_dir=tmp_path).fit_transform(texts)
    np.testing.assert_allclose(got, expected, atol=1e-6)
    assert "unreadable metadata" in caplog.text
    assert json.loads(meta.read_text())["width"] == 16


def test_memory_cache_is_bounded_oldest_out(tiny_bert):
    texts, _ = length_corpus(20)
    per_text = 4 * 16 * 4  # layers x width x float32
    try:
        set_memory_cache_limit(5 * per_text)
        est = HiddenStateTransformer(tiny_bert).fit(texts)
        est.transform(texts)
        assert len(_cache.MEMORY) == 5
        assert _cache.MEMORY.nbytes <= 5 * per_text
        with count_forward_rows(tiny_bert) as counter:
            est.transform(texts[-5:])  # the newest five are still there
            assert counter["rows"] == 0
            est.transform(texts[:1])  # the oldest is gone
            assert counter["rows"] == 1
    finally:
        set_memory_cache_limit(DEFAULT_LIMIT)


def test_bad_cache_limit():
    with pytest.raises(ValueError, match=">= 0"):
        set_memory_cache_limit(-1)
    with pytest.raises(TypeError, match="int"):
        set_memory_cache_limit("1GB")


def test_repeated_texts_run_once(tiny_bert):
    est = HiddenStateTransformer(tiny_bert).fit(["a"])
    with count_forward_rows(tiny_bert) as counter:
        out = est.transform(["dull", "dull", "brilliant", "dull"])
    assert counter["rows"] == 2
    np.testing.assert_array_equal(out[0], out[3])


def test_random_weights_baseline_is_seeded_and_cached_apart(tiny_bert):
    texts = ["a good film", "the plot is very dull"]
    pretrained = HiddenStateTransformer(tiny_bert, layer="all").fit(texts)
    # (tiny_bert itself was initialised from seed 0, so seed 0 would reproduce it.)
    random_0 = HiddenStateTransformer(
        tiny_bert, layer="all", weights="random", random_state=5
    ).fit(texts)
    assert random_0.model_fingerprint_ != pretrained.model_fingerprint_
    x_pre = pretrained.transform(texts)
    x_rand = random_0.transform(texts)
    # The embedding output differs too: nothing of the checkpoint is kept.
    assert np.abs(x_pre - x_rand).max() > 1e-2
    # Same seed, same vectors, even from a fresh load; another seed differs.
    clear_cache()
    again = HiddenStateTransformer(
        tiny_bert, layer="all", weights="random", random_state=5
    ).fit(texts)
    assert again.model_fingerprint_ == random_0.model_fingerprint_
    np.testing.assert_array_equal(again.transform(texts), x_rand)
    other = HiddenStateTransformer(
        tiny_bert, layer="all", weights="random", random_state=6
    ).fit(texts)
    assert np.abs(other.transform(texts) - x_rand).max() > 1e-2
    # And the pretrained entries were never overwritten.
    np.testing.assert_array_equal(pretrained.transform(texts), x_pre)


def test_float16_disk_store_round_trips_and_halves_the_size(tiny_bert, tmp_path):
    texts, _ = length_corpus(12)
    full = HiddenStateTransformer(
        tiny_bert, layer="all", cache_dir=tmp_path / "f32"
    ).fit_transform(texts)
    half = HiddenStateTransformer(
        tiny_bert, layer="all", dtype="float16", cache_dir=tmp_path / "f16"
    ).fit_transform(texts)
    as_in_a_new_process()
    with count_forward_rows(tiny_bert) as counter:
        again = HiddenStateTransformer(
            tiny_bert, layer="all", dtype="float16", cache_dir=tmp_path / "f16"
        ).fit_transform(texts)
    assert counter["rows"] == 0
    np.testing.assert_array_equal(again, half)
    np.testing.assert_allclose(half, full, rtol=2**-11, atol=1e-7)

    def vector_bytes(root):
        return sum(p.stat().st_size for p in store_files(root))

    assert vector_bytes(tmp_path / "f16") < 0.6 * vector_bytes(tmp_path / "f32")


def test_without_memory_cache_a_disk_store_serves_everything(tiny_bert, tmp_path):
    """The 100k-text setting: memory cache off, vectors streamed to disk."""
    texts, _ = length_corpus(20)
    expected = HiddenStateTransformer(tiny_bert, layer="all").fit_transform(texts)
    clear_cache()
    try:
        set_memory_cache_limit(0)
        est = HiddenStateTransformer(tiny_bert, layer="all", cache_dir=tmp_path)
        got = est.fit_transform(texts)
        assert len(_cache.MEMORY) == 0
        with count_forward_rows(tiny_bert) as counter:
            again = est.transform(texts)
        assert counter["rows"] == 0
    finally:
        set_memory_cache_limit(DEFAULT_LIMIT)
    np.testing.assert_allclose(got, expected, atol=1e-6)
    np.testing.assert_array_equal(again, got)


def _refuse_writes(monkeypatch, error):
    from sklearn_probe.store import _fs

    def refuse(self, path, *args):
        raise error

    monkeypatch.setattr(_fs.LocalFS, "write_whole", refuse)
    if error.errno != 28:  # a full disk still lets a probe file be created
        monkeypatch.setattr(_fs.LocalFS, "check_writable", refuse)


@pytest.mark.parametrize(
    "error",
    [PermissionError(13, "Permission denied"), OSError(28, "No space left on device")],
    ids=["read-only", "disk full"],
)
def test_an_unwritable_store_serves_what_it_has_and_warns_once(
    tiny_bert, tmp_path, monkeypatch, error
):
    from sklearn_probe import ReadOnlyStoreWarning

    texts, _ = length_corpus(8)
    HiddenStateTransformer(tiny_bert, cache_dir=tmp_path).fit_transform(texts[:4])
    before = store_files(tmp_path)
    expected = HiddenStateTransformer(tiny_bert).fit_transform(texts)
    as_in_a_new_process()
    _refuse_writes(monkeypatch, error)
    est = HiddenStateTransformer(tiny_bert, cache_dir=tmp_path).fit(texts)
    with pytest.warns(ReadOnlyStoreWarning, match="memory only") as caught:
        with count_forward_rows(tiny_bert) as counter:
            got = est.transform(texts[:6])
            got_again = est.transform(texts)  # no second warning
    assert len(caught) == 1
    assert counter["rows"] == 2 + 2  # only what the store lacked
    np.testing.assert_allclose(
        np.vstack([got, got_again]), expected[[*range(6), *range(8)]], atol=1e-6
    )
    assert store_files(tmp_path) == before


def test_read_only_mode_never_writes(tiny_bert, tmp_path):
    texts, _ = length_corpus(6)
    HiddenStateTransformer(tiny_bert, cache_dir=tmp_path).fit_transform(texts[:3])
    before = store_files(tmp_path)
    as_in_a_new_process()
    est = HiddenStateTransformer(tiny_bert, cache_dir=tmp_path, cache_mode="read-only")
    with count_forward_rows(tiny_bert) as counter:
        est.fit_transform(texts)
    assert counter["rows"] == 3
    assert store_files(tmp_path) == before


def test_predicting_with_the_sweeps_pipeline_does_not_grow_the_store(
    tiny_bert, tmp_path
):
    from sklearn_probe import layer_sweep

    texts, labels = length_corpus(24)
    result = layer_sweep(
        texts,
        labels,
        model=tiny_bert,
        probe=LogisticRegression(),
        cv=2,
        cache_dir=tmp_path,
        verbose=0,
    )
    before = store_files(tmp_path)
    for i in range(3):
        result.best_pipeline.predict([f"an unseen review number {i}"])
    assert store_files(tmp_path) == before
