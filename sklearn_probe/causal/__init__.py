"""Does the model use what a probe finds? Erasure of a concept from vectors.

:class:`ConceptEraser` (``_erasure``) fits LEACE, the least-squares optimal
linear concept eraser, as a scikit-learn transformer: put it before a probe in
a pipeline and the probe scores at chance, with the vectors moved as little as
any linear erasure can move them.
"""

from ._erasure import ConceptEraser

__all__ = ["ConceptEraser"]
