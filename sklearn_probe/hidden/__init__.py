"""The engine: texts in, pooled hidden states out.

:class:`HiddenStateTransformer` is the scikit-learn face of it. Behind it, one
private module a job: the base class of both transformers, holding their
shared parameters and docs (``_base``), model loading (``_models``, reading
checkpoints in ``_checkpoint``), fingerprints of models and signatures of their
folders (``_fingerprint``), the one forward pass of texts and words alike
(``_forward``: autocast, layers spread over devices), pooling every layer of
texts (``_extract``, ``_pooling``; every pooling at once: ``_one_pass``), what
the transformers keep in the vector store (``_caching``; the store itself is
:mod:`sklearn_probe.store`), the checks on raw-text input
(``_validation``) and the warnings, which point at the caller's line
(``_warnings``).
:class:`WordHiddenStateTransformer` does the same for words, spans and pairs of
spans of pre-split sentences (``_words``), aligned to subword tokens through the
tokenizer's word ids (``_align``), their vectors gathered by array indexing
(``_word_extract``). Nothing here knows of probes, sweeps or
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
from ._models import loaded_model_count
from ._pooling import POOLINGS
from ._transformer import HiddenStateTransformer, PoolingWarning, TruncationWarning
from ._word_extract import SUBWORDS
from ._word_inputs import sentence_groups
from ._words import WordHiddenStateTransformer

__all__ = [
    "POOLINGS",
    "SUBWORDS",
    "HiddenStateTransformer",
    "PoolingWarning",
    "ReadOnlyStoreWarning",
    "TruncationWarning",
    "WordHiddenStateTransformer",
    "cache_info",
    "clear_cache",
    "compact_cache",
    "loaded_model_count",
    "sentence_groups",
    "set_memory_cache_limit",
    "verify_cache",
]
