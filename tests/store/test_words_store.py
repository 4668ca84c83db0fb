"""WordHiddenStateTransformer on the disk store: a second run makes no forward
pass, keys keep subword poolings apart, bad shards are quarantined."""

import numpy as np
import pytest
from helpers import count_forward_rows

from sklearn_probe import WordHiddenStateTransformer
from sklearn_probe.store import _cache

SENTENCES = [
    ("The", "dogs", "near", "the", "cabinet", "bark", "."),
    ("a", "good", "film"),
    ("unbelievable", "qwxz", "stories", "were", "told", "!"),
    ("brilliant",),
]
X = [(s, i) for s in SENTENCES for i in range(len(s))]


def as_in_a_new_process():
    """Forget the vectors in memory and the indexed shards."""
    _cache.MEMORY.clear()
    _cache._STORES.clear()


def shards(root):
    return [p for p in sorted(root.rglob("*.shard")) if "quarantine" not in p.parts]


def run(path, cache_dir, **params):
    """(vectors of every word at every layer, forward rows) of a fresh fit."""
    as_in_a_new_process()
    words = WordHiddenStateTransformer(path, layer="all", cache_dir=cache_dir, **params)
    with count_forward_rows(path) as counter:
        vectors = words.fit_transform(X)
    return vectors, counter["rows"]


def test_a_second_run_reads_every_word_from_the_store(tiny_bert, tmp_path):
    first, rows = run(tiny_bert, tmp_path)
    assert rows == len(SENTENCES)
    assert len(shards(tmp_path)) == 1
    again, rows = run(tiny_bert, tmp_path)
    assert rows == 0
    np.testing.assert_array_equal(again, first)
    # Memory only: the model runs again, to the same numbers.
    fresh, rows = run(tiny_bert, None)
    assert rows == len(SENTENCES)
    np.testing.assert_array_equal(fresh, first)


def test_other_subword_poolings_and_read_only_stores_write_apart(tiny_bert, tmp_path):
    run(tiny_bert, tmp_path, subword="first")
    last, rows = run(tiny_bert, tmp_path, subword="last")
    assert rows == len(SENTENCES)  # another key: nothing served from "first"
    assert len(shards(tmp_path)) == 2
    expected, _ = run(tiny_bert, None, subword="mean")
    got, rows = run(tiny_bert, tmp_path, subword="mean", cache_mode="read-only")
    assert rows == len(SENTENCES)
    np.testing.assert_array_equal(got, expected)
    assert len(shards(tmp_path)) == 2  # read-only: nothing written
    assert not np.array_equal(last, expected)


def test_a_sentence_is_served_only_when_all_its_words_are_stored(tiny_bert, tmp_path):
    """A sentence seen before is read; a new one runs, alone."""
    as_in_a_new_process()
    WordHiddenStateTransformer(tiny_bert, cache_dir=tmp_path).fit_transform(X[:3])
    as_in_a_new_process()
    words = WordHiddenStateTransformer(tiny_bert, layer="all", cache_dir=tmp_path)
    with count_forward_rows(tiny_bert) as counter:
        got = words.fit_transform(X)
    assert counter["rows"] == len(SENTENCES) - 1
    expected, _ = run(tiny_bert, None)
    # Batchmates move nothing beyond float rounding.
    np.testing.assert_allclose(got, expected, atol=1e-5)


@pytest.mark.parametrize(
    "fault",
    [
        lambda p: p.write_bytes(p.read_bytes()[:-40]),  # truncated
        lambda p: p.write_bytes(  # a flipped bit in the vectors
            p.read_bytes()[:-1] + bytes([p.read_bytes()[-1] ^ 0x10])
        ),
    ],
    ids=["truncated", "flipped bit"],
)
def test_a_bad_word_shard_is_quarantined_and_recomputed(
    fault, tiny_bert, tmp_path, caplog
):
    expected, _ = run(tiny_bert, tmp_path)
    [path] = shards(tmp_path)
    fault(path)
    got, rows = run(tiny_bert, tmp_path)
    assert rows == len(SENTENCES)
    np.testing.assert_array_equal(got, expected)
    assert caplog.text.count("is unusable") == 1
    assert len(list(tmp_path.glob("*/quarantine/*"))) == 1
    again, rows = run(tiny_bert, tmp_path)  # recomputed and stored afresh
    assert rows == 0
    np.testing.assert_array_equal(again, expected)
