"""The engine: texts in, pooled hidden states out.

:class:`HiddenStateTransformer` is the scikit-learn face of it. Behind it, one
private module a job: the base class of both transformers, holding their
shared parameters and docs (``_base``), model loading (``_models``, reading
checkpoints in ``_checkpoint``), fingerprints of models and signatures of their
folders (``_fingerprint``), the one forward pass of texts and words alike
(``_forward``: autocast, layers spread over devices), pooling every layer of
texts (``_extract``, ``_pooling``; every pooling and site at once:
``_one_pass``), the sites inside a block and their hooks (``_sites``), the
tokens pooled (``_tokens``; conversations rendered in ``_chat``), what
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
from ._models import BUNDLED_MODELS as BUNDLED_MODELS
from ._models import causal_config as causal_config
from ._models import load_model as load_model
from ._models import loaded_model_count
from ._one_pass import cache_poolings as cache_poolings
from ._one_pass import cache_readings as cache_readings
from ._pooling import POOLINGS
from ._pooling import pool as pool
from ._sites import SITES
from ._sites import transformer_blocks as transformer_blocks
from ._token_states import TOKENS as TOKENS
from ._token_states import TokenStatesWarning, cache_token_states
from ._tokens import parse_tokens as parse_tokens
from ._tokens import select_tokens as select_tokens
from ._transformer import HiddenStateTransformer
from ._transformer import fitted as fitted
from ._validation import check_texts as check_texts
from ._validation import resolve_layers as resolve_layers
from ._warnings import PoolingWarning, TruncationWarning
from ._word_extract import SUBWORDS
from ._word_inputs import check_word_samples as check_word_samples
from ._word_inputs import sentence_groups
from ._words import WordHiddenStateTransformer

__all__ = [
    "POOLINGS",
    "SITES",
    "SUBWORDS",
    "TokenStatesWarning",
    "HiddenStateTransformer",
    "PoolingWarning",
    "ReadOnlyStoreWarning",
    "TruncationWarning",
    "WordHiddenStateTransformer",
    "cache_info",
    "cache_token_states",
    "clear_cache",
    "compact_cache",
    "loaded_model_count",
    "sentence_groups",
    "set_memory_cache_limit",
    "verify_cache",
]
# Importable from here, not user API: load_model, BUNDLED_MODELS, fitted,
# cache_poolings, cache_readings, transformer_blocks, check_texts,
# resolve_layers, check_word_samples, parse_tokens and select_tokens (the token
# selection's ids and masks), causal_config and pool (what the sweep, the
# pictures, the baselines, the causal tools, the command and the cluster
# workers use of the engine).
