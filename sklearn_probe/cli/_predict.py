"""``sklearn-probe predict``: label sentences with a pipeline saved by a sweep."""

import logging
import os
import sys

from ..utils._conversations import readable
from ..utils._names import jsonable
from ._common import (
    HelpFormatter,
    UserError,
    add_common_flags,
    examples,
    one_line,
    say,
)
from ._conversations import (
    add_jsonl_arguments,
    check_takes_sentences,
    read_conversation_file,
)

logger = logging.getLogger(__name__)

DECODING = (
    "Input is read as UTF-8 (arguments, --file and standard input alike); bytes "
    "that are not UTF-8 are replaced with U+FFFD and a warning names the "
    "argument or line."
)


def _add_predict_parser(sub):
    """The ``predict`` subcommand: its parser and handler."""
    predict = sub.add_parser(
        "predict",
        help="label sentences with a saved pipeline",
        description=(
            "Label sentences with a pipeline saved by 'sklearn-probe sweep' "
            "(best_pipeline.skops): one line per sentence with the label and "
            "its probability (--json: every class's probability too). Sentences "
            "come from the arguments, from --file (one per line), or from "
            "standard input; blank lines are skipped. " + DECODING + " A "
            "regression's pipeline prints the predicted value (JSON key "
            "'value'). Each call loads the model again (seconds): label many "
            "sentences in one call, with --file or standard input."
        ),
        epilog=examples(
            'sklearn-probe predict --pipeline sweep-results "A masterpiece." "Dull."',
            "sklearn-probe predict --pipeline sweep-results --file reviews.txt "
            "--json > labels.jsonl",
            "cut -f2 reviews.tsv | sklearn-probe predict --pipeline "
            "sweep-results/best_pipeline.skops",
            "sklearn-probe predict --pipeline chat-results --jsonl chats.jsonl",
        ),
        formatter_class=HelpFormatter,
    )
    predict.add_argument(
        "--pipeline", required=True, help="a best_pipeline.skops, or its folder"
    )
    unsafe = (
        "also read a pickled pipeline (.joblib, .pkl). WARNING: loading a pickle "
        "runs any code it holds; use it only for files you made or trust"
    )
    predict.add_argument("--allow-pickle", action="store_true", help=unsafe)
    predict.add_argument(
        "--trust-remote-code",
        action="store_true",
        help="accept a pipeline saved with trust_remote_code=True, whose model "
        "runs the Python code it ships (auto_map); only for code you have read",
    )
    predict.add_argument("sentences", nargs="*", help="sentences to label")
    predict.add_argument(
        "--file", help="read sentences from this file, one per line ('-': stdin)"
    )
    add_jsonl_arguments(predict)
    predict.add_argument(
        "--json", action="store_true", help="print JSON lines instead of a table"
    )
    add_common_flags(predict)
    predict.set_defaults(handler=run_predict)
    return predict


def run_predict(args):
    """Label the sentences; print a table or JSON lines."""
    import numpy as np

    pipeline = _load_pipeline(
        args.pipeline,
        allow_pickle=args.allow_pickle,
        trust_remote_code=args.trust_remote_code,
    )
    _check_takes_texts(pipeline, _pipeline_path(args.pipeline))
    if args.jsonl:
        sentences = read_conversation_file(args)
    else:
        check_takes_sentences(pipeline, args)
        sentences = _sentences(args)
    shown = [readable(s) for s in sentences]
    key = "value" if _is_regressor(pipeline) else "label"
    if not hasattr(pipeline, "predict_proba"):
        labels, proba, classes = pipeline.predict(sentences), None, None
        if key == "value":
            labels = [float(v) for v in np.asarray(labels, dtype=float).ravel()]
    else:
        proba = np.asarray(pipeline.predict_proba(sentences))
        classes = [jsonable(c) for c in pipeline.classes_]
        labels = [classes[i] for i in proba.argmax(axis=1)]
    if args.json:
        import json

        name = "messages" if args.jsonl else "text"
        for i, sentence in enumerate(sentences):
            record = {name: sentence, key: jsonable(labels[i])}
            if proba is not None:
                record["probability"] = round(float(proba[i].max()), 4)
                record["probabilities"] = {
                    str(c): round(float(p), 4)
                    for c, p in zip(classes, proba[i], strict=True)
                }
            say(json.dumps(record, ensure_ascii=False))
        return 0
    if key == "value":
        values = [f"{value:.4g}" for value in labels]
        width = max(len(text) for text in values)
        for text, sentence in zip(values, shown, strict=True):
            say(f"{text:>{width}}  {sentence}")
        return 0
    width = max(len(str(label)) for label in labels)
    for i, sentence in enumerate(shown):
        score = "     " if proba is None else f"{proba[i].max():.3f}"
        say(f"{str(labels[i]):<{width}}  {score}  {sentence}")
    return 0


def _is_regressor(pipeline):
    from sklearn.base import is_regressor

    return is_regressor(pipeline)


def _check_takes_texts(pipeline, path):
    """A pipeline of words or arcs takes sentences split into words with the
    positions of the words to label: not lines of text."""
    from ..hidden import WordHiddenStateTransformer
    from ._words import python_line

    steps = getattr(pipeline, "steps", [(None, pipeline)])
    hidden = [s for _, s in steps if isinstance(s, WordHiddenStateTransformer)]
    if hidden:
        kind = getattr(hidden[0], "kind_", "word")
        raise UserError(
            f"{path!r} is a pipeline of {kind}s: it takes sentences split into "
            "words with the positions of the words to label, not lines of text. "
            "This pipeline takes words: use it from Python, e.g. "
            + python_line(kind, path, trust_remote_code=hidden[0].trust_remote_code)
        )


def _sentences(args):
    """The sentences to label, decoded by the policy in ``DECODING``."""
    sentences = _decoded(
        [(f"argument {i}", text) for i, text in enumerate(args.sentences, 1)]
    )
    if args.file:
        sentences += _read_lines(args.file)
    if not sentences and not args.file:
        if sys.stdin is None or sys.stdin.isatty():
            raise UserError(
                "No sentences: pass them as arguments, with --file, or on standard "
                'input (e.g. echo "A masterpiece." | sklearn-probe predict '
                "--pipeline ...)."
            )
        sentences = _read_lines("-")
    if not sentences:
        raise UserError("No sentences to label (the input was empty).")
    return sentences


def _load_pipeline(path, *, allow_pickle=False, trust_remote_code=False):
    from .. import load_pipeline

    path = _pipeline_path(path)
    if not os.path.exists(path):
        raise UserError(
            f"No pipeline at {path!r}: give the best_pipeline.skops written by "
            "'sklearn-probe sweep' (or its folder)."
        )
    try:
        pipeline = load_pipeline(
            path, allow_pickle=allow_pickle, trust_remote_code=trust_remote_code
        )
    except ValueError:
        raise  # a refused file, with its reason
    except Exception as exc:  # a pickle or a zip raises many kinds of errors
        raise UserError(
            f"Could not read {path!r} as a saved pipeline ({type(exc).__name__}: "
            f"{one_line(exc)[:200]})."
        ) from None
    if not hasattr(pipeline, "predict"):
        raise UserError(f"{path!r} holds a {type(pipeline).__name__}, not a pipeline.")
    return pipeline


def _pipeline_path(path):
    """The file that ``--pipeline`` names: a folder's best_pipeline.skops."""
    path = os.path.expanduser(path)
    if os.path.isdir(path):
        path = os.path.join(path, "best_pipeline.skops")
    return path


def _read_lines(path):
    """Non-blank lines of a file ('-': standard input), stripped and decoded."""
    if path == "-":
        stream = getattr(sys.stdin, "buffer", sys.stdin)
        return _decoded(_numbered(stream, "standard input"))
    try:
        with open(os.path.expanduser(path), "rb") as f:
            return _decoded(_numbered(f, repr(path)))
    except OSError as exc:
        raise UserError(f"Cannot read sentences from {path!r}: {exc}") from None


def _numbered(lines, source):
    return [(f"line {i} of {source}", line) for i, line in enumerate(lines, 1)]


def _decoded(items):
    """Texts of ``(where, bytes or str)`` pairs as clean str, blank ones dropped.

    Bytes are decoded as UTF-8; a str (a command-line argument, which Python
    decodes with ``surrogateescape``) is taken back to its bytes first. Bytes
    that are not UTF-8 become U+FFFD, and one warning names where.
    """
    texts, bad = [], []
    for where, value in items:
        text = _utf8(value)
        if text is None:
            bad.append(where)
            text = _utf8(value, errors="replace")
        if text.strip():
            texts.append(text.strip())
    if bad:
        shown = ", ".join(bad[:5]) + (
            f" and {len(bad) - 5} more" if len(bad) > 5 else ""
        )
        logger.warning(
            "Not valid UTF-8: %s; the undecodable bytes were replaced with "
            "U+FFFD (\ufffd).",
            shown,
        )
    return texts


def _utf8(value, errors="strict"):
    """``value`` (bytes or str) as UTF-8 text; None if not valid and strict."""
    if isinstance(value, str):
        try:
            value = value.encode("utf-8", "surrogateescape")
        except UnicodeEncodeError:  # a lone surrogate surrogateescape did not make
            value = value.encode("utf-8", "surrogatepass")
    try:
        return value.decode("utf-8", errors)
    except UnicodeDecodeError:
        return None
