"""Argument checks of :func:`~sklearn_probe.layer_sweep`.

Each argument's type and range is checked by scikit-learn's ``validate_params``
against ``PARAMETER_CONSTRAINTS`` before the sweep starts. What a constraint
cannot say is checked here by hand: the checks that span two arguments (texts
and labels, ``repeats`` and ``cv``) and the values inside a list (every pooling,
probe, baseline, ``param_grid`` key). :func:`_check_inputs` runs them all and
returns the inputs in the form the sweep uses (:class:`_Inputs`); its errors are
``ValueError``\\ s that name the parameter, the value and what would work.
"""

import numbers
from dataclasses import dataclass

import numpy as np
from sklearn.utils._param_validation import HasMethods, Interval, StrOptions

from ..baselines import BASELINES
from ..hidden import HiddenStateTransformer
from ..metrics import resolve_scoring, scorer_names
from ._kinds import TASKS as TASK_SPECS
from ._kinds import UNITS, TaskSpec, UnitSpec, task_spec
from ._probe_kind import PROBE_NAMES, named_probe, probe_poolings
from ._tasks import check_task

_HIDDEN = HiddenStateTransformer._parameter_constraints

#: ``task="auto"`` becomes one of the others (from the labels).
TASKS = ("auto", *TASK_SPECS)

#: What ``validate_params`` checks on every call of ``layer_sweep``. ``texts``
#: and ``labels`` are checked together by hand, ``layers`` against the model's
#: number of hidden states once the model is loaded.
PARAMETER_CONSTRAINTS = {
    "texts": "no_validation",
    "labels": "no_validation",
    "model": [*_HIDDEN["model"], list, tuple],
    "layers": "no_validation",
    "pooling": [
        StrOptions({p for unit in UNITS.values() for p in unit.poolings}),
        list,
        tuple,
    ],
    "tokens": [*_HIDDEN["tokens"], list, tuple],
    "probe": [
        None,
        StrOptions(set(PROBE_NAMES)),
        HasMethods(["fit", "get_params"]),
        list,
        tuple,
    ],
    "param_grid": [None, dict],
    "cv": ["cv_object"],
    "scoring": [str, callable, None],
    "test": [None, tuple, list],
    "max_length": [None, *_HIDDEN["max_length"]],
    "batch_size": _HIDDEN["batch_size"],
    "device": _HIDDEN["device"],
    "cache_dir": _HIDDEN["cache_dir"],
    "n_jobs": [numbers.Integral, None],
    "random_state": [Interval(numbers.Integral, 0, None, closed="left"), None],
    "verbose": ["verbose"],
    "baselines": [None, StrOptions(set(BASELINES)), list, tuple],
    "mdl": ["boolean"],
    "repeats": [Interval(numbers.Integral, 1, None, closed="left")],
    "trust_remote_code": _HIDDEN["trust_remote_code"],
    "unit": [StrOptions(set(UNITS))],
    "task": [StrOptions(set(TASKS))],
}


@dataclass(kw_only=True, frozen=True)
class _Inputs:
    """The checked inputs of one sweep (``poolings``: ``"auto"`` is replaced
    by a new object once the model is loaded, see ``_warm._load_model``)."""

    texts: list
    y: np.ndarray
    test_texts: list | None
    test_y: np.ndarray | None
    poolings: list
    probes: list
    grid: dict
    baselines: list
    n_repeats: int
    splitter: object
    splits: list
    unit: UnitSpec
    groups: np.ndarray | None = None  # the sentence of each word sample
    task: TaskSpec
    scoring: object

    @property
    def n_splits(self):
        """Folds per repeat."""
        return len(self.splits) // self.n_repeats


def _check_inputs(texts, labels, config):
    """What ``validate_params`` cannot check; the folds, drawn once.

    The unit (:func:`~._kinds.unit_spec`) checks the samples and draws the
    folds (grouped by sentence for words); ``task="auto"`` is resolved from
    the labels (:func:`~._tasks.check_task`) and ``scoring=None`` from the
    task.
    """
    c, unit = config, config.unit_spec
    baselines = _check_items(c.baselines or [], "baselines", list(BASELINES))
    texts, groups = unit.check_samples(texts, baselines)
    y = _check_labels(labels, len(texts), "labels")
    task = task_spec(check_task(c.task, y))
    y = task.check_labels(y, "labels", mdl=c.mdl, baselines=baselines, unit=unit)
    probes = _check_probes(c.probe, c.random_state, task)
    poolings = _check_items(c.pooling, "pooling", unit.poolings)
    poolings = probe_poolings(probes, poolings, unit=unit, config=c)
    scoring = task.default_scoring if c.scoring is None else c.scoring
    _check_scoring(scoring, y, task)
    scoring = resolve_scoring(scoring)  # the package's own scorer names
    test_texts, test_y = _check_test(c.test, unit)
    if test_y is not None:
        test_y = task.check_labels(test_y, "test labels")
    n_repeats = _check_repeats(c.repeats, c.cv)
    splitter, splits = unit.splits(
        c.cv, texts, y, groups, c.random_state, task, n_repeats
    )
    return _Inputs(
        texts=texts,
        y=y,
        test_texts=test_texts,
        test_y=test_y,
        poolings=poolings,
        probes=probes,
        grid=_token_grid(c, _check_param_grid(c.param_grid)),
        baselines=baselines,
        n_repeats=n_repeats,
        splitter=splitter,
        splits=splits,
        unit=unit,
        groups=groups,
        task=task,
        scoring=scoring,
    )


def _check_items(value, name, options):
    """A str or a list of them, each one of ``options``; duplicates dropped."""
    values = [value] if isinstance(value, str) else list(value)
    for item in values:
        if item not in options:
            raise ValueError(
                f"The {name!r} parameter of layer_sweep must be one of {options} "
                f"or a list of them. Got {item!r} instead."
            )
    if not values and name != "baselines":
        raise ValueError(f"The {name!r} parameter of layer_sweep is empty.")
    return list(dict.fromkeys(values))


def _check_scoring(scoring, y, task):
    """Try a named scoring on the labels before any work.

    A scoring that cannot score these labels (``"f1"`` on three classes,
    ``"roc_auc"`` on three, ``"f1"`` when no label is 1) would otherwise fail in
    every fold of the search, with a traceback per fold; here it fails at once,
    in one message that suggests what works. A callable is the caller's own and
    is not tried.
    """
    if not isinstance(scoring, str):
        return
    import warnings

    from sklearn.metrics import check_scoring, get_scorer_names

    if scoring not in scorer_names():
        raise ValueError(
            f"The 'scoring' parameter of layer_sweep is {scoring!r}, which is not "
            "a scikit-learn scoring name (see sklearn.metrics.get_scorer_names()) "
            "nor one of sklearn_probe.metrics.SCORERS; e.g. 'accuracy', "
            "'balanced_accuracy', 'f1_macro' or 'recall_at_1pct_fpr'."
        )
    X = np.zeros((len(y), 1))
    guess = task.guesser(task.trial_guesser).fit(X, y)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # ill-defined scores of a guess
            check_scoring(guess, scoring=resolve_scoring(scoring))(guess, X, y)
    except ValueError as exc:
        if not task.is_classifier:
            raise ValueError(
                f"scoring={scoring!r} cannot score a regression probe's "
                f"predictions ({' '.join(str(exc).split())}). Use a regression "
                "scoring such as 'r2', 'neg_mean_squared_error' or "
                "'neg_mean_absolute_error'."
            ) from None
        classes = np.unique(y).tolist()
        if len(classes) > 2 and f"{scoring}_macro" in get_scorer_names():
            fix = f"use '{scoring}_macro' (every class counts the same) or "
            fix += f"'{scoring}_weighted'"
        elif len(classes) > 2 and f"{scoring}_ovr" in get_scorer_names():
            fix = f"use '{scoring}_ovr'"
        elif "pos_label" in str(exc) and f"{scoring}_macro" in get_scorer_names():
            fix = f"use '{scoring}_macro', or labels 0 and 1 with 1 the positive class"
        else:
            fix = "choose a scoring that fits these labels"
        reason = " ".join(str(exc).split()).rstrip(".") + "."
        raise ValueError(
            f"scoring={scoring!r} cannot score these labels ({len(classes)} "
            f"classes: {classes}): {reason} To fix, {fix}."
        ) from None


def _check_repeats(repeats, cv):
    if repeats > 1 and (not isinstance(cv, numbers.Integral) or isinstance(cv, bool)):
        raise ValueError(
            "repeats > 1 needs cv to be an int (the number of folds per repeat); "
            f"got cv={cv!r}."
        )
    return int(repeats)


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


def _check_test(test, unit):
    if test is None:
        return None, None
    if len(test) != 2:
        raise ValueError(
            "The 'test' parameter of layer_sweep must be a tuple (texts, labels). "
            f"Got a {type(test).__name__} of {len(test)} items instead."
        )
    texts = unit.check_test_samples(test[0])
    y = np.asarray(test[1])
    if y.ndim != 1 or len(y) != len(texts):
        raise ValueError(
            f"The test set has {len(texts)} texts but labels of shape {y.shape}."
        )
    return texts, y


def _check_probes(probe, random_state, task):
    if probe is None:
        return [task.default_probe(random_state)]
    probes = list(probe) if isinstance(probe, list | tuple) else [probe]
    probes = [
        named_probe(p, task, random_state) if isinstance(p, str) else p for p in probes
    ]
    if not probes:
        raise ValueError("The 'probe' parameter of layer_sweep is an empty list.")
    for p in probes:
        if not (hasattr(p, "fit") and hasattr(p, "get_params")):
            raise ValueError(
                "The 'probe' parameter of layer_sweep must be a scikit-learn "
                f"classifier or a list of them. Got {p!r} instead."
            )
        kinds = task.probe_mismatch(p)
        if kinds:
            raise ValueError(
                f"The 'probe' parameter of layer_sweep is {p!r}, a {kinds[0]}, "
                f"but the task is {task}: use a {kinds[1]} such as "
                f"Probe{kinds[1].capitalize()}."
            )
    return probes


def _check_param_grid(param_grid):
    grid = {}
    for key, values in (param_grid or {}).items():
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


def _token_grid(config, grid):
    """``grid`` sweeping every selection of ``tokens=[...]`` as
    ``hidden__tokens`` (one forward pass per text serves them all)."""
    selections = config.token_selections
    if isinstance(config.tokens, str):
        return grid
    if "hidden__tokens" in grid:
        raise ValueError(
            "tokens=[...] and param_grid['hidden__tokens'] both sweep token "
            "selections: give them once, as tokens=[...]."
        )
    return {**grid, "hidden__tokens": selections} if len(selections) > 1 else grid
