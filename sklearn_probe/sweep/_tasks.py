"""The task of a sweep: classes or a continuous property.

:func:`check_task` resolves ``task="auto"`` from the labels (scikit-learn's
``type_of_target``) and refuses a classification of continuous labels;
:func:`_check_targets` reads a regression's labels as finite floats;
:func:`_check_regression` says what a regression sweep cannot do (MDL, the
word-type control) before anything runs.
"""

import numpy as np

#: ``task="auto"`` takes numbers with more distinct values than this for a
#: continuous property, not classes (floats: a regression; ints: an error
#: that asks for ``task=``).
MAX_AUTO_CLASSES = 20


def check_task(task, y):
    """``"classification"`` or ``"regression"``: ``task``, or for ``"auto"``
    what the labels are.

    The rule of ``"auto"``: a regression when scikit-learn's
    ``type_of_target`` calls ``y`` continuous (floats that are not all whole
    numbers), or when ``y`` is an array of floats with more than
    ``MAX_AUTO_CLASSES`` (20) distinct values (whole-number floats such as
    sentence lengths are measurements, not dozens of classes). Integers with
    more than 20 distinct values are an error that asks for ``task=``: they
    may be class ids or counts. Otherwise (strings, booleans, at most 20
    distinct numbers) a classification.

    A classification of continuous labels is an error that suggests the
    regression task.
    """
    from sklearn.utils.multiclass import type_of_target

    kind = type_of_target(y, input_name="labels")
    if task == "auto":
        if kind == "continuous" or _many_floats(y):
            return "regression"
        _check_many_ints(y)
        return "classification"
    if task == "classification" and kind == "continuous":
        values = np.unique(y)
        raise ValueError(
            f"The labels are continuous ({len(values)} distinct floats, from "
            f"{values.min():g} to {values.max():g}), not classes: a "
            "classification probe would treat each value as a class of its own. "
            "For a continuous property use task='regression' (--task regression "
            "on the command line); for classes, give labels that name them."
        )
    return task


def _many_floats(y):
    y = np.asarray(y)
    return y.dtype.kind == "f" and len(np.unique(y)) > MAX_AUTO_CLASSES


def _check_many_ints(y):
    y = np.asarray(y)
    if y.dtype.kind not in "iu":
        return
    values = np.unique(y)
    if len(values) <= MAX_AUTO_CLASSES:
        return
    raise ValueError(
        f"The labels are {len(values)} distinct integers (from {values.min()} to "
        f"{values.max()}), too many for task='auto' to take them for classes: "
        "pass task='regression' (--task regression on the command line) for a "
        "count or another quantity, or task='classification' (--task "
        "classification) if they name classes."
    )


def _check_targets(y, name):
    """The labels of a regression as finite floats, or a clear error."""
    try:
        targets = np.asarray(y, dtype=np.float64)
    except (TypeError, ValueError):
        bad = next(v for v in y if not _is_number(v))
        raise ValueError(
            f"task='regression' needs numeric {name}; got {bad!r}. Use "
            "task='classification' for class labels."
        ) from None
    if not np.all(np.isfinite(targets)):
        raise ValueError(
            f"The {name} of a regression must be finite; got "
            f"{int(np.sum(~np.isfinite(targets)))} NaN or infinite values."
        )
    return targets


def _is_number(value):
    try:
        float(value)
    except (TypeError, ValueError):
        return False
    return True


def _check_regression(baselines, mdl, unit, word_types=False):
    """What a regression sweep cannot do, said before anything runs."""
    if mdl:
        raise ValueError(
            "mdl=True is for classification only: the online code transmits "
            "class labels with a probe's class probabilities, which a regression "
            "probe does not give. Use mdl=False with task='regression'."
        )
    if word_types and "control" in baselines:
        raise ValueError(
            "The word-type control draws a class label per word type, so it is "
            f"for classification only; with task='regression' and unit={unit!r} "
            "leave 'control' out of baselines."
        )
