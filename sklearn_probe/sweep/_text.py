"""A sweep's results in words: the table, the summary and what the baselines say.

:func:`summary_table` (one row per candidate, best marked), :func:`summary_lines`
(best layer, chance, held-out score, time) and :func:`reading_lines` (what the
baselines, MDL and repeated CV say) are what the command prints and the report
shows; :func:`markdown_table` renders a table for the report.
"""

import warnings

import numpy as np

from .._names import describe_sizes, format_param
from ._baselines import text_baseline_lines
from ._caveats import (
    _names,
    _row_name,
    _varied,
    chance_words,
    headline,
    learned_nothing_lines,
)
from ._choose import choice_lines


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
    name = result.score_name
    table = pd.DataFrame({"layer": frame["layer"].astype(int)})
    for column in result.param_columns:
        table[column] = frame[column].map(_short)
    table[f"CV {name}"] = frame["cv_score_mean"].map(float_format.format)
    table["± sd"] = frame["cv_score_std"].map(float_format.format)
    if "train_score_mean" in frame:
        table["train"] = frame["train_score_mean"].map(float_format.format)
    if "ci_low" in frame:
        table["95% CI"] = [
            f"{float_format.format(lo)}-{float_format.format(hi)}"
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
    if "control_mean" in frame:
        table["control"] = frame["control_mean"].map(float_format.format)
        table["selectivity"] = frame["selectivity"].map(float_format.format)
    if "random_weights_mean" in frame:
        table["random w."] = frame["random_weights_mean"].map(float_format.format)
    if "mdl_compression" in frame:
        table["MDL compr."] = frame["mdl_compression"].map("{:.2f}".format)
    if (frame["degenerate_folds"] > 0).any():
        n = _n_folds(result)
        table["learned nothing"] = [
            f"{k}/{n} folds" if k else "" for k in frame["degenerate_folds"]
        ]
    table["fit s"] = frame["fit_time_mean"].map("{:.2f}".format)
    table["best"] = ["*" if i == result.best_index else "" for i in frame.index]
    return table


def summary_lines(result):
    """The sentences under the table: best layer (or the tie), the best ``C``
    of each probe when ``C`` is swept beside them, probes that learned
    nothing, held-out score, time."""
    name = result.score_name
    lines = [headline(result), *_best_c_lines(result), *learned_nothing_lines(result)]
    noun = sample_noun(result.settings)
    if result.test_score is not None:
        lines.append(
            f"Held-out test {name} of the best pipeline: {result.test_score:.3f} "
            f"({result.n_test} {noun}, not used to choose the layer)."
        )
    t = result.timings
    lines.append(
        f"Took {t['total']:.1f} s: model {t['load']:.1f} s, hidden states of "
        f"{result.n_train + result.n_test} {noun} {t['hidden_states']:.1f} s, "
        f"{len(result.scores) * _n_folds(result)} probe fits "
        f"{t['cross_validation']:.1f} s, refit {t['refit']:.1f} s"
        + "".join(
            f", {label} {t[key]:.1f} s"
            for key, label in (
                ("control", "control"),
                ("random_weights", "random weights"),
                ("bag_of_words", "bag of words"),
                ("length", "length"),
                ("mdl", "MDL"),
            )
            if key in t
        )
        + "."
    )
    return lines


def reading_lines(result):
    """What the baselines, MDL and repeated CV say, in plain sentences.

    Empty when the sweep ran none of them.
    """
    frame = result.scores
    name = result.score_name
    best = result.best_index
    lines = []
    if "significantly_worse" in frame:
        worse = [i for i in frame.index if bool(frame.loc[i, "significantly_worse"])]
        ties = [i for i in frame.index if i != best and i not in worse]
        lines.append(
            f"Significantly worse than the best ({_row_name(result, best)}; "
            f"paired corrected t-test over {_cv_text(result)}, Holm-adjusted "
            f"p < 0.05): {_names(result, worse)}. Not distinguishable from it: "
            f"{_names(result, ties)}. 95% CI of the best: "
            f"{frame.loc[best, 'ci_low']:.3f}-{frame.loc[best, 'ci_high']:.3f}."
        )
        lines += choice_lines(result)
    if "selectivity" in frame:
        top = int(frame["selectivity"].to_numpy().argmax())
        index = frame.index[top]
        control = frame["control_mean"]
        guess = _random_guess_accuracy(result)
        chance = (
            f"guessing by the class frequencies gives {guess:.3f} on average"
            if guess is not None
            else f"{chance_words(result)} {result.chance_score:.3f}"
        )
        labels = f"permuted {_labels_word(result)}"
        if result.settings.get("unit", "text") == "word":
            labels = "labels drawn at random once per word type, Hewitt & Liang's"
        lines.append(
            f"Selectivity ({name} minus that of the same probe trained on "
            f"{labels}) is highest at {_row_name(result, index)}: "
            f"{frame.loc[index, 'selectivity']:.3f}; the control scores "
            f"{_span(control.min(), control.max())} ({chance})."
        )
        if result.task == "regression" and control.min() < result.chance_score:
            lines[-1] += (
                f" Below chance, the control's {name} is that of a probe that "
                "fitted permuted targets and predicts noise (most with a weak "
                "penalty, a large C): there selectivity exceeds the score "
                "itself, so compare it between rows of one C."
            )
    if "random_weights_mean" in frame:
        rw = frame["random_weights_mean"]
        top = frame.index[int(rw.to_numpy().argmax())]
        gain = frame["cv_score_mean"] - rw
        below = [i for i in frame.index if gain[i] <= 0]
        text = (
            f"The random-weights model (same architecture, untrained) reaches "
            f"{rw[top]:.3f} at best ({_row_name(result, top)}); at the best "
            f"layer pretraining adds {gain[best]:+.3f} "
            f"({frame.loc[best, 'cv_score_mean']:.3f} vs {rw[best]:.3f})."
        )
        if below:
            text += f" Not above random weights: {_names(result, below)}."
        if rw.max() <= result.chance_score:
            text += (
                f" Every random-weights score is at or below chance "
                f"({result.chance_score:.3f}): nothing to read from an untrained "
                "model at any layer."
            )
        lines.append(text)
    lines += text_baseline_lines(result)
    if "mdl_compression" in frame:
        top = frame.index[int(frame["mdl_compression"].to_numpy().argmax())]
        uniform = (result.settings.get("mdl") or {}).get("uniform_code_length_bits")
        bits = frame.loc[top, "mdl_code_length_bits"]
        of = f" of {uniform:.0f} uniform" if uniform else ""
        lines.append(
            f"MDL: the labels compress best at {_row_name(result, top)} "
            f"({frame.loc[top, 'mdl_compression']:.2f}x: {bits:.0f} bits{of}; "
            "online code on all the training texts)."
        )
        if frame["mdl_compression"].max() < 1:
            lines[-1] += (
                " Every layer codes the labels in more bits than the uniform "
                "code: the probe's probabilities are overconfident (most of "
                "all when trained on the small first blocks), so read the "
                "compression layer against layer, not against 1; a "
                "better-calibrated probe (e.g. a more regularised one) "
                "compresses more."
            )
    return lines


def markdown_table(frame):
    """A GitHub-flavoured Markdown table of a DataFrame of strings."""
    columns = [str(c) for c in frame.columns]
    rows = [[str(v) for v in row] for row in frame.itertuples(index=False)]

    def line(cells):
        return "| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |"

    align = ["---:" if _numeric(frame[c]) else ":---" for c in frame.columns]
    return "\n".join([line(columns), "|" + "|".join(align) + "|", *map(line, rows)])


def _best_c_lines(result):
    """With ``C`` swept beside other probe settings, the best ``C`` of each."""
    varied = _varied(result)
    others = [c for c in varied if c != "C"]
    if "C" not in varied or not others:
        return []
    parts = []
    for _, row in result.best_per(others).iterrows():
        setting = ", ".join(format_param(c, row[c]) for c in others)
        parts.append(
            f"{setting}: C={row['C']:g} at layer {int(row['layer'])} "
            f"({row['cv_score_mean']:.3f})"
        )
    return [f"Best C of each setting: {'; '.join(parts)}."]


def _span(low, high):
    """``"0.480-0.530"``, or ``"-0.968 to -0.021"`` when a minus sign would
    run into the dash."""
    joint = " to " if low < 0 or high < 0 else "-"
    return f"{low:.3f}{joint}{high:.3f}"


def _labels_word(result):
    """``"labels"``, or ``"targets"`` for a regression."""
    return "targets" if result.task == "regression" else "labels"


def _n_folds(result):
    return result.n_splits * result.n_repeats


def _cv_text(result):
    return result.cv_description


def _random_guess_accuracy(result):
    """Accuracy of guessing each label at its frequency (sum of squared rates)."""
    if result.score_name != "accuracy":
        return None
    counts = np.array(list(result.settings.get("class_counts", {}).values()), float)
    if counts.sum() == 0:
        return None
    rates = counts / counts.sum()
    return float((rates**2).sum())


def _short(value):
    return describe_sizes(value) if isinstance(value, tuple) else str(value)


def _numeric(series):
    try:
        series.astype(float)
    except (TypeError, ValueError):
        return False
    return True


def sample_noun(settings):
    """What one sample of the sweep is, in words: texts, or word samples."""
    return "word samples" if settings.get("unit") == "word" else "texts"


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
            sample_noun(result.settings): support,
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


def try_command(result, pipeline="best_pipeline.skops"):
    """The command that labels a text of each class of the user's data with the
    saved pipeline (``result.example_texts``)."""
    import shlex

    texts = result.example_texts or ["A sentence of your own."]
    return " ".join(
        [
            "sklearn-probe predict --pipeline",
            shlex.quote(str(pipeline)),
            *map(shlex.quote, texts),
        ]
    )
