"""Every pooling of a text from one forward pass.

A sweep over poolings asks for the same texts under several poolings, and each
pooling is its own cache key (its vectors are other numbers). Rather than one
forward pass per pooling, :func:`cache_poolings` runs every text that some
pooling lacks through the model once, pools that pass every way asked for, and
caches each pooling under its own key, in memory and in the transformer's
store, exactly as a transform with that pooling would have.
"""

from sklearn.base import clone

from ._cache import MEMORY, open_store, text_digest


def keep_pooled(transformer, pooling, texts, vectors):
    """Cache ``vectors`` (all layers of ``texts``) under ``pooling``.

    Only what the cache lacks is added: texts already in memory stay as they
    are, and the store gets one shard of the texts it does not hold.
    """
    loaded = transformer._get_loaded()
    key, description = transformer._extraction_key(pooling, loaded)
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


def cache_poolings(transformer, texts, poolings):
    """Cache the vectors of ``texts`` under every pooling of ``poolings``.

    ``transformer`` is a fitted :class:`~sklearn_probe.HiddenStateTransformer`
    (its pooling is not used). Each text goes through the model at most once:
    the texts that the first pooling lacks are computed with every pooling,
    then those the second lacks (cached under the first) with the second and
    the ones after it, and so on. Returns the number of texts run through the
    model.
    """
    from ._transformer import fitted

    poolings = list(dict.fromkeys(poolings))
    computed = [0]

    def count(n):
        computed[0] += n

    for i, pooling in enumerate(poolings):
        step = fitted(clone(transformer).set_params(pooling=pooling, layer=0))
        step._all_layer_vectors(
            list(texts), [0], also=poolings[i + 1 :], on_compute=count
        )
    return computed[0]
