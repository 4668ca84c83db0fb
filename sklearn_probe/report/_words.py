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
        article = "An" if probes[0][:1].lower() in "aeiou" else "A"
        return f"{article} {probes[0]} probe was"
    text = and_(probes)
    return f"{text[:1].upper()}{text[1:]} probes were"


def describe_params(params):
    """``{"probe__C": 1.0}`` -> ``"C=1"``."""
    return ", ".join(
        format_param(key.split("__", 1)[-1], value) for key, value in params.items()
    )


def span(low, high):
    """``"0.480-0.530"``, or ``"-0.968 to -0.021"`` when a minus sign would
    run into the dash; ``"0.906"`` when both print the same."""
    if f"{low:.3f}" == f"{high:.3f}":
        return f"{low:.3f}"
    joint = " to " if low < 0 or high < 0 else "-"
    return f"{low:.3f}{joint}{high:.3f}"


def short(value):
    """A table cell: hidden layer sizes as ``"(256,)"`` in brief."""
    return describe_sizes(value) if isinstance(value, tuple) else str(value)


def n_folds(result):
    """Validation folds in all: folds per repeat times repeats."""
    return result.n_splits * result.n_repeats


# -- words of the task and the unit (result.task_spec, result.unit_spec) -------


def labels_word(result):
    """``"labels"``, or ``"targets"`` for a regression."""
    return result.task_spec.labels


def chance_words(result):
    """What chance is: ``"chance"``, ``"chance (the training mean)"``,
    ``"chance (guessing at the class rates)"``, ... (the guesser that gave
    it, ``result.chance_words``)."""
    return result.chance_words


def one_answer(result):
    """What a probe that learned nothing predicts: one class, or a constant."""
    return result.task_spec.one_answer


def sample_noun(result):
    """What one sample of the sweep is, in words: texts, or word samples."""
    return result.unit_spec.noun


def control_words(result):
    """What the control probe is fitted on and scored on, in a phrase.

    The text control is fitted on permuted labels and scored on the true ones;
    the word-type control (Hewitt & Liang) is scored on its own labels, which
    its unit's words say.
    """
    unit, task = result.unit_spec, result.task_spec
    if unit.has_word_types:
        return unit.control(task)
    return f"{unit.control(task)}, scored on the true {task.labels}"


def control_meaning(result):
    """What a control that scores as well as the probe everywhere means."""
    if result.unit_spec.has_word_types:
        return (
            "the probe fits labels drawn at random for each word type as well as "
            "the real ones: it can memorise word identity, so its score does "
            "not show that these layers encode the property beyond which words "
            "carry it"
        )
    return (
        f"the probe does no better on the true {result.task_spec.labels} than "
        "one trained on permuted ones: nothing to read from these layers"
    )
