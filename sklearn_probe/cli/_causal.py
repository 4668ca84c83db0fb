"""``sweep --neurons K`` and ``sweep --causal``: sections added to the report.

``--neurons K`` scores the probe on the top-k, bottom-k and random k units of
the best layer's vectors (k up to K; the ranking by an elastic-net probe,
refitted in each training fold of the sweep's folds) and adds the curve to
``report.md`` with its picture. ``--causal`` runs amnesic probing on the
command's data: at each swept layer the labels' property is erased (LEACE,
fitted on each training fold), and the probe of the last layer is refitted
and scored on the edited states, beside random subspaces of the same rank.
The model is the bare one the sweep loads (no head), so amnesic probing is
the measure; a behaviour needs the Python API
(:func:`sklearn_probe.causal.causal_sweep`).
"""

import numpy as np

from ._common import UserError, default_max_length, positive_int, say

# Sizes of the unit sets, below K (K itself is always added).
_KS = (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000)


def add_causal_arguments(group):
    """``--neurons K``, ``--causal`` and ``--causal-controls N``."""
    group.add_argument(
        "--neurons",
        type=positive_int,
        default=None,
        metavar="K",
        help="add to the report the probe's score on the top-k, bottom-k and "
        "random k units of the best layer, for k up to K (units ranked by an "
        "elastic-net probe in each training fold). Classification of texts",
    )
    group.add_argument(
        "--causal",
        action="store_true",
        help="add amnesic probing to the report: erase the labels at each "
        "layer (LEACE, fitted per training fold) and probe the last layer, "
        "beside random subspaces of the same rank. Runs the model once per "
        "layer, fold and control. Classification of texts",
    )
    group.add_argument(
        "--causal-controls",
        type=positive_int,
        default=3,
        metavar="N",
        help="random subspaces per layer and fold for --causal (default 3)",
    )


def check_causal_arguments(args, task):
    """The flags need a classification of texts and one model."""
    wanted = [f for f in ("neurons", "causal") if getattr(args, f, None)]
    if not wanted:
        return
    flags = " and ".join(f"--{f}" for f in wanted)
    if task != "classification":
        raise UserError(f"{flags} need a classification (the labels are classes).")
    if args.unit != "text":
        raise UserError(f"{flags} work with --unit text.")
    if len(args.model) > 1:
        raise UserError(f"{flags} work with one --model.")
    if args.causal and list(getattr(args, "site", ["residual"])) != ["residual"]:
        raise UserError(
            "--causal erases in the residual stream and probes it: use it with "
            "--site residual (the default)."
        )


def add_causal_sections(args, result, train, out):
    """Compute what the flags ask for and add it to the report in ``out``."""
    texts = train["text"].tolist()
    labels = train["label"].to_numpy()
    written = {}
    if args.neurons:
        written |= _neurons(args, result, texts, labels, out)
    if args.causal:
        written |= _causal(args, result, texts, labels, out)
    if written:
        say(f"Added to the report: {', '.join(sorted(written))}.")
    return written


def unit_counts(k_max, width):
    """The k of the curve: the usual sizes below ``k_max``, and ``k_max``."""
    if k_max > width:
        raise UserError(
            f"--neurons {k_max} is more than the {width} units of a layer of "
            "this model; use at most that."
        )
    return [k for k in _KS if k < k_max] + [k_max]


def _neurons(args, result, texts, labels, out):
    from ..causal import neuron_curve
    from ..report import add_neuron_section

    X = np.asarray(result.best_pipeline[0].transform(texts))
    ks = unit_counts(args.neurons, X.shape[1])
    probe = result.best_pipeline[-1]
    curve = neuron_curve(probe, X, labels, ks, cv=args.cv, random_state=args.seed)
    return add_neuron_section(
        out, curve, layer=result.best_layer, chance=result.chance_score
    )


def _causal(args, result, texts, labels, out):
    from ..causal import causal_sweep
    from ..hidden import load_model
    from ..report import add_causal_section

    loaded = load_model(
        args.model[0], args.device, trust_remote_code=args.trust_remote_code
    )
    layers = sorted(int(v) for v in result.scores["layer"].unique())
    causal = causal_sweep(
        loaded.model,
        texts,
        labels,
        tokenizer=loaded.tokenizer,
        layers=layers,
        probe=result.best_pipeline[-1],
        amnesic_layers="last",
        cv=args.cv,
        n_controls=args.causal_controls,
        pooling=result.best_params.get("hidden__pooling", "auto"),
        max_length=args.max_length or default_max_length("text"),
        batch_size=args.batch_size,
        random_state=args.seed,
    )
    return add_causal_section(out, causal)
