"""The random-weights baseline as a model folder, to compare like a checkpoint."""

import os
from pathlib import Path

from sklearn.base import clone


def save_random_weights(model, path, *, random_state=0):
    """Save an untrained twin of ``model``: same architecture and tokenizer,
    weights drawn afresh from ``random_state``.

    They are the weights of ``HiddenStateTransformer(model, weights="random",
    random_state=random_state)`` (the ``"random_weights"`` baseline of
    :func:`~sklearn_probe.layer_sweep`), written with ``save_pretrained``, so
    the twin goes wherever a model folder goes: ``layer_sweep(model=[model,
    path])`` or :func:`~sklearn_probe.compare_sweeps` set it beside the
    pretrained model on the same folds, with paired tests.

    Parameters
    ----------
    model : str or path-like
        A hub name, a local model folder, or ``"minilm"`` (bundled, offline).
    path : str or path-like
        The folder to write (created; files of the same names are replaced).
    random_state : int, default=0
        Seeds the weights.

    Returns
    -------
    pathlib.Path
        ``path``.

    Examples
    --------
    >>> from sklearn_probe.baselines import save_random_weights
    >>> save_random_weights("minilm", "minilm-random")  # doctest: +SKIP
    PosixPath('minilm-random')
    """
    from ..hidden import load_model

    if not isinstance(random_state, int) or isinstance(random_state, bool):
        raise ValueError(
            "The 'random_state' parameter of save_random_weights must be an int. "
            f"Got {random_state!r} instead."
        )
    loaded = load_model(model, "cpu", random_init_seed=random_state)
    path = Path(os.path.expanduser(path))
    path.mkdir(parents=True, exist_ok=True)
    loaded.model.save_pretrained(path)
    loaded.tokenizer.save_pretrained(path)
    return path


def random_hidden_params(random_state):
    """The ``hidden`` step's parameters of the random-weights model."""
    return {"weights": "random", "random_state": random_state}


def random_weights_search(pipe, candidates, texts, y, *, unit, random_state):
    """The random-weights baseline's search: the sweep's pipeline and
    candidates with the ``hidden`` step's weights drawn afresh."""
    params = random_hidden_params(random_state)
    estimator = clone(pipe).set_params(
        **{f"hidden__{key}": value for key, value in params.items()}
    )
    return estimator, candidates, y
