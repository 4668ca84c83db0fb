"""Probes: small classifiers trained on fixed vectors, as scikit-learn estimators.

:class:`ProbeClassifier` (``_classifier``) trains the torch module of
``_module`` on the mini-batches of ``_batches``. torch is imported only when a
probe is fitted.
"""

from ._classifier import ProbeClassifier

__all__ = ["ProbeClassifier"]
