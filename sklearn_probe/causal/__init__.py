"""Does the model use what a probe finds? Erasure of a concept from vectors.

:class:`ConceptEraser` (``_erasure``) fits LEACE, the least-squares optimal
linear concept eraser, as a scikit-learn transformer: put it before a probe in
a pipeline and the probe scores at chance, with the vectors moved as little as
any linear erasure can move them.

:class:`NeuronSelector` (``_neurons``) ranks single units by their weight in
an elastic-net probe and keeps the top ones; :func:`neuron_curve` scores a
probe on the top-k, bottom-k and random k units on the same folds.

:func:`intervene` (``_interventions``) edits the residual stream at one layer
for the rest of a forward pass (:func:`erase`, :func:`steer`,
:func:`zero_units`), through a hook removed when the ``with`` block ends.

:func:`causal_sweep` (``_sweep``) erases the probed property at each layer on
the folds of the probe and measures what changes (amnesic probing of later
layers, the model's behaviour), beside random subspaces of the same rank;
it returns a :class:`CausalSweepResult`. :func:`steering_curve` and
:func:`unit_ablation` (``_effects``) measure a behaviour along a steering
scale, and with chosen units zeroed, each beside its random control.
"""

from ._effects import steering_curve, unit_ablation
from ._erasure import ConceptEraser
from ._interventions import (
    erase,
    intervene,
    random_directions,
    steer,
    transformer_blocks,
    zero_units,
)
from ._neurons import NeuronSelector, neuron_curve
from ._sweep import CausalSweepResult, causal_sweep, control_seed

__all__ = [
    "CausalSweepResult",
    "ConceptEraser",
    "NeuronSelector",
    "causal_sweep",
    "control_seed",
    "erase",
    "intervene",
    "neuron_curve",
    "random_directions",
    "steer",
    "steering_curve",
    "transformer_blocks",
    "unit_ablation",
    "zero_units",
]
