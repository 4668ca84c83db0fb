"""Does the model use what a probe finds? Erasure of a concept from vectors.

:class:`ConceptEraser` (``_erasure``) fits LEACE, the least-squares optimal
linear concept eraser, as a scikit-learn transformer: put it before a probe in
a pipeline and the probe scores at chance, with the vectors moved as little as
any linear erasure can move them.

:class:`NeuronSelector` (``_neurons``) ranks single units by their weight in
an elastic-net probe and keeps the top ones; :func:`neuron_curve` scores a
probe on the top-k, bottom-k and random k units on the same folds.
"""

from ._erasure import ConceptEraser
from ._neurons import NeuronSelector, neuron_curve

__all__ = ["ConceptEraser", "NeuronSelector", "neuron_curve"]
