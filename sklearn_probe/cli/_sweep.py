"""``sklearn-probe sweep``: cross-validate a probe on every layer, write a report."""

import contextlib
import logging
import os
import shlex
import time

from ..utils._names import jsonable
from ..utils._paths import looks_like_path
from ._causal import add_causal_sections, check_causal_arguments
from ._common import HelpFormatter, UserError, default_max_length, say
from ._conversations import check_conversation_arguments
from ._sweep_args import EXAMPLES, add_sweep_arguments
from ._words import (
    check_unit_arguments,
    load_units,
    sweep_options,
    task_name,
    try_line,
)

logger = logging.getLogger(__name__)


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
    add_sweep_arguments(sweep)
    sweep.set_defaults(handler=run_sweep)
    return sweep


# ------------------------------------------------------------------- running


def run_sweep(args):
    """Load the data, sweep the layers, print the table, write the report."""
    from ..report import check_out_dir

    started = time.perf_counter()
    # Seconds from the process's start to here (Python and imports), when
    # this is the process's own command; None otherwise.
    startup = _startup(args, started)
    args.model = list(dict.fromkeys(args.model))
    for model in args.model:
        _check_model_argument(model)
    check_unit_arguments(args)
    check_conversation_arguments(args)
    check_out_dir(args.out)  # new, empty or a report folder: replaced whole
    data = _load_data(args)
    train, test = data.train, data.test
    noun = "conversations" if args.messages_column else f"{args.unit}s"
    task = _task(args.task, train, test)
    if task == "classification":
        _check_classes(train, args.cv, noun)
    check_causal_arguments(args, task)
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
    import matplotlib

    matplotlib.use("Agg")  # files only, never a window
    if len(args.model) > 1:
        return _report_comparison(result, args, report, started, startup)
    _print_summary(result)
    written = result.save_report(
        args.out, **report, started=started, **_startup_kwarg(startup)
    )
    written |= add_causal_sections(args, result, train, args.out)
    total = time.perf_counter() - started + (startup or 0.0)
    beside = [n for n in written if n != "report.md" and not n.endswith(".svg")]
    say(
        f"Report: {written['report.md']} (with {', '.join(sorted(beside))}); "
        f"{total:.0f} s in all."
    )
    say(_try_it(args, result, written["best_pipeline.skops"]))
    return 0


def _load_data(args):
    """The texts (or the treebank's words or arcs) as ``NamedData``."""
    if args.unit != "text":
        return load_units(args)
    from ..datasets import load_named

    columns = (
        "text_column",
        "label_column",
        "split",
        "imdb_source",
        "test_size",
        "encoding",
        "messages_column",
    )
    return load_named(
        args.dataset,
        n_samples=args.n_samples or None,
        random_state=args.seed,
        **{name: getattr(args, name) for name in columns},
    )


def _try_it(args, result, pipeline):
    """The line that shows how to use the saved pipeline."""
    from ..report import try_command

    if args.unit == "text":
        trust = " --trust-remote-code" if args.trust_remote_code else ""
        dataset = {"source": args.dataset, "messages_column": args.messages_column}
        return f"Try it: {try_command(result, pipeline, dataset)}{trust}"
    return f"Try it in Python: {try_line(result, pipeline)}"


def _sweep(args, train, test, task):
    from ..sweep import layer_sweep, named_probe, sweep_models, task_spec

    probe = named_probe(args.probe, task_spec(task), args.seed)
    if args.max_epochs:
        # AttentionProbe's bound on L-BFGS is max_iter.
        epochs = "max_epochs" if "max_epochs" in probe.get_params() else "max_iter"
        probe.set_params(**{epochs: args.max_epochs})
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
    tokens = list(dict.fromkeys(args.tokens))
    if len(tokens) > 1:
        param_grid["hidden__tokens"] = tokens
    sites = list(dict.fromkeys(args.site))
    if sites != ["residual"]:
        param_grid["hidden__site"] = sites
    several = len(args.model) > 1
    sweep = sweep_models if several else layer_sweep
    return sweep(
        train["text"],
        train["label"].to_numpy(),
        **{"models": args.model} if several else {"model": args.model[0]},
        layers=args.layers,
        tokens=tokens[0],
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


def _startup(args, started):
    """Seconds from the process's start to ``started``, or None."""
    process_start = getattr(args, "process_started", None)
    return None if process_start is None else max(started - process_start, 0.0)


def _startup_kwarg(startup):
    return {} if startup is None else {"startup": startup}


def _report_comparison(comparison, args, report, started, startup=None):
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
    with _silenced("sklearn_probe.report"):
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
    pictures = [n for n in written if n.startswith("models_by_") and n.endswith(".png")]
    say(
        f"Report: {written['comparison.md']} (with comparison.csv, "
        f"{', '.join(pictures)} and one report folder per model); "
        f"{time.perf_counter() - started + (startup or 0.0):.0f} s in all."
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

    from ..sweep import check_task, task_spec

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
    from ..hidden import BUNDLED_MODELS

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
