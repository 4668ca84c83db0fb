"""The engine: texts in, pooled hidden states out.

:class:`HiddenStateTransformer` is the scikit-learn face of it. Behind it, one
private module a job: model loading and fingerprints (``_models``), one forward
pass pooling every layer (``_extract``, ``_pooling``), the cache of pooled
vectors in memory and on disk (``_cache``), and the checks on raw-text input
(``_validation``). Nothing here knows of probes, sweeps or pictures.
"""

from ._cache import clear_cache, set_memory_cache_limit
from ._transformer import HiddenStateTransformer, TruncationWarning

__all__ = [
    "HiddenStateTransformer",
    "TruncationWarning",
    "clear_cache",
    "set_memory_cache_limit",
]
