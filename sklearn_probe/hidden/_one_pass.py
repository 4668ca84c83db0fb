"""Every reading of a text (site x pooling x token selection) from one forward pass.

A sweep over poolings, sites or token selections asks for the same texts
under several readings, and each ``(site, pooling, tokens)`` is its own cache
key (its vectors are other numbers). Rather than one forward pass per reading,
:func:`cache_readings` runs every text that some reading lacks through the
model once, reads every site asked for in that pass (hooks, :mod:`._sites`),
pools each every way asked for over every token selection asked for
(:mod:`._token_pass`: the selections of the same texts share the model's
input), and caches each reading under its own key, in memory and in the
transformer's store, exactly as a transform with that site, pooling and
selection would have. :func:`cache_poolings` is the same for the poolings of
the transformer's own site.
"""

from sklearn.base import clone

from ._token_pass import reading_triples
from ._transformer import fitted


def cache_readings(transformer, texts, readings):
    """Cache the vectors of ``texts`` under every ``(site, pooling)`` or
    ``(site, pooling, tokens)`` of ``readings`` (a pair: the transformer's
    ``tokens``).

    ``transformer`` is a fitted :class:`~sklearn_probe.HiddenStateTransformer`
    (its site, head and pooling are not used). Each text goes through the
    model at most once: the texts that the first reading lacks are computed
    with every reading, then those the second lacks (cached under the first)
    with the second and the ones after it, and so on. Returns the number of
    texts run through the model.
    """
    readings = list(dict.fromkeys(reading_triples(transformer, readings)))
    computed = [0]

    def count(n):
        computed[0] += n

    for i, (site, pooling, tokens) in enumerate(readings):
        step = clone(transformer).set_params(
            site=site, head=None, pooling=pooling, layer=-1, tokens=tokens
        )
        step = fitted(step)
        step._all_layer_vectors(
            list(texts), step.layers_, also=readings[i + 1 :], on_compute=count
        )
    return computed[0]


def cache_poolings(transformer, texts, poolings):
    """Cache the vectors of ``texts`` under every pooling of ``poolings``, at
    the transformer's site (see :func:`cache_readings`). Returns the number of
    texts run through the model."""
    return cache_readings(transformer, texts, [(transformer.site, p) for p in poolings])
