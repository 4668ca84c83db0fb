"""``sklearn-probe predict``: label sentences with a pipeline saved by a sweep."""

import os
import sys

from ._common import UserError, add_common_flags, one_line


def _add_predict_parser(sub):
    """The ``predict`` subcommand: its parser and handler."""
    predict = sub.add_parser(
        "predict",
        help="label sentences with a saved pipeline",
        description=(
            "Label sentences with a pipeline saved by 'sklearn-probe sweep' "
            "(best_pipeline.joblib): one line per sentence with the label and "
            "its probability. Sentences come from the arguments, from --file "
            "(one per line), or from standard input."
        ),
    )
    predict.add_argument(
        "--pipeline", required=True, help="a best_pipeline.joblib, or its folder"
    )
    predict.add_argument("sentences", nargs="*", help="sentences to label")
    predict.add_argument(
        "--file", help="read sentences from this file, one per line ('-': stdin)"
    )
    predict.add_argument(
        "--json", action="store_true", help="print JSON lines instead of a table"
    )
    add_common_flags(predict)
    predict.set_defaults(handler=run_predict)
    return predict


def run_predict(args):
    """Label the sentences; print a table or JSON lines."""
    import numpy as np

    pipeline = _load_pipeline(args.pipeline)
    sentences = _sentences(args)
    if hasattr(pipeline, "predict_proba"):
        proba = np.asarray(pipeline.predict_proba(sentences))
        classes = np.asarray(pipeline.classes_)
        best = proba.argmax(axis=1)
        labels = classes[best]
        confidence = proba[np.arange(len(sentences)), best]
    else:
        labels = pipeline.predict(sentences)
        confidence = [None] * len(sentences)

    if args.json:
        import json

        for sentence, label, p in zip(sentences, labels, confidence, strict=True):
            label = label.item() if hasattr(label, "item") else label
            record = {"text": sentence, "label": label}
            if p is not None:
                record["probability"] = round(float(p), 4)
            print(json.dumps(record, ensure_ascii=False))
        return 0
    width = max(len(str(label)) for label in labels)
    for sentence, label, p in zip(sentences, labels, confidence, strict=True):
        score = "     " if p is None else f"{p:.3f}"
        print(f"{str(label):<{width}}  {score}  {sentence}")
    return 0


def _sentences(args):
    sentences = list(args.sentences)
    if args.file:
        sentences += _read_lines(args.file)
    if not sentences and not args.file:
        if sys.stdin is None or sys.stdin.isatty():
            raise UserError(
                "No sentences: pass them as arguments, with --file, or on standard "
                'input (e.g. echo "A masterpiece." | sklearn-probe predict '
                "--pipeline ...)."
            )
        sentences = [line.strip() for line in sys.stdin if line.strip()]
    if not sentences:
        raise UserError("No sentences to label (the input was empty).")
    return sentences


def _load_pipeline(path):
    path = os.path.expanduser(path)
    if os.path.isdir(path):
        path = os.path.join(path, "best_pipeline.joblib")
    if not os.path.exists(path):
        raise UserError(
            f"No pipeline at {path!r}: give the best_pipeline.joblib written by "
            "'sklearn-probe sweep' (or its folder)."
        )
    import joblib

    try:
        pipeline = joblib.load(path)
    except Exception as exc:  # pickle raises many kinds of errors
        raise UserError(
            f"Could not read {path!r} as a saved pipeline ({type(exc).__name__}: "
            f"{one_line(exc)[:200]})."
        ) from None
    if not hasattr(pipeline, "predict"):
        raise UserError(f"{path!r} holds a {type(pipeline).__name__}, not a pipeline.")
    return pipeline


def _read_lines(path):
    if path == "-":
        return [line.strip() for line in sys.stdin if line.strip()]
    try:
        with open(os.path.expanduser(path), encoding="utf-8") as f:
            return [line.strip() for line in f if line.strip()]
    except (OSError, UnicodeDecodeError) as exc:
        raise UserError(f"Cannot read sentences from {path!r}: {exc}") from None
