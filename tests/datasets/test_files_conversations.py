"""load_text_file(messages_column=): conversations read from a data file,
checked row by row."""

import json
import re

import pandas as pd
import pytest

from sklearn_probe.datasets import load_text_file
from sklearn_probe.datasets._named import load_named


def _chat(i):
    return [
        {"role": "system", "content": "Answer briefly."},
        {"role": "user", "content": f"Question {i}?"},
        {"role": "assistant", "content": "yes " * (i + 1)},
    ]


ROWS = [{"messages": _chat(i), "label": i % 2, "id": i} for i in range(6)]


def _write_jsonl(path, rows):
    path.write_text("".join(json.dumps(row) + "\n" for row in rows))
    return path


def test_jsonl_rows_come_back_as_lists_of_messages(tmp_path):
    path = _write_jsonl(tmp_path / "chats.jsonl", ROWS)
    frame = load_text_file(path, messages_column="messages")
    assert list(frame.columns) == ["text", "label"]
    assert frame["text"].tolist() == [row["messages"] for row in ROWS]
    assert frame["label"].tolist() == [row["label"] for row in ROWS]


def test_parquet_json_and_csv_give_the_same_conversations(tmp_path):
    expected = [row["messages"] for row in ROWS]
    table = pd.DataFrame(ROWS)
    table.to_parquet(tmp_path / "chats.parquet")
    (tmp_path / "chats.json").write_text(json.dumps(ROWS))
    # A CSV cell holds the messages as a JSON string.
    table.assign(messages=[json.dumps(m) for m in expected]).to_csv(
        tmp_path / "chats.csv", index=False
    )
    for name in ("chats.parquet", "chats.json", "chats.csv"):
        frame = load_text_file(tmp_path / name, messages_column="messages")
        assert frame["text"].tolist() == expected, name


def test_extra_keys_of_a_message_are_kept(tmp_path):
    rows = [
        {"messages": [{"role": "user", "content": "Hi", "name": "ann"}], "label": 0}
    ]
    path = _write_jsonl(tmp_path / "chats.jsonl", rows)
    assert load_text_file(path, messages_column="messages")["text"][0] == [
        {"role": "user", "content": "Hi", "name": "ann"}
    ]


@pytest.mark.parametrize(
    "bad, expected",
    [
        ("just a text", r"holds the text 'just a text', not a conversation"),
        ({"role": "user", "content": "Hi"}, r"is dict .*not a list of messages"),
        ([], r"is an empty list: a conversation needs at least one message"),
        (["Hi"], r"message 0 is str \('Hi'\), not an object"),
        ([{"role": "user"}], r"message 0 .* has no 'content'"),
        (
            [{"role": "user", "content": "Hi"}, {"content": "Yes"}],
            r"message 1 .* has no 'role'",
        ),
        ([{"role": "user", "content": 3}], r"the 'content' of message 0 is int"),
    ],
)
def test_a_malformed_row_names_its_row_the_problem_and_the_form(
    tmp_path, bad, expected
):
    rows = [dict(row) for row in ROWS[:4]]
    rows[2]["messages"] = bad
    path = _write_jsonl(tmp_path / "chats.jsonl", rows)
    with pytest.raises(ValueError) as caught:
        load_text_file(path, messages_column="messages")
    message = str(caught.value)
    assert message.startswith(
        f"Row 2 (line 3 of the file) of {str(path)!r}, column 'messages'"
    )
    assert re.search(expected, message), message
    # The fix: the form a row must have, or what a message needs.
    assert re.search(r'"role"|must be a string', message), message


def test_a_missing_messages_column_lists_the_columns(tmp_path):
    path = _write_jsonl(tmp_path / "chats.jsonl", ROWS)
    with pytest.raises(ValueError, match=r"no column 'chat'.*messages_column="):
        load_text_file(path, messages_column="chat")


def test_a_row_without_messages_is_a_missing_value(tmp_path):
    rows = [dict(row) for row in ROWS]
    del rows[4]["messages"]
    path = _write_jsonl(tmp_path / "chats.jsonl", rows)
    with pytest.raises(ValueError, match=r"'messages' .* 1 missing values .*\[4\]"):
        load_text_file(path, messages_column="messages")


def test_load_named_reads_conversations_from_a_local_file_only(tmp_path):
    path = _write_jsonl(tmp_path / "chats.jsonl", ROWS)
    data = load_named(str(path), messages_column="messages", test_size=0)
    assert sorted(map(json.dumps, data.train["text"])) == sorted(
        json.dumps(row["messages"]) for row in ROWS
    )
    assert data.description["messages_column"] == "messages"
    with pytest.raises(ValueError, match="reads conversations from a local"):
        load_named("rotten_tomatoes", messages_column="messages")


def test_the_line_number_counts_blank_lines(tmp_path):
    rows = [dict(row) for row in ROWS[:4]]
    rows[2]["messages"] = [{"role": "user"}]
    lines = [json.dumps(row) for row in rows]
    path = tmp_path / "chats.jsonl"
    path.write_text("\n\n".join(lines) + "\n")  # a blank line between rows
    with pytest.raises(ValueError, match=r"^Row 2 \(line 5 of the file\)"):
        load_text_file(path, messages_column="messages")
    # A compressed file's rows have no line to name.
    import gzip

    packed = tmp_path / "chats.jsonl.gz"
    packed.write_bytes(gzip.compress(path.read_bytes()))
    with pytest.raises(ValueError, match=r"^Row 2 of .*chats.jsonl.gz'"):
        load_text_file(packed, messages_column="messages")
