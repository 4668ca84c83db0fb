"""Argument checks of :func:`~sklearn_probe.layer_sweep`.

Each ``_check_*`` validates one parameter (labels, test set, probes,
param_grid, cv, baselines, repeats) and returns it in the form the sweep uses;
``_as_list`` accepts a str or a list of str. They raise ``ValueError`` with a
message that names the parameter.
"""

import numbers

import numpy as np
from sklearn.model_selection import (
    RepeatedStratifiedKFold,
    StratifiedKFold,
    check_cv,
)

from ..hidden._validation import check_texts
from ._baselines import BASELINES


def _check_baselines(baselines):
    if baselines is None:
        return []
    values = [baselines] if isinstance(baselines, str) else list(baselines)
    for value in values:
        if value not in BASELINES:
            raise ValueError(
                f"The 'baselines' parameter of layer_sweep must hold values from "
                f"{list(BASELINES)}. Got {value!r} instead."
            )
    return list(dict.fromkeys(values))


def _check_repeats(repeats, cv):
    if (
        not isinstance(repeats, numbers.Integral)
        or isinstance(repeats, bool)
        or repeats < 1
    ):
        raise ValueError(
            f"The 'repeats' parameter of layer_sweep must be an int >= 1. Got "
            f"{repeats!r} instead."
        )
    if repeats > 1 and (not isinstance(cv, numbers.Integral) or isinstance(cv, bool)):
        raise ValueError(
            "repeats > 1 needs cv to be an int (the number of folds per repeat); "
            f"got cv={cv!r}."
        )
    return int(repeats)


def _as_list(value, name):
    if isinstance(value, str):
        return [value]
    try:
        values = list(value)
    except TypeError:
        raise ValueError(
            f"The '{name}' parameter of layer_sweep must be a str or a list of "
            f"str. Got {value!r} instead."
        ) from None
    if not values:
        raise ValueError(f"The '{name}' parameter of layer_sweep is empty.")
    return values


def _check_labels(labels, n_texts, name):
    if labels is None:
        raise ValueError(f"layer_sweep needs {name}: one label per text.")
    y = np.asarray(labels)
    if y.ndim != 1:
        raise ValueError(f"{name} must be 1-D; got an array of shape {y.shape}.")
    if len(y) != n_texts:
        raise ValueError(
            f"texts and {name} must have the same length; got {n_texts} texts and "
            f"{len(y)} labels."
        )
    if len(np.unique(y)) < 2:
        raise ValueError(
            f"{name} must hold at least 2 classes; got only {np.unique(y).tolist()}."
        )
    return y


def _check_test(test):
    if test is None:
        return None, None
    if not isinstance(test, tuple | list) or len(test) != 2:
        raise ValueError(
            "The 'test' parameter of layer_sweep must be a tuple (texts, labels). "
            f"Got {type(test).__name__} instead."
        )
    texts = check_texts(test[0], estimator_name="layer_sweep (test texts)")
    y = np.asarray(test[1])
    if y.ndim != 1 or len(y) != len(texts):
        raise ValueError(
            f"The test set has {len(texts)} texts but labels of shape {y.shape}."
        )
    return texts, y


def _check_probes(probe, random_state):
    if probe is None:
        from ..probe import ProbeClassifier

        return [ProbeClassifier(random_state=random_state)]
    probes = list(probe) if isinstance(probe, list | tuple) else [probe]
    if not probes:
        raise ValueError("The 'probe' parameter of layer_sweep is an empty list.")
    for p in probes:
        if not (hasattr(p, "fit") and hasattr(p, "get_params")):
            raise ValueError(
                "The 'probe' parameter of layer_sweep must be a scikit-learn "
                f"classifier or a list of them. Got {p!r} instead."
            )
    return probes


def _check_param_grid(param_grid):
    if param_grid is None:
        return {}
    if not isinstance(param_grid, dict):
        raise ValueError(
            "The 'param_grid' parameter of layer_sweep must be a dict of pipeline "
            "parameters to lists of values, e.g. "
            "{'probe__hidden_layer_sizes': [(), (256,)]}. "
            f"Got {type(param_grid).__name__} instead."
        )
    grid = {}
    for key, values in param_grid.items():
        if key in ("hidden__layer", "hidden__pooling", "probe"):
            raise ValueError(
                f"param_grid sweeps {key!r}, which layer_sweep sweeps itself: use "
                "its layers=, pooling= or probe= parameter."
            )
        if not key.startswith(("hidden__", "probe__")):
            raise ValueError(
                f"param_grid key {key!r} is not a pipeline parameter: use "
                "'probe__<name>' or 'hidden__<name>', e.g. "
                "'probe__hidden_layer_sizes'."
            )
        if isinstance(values, str) or not hasattr(values, "__iter__"):
            raise ValueError(
                f"param_grid[{key!r}] must be a list of values; got {values!r}."
            )
        values = list(values)
        if not values:
            raise ValueError(f"param_grid[{key!r}] is empty.")
        grid[key] = values
    return grid


def _check_cv(cv, random_state, n_repeats=1):
    if isinstance(cv, numbers.Integral) and not isinstance(cv, bool):
        if cv < 2:
            raise ValueError(
                f"The 'cv' parameter of layer_sweep must be an int >= 2 or a "
                f"cross-validation splitter. Got {cv!r} instead."
            )
        if n_repeats > 1:
            return RepeatedStratifiedKFold(
                n_splits=int(cv), n_repeats=n_repeats, random_state=random_state
            )
        return StratifiedKFold(int(cv), shuffle=True, random_state=random_state)
    return check_cv(cv, classifier=True)
