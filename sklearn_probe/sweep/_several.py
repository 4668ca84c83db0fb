"""Several models swept on the same folds, compared: :func:`sweep_models`.

It runs :func:`~sklearn_probe.layer_sweep` once per model with the same
arguments (so the same folds) and returns :func:`~sklearn_probe.compare_sweeps`'
comparison.
"""

import numpy as np
from sklearn.utils._param_validation import (
    validate_parameter_constraints,
    validate_params,
)

from ..utils._names import short_name, unique
from ._checks import PARAMETER_CONSTRAINTS
from ._compare import compare_sweeps
from ._config import SweepConfig
from ._stages import run_sweep


@validate_params(
    {
        "texts": "no_validation",
        "labels": "no_validation",
        "models": [list, tuple],
        "names": [None, list, tuple],
    },
    prefer_skip_nested_validation=False,
)
def sweep_models(texts, labels, *, models, names=None, **kwargs):
    """Sweep several models on the same texts, labels and folds; compare them.

    Each model gets :func:`~sklearn_probe.layer_sweep` with the same
    arguments, so the folds are the same and the fold scores pair up; the
    results go to :func:`~sklearn_probe.compare_sweeps`.

    Parameters
    ----------
    texts : sequence of str
        Training texts (word samples with ``unit="word"``), as for
        ``layer_sweep``.
    labels : array-like of shape (n_texts,)
        Their labels.
    models : list of str or path-like
        Two or more models (hub names, local folders, ``"minilm"``).
    names : list of str, default=None
        A name per model in the comparison; None uses each model's short
        name.
    **kwargs
        Every other parameter of :func:`~sklearn_probe.layer_sweep` (the
        same for each model); ``random_state`` must be an int, so that every
        model gets the same folds.

    Returns
    -------
    SweepComparison
        The sweeps side by side (:func:`~sklearn_probe.compare_sweeps`).

    Examples
    --------
    >>> from sklearn_probe import sweep_models
    >>> comparison = sweep_models(texts, labels,
    ...                           models=["minilm", "./my-model"])  # doctest: +SKIP
    >>> comparison.summary  # doctest: +SKIP
    """
    validate_parameter_constraints(
        PARAMETER_CONSTRAINTS, {"models": models, **kwargs}, "sweep_models"
    )
    unknown = sorted(set(kwargs) - set(PARAMETER_CONSTRAINTS))
    if unknown:
        raise TypeError(f"sweep_models got unexpected keyword arguments {unknown}.")
    models = list(models)
    for model in models:
        validate_parameter_constraints(
            PARAMETER_CONSTRAINTS, {"model": model}, "sweep_models"
        )
    if len(models) < 2:
        raise ValueError(
            f"sweep_models compares models; got {len(models)}. Give two or "
            "more, or call layer_sweep with one model."
        )
    if kwargs.get("random_state", 0) is None:
        raise ValueError(
            "sweep_models compares the models on the same folds, which "
            "random_state=None would draw anew for each: give an int."
        )
    if not isinstance(texts, str | bytes):  # a generator runs once
        texts = list(texts)
    test = kwargs.get("test")
    if test is not None and len(test) == 2 and not isinstance(test[0], str):
        kwargs["test"] = (list(test[0]), test[1])
    labels = np.asarray(labels)
    results = [
        run_sweep(texts, labels, SweepConfig(model=model, **kwargs)) for model in models
    ]
    if names is None:
        names = unique([short_name(m) for m in models])
    return compare_sweeps(results, names=names)
