"""``layer_sweep(model=[...])``: every model swept on the same folds, compared.

:func:`sweep_models` runs :func:`~sklearn_probe.layer_sweep` once per model with
the same arguments (so the same folds) and returns
:func:`~sklearn_probe.compare_sweeps`' comparison; :func:`short_name` is how a
model is named in its tables and legends.
"""

import numpy as np

from ..utils._names import short_name, unique
from ._compare import compare_sweeps


def sweep_models(sweep, arguments):
    """``layer_sweep(model=[...])``: one sweep per model on the same folds,
    compared (:func:`compare_sweeps`); ``sweep`` is ``layer_sweep``."""
    models = list(arguments.pop("model"))
    if len(models) < 2:
        raise ValueError(
            "The 'model' parameter of layer_sweep is a list of "
            f"{len(models)} model; give one model as a str, or several to compare."
        )
    if arguments["random_state"] is None:
        raise ValueError(
            "layer_sweep(model=[...]) compares the models on the same folds, "
            "which random_state=None would draw anew for each: give an int."
        )
    texts = arguments.pop("texts")
    if not isinstance(texts, str | bytes):  # a generator runs once
        texts = list(texts)
    test = arguments["test"]
    if test is not None and len(test) == 2 and not isinstance(test[0], str):
        arguments["test"] = (list(test[0]), test[1])
    labels = np.asarray(arguments.pop("labels"))
    results = [sweep(texts, labels, model=model, **arguments) for model in models]
    return compare_sweeps(results, names=unique([short_name(m) for m in models]))
