"""The shared vocabulary of results: column names, and how things are named.

One home for what the sweep writes and the report, the pictures and the command
read, so that producers and readers never import each other:

- ``CV`` and ``TRAIN``: prefixes of the score columns (``cv_score_mean``, ...).
- :func:`score_name` and :func:`nice_score_name`: a scoring for a table
  (``"roc_auc"``) and for an axis label (``"ROC AUC"``).
- :func:`describe_sizes` and :func:`describe_probe`: a probe in a few words,
  ``"linear"`` or ``"MLP(256, 64)"``, everywhere the same.
- :func:`format_param`: one swept parameter's value in a legend entry or a
  line of the report (``"max pooling"``, ``"MLP(256) probe"``).
- :func:`jsonable`: settings and results as plain JSON values.
"""

import numbers
import os
from pathlib import Path

import numpy as np

# Column names of LayerSweepResult.scores. Metric columns are "<curve>_mean",
# "<curve>_std" (and per fold "<curve>_fold<k>"); baselines, repeated CV and MDL
# add their own "<curve>_mean" / "<curve>_std" columns, and the pictures draw
# any curve they know when its columns are present.
CV = "cv_score"
TRAIN = "train_score"

_NICE_SCORE_NAMES = {
    "accuracy": "Accuracy",
    "balanced_accuracy": "Balanced accuracy",
    "roc_auc": "ROC AUC",
    "f1": "F1",
    "f1_macro": "F1 (macro)",
    "f1_micro": "F1 (micro)",
    "f1_weighted": "F1 (weighted)",
    "neg_log_loss": "Negative log loss",
    "matthews_corrcoef": "Matthews correlation",
    "R²": "R²",
}


def score_name(scoring):
    """A short name of ``scoring`` for tables: its string, or a callable's name."""
    if scoring is None:
        return "accuracy"
    if isinstance(scoring, str):
        return scoring
    return getattr(scoring, "__name__", None) or type(scoring).__name__


def nice_score_name(name):
    """``"roc_auc"`` -> ``"ROC AUC"``, ``"accuracy"`` -> ``"Accuracy"``."""
    from ..metrics import scoring_title

    if name in _NICE_SCORE_NAMES:
        return _NICE_SCORE_NAMES[name]
    if scoring_title(name):
        return scoring_title(name)
    text = str(name).replace("_", " ")
    return text[:1].upper() + text[1:]


def describe_sizes(sizes):
    """``()`` -> ``"linear"``; ``(256, 64)`` (or ``256``) -> ``"MLP(256, 64)"``."""
    sizes = (sizes,) if isinstance(sizes, numbers.Integral) else tuple(sizes)
    return "linear" if not sizes else "MLP(" + ", ".join(map(str, sizes)) + ")"


def describe_probe(probe):
    """A short name of a probe: :func:`describe_sizes` for ProbeClassifier and
    ProbeRegressor, ``"attention-pooling"`` for AttentionProbe (with its
    head's sizes when it has hidden layers), else its repr with the changed
    parameters only."""
    from ..probe import AttentionProbe, ProbeClassifier, ProbeRegressor

    if isinstance(probe, ProbeClassifier | ProbeRegressor):
        return describe_sizes(probe.hidden_layer_sizes)
    if isinstance(probe, AttentionProbe):
        head = describe_sizes(probe.hidden_layer_sizes)
        return "attention-pooling" + ("" if head == "linear" else f" {head}")
    from sklearn import config_context

    with config_context(print_changed_only=True):
        return " ".join(repr(probe).split())


def format_param(column, value):
    """How one swept parameter's value reads in a legend or a sentence."""
    if column == "hidden_layer_sizes":
        return f"{describe_sizes(value)} probe"
    if column == "pooling":
        return f"{value} pooling"
    if column == "probe":
        return value if isinstance(value, str) else describe_probe(value)
    return f"{column}={value}"


def jsonable(value):
    """Numbers, strings, lists and dicts only: numpy scalars become Python ones,
    NaN and infinities None, paths strings, estimators their short name."""
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | np.ndarray):
        return [jsonable(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not np.isfinite(value):
        return None
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, os.PathLike):
        return os.fspath(value)
    if hasattr(value, "get_params"):
        return describe_probe(value)
    return str(value)


def short_name(model):
    """A model's name for tables and legends: a local folder's last part
    (``"./runs/checkpoint-500"`` -> ``"checkpoint-500"``), else as given."""
    from ._paths import looks_like_path

    model = os.fspath(model)
    if looks_like_path(model) or os.path.isdir(model):
        return Path(model).name or model
    return model


def unique(names):
    """The names, made unique with ``" (2)"``, ``" (3)"``, ..."""
    out = []
    for name in names:
        new, k = name, 2
        while new in out:
            new, k = f"{name} ({k})", k + 1
        out.append(new)
    return out
