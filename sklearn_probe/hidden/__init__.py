"""The engine: texts in, pooled hidden states out.

:class:`HiddenStateTransformer` is the scikit-learn face of it. Behind it, one
private module a job: model loading (``_models``), fingerprints of models and
signatures of their folders (``_fingerprint``), one forward pass pooling every
layer (``_extract``, ``_pooling``; every pooling at once: ``_one_pass``), what
the transformers keep in the vector store (``_caching``; the store itself is
:mod:`sklearn_probe.store`), the checks on raw-text input
(``_validation``) and the warnings, which point at the caller's line
(``_warnings``).
:class:`WordHiddenStateTransformer` does the same for words, spans and pairs of
spans of pre-split sentences (``_words``), aligned to subword tokens through the
tokenizer's word ids (``_align``). Nothing here knows of probes, sweeps or
pictures.
"""

from ..store import (
    ReadOnlyStoreWarning,
    cache_info,
    compact_cache,
    set_memory_cache_limit,
    verify_cache,
)
from ._caching import clear_cache
from ._transformer import HiddenStateTransformer, PoolingWarning, TruncationWarning
from ._word_inputs import sentence_groups
from ._words import WordHiddenStateTransformer

__all__ = [
    "HiddenStateTransformer",
    "PoolingWarning",
    "ReadOnlyStoreWarning",
    "TruncationWarning",
    "WordHiddenStateTransformer",
    "cache_info",
    "clear_cache",
    "compact_cache",
    "sentence_groups",
    "set_memory_cache_limit",
    "verify_cache",
]
