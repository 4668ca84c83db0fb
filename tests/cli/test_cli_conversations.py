"""Conversations from the command: sweep --messages-column, predict --jsonl."""

import json

import numpy as np
import pandas as pd
import pytest
from helpers import make_chat_llama

from sklearn_probe import layer_sweep, load_pipeline
from sklearn_probe.cli import main
from sklearn_probe.datasets._named import load_named
from sklearn_probe.sweep import named_probe, task_spec

FILLER = ["the", "film", "plot", "was", "long", "and", "music", "scene"]


def _conversations(n, seed=0):
    """The label is only in the assistant's answer (does it say yes or no);
    the user's question does not depend on it."""
    rng = np.random.default_rng(seed)
    y = rng.permutation(np.arange(n) % 2)
    rows = []
    for i, k in enumerate(y):
        words = list(rng.choice(FILLER, size=4))
        words.insert(int(rng.integers(0, 5)), ["no", "yes"][k])
        messages = [
            {"role": "user", "content": f"Question {i}: did you like it?"},
            {"role": "assistant", "content": " ".join(words)},
        ]
        rows.append({"messages": messages, "label": ["bad", "good"][k]})
    return rows


def _write_jsonl(path, rows):
    path.write_text("".join(json.dumps(row) + "\n" for row in rows))
    return path


@pytest.fixture(scope="module")
def chat_llama(tmp_path_factory):
    return make_chat_llama(tmp_path_factory.mktemp("chat-llama") / "llama")


@pytest.fixture(scope="module")
def chats(tmp_path_factory):
    return _write_jsonl(
        tmp_path_factory.mktemp("data") / "chats.jsonl", _conversations(40)
    )


def _sweep_argv(model, data, out, *extra):
    return [
        "sweep",
        "--model",
        str(model),
        "--dataset",
        str(data),
        "--messages-column",
        "messages",
        "--cv",
        "3",
        "--cache-dir",
        "none",
        "--out",
        str(out),
        "--quiet",
        *extra,
    ]


@pytest.fixture(scope="module")
def swept(chat_llama, chats, tmp_path_factory):
    from threadpoolctl import threadpool_limits

    out = tmp_path_factory.mktemp("chat-sweep")
    with threadpool_limits(1):
        status = main(
            _sweep_argv(
                chat_llama, chats, out, "--tokens", "assistant", "--test-size", "0"
            )
        )
    assert status == 0
    return out


def test_the_commands_scores_equal_layer_sweep_on_the_same_conversations(
    swept, chat_llama, chats, one_blas_thread
):
    # The same conversations in the same order as the command (its loader),
    # the same probe, folds and seed.
    data = load_named(str(chats), messages_column="messages", test_size=0)
    conversations = data.train["text"].tolist()
    assert all(isinstance(c, list) for c in conversations)
    probe = named_probe("linear", task_spec("classification"), 0)
    probe.set_params(hidden_layer_sizes=())
    result = layer_sweep(
        conversations,
        data.train["label"].to_numpy(),
        model=chat_llama,
        tokens="assistant",
        probe=probe,
        cv=3,
        max_length=128,
        cache_dir=None,
        verbose=0,
        random_state=0,
    )
    written = pd.read_csv(swept / "scores.csv")
    folds = [f"cv_score_fold{i}" for i in range(3)]
    np.testing.assert_allclose(
        written[folds].to_numpy(), result.scores[folds].to_numpy(), rtol=0, atol=1e-12
    )
    settings = json.loads((swept / "results.json").read_text())["settings"]
    assert settings["tokens"] == "assistant"
    # Not a degenerate check: the layers differ, and some layer reads the answer.
    assert written["cv_score_mean"].max() > 0.7
    assert written["cv_score_mean"].nunique() > 1


def test_report_pictures_and_pipeline_are_written(swept):
    for name in (
        "report.md",
        "layer_scores.png",
        "tsne_layers.png",
        "best_pipeline.skops",
    ):
        assert (swept / name).stat().st_size > 0, name
    report = (swept / "report.md").read_text()
    assert "## Try conversations of your own" in report
    examples = [line for line in report.splitlines() if line.startswith("- `user: ")]
    assert len(examples) == 2  # one per class
    assert all(" / assistant: " in line for line in examples)
    assert "--jsonl" in report and "--messages-column messages" in report
    assert "messages_column=messages" in report  # the dataset's settings


def test_predict_on_conversations_equals_the_pipeline_in_python(
    swept, tmp_path, capsys, one_blas_thread
):
    rows = _conversations(6, seed=1)
    path = _write_jsonl(tmp_path / "new.jsonl", rows)
    pipeline = swept / "best_pipeline.skops"
    conversations = [row["messages"] for row in rows]
    expected = load_pipeline(pipeline).predict_proba(conversations)
    classes = list(load_pipeline(pipeline).classes_)
    assert (
        main(["predict", "--pipeline", str(swept), "--jsonl", str(path), "--json"]) == 0
    )
    records = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [r["messages"] for r in records] == conversations
    assert [r["label"] for r in records] == [classes[i] for i in expected.argmax(1)]
    got = np.array([[r["probabilities"][c] for c in classes] for r in records])
    np.testing.assert_allclose(got, expected, atol=5e-5)
    # The table shows each conversation as one readable line.
    assert main(["predict", "--pipeline", str(swept), "--jsonl", str(path)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 6
    assert lines[0].endswith(
        "user: Question 0: did you like it? / assistant: "
        + rows[0]["messages"][1]["content"]
    )


def _error(capsys, argv):
    assert main([str(a) for a in argv]) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("sklearn-probe: error: ") and "\n" not in err
    return err


def test_a_conversation_pipeline_refuses_sentences(swept, capsys):
    err = _error(capsys, ["predict", "--pipeline", swept, "A sentence."])
    assert "reads the tokens of a role" in err and "--jsonl FILE" in err


def test_a_malformed_row_stops_the_sweep_with_its_row(chat_llama, tmp_path, capsys):
    rows = _conversations(12)
    rows[5]["messages"] = [{"role": "user", "text": "Hi"}]
    path = _write_jsonl(tmp_path / "bad.jsonl", rows)
    err = _error(
        capsys, _sweep_argv(chat_llama, path, tmp_path / "out", "--tokens", "assistant")
    )
    assert f"Row 5 (line 6 of the file) of {str(path)!r}, column 'messages'" in err
    assert "has no 'content'" in err and '"role"' in err


def test_predict_checks_the_rows_of_its_file(swept, tmp_path, capsys):
    rows = _conversations(4)
    rows[2]["messages"] = "not a conversation"
    path = _write_jsonl(tmp_path / "bad.jsonl", rows)
    err = _error(capsys, ["predict", "--pipeline", swept, "--jsonl", path])
    assert "Row 2 (line 3 of the file)" in err
    assert "holds the text 'not a conversation', not a conversation" in err


def test_role_tokens_of_plain_texts_are_refused(chat_llama, tmp_path, capsys):
    path = tmp_path / "reviews.csv"
    pd.DataFrame({"text": ["good", "bad"] * 6, "label": [1, 0] * 6}).to_csv(path)
    argv = [
        "sweep",
        "--model",
        chat_llama,
        "--dataset",
        path,
        "--tokens",
        "assistant",
        "--out",
        tmp_path / "out",
    ]
    err = _error(capsys, argv)
    assert "--tokens assistant selects the tokens of a role" in err
    assert "the data are plain texts" in err and "--messages-column" in err
    assert not (tmp_path / "out").exists()


def test_the_picture_names_the_tokens_pooled():
    from types import SimpleNamespace

    from sklearn_probe.plotting._embedding_inputs import sweep_vectors_name

    def name(settings, best=None):
        return sweep_vectors_name(
            SimpleNamespace(
                settings={"unit": "text", **settings}, best_params=best or {}
            )
        )

    assert name({"pooling": "last", "tokens": "assistant"}) == (
        "last-pooled hidden states, tokens: assistant"
    )
    swept = {"pooling": "mean", "tokens": ["all", "user"]}
    assert name(swept, {"hidden__tokens": "user"}).endswith(", tokens: user")
    assert name(swept, {"hidden__tokens": "all"}) == "mean-pooled hidden states"
    assert name({"pooling": "mean", "tokens": "all"}) == "mean-pooled hidden states"
