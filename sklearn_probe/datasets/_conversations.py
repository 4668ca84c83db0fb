"""A column of conversations read from a data file, checked row by row.

Each row holds a list of ``{"role": str, "content": str}`` messages: a JSON
list in a JSON-lines or JSON file, a list of structs in Parquet, or a JSON
string in a CSV or TSV cell.
"""

import json

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
        _conversation(value, _where(i, column, path, fmt))
        for i, value in enumerate(values)
    ]


def _where(i, column, path, fmt):
    line = f" (line {i + 1} of the file)" if fmt == "jsonl" else ""
    return f"Row {i}{line} of {str(path)!r}, column {column!r}"


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
