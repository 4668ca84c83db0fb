"""``sklearn-probe sweep --unit word|arc``: probe the words or arcs of a treebank.

The sweep command reads texts by default (``--unit text``). With ``--unit
word`` it reads a CoNLL-U file with :func:`~sklearn_probe.datasets.load_conllu`
and probes one label of every word (``--label upos``, ``xpos``, ``deprel``,
``feats``, ``feats:<Name>`` or ``misc:<Name>``); with ``--unit arc`` every
dependency arc, a (dependent, head) pair of words, for the label of the
dependent (``deprel`` by default: relation probing). The rest of the command
is the text sweep's: :func:`~sklearn_probe.layer_sweep` with ``unit="word"``
(folds grouped by sentence), the same report folder, whose picture and report
name the label and the unit.

This module adds the arguments, checks them before anything runs and loads the
data in the shape the sweep command reads (a ``text`` column of samples and a
``label`` column).
"""

import argparse
import logging
import os

from ..hidden import SUBWORDS
from ._common import UserError

logger = logging.getLogger(__name__)

UNITS = ("text", "word", "arc")
DEFAULT_LABELS = {"word": "upos", "arc": "deprel"}
# Columns of load_conllu that are labels, besides feats:<Name> and misc:<Name>.
LABEL_COLUMNS = ("upos", "xpos", "feats", "deprel", "head_upos")
TRY_SAMPLES = {
    "word": '(("The", "dogs", "bark", "."), 1)',
    "pair": '(("The", "dogs", "bark", "."), (1, 2), (2, 3))',
}


def add_unit_arguments(group):
    """--unit, --label and --subword (the ``words`` argument group)."""
    group.add_argument(
        "--unit",
        choices=UNITS,
        default="text",
        help="what is probed: whole texts; every word of a CoNLL-U treebank "
        "(--dataset file.conllu; --n-samples then counts sentences, read from "
        "the start); or every dependency arc of it (dependent and head "
        "vectors concatenated). Folds never split a sentence",
    )
    # Their defaults depend on --unit, so none is shown (args lack them when
    # not given).
    group.add_argument(
        "--label",
        default=argparse.SUPPRESS,
        help="for --unit word or arc: the label probed, 'upos', 'xpos', "
        "'deprel', 'feats', 'feats:<Name>' (e.g. feats:Number) or "
        "'misc:<Name>'; words without it are left out (and counted). Default: "
        "upos for words, deprel for arcs",
    )
    group.add_argument(
        "--subword",
        nargs="+",
        choices=SUBWORDS,
        default=argparse.SUPPRESS,
        help="for --unit word or arc: which token(s) of a word make its vector "
        "(several are swept). Default: first",
    )


def check_unit_arguments(args):
    """Refuse what cannot work with ``--unit``, before anything runs."""
    conllu = str(args.dataset).lower().endswith(".conllu")
    if args.unit == "text":
        if conllu:
            raise UserError(
                f"--dataset {args.dataset!r} is a CoNLL-U treebank, not a table "
                "of texts: probe its words with --unit word --label upos (or its "
                "arcs with --unit arc --label deprel)."
            )
        for flag in ("label", "subword"):
            if hasattr(args, flag):
                raise UserError(
                    f"--{flag} is for --unit word or arc (a CoNLL-U treebank); "
                    "texts take --label-column and --pooling."
                )
        return
    if not conllu:
        raise UserError(
            f"--unit {args.unit} reads a CoNLL-U treebank (a .conllu file such "
            f"as a Universal Dependencies one); got --dataset {args.dataset!r}. "
            "Give a .conllu file, or use --unit text for a table of texts."
        )
    if list(args.pooling) != ["auto"]:
        raise UserError(
            "--pooling pools the tokens of a whole text; with --unit "
            f"{args.unit} the tokens of a word are pooled by --subword "
            "first|last|mean."
        )


def load_units(args):
    """The treebank's words or arcs as ``NamedData`` (``text``: the samples).

    Rows without the label are left out (said in the log and in the
    description); with ``--test-size`` a share of the sentences is held out.
    """
    from ..datasets import NamedData, load_conllu

    label = getattr(args, "label", DEFAULT_LABELS[args.unit])
    frame = load_conllu(
        args.dataset, unit=args.unit, max_sentences=args.n_samples or None
    )
    prefixes = ("feats:", "misc:")
    valid = [c for c in frame if c in LABEL_COLUMNS or c.startswith(prefixes)]
    if label not in valid:
        raise UserError(
            f"--label {label!r} is not a label of {args.dataset!r} with --unit "
            f"{args.unit}; choose one of {', '.join(valid)}."
        )
    noun = f"{args.unit}s"
    kept = frame[frame[label].notna() & (frame[label] != "")]
    if kept.empty:
        raise UserError(
            f"No {args.unit} of {args.dataset!r} has a {label!r}; choose another "
            f"--label: {', '.join(valid)}."
        )
    if len(kept) < len(frame):
        logger.info(
            "Kept the %d of %d %s that have a %s (the others have none).",
            len(kept),
            len(frame),
            noun,
            label,
        )
    data = kept.rename(columns={"sample": "text", label: "label"})[
        ["text", "label", "sentence"]
    ]
    train, test = _held_out_sentences(data, args.test_size, args.seed)
    description = {
        "name": os.path.basename(args.dataset),
        "source": os.path.abspath(os.path.expanduser(args.dataset)),
        "unit": args.unit,
        "label_column": label,
        "n_sentences": int(frame["sentence"].nunique()),
        "n_samples": len(data),
        "n_without_label": len(frame) - len(kept),
    }
    return NamedData(train=train, test=test, description=description)


def _held_out_sentences(data, test_size, seed):
    """Train and test parts whose sentences differ (test None when 0)."""
    if not test_size:
        return data.reset_index(drop=True), None
    import math

    from sklearn.model_selection import GroupShuffleSplit

    n = data["sentence"].nunique()
    if n - math.ceil(test_size * n) < 1:
        raise UserError(
            f"--test-size {test_size} of {n} sentence{'s' if n != 1 else ''} "
            "leaves none to train on: read more sentences (--n-samples) or use "
            "--test-size 0."
        )
    split = GroupShuffleSplit(n_splits=1, test_size=test_size, random_state=seed)
    train, test = next(split.split(data, groups=data["sentence"]))
    return (
        data.iloc[train].reset_index(drop=True),
        data.iloc[test].reset_index(drop=True),
    )


def sweep_options(args):
    """``unit`` and ``pooling`` of :func:`~sklearn_probe.layer_sweep`."""
    if args.unit == "text":
        return {"unit": "text", "pooling": list(dict.fromkeys(args.pooling))}
    return {
        "unit": "word",
        "pooling": list(dict.fromkeys(getattr(args, "subword", ["first"]))),
    }


def task_name(args):
    """What is probed, for the picture's title and the report ("upos of
    words"); None for texts."""
    if args.unit == "text":
        return None
    return f"{getattr(args, 'label', DEFAULT_LABELS[args.unit])} of {args.unit}s"


def try_line(result, pipeline):
    """A line of Python that labels a sample with the saved pipeline."""
    hidden = result.best_pipeline.named_steps["hidden"]
    return python_line(
        hidden.kind_, pipeline, trust_remote_code=hidden.trust_remote_code
    )


def python_line(kind, pipeline, *, trust_remote_code=False):
    """A line of Python that labels a sample of ``kind`` ("word", "pair") with
    the pipeline saved at ``pipeline``."""
    sample = TRY_SAMPLES.get(kind, TRY_SAMPLES["word"])
    trust = ", trust_remote_code=True" if trust_remote_code else ""
    return (
        f"from sklearn_probe import load_pipeline; "
        f"print(load_pipeline({str(pipeline)!r}{trust}).predict([{sample}]))"
    )
