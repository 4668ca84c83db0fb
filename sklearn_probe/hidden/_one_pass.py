"""Every pooling of a text from one forward pass.

A sweep over poolings asks for the same texts under several poolings, and each
pooling is its own cache key (its vectors are other numbers). Rather than one
forward pass per pooling, :func:`cache_poolings` runs every text that some
pooling lacks through the model once, pools that pass every way asked for, and
caches each pooling under its own key, in memory and in the transformer's
store, exactly as a transform with that pooling would have.
"""

from sklearn.base import clone

from ._transformer import fitted


def cache_poolings(transformer, texts, poolings):
    """Cache the vectors of ``texts`` under every pooling of ``poolings``.

    ``transformer`` is a fitted :class:`~sklearn_probe.HiddenStateTransformer`
    (its pooling is not used). Each text goes through the model at most once:
    the texts that the first pooling lacks are computed with every pooling,
    then those the second lacks (cached under the first) with the second and
    the ones after it, and so on. Returns the number of texts run through the
    model.
    """
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
