"""A behaviour under steering and under zeroed units, beside random controls.

:func:`steering_curve` adds ``scale`` times a direction (e.g. the difference
of the class means of a probed property) at one layer and measures a
behaviour of the model per scale, beside random directions of the same norm.
:func:`unit_ablation` zeroes the top-k units of a ranking (e.g.
:class:`NeuronSelector`'s ``ranking_``) at one layer, beside random sets of k
units. A behaviour is ``behaviour(model, rows) -> float`` as in
:func:`causal_sweep` (``rows`` is passed through: None for all the caller's
texts).
"""

import numpy as np
import pandas as pd

from ._interventions import intervene, random_directions, steer, zero_units
from ._sweep import control_seed


def _band(values):
    values = np.asarray(values, dtype=float)
    return {
        "control_mean": float(values.mean()),
        "control_low": float(values.min()),
        "control_high": float(values.max()),
    }


def steering_curve(
    model,
    layer,
    direction,
    scales,
    behaviour,
    *,
    rows=None,
    positions=-1,
    n_controls=5,
    random_state=0,
):
    """The behaviour as ``scale * direction`` is added at ``layer``.

    Parameters
    ----------
    model : transformers.PreTrainedModel
        The model, with the head the behaviour reads.
    layer : int
        Hidden state to steer (as in :func:`intervene`).
    direction : array-like of shape (width,)
        The direction, in the units of the states (not normalised).
    scales : iterable of float
        Multiples of ``direction`` to add.
    behaviour : callable
        ``behaviour(model, rows) -> float``.
    rows : array-like of int, default=None
        Passed to ``behaviour``.
    positions : int, sequence of int or None, default=-1
        Token positions steered (-1: the last, where a decoder predicts).
    n_controls : int, default=5
        Random directions of the same norm per scale (the control).
    random_state : int, default=0
        Seeds the random directions (draw ``d``:
        ``control_seed(random_state, layer, 0, d)``).

    Returns
    -------
    pandas.DataFrame
        One row per scale: ``scale``, ``value`` (along ``direction``),
        ``control_mean``, ``control_low``, ``control_high`` (along the random
        directions).
    """
    direction = np.asarray(direction, dtype=np.float64)
    norm = np.linalg.norm(direction)
    controls = [
        norm
        * random_directions(
            direction.shape[0], 1, random_state=control_seed(random_state, layer, 0, d)
        )[0]
        for d in range(n_controls)
    ]

    def measured(d, scale):
        with intervene(model, layer, steer(d, scale), positions=positions):
            return float(behaviour(model, rows))

    out = []
    for scale in scales:
        row = {"scale": float(scale), "value": measured(direction, scale)}
        row.update(_band([measured(c, scale) for c in controls]))
        out.append(row)
    return pd.DataFrame(out)


def unit_ablation(
    model,
    layer,
    ranking,
    ks,
    behaviour,
    *,
    rows=None,
    positions=None,
    n_random=5,
    random_state=0,
):
    """The behaviour with the top-k units of ``ranking`` zeroed, beside random k.

    Parameters
    ----------
    model : transformers.PreTrainedModel
        The model, with the head the behaviour reads.
    layer : int
        Hidden state whose units are zeroed (as in :func:`intervene`).
    ranking : array-like of int
        Units from the most to the least important (e.g.
        ``NeuronSelector().fit(X, y).ranking_``).
    ks : iterable of int
        How many units to zero.
    behaviour : callable
        ``behaviour(model, rows) -> float``.
    rows : array-like of int, default=None
        Passed to ``behaviour``.
    positions : int, sequence of int or None, default=None
        Token positions edited (None: all).
    n_random : int, default=5
        Random sets of k units per k (the control of the same count).
    random_state : int, default=0
        Seeds the random sets.

    Returns
    -------
    pandas.DataFrame
        One row per k: ``k``, ``before`` (nothing zeroed), ``top`` (the top-k
        zeroed), ``control_mean``, ``control_low``, ``control_high`` (random
        k zeroed).
    """
    ranking = np.asarray(ranking, dtype=np.int64)
    width = len(ranking)
    ks = [int(k) for k in ks]
    if not ks or min(ks) < 1 or max(ks) > width:
        raise ValueError(
            f"ks must be counts between 1 and the {width} ranked units; got {ks}."
        )
    rng = np.random.default_rng(random_state)

    def measured(units):
        with intervene(model, layer, zero_units(units), positions=positions):
            return float(behaviour(model, rows))

    before = float(behaviour(model, rows))
    out = []
    for k in ks:
        row = {"k": k, "before": before, "top": measured(ranking[:k])}
        draws = [rng.choice(width, k, replace=False) for _ in range(n_random)]
        row.update(_band([measured(units) for units in draws]))
        out.append(row)
    return pd.DataFrame(out)
