"""The storage engine: pooled vectors kept by key, in memory and on disk.

Nothing here knows of models: an entry is the ``(n_layers, width)`` array of
one text under an *extraction key* that the caller computes
(:func:`extraction_key`). One private module a job: the keyed vector cache
(``_cache``: memory first, then the disk store, computing only what both lack),
the process-wide in-memory cache (``_memory``), the disk store of one key
(``_store``: index, validation, quarantine) in shards (``_shard``), claims on
texts being computed (``_claims``), compaction and eviction (``_compact``),
whole-store operations behind ``sklearn-probe cache`` (``_admin``), file
systems (``_fs``: local, fsspec) and where a ``cache_dir`` lives
(``_location``). Imports neither torch nor transformers.
"""

from ._admin import cache_info, clear_disk_cache, compact_cache, verify_cache
from ._cache import (
    CHUNK_SIZE,
    cached_vectors,
    extraction_key,
    missing_texts,
    open_store,
    store_metadata,
    text_digest,
)
from ._location import resolve as resolve_cache_dir
from ._memory import (
    DEFAULT_LIMIT,
    MEMORY,
    MemoryCache,
    clear_memory_cache,
    set_memory_cache_limit,
)
from ._problems import ReadOnlyStoreWarning, StoreUnavailableWarning
from ._store import Store

__all__ = [
    "CHUNK_SIZE",
    "DEFAULT_LIMIT",
    "MEMORY",
    "MemoryCache",
    "ReadOnlyStoreWarning",
    "Store",
    "StoreUnavailableWarning",
    "cache_info",
    "cached_vectors",
    "clear_disk_cache",
    "clear_memory_cache",
    "compact_cache",
    "extraction_key",
    "missing_texts",
    "open_store",
    "resolve_cache_dir",
    "set_memory_cache_limit",
    "store_metadata",
    "text_digest",
    "verify_cache",
]
