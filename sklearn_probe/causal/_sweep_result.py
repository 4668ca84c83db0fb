"""What :func:`~sklearn_probe.causal.causal_sweep` returns."""

from dataclasses import dataclass, field

import numpy as np
import pandas as pd


@dataclass(kw_only=True)
class CausalSweepResult:
    """What erasing the property at each layer did, beside its control.

    Attributes
    ----------
    scores : pandas.DataFrame
        One row per erased layer: ``layer``, ``probe_score`` (the probe's
        cross-validated score on the unedited vectors), ``rank`` (directions
        erased), ``effect`` (drop of the measure below after erasure, mean over
        folds), ``control_mean``, ``control_low``, ``control_high`` (the same
        drop for the random subspaces: mean, lowest and highest over draws),
        ``after`` and ``control_after`` (the measure itself after erasure),
        ``amnesic_score`` and ``amnesic_control`` (the probe's score at the
        last probed layer after erasure, when amnesic probing ran),
        ``rank_by_effect`` and ``rank_by_probe`` (1 = largest).
    amnesic : pandas.DataFrame
        One row per erased layer and probed layer (at or after it):
        ``erased_layer``, ``probed_layer``, ``plain`` (the probe's score
        without erasure), ``score`` (after it), ``control_mean``,
        ``control_low``, ``control_high``. Empty without amnesic probing.
    measure : str
        What ``effect`` is a drop of: ``"behaviour"`` or ``"probe at layer
        N"`` (amnesic probing of the last layer, without a behaviour).
    before : float
        That measure without erasure (mean over folds).
    chance : float
        The probe's chance: the most frequent training class's share of each
        validation fold, averaged.
    n_splits, n_controls : int
    pooling : str
    settings : dict
        The arguments that shaped the run.
    fold_effects : ndarray of shape (n_layers, n_splits)
        The effect per layer and fold.
    """

    scores: pd.DataFrame
    amnesic: pd.DataFrame
    measure: str
    before: float
    chance: float
    n_splits: int
    n_controls: int
    pooling: str
    settings: dict = field(default_factory=dict)
    fold_effects: np.ndarray = field(default=None, repr=False)

    @property
    def layer_by_effect(self):
        """The layer whose erasure changes the measure most."""
        return int(self.scores.loc[self.scores["effect"].idxmax(), "layer"])

    @property
    def layer_by_probe(self):
        """The layer whose probe scores highest (the sweep's best layer)."""
        return int(self.scores.loc[self.scores["probe_score"].idxmax(), "layer"])
