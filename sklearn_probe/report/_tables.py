"""A sweep's results as tables of strings: the scores, the best layer class by
class, and the Markdown that shows them.

:func:`summary_table` (one row per candidate, best marked) is what the command
prints and report.md shows; :func:`per_class_table` and
:func:`confusion_table` read the best candidate's cross-validated predictions;
:func:`markdown_table` renders any of them for a Markdown page.
"""

import warnings

from ..baselines import BASELINES, SEARCH_BASELINES
from ._words import n_folds, sample_noun, short


def summary_table(result, *, float_format="{:.3f}"):
    """The scores as a person reads them: one row per candidate, best marked.

    Returns a DataFrame of strings with the columns ``layer``, the other swept
    parameters, ``CV <score>``, ``± sd``, ``train``, ``fit s`` (seconds per fold)
    and ``best`` (``*`` on the best row). Baselines, MDL and repeated CV add
    ``95% CI``, ``vs best`` (difference from the best, ``*`` when significantly
    worse), ``control``, ``selectivity``, ``random w.`` and ``MDL compr.``
    before ``fit s``; ``learned nothing`` (in how many folds) when a probe
    learned nothing somewhere.
    """
    import pandas as pd

    frame = result.scores
    fmt = float_format.format
    table = pd.DataFrame({"layer": frame["layer"].astype(int)})
    for column in result.param_columns:
        table[column] = frame[column].map(short)
    table[f"CV {result.score_name}"] = frame["cv_score_mean"].map(fmt)
    table["± sd"] = frame["cv_score_std"].map(fmt)
    if "train_score_mean" in frame:
        table["train"] = frame["train_score_mean"].map(fmt)
    if "ci_low" in frame:
        _add_paired_columns(table, result, fmt)
    for name in SEARCH_BASELINES:
        if f"{name}_mean" in frame:
            spec = BASELINES[name]
            table[spec.table_header] = frame[f"{name}_mean"].map(fmt)
            for column in spec.extra_columns:
                table[column] = frame[column].map(fmt)
    if "mdl_compression" in frame:
        table["MDL compr."] = frame["mdl_compression"].map("{:.2f}".format)
    if (frame["degenerate_folds"] > 0).any():
        n = n_folds(result)
        table["learned nothing"] = [
            f"{k}/{n} folds" if k else "" for k in frame["degenerate_folds"]
        ]
    table["fit s"] = frame["fit_time_mean"].map("{:.2f}".format)
    table["best"] = ["*" if i == result.best_index else "" for i in frame.index]
    return table


def _add_paired_columns(table, result, fmt):
    """``95% CI`` and ``vs best`` (``*`` when significantly worse)."""
    frame = result.scores
    table["95% CI"] = [
        f"{fmt(lo)}-{fmt(hi)}"
        for lo, hi in zip(frame["ci_low"], frame["ci_high"], strict=True)
    ]
    table["vs best"] = [
        "" if i == result.best_index else f"{d:+.3f}" + ("*" if worse else "")
        for i, d, worse in zip(
            frame.index,
            frame["diff_vs_best"],
            frame["significantly_worse"],
            strict=True,
        )
    ]


def markdown_table(frame):
    """A GitHub-flavoured Markdown table of a DataFrame of strings."""
    columns = [str(c) for c in frame.columns]
    rows = [[str(v) for v in row] for row in frame.itertuples(index=False)]

    def line(cells):
        return "| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |"

    align = ["---:" if _numeric(frame[c]) else ":---" for c in frame.columns]
    return "\n".join([line(columns), "|" + "|".join(align) + "|", *map(line, rows)])


def _numeric(series):
    try:
        series.astype(float)
    except (TypeError, ValueError):
        return False
    return True


def per_class_table(result):
    """Precision, recall, F1 and support per class of the best candidate's
    cross-validated predictions (None without them)."""
    import pandas as pd
    from sklearn.metrics import precision_recall_fscore_support

    if result.cv_predictions is None or result.classes is None:
        return None
    with warnings.catch_warnings():
        # A class never predicted has an ill-defined precision: shown as 0.
        warnings.simplefilter("ignore")
        precision, recall, f1, support = precision_recall_fscore_support(
            result.train_labels,
            result.cv_predictions,
            labels=result.classes,
            zero_division=0,
        )
    return pd.DataFrame(
        {
            "class": [str(c) for c in result.classes],
            "precision": [f"{v:.3f}" for v in precision],
            "recall": [f"{v:.3f}" for v in recall],
            "F1": [f"{v:.3f}" for v in f1],
            sample_noun(result): support,
        }
    )


def confusion_table(result):
    """Confusion matrix of the best candidate's cross-validated predictions:
    one row per true class, one column per predicted class (None without
    them)."""
    import pandas as pd
    from sklearn.metrics import confusion_matrix

    if result.cv_predictions is None or result.classes is None:
        return None
    matrix = confusion_matrix(
        result.train_labels, result.cv_predictions, labels=result.classes
    )
    names = [str(c) for c in result.classes]
    table = pd.DataFrame(matrix, columns=[f"predicted {c}" for c in names])
    table.insert(0, "true class", names)
    return table


def try_command(result, pipeline="best_pipeline.skops", dataset=None):
    """The command that labels a text of each class of the user's data with the
    saved pipeline (``result.example_texts``); for conversations, the command
    that labels those of the data file (``dataset``'s ``source`` and
    ``messages_column``)."""
    import shlex

    from ..utils._conversations import is_conversation

    texts = result.example_texts or ["A sentence of your own."]
    if is_conversation(texts[0]):
        dataset = dataset or {}
        return " ".join(
            [
                "sklearn-probe predict --pipeline",
                shlex.quote(str(pipeline)),
                "--jsonl",
                shlex.quote(str(dataset.get("source", "conversations.jsonl"))),
                "--messages-column",
                shlex.quote(str(dataset.get("messages_column", "messages"))),
            ]
        )
    return " ".join(
        [
            "sklearn-probe predict --pipeline",
            shlex.quote(str(pipeline)),
            *map(shlex.quote, texts),
        ]
    )
