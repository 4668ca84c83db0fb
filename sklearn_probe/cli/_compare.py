"""``sklearn-probe compare``: sweeps already written, compared without running
them again."""

import argparse
import os
import shlex
from pathlib import Path

from ._common import HelpFormatter, UserError, add_common_flags, examples, say

DEFAULT_OUT = "comparison"


def _add_compare_parser(sub):
    """The ``compare`` subcommand: its parser and handler."""
    compare = sub.add_parser(
        "compare",
        help="compare sweeps of several models on the same folds (report folders)",
        description=(
            "Read report folders written by 'sklearn-probe sweep' (same data, "
            "same folds, other models), print each model's best layer with a "
            "paired test against the best model, and write comparison.md, "
            "comparison.csv, comparison_scores.csv, comparison.json and the "
            "pictures models_by_layer.png and (when the models' numbers of "
            "layers differ) models_by_relative_depth.png to --out. Nothing is "
            "run again."
        ),
        epilog=examples(
            "sklearn-probe compare minilm-sweep finetuned-sweep",
            "sklearn-probe compare runs/a runs/b --names base tuned --out a-vs-b",
        ),
        formatter_class=HelpFormatter,
    )
    compare.add_argument("folders", nargs="+", metavar="FOLDER", help="report folders")
    compare.add_argument(
        "--names",
        nargs="+",
        default=argparse.SUPPRESS,  # each sweep's model: no value to show
        help="a name per folder. Default: each sweep's model (a local "
        "folder's last part); the report folders' names when two sweeps are "
        "of one model",
    )
    compare.add_argument("--out", default=DEFAULT_OUT, help="comparison folder")
    add_common_flags(compare)
    compare.set_defaults(handler=run_compare)
    return compare


def run_compare(args):
    """Load the report folders, compare, print and write."""
    import matplotlib

    from ..report import check_out_dir, comparison_table
    from ..sweep import LayerSweepResult, compare_sweeps

    matplotlib.use("Agg")
    if len(args.folders) < 2:
        raise UserError("compare needs at least two report folders.")
    check_out_dir(args.out)
    results = [LayerSweepResult.load(f, pipeline=False) for f in args.folders]
    _check_same_data(args.folders, results)
    names = getattr(args, "names", None) or _names(args.folders, results)
    comparison = compare_sweeps(results, names=names)
    say(comparison_table(comparison).to_string(index=False))
    say()
    for line in comparison.reading_lines():
        say(line)
    written = comparison.save_report(
        args.out, command=" ".join(["sklearn-probe", *map(shlex.quote, args.argv)])
    )
    say(f"Report: {written['comparison.md']}")
    return 0


def _names(folders, results):
    """Each sweep's model name, or, when two sweeps are of one model, each
    report folder's name (its path as given when those repeat too)."""
    from ..utils._names import short_name

    models = [short_name(result.model_name) for result in results]
    if len(set(models)) == len(models):
        return None  # compare_sweeps names them by their models
    names = [Path(os.path.abspath(f)).name for f in folders]
    if len(set(names)) < len(names):
        names = [os.path.normpath(f) for f in folders]
    return names


FINGERPRINTS = (
    ("texts", "texts"),
    ("labels", "labels"),
    ("folds", "folds (--cv, --repeats and --seed)"),
)


def _check_same_data(folders, results):
    """Sweeps whose fold scores cannot pair up, refused in the command's words."""
    first = results[0].settings.get("data_fingerprint")
    for folder, result in zip(folders[1:], results[1:], strict=True):
        other = result.settings.get("data_fingerprint")
        if first is None or other is None:
            return  # an older report: compare_sweeps says what to do
        for key, what in FINGERPRINTS:
            if other.get(key) != first.get(key):
                raise UserError(
                    f"Cannot compare {folder!r} with {folders[0]!r}: their sweeps "
                    f"ran on different {what}, so their scores do not pair up. "
                    "Run 'sklearn-probe sweep' with the same --dataset, "
                    "--n-samples, --test-size, --cv, --repeats and --seed for "
                    "every model, or sweep them together: 'sklearn-probe sweep "
                    "--model A B' compares them on the same folds."
                )
