"""What the transformers keep in the vector store (:mod:`sklearn_probe.store`).

The store knows nothing of models; this module is where a fitted transformer's
extraction key meets it: vectors computed under every pooling at once are kept
under each pooling's key, and :func:`clear_cache` empties the in-memory cache
and forgets the loaded models.
"""

from ..store import MEMORY, clear_memory_cache, open_store, text_digest
from ._models import clear_loaded_models


def clear_cache():
    """Empty the in-memory cache of pooled vectors and forget loaded models.

    Disk caches (``cache_dir``) are left alone: ``sklearn-probe cache clear``
    empties one.
    """
    clear_memory_cache()
    clear_loaded_models()


def keep_pooled(
    transformer, pooling, texts, vectors, site=None, *, conversations=False, tokens=None
):
    """Cache ``vectors`` (all layers of ``texts``) under ``pooling`` (at
    ``site``; None: the transformer's; ``conversations``: ``texts`` are
    rendered conversations; ``tokens``: the selection, None: the
    transformer's).

    Only what the cache lacks is added: texts already in memory stay as they
    are, and the store gets one shard of the texts it does not hold.
    """
    loaded = transformer._get_loaded()
    key, description = transformer._extraction_key(
        pooling, loaded, site, conversations=conversations, tokens=tokens
    )
    if MEMORY.limit_bytes > 0:
        for text, value in zip(texts, vectors, strict=True):
            if MEMORY.get(key, text) is None:
                MEMORY.put(key, text, value.copy())
    store = open_store(
        transformer.cache_dir,
        key,
        description,
        vectors.shape[1:],
        mode=transformer.cache_mode,
    )
    if store is None or not store.writable:
        return
    unique = list(dict.fromkeys(texts))
    first = {text: i for i, text in reversed(list(enumerate(texts)))}
    digests = [text_digest(t) for t in unique]
    absent = ~store.contains(digests)
    if absent.any():
        rows = [first[t] for t, lacking in zip(unique, absent, strict=True) if lacking]
        store.write(
            [d for d, lacking in zip(digests, absent, strict=True) if lacking],
            vectors[rows],
        )
