"""``sklearn-probe compare``: sweeps already written, compared without running
them again."""

import argparse
import shlex

from ._common import UserError, add_common_flags, say

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
            "pictures models_by_layer.png and models_by_relative_depth.png to "
            "--out. Nothing is run again."
        ),
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    compare.add_argument("folders", nargs="+", metavar="FOLDER", help="report folders")
    compare.add_argument(
        "--names",
        nargs="+",
        default=argparse.SUPPRESS,  # each sweep's model: no value to show
        help="a name per folder. Default: each sweep's model (a local "
        "folder's last part)",
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
    comparison = compare_sweeps(results, names=getattr(args, "names", None))
    say(comparison_table(comparison).to_string(index=False))
    say()
    for line in comparison.reading_lines():
        say(line)
    written = comparison.save_report(
        args.out, command=" ".join(["sklearn-probe", *map(shlex.quote, args.argv)])
    )
    say(f"Report: {written['comparison.md']}")
    return 0
