"""Probe the hidden states of transformer language models with scikit-learn.

The two estimators chain into an ordinary scikit-learn pipeline::

    Pipeline([("hidden", HiddenStateTransformer(model=..., layer=3)),
              ("probe", ProbeClassifier())])

torch and transformers are imported only when a model is loaded or a probe is
fitted, so ``import sklearn_probe`` stays fast.
"""

from ._cache import clear_cache, set_memory_cache_limit
from ._hidden import HiddenStateTransformer, TruncationWarning
from ._probe import ProbeClassifier
from .plotting import plot_tsne

__version__ = "0.1.0"

__all__ = [
    "HiddenStateTransformer",
    "ProbeClassifier",
    "TruncationWarning",
    "clear_cache",
    "plot_tsne",
    "set_memory_cache_limit",
    "__version__",
]
