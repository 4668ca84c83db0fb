"""The user's own labelled texts: CSV, TSV, Parquet or JSON lines, by extension."""

import logging
import os
from pathlib import Path

import pandas as pd

logger = logging.getLogger(__name__)

# The one table of file formats: extension -> reader. Compression suffixes
# after it (data.csv.gz) are undone by pandas.
FILE_FORMATS = {
    ".csv": "csv",
    ".tsv": "tsv",
    ".tab": "tsv",
    ".parquet": "parquet",
    ".pq": "parquet",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "json",
}
_COMPRESSION_SUFFIXES = {".gz", ".bz2", ".zip", ".xz", ".zst", ".tar"}


def _extension(path):
    """The last suffix of ``path`` before any compression suffix, lower case."""
    suffixes = [s.lower() for s in Path(os.fspath(path)).suffixes]
    while suffixes and suffixes[-1] in _COMPRESSION_SUFFIXES:
        suffixes.pop()
    return suffixes[-1] if suffixes else ""


def format_of(path):
    """The format named by ``path``'s extension ('csv', 'tsv', ...), or None."""
    return FILE_FORMATS.get(_extension(path))


def _file_format(path):
    fmt = format_of(path)
    if fmt is None:
        ext = _extension(path)
        raise ValueError(
            f"Cannot tell the format of {str(path)!r} from its extension "
            f"{ext or '(none)'!r}; use .csv, .tsv, .parquet or .jsonl "
            "(optionally compressed, e.g. .csv.gz)."
        )
    return fmt


def _read_table(path, fmt, encoding="utf-8"):
    if fmt == "csv":
        return pd.read_csv(path, encoding=encoding)
    if fmt == "tsv":
        return pd.read_csv(path, sep="\t", encoding=encoding)
    if fmt == "parquet":
        return pd.read_parquet(path)
    if fmt == "jsonl":
        return pd.read_json(path, lines=True, encoding=encoding)
    try:  # .json: an array of records, or JSON lines under the wrong extension
        return pd.read_json(path, encoding=encoding)
    except UnicodeDecodeError:
        raise
    except ValueError:
        return pd.read_json(path, lines=True, encoding=encoding)


def _check_encoding(encoding):
    import codecs

    try:
        return codecs.lookup(encoding).name
    except (LookupError, TypeError):
        raise ValueError(
            f"Unknown text encoding {encoding!r}: use a Python codec name such as "
            "'utf-8', 'latin-1' or 'cp1252'."
        ) from None


def _texts(table, column, messages_column, path, fmt):
    """The column as str, or as conversations (``messages_column``), checked."""
    if messages_column is None:
        return table[column].astype(str)
    from ._conversations import read_conversations

    conversations = read_conversations(table[column], column=column, path=path, fmt=fmt)
    return pd.Series(conversations, index=table.index, dtype=object)


def load_text_file(
    path,
    *,
    text_column="text",
    label_column="label",
    encoding="utf-8",
    messages_column=None,
):
    """Read labelled texts (or conversations) from a CSV, TSV, Parquet or
    JSON-lines file.

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
    encoding : str, default="utf-8"
        Text encoding of a CSV, TSV or JSON file (a Python codec name such as
        ``"latin-1"`` or ``"cp1252"``); not used for Parquet.
    messages_column : str or None, default=None
        Column holding conversations instead of texts: each row a list of
        ``{"role": str, "content": str}`` messages (a JSON list in a JSON-lines
        or JSON file, a list of structs in Parquet, a JSON string in a CSV
        cell). Read in place of ``text_column``; the ``text`` column then holds
        one list of message dicts per row, as
        :class:`~sklearn_probe.HiddenStateTransformer` takes them (with
        ``tokens="assistant"``, ``"user"``, ...).

    Returns
    -------
    pandas.DataFrame
        Columns ``text`` and (unless ``label_column`` is None) ``label``, whatever
        they were called in the file; index ``0..n-1``. With ``messages_column``
        the ``text`` column holds the conversations.

    Raises
    ------
    FileNotFoundError
        If ``path`` does not exist.
    ValueError
        If the file cannot be read (or decoded with ``encoding``: the message
        names the encoding tried), has an unknown extension, has no rows, lacks
        a requested column (the message lists the columns it has) or has missing
        values in one; with ``messages_column``, if a row is not a list of
        ``{"role", "content"}`` messages (the message names the row and what
        is wrong with it).

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

    Conversations, one JSON list of messages per line:

    >>> import json
    >>> rows = [
    ...     {"messages": [{"role": "user", "content": "Is it good?"},
    ...                   {"role": "assistant", "content": "Yes."}], "label": 1},
    ...     {"messages": [{"role": "user", "content": "Is it good?"},
    ...                   {"role": "assistant", "content": "No."}], "label": 0},
    ... ]
    >>> _ = (folder / "chats.jsonl").write_text(
    ...     "\\n".join(json.dumps(row) for row in rows)
    ... )
    >>> chats = load_text_file(folder / "chats.jsonl", messages_column="messages")
    >>> chats["text"][0][1]
    {'role': 'assistant', 'content': 'Yes.'}
    """
    path = Path(os.path.expanduser(os.fspath(path)))
    if not path.exists():
        raise FileNotFoundError(f"No such file: {str(path)!r}.")
    if path.is_dir():
        raise ValueError(f"{str(path)!r} is a directory; a data file is expected.")
    fmt = _file_format(path)
    encoding = _check_encoding(encoding)
    try:
        table = _read_table(path, fmt, encoding)
    except pd.errors.EmptyDataError as exc:
        raise ValueError(f"The file {str(path)!r} is empty.") from exc
    except UnicodeDecodeError as exc:
        raise ValueError(
            f"The file {str(path)!r} is not {encoding} text (byte "
            f"0x{exc.object[exc.start]:02x} at position {exc.start} cannot be "
            f"decoded as {encoding}). Pass the encoding it was written in, e.g. "
            "encoding='latin-1' or encoding='cp1252'."
        ) from exc
    except Exception as exc:
        raise ValueError(
            f"Could not read {str(path)!r} as {fmt.upper()} "
            f"({type(exc).__name__}: {exc})."
        ) from exc

    if messages_column is not None:
        text_column = messages_column
    wanted = [text_column] if label_column is None else [text_column, label_column]
    absent = [c for c in wanted if c not in table.columns]
    if absent:
        raise ValueError(
            f"The file {str(path)!r} has no column "
            f"{' or '.join(map(repr, absent))}; its columns are "
            f"{[str(c) for c in table.columns]}. Pass "
            f"{'text_column=' if messages_column is None else 'messages_column='} "
            "and label_column= to choose others."
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

    frame = pd.DataFrame(
        {"text": _texts(table, text_column, messages_column, path, fmt)}
    )
    if label_column is not None:
        frame["label"] = table[label_column].to_numpy()
    frame = frame.reset_index(drop=True)
    noun = "texts" if messages_column is None else "conversations"
    logger.info("Read %d %s from %s.", len(frame), noun, path)
    return frame
