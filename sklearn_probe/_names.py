"""How scores and swept parameters are named in pictures and reports.

``nice_score_name("roc_auc")`` gives "ROC AUC" for an axis label;
``format_param("pooling", "max")`` gives "max pooling" for a legend entry or a
line of the report.
"""

import numbers

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
}


def nice_score_name(name):
    """``"roc_auc"`` -> ``"ROC AUC"``, ``"accuracy"`` -> ``"Accuracy"``."""
    if name in _NICE_SCORE_NAMES:
        return _NICE_SCORE_NAMES[name]
    text = str(name).replace("_", " ")
    return text[:1].upper() + text[1:]


def format_param(column, value):
    """How one swept parameter's value reads in a legend."""
    if column == "hidden_layer_sizes":
        sizes = (value,) if isinstance(value, numbers.Integral) else tuple(value)
        return "linear probe" if not sizes else "MLP " + "-".join(map(str, sizes))
    if column == "pooling":
        return f"{value} pooling"
    if column == "probe":
        return str(value)
    return f"{column}={value}"
