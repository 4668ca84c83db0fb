"""The words every part of the report shares: how a row, a set of rows, the
probes, the samples and chance are named.

One home for these, so that the summary, the reading of the baselines, the
caveats, report.md and the comparison name things the same way. The words
that depend on the task (classification or regression) or on the unit (texts
or words) each sit in one small function here.
"""

from ..utils._names import describe_sizes, format_param


def varied(result):
    """The swept parameters other than the layer that take several values."""
    return [c for c in result.param_columns if result.scores[c].nunique() > 1]


def row_name(result, index):
    """``"layer 4"``, or ``"layer 4 (max pooling)"`` when more is swept."""
    row = result.scores.loc[index]
    name = f"layer {int(row['layer'])}"
    swept = varied(result)
    if swept:
        name += " (" + ", ".join(format_param(c, row[c]) for c in swept) + ")"
    return name


def names(result, indices):
    """The rows' names, comma-separated, or ``"none"``."""
    return ", ".join(row_name(result, i) for i in indices) or "none"


def and_(items):
    """``["a"]`` -> ``"a"``; ``["a", "b", "c"]`` -> ``"a, b and c"``."""
    items = [str(item) for item in items]
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def probe_phrase(probes):
    """``"linear"`` -> ``"A linear probe was"``; several -> ``"Linear and
    MLP(256) probes were"``: how the report's first sentence names the probes."""
    probes = [probes] if isinstance(probes, str) else list(probes)
    if len(probes) == 1:
        return f"A {probes[0]} probe was"
    text = and_(probes)
    return f"{text[:1].upper()}{text[1:]} probes were"


def describe_params(params):
    """``{"probe__C": 1.0}`` -> ``"C=1"``."""
    return ", ".join(
        format_param(key.split("__", 1)[-1], value) for key, value in params.items()
    )


def span(low, high):
    """``"0.480-0.530"``, or ``"-0.968 to -0.021"`` when a minus sign would
    run into the dash."""
    joint = " to " if low < 0 or high < 0 else "-"
    return f"{low:.3f}{joint}{high:.3f}"


def short(value):
    """A table cell: hidden layer sizes as ``"(256,)"`` in brief."""
    return describe_sizes(value) if isinstance(value, tuple) else str(value)


def n_folds(result):
    """Validation folds in all: folds per repeat times repeats."""
    return result.n_splits * result.n_repeats


# -- words that depend on the task ---------------------------------------------


def is_regression(result):
    """Whether the sweep fitted a regression (its words: targets, R², a
    constant)."""
    return result.task == "regression"


def labels_word(result):
    """``"labels"``, or ``"targets"`` for a regression."""
    return "targets" if is_regression(result) else "labels"


def chance_words(result):
    """``"chance"``, or for a regression what chance is: ``"chance (the
    training mean)"``."""
    return "chance (the training mean)" if is_regression(result) else "chance"


def one_answer(result):
    """What a probe that learned nothing predicts: one class, or a constant."""
    return "a constant" if is_regression(result) else "one class"


# -- words that depend on the unit ---------------------------------------------


def is_word_unit(settings):
    """Whether the samples were words (of sentences) rather than texts."""
    return settings.get("unit", "text") == "word"


def sample_noun(settings):
    """What one sample of the sweep is, in words: texts, or word samples."""
    return "word samples" if is_word_unit(settings) else "texts"
