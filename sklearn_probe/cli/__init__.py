"""The ``sklearn-probe`` command: a layer sweep and its report, and predictions.

::

    sklearn-probe sweep [--model minilm] [--dataset rotten_tomatoes] [--out DIR]
    sklearn-probe sweep --unit word --dataset FILE.conllu --label upos [--out DIR]
    sklearn-probe sweep --model minilm ./my-finetuned [--out DIR]   (compared)
    sklearn-probe compare DIR_A DIR_B [--out DIR]
    sklearn-probe predict --pipeline DIR/best_pipeline.skops "A sentence." ...
    sklearn-probe cache info|verify|compact [--cache-dir DIR]

Also ``python -m sklearn_probe``. Mistakes a person makes (an unknown data set, a
missing column, an unreadable file, a model that cannot be found, a layer out
of range) end with one line on stderr and exit status 1; ``--debug`` shows the
traceback instead.

Each subcommand is one private module with an ``_add_<name>_parser(sub)``
function that builds its parser and sets its handler; :data:`SUBCOMMANDS` lists
them in the order ``--help`` shows (``sweep`` keeps its arguments in
``_sweep_args``, its word and arc options in ``_words``). Errors and warnings
of the Python API are shown in the command's words: a parameter named in them
(``max_length=128``) becomes its flag (``--max-length 128``).
"""

import argparse
import logging
import os
import sys
import warnings

from ._cache import _add_cache_parser
from ._clock import exit_now, process_started
from ._common import UserError, flag_names, one_line, speak_flags
from ._compare import _add_compare_parser
from ._predict import _add_predict_parser
from ._sweep import _add_sweep_parser

__all__ = ["UserError", "build_parser", "main"]

SUBCOMMANDS = (
    _add_sweep_parser,
    _add_compare_parser,
    _add_predict_parser,
    _add_cache_parser,
)


def build_parser():
    """The argument parser of ``sklearn-probe``, one subparser per subcommand."""
    parser = argparse.ArgumentParser(
        prog="sklearn-probe",
        description="Probe the hidden states of a transformer, layer by layer.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    sub = parser.add_subparsers(
        dest="command",
        metavar="COMMAND",
        required=True,
        help="what to do ('sklearn-probe COMMAND --help' shows its options and "
        "examples)",
    )
    for add_parser in SUBCOMMANDS:
        subparser = add_parser(sub)
        subparser.set_defaults(flags=flag_names(subparser))
    return parser


def _version():
    from .. import __version__

    return __version__


def main(argv=None):
    """Run the command line; returns the exit status (0 on success)."""
    return _run(argv, process_start=None)


def run():
    """The ``sklearn-probe`` script and ``python -m sklearn_probe``.

    The process is the command's own: the time line of a report starts when
    the process did (its start-up is a part of the run), and the process
    ends as soon as the command's work and output are done (see
    :func:`._clock.exit_now`).
    """
    status = _run(None, process_start=process_started())
    exit_now(status)
    return status


def _run(argv, process_start):
    parser = build_parser()
    argv = sys.argv[1:] if argv is None else list(argv)
    args = parser.parse_args(argv)
    args.argv = argv
    args.process_started = process_start
    _configure_logging(args)
    try:
        with warnings.catch_warnings():
            warnings.showwarning = _warning_shower(args.flags)
            return args.handler(args)
    except KeyboardInterrupt:
        print("sklearn-probe: interrupted", file=sys.stderr)
        return 130
    except (UserError, ValueError, OSError, ImportError, LookupError) as exc:
        if args.debug:
            raise
        # The library's messages name its parameters; the command has flags.
        text = one_line(exc)
        if not isinstance(exc, UserError):
            text = speak_flags(text, args.flags)
        print(f"sklearn-probe: error: {text}", file=sys.stderr)
        return 1


def _warning_shower(flags):
    """``warnings.showwarning`` for the command: one line on stderr, in the
    command's words (``--max-length``, not ``max_length``)."""

    def show(message, category, filename, lineno, file=None, line=None):
        text = speak_flags(" ".join(str(message).split()), flags)
        print(f"sklearn-probe: {category.__name__}: {text}", file=file or sys.stderr)

    return show


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
        _quiet_transformers()


def _quiet_transformers():
    """No "Loading weights" bars or load reports from transformers.

    Before transformers is imported, through the environment variables it
    reads at import (importing it here would put its 1-1.5 s in the
    command's start-up, before the sweep that needs it: the sweep imports it
    as it loads the model); after, through its logging functions."""
    if "transformers" in sys.modules or "huggingface_hub" in sys.modules:
        from transformers.utils import logging as hf_logging

        hf_logging.set_verbosity_error()
        hf_logging.disable_progress_bar()
    else:
        os.environ["TRANSFORMERS_VERBOSITY"] = "error"
        os.environ["HF_HUB_DISABLE_PROGRESS_BARS"] = "1"
