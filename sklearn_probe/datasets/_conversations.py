"""A column of conversations read from a data file, checked row by row.

Each row holds a list of ``{"role": str, "content": str}`` messages: a JSON
list in a JSON-lines or JSON file, a list of structs in Parquet, or a JSON
string in a CSV or TSV cell.
"""

import json
from pathlib import Path

import numpy as np

FORM = (
    'a JSON list of messages, each {"role": "...", "content": "..."}, e.g. '
    '[{"role": "user", "content": "Hi"}, {"role": "assistant", "content": '
    '"Hello"}]'
)


def read_conversations(values, *, column, path, fmt):
    """The rows of ``values`` as lists of message dicts, or a ``ValueError``
    naming the row, what is wrong with it and the form expected."""
    return [
        _conversation(value, _Where(i, column, path, fmt))
        for i, value in enumerate(values)
    ]


class _Where:
    """``"Row 5 (line 7 of the file) of 'chats.jsonl', column 'messages'"``,
    worked out only when an error needs it."""

    def __init__(self, i, column, path, fmt):
        self.i, self.column, self.path, self.fmt = i, column, path, fmt

    def __format__(self, spec):
        line = _line_number(self.path, self.i) if self.fmt == "jsonl" else None
        line = "" if line is None else f" (line {line} of the file)"
        return f"Row {self.i}{line} of {str(self.path)!r}, column {self.column!r}"


def _line_number(path, i):
    """The line of row ``i`` of a JSON-lines file (blank lines are not rows);
    None for a compressed file."""
    if Path(path).suffix.lower() not in (".jsonl", ".ndjson"):
        return None  # compressed
    with open(path, encoding="utf-8", errors="replace") as f:
        rows = (n for n, line in enumerate(f, 1) if line.strip())
        return next((n for k, n in enumerate(rows) if k == i), None)


def _conversation(value, where):
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            raise ValueError(
                f"{where} holds the text {value!r:.60}, not a conversation. Each "
                f"row must hold {FORM}. (For plain texts use text_column= / "
                "--text-column instead.)"
            ) from None
    if isinstance(value, np.ndarray):  # Parquet's list of structs
        value = value.tolist()
    if not isinstance(value, list | tuple):
        raise ValueError(
            f"{where} is {type(value).__name__} ({value!r:.60}), not a list of "
            f"messages. Each row must hold {FORM}."
        )
    if len(value) == 0:
        raise ValueError(
            f"{where} is an empty list: a conversation needs at least one "
            f"message. Drop the row or give it {FORM}."
        )
    return [_message(message, j, where) for j, message in enumerate(value)]


def _message(message, j, where):
    if not isinstance(message, dict):
        raise ValueError(
            f"{where}: message {j} is {type(message).__name__} ({message!r:.60}), "
            f'not an object with "role" and "content". Each row must hold {FORM}.'
        )
    absent = [key for key in ("role", "content") if message.get(key) is None]
    if absent:
        raise ValueError(
            f"{where}: message {j} ({message!r:.80}) has no "
            f"{' or '.join(map(repr, absent))}. Give every message a "
            '"role" (e.g. "user", "assistant", "system") and a "content" string.'
        )
    for key in ("role", "content"):
        if not isinstance(message[key], str):
            raise ValueError(
                f"{where}: the {key!r} of message {j} is "
                f"{type(message[key]).__name__} ({message[key]!r:.40}); it must "
                f'be a string, e.g. "{key}": "{"user" if key == "role" else "Hi"}".'
            )
    # Parquet gives every message every key of the column: absent ones are None.
    return {key: value for key, value in message.items() if value is not None}
