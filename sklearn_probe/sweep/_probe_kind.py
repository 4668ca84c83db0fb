"""What a sweep's probe reads: pooled vectors, or each text's token states.

A probe that pools for itself (:class:`~sklearn_probe.AttentionProbe`) is
trained on every text's token states, so the sweep's ``hidden`` step runs in
its per-token mode (``pooling="tokens"``). :func:`named_probe` turns a probe's
name (``probe="attention"``) into the estimator; :func:`probe_poolings`
decides, once for the sweep, which pooling the ``hidden`` step uses, and
refuses what a per-token sweep cannot do, before anything runs.
"""

from sklearn.base import clone

from ..hidden import TOKENS, cache_readings, cache_token_states, fitted

#: ``layer_sweep(probe=...)`` and ``--probe`` names -> what they build.
PROBE_NAMES = ("linear", "attention")


def named_probe(name, task, random_state):
    """The probe called ``name``: the task's default (``"linear"``) or
    :class:`~sklearn_probe.AttentionProbe` (``"attention"``)."""
    from ..probe import AttentionProbe

    if name == "attention":
        return AttentionProbe(random_state=random_state)
    if name == "linear":
        return task.default_probe(random_state)
    raise ValueError(
        f"The 'probe' parameter of layer_sweep names {name!r}; the names are "
        f"{list(PROBE_NAMES)}, or pass a scikit-learn estimator."
    )


def takes_token_states(probe):
    """Whether ``probe`` reads each text's token states (pools for itself)."""
    from ..probe import AttentionProbe

    return isinstance(probe, AttentionProbe)


def probe_poolings(probes, poolings, *, unit, config):
    """The sweep's poolings: ``["tokens"]`` for a probe that pools for itself
    (after checking that the sweep can run it), else ``poolings`` as given."""
    tokens = [takes_token_states(p) for p in probes]
    if not any(tokens):
        return poolings
    if not all(tokens):
        raise ValueError(
            "The 'probe' parameter of layer_sweep mixes a probe that pools for "
            "itself (AttentionProbe, trained on each text's token states) with "
            "probes of pooled vectors: sweep them apart, with the same "
            "random_state and cv (the same folds), and compare the results."
        )
    _refuse(unit, poolings, config)
    return [TOKENS]


def _refuse(unit, poolings, config):
    """What a sweep of a probe that pools for itself cannot do, said at once."""
    if unit.has_word_types:
        raise ValueError(
            f"probe=AttentionProbe pools the tokens of whole texts; with "
            f"unit={unit.name!r} each sample is a word pooled over its subwords. "
            "Use unit='text', or a probe of pooled vectors (ProbeClassifier)."
        )
    if list(poolings) != ["auto"]:
        raise ValueError(
            f"pooling={poolings if len(poolings) > 1 else poolings[0]!r} with "
            "probe=AttentionProbe: that probe pools each text's tokens itself "
            "(learned attention), so the hidden states are not pooled. Leave "
            "pooling='auto'."
        )
    swept = [
        k for k in config.param_grid or {} if k in ("hidden__site", "hidden__head")
    ]
    if swept:
        raise ValueError(
            f"param_grid sweeps {swept[0]!r} with probe=AttentionProbe, whose "
            "token states are read from the residual stream only: drop it, or "
            "sweep sites with a probe of pooled vectors."
        )
    from ..distributed import active_backend

    if config.n_jobs not in (None, 1) or active_backend() is not None:
        raise ValueError(
            "probe=AttentionProbe reads token states that this process keeps in "
            "memory (the disk store holds pooled vectors only): parallel "
            "workers would run the model again for every fold. Use n_jobs=1 "
            "(or None) outside a distributed joblib backend."
        )


def warm_texts(readings, layers):
    """``warm(transformer, texts)``: one forward pass per text that the cache
    lacks, keeping the vectors of every ``(site, pooling, tokens)`` of
    ``readings``, or for the ``"tokens"`` pooling the token states of
    ``layers`` (and the mean-pooled vectors the pictures show), one pass per
    token selection."""
    pairs = list(dict.fromkeys((site, pooling) for site, pooling, _ in readings))
    if [pooling for _, pooling in pairs] == [TOKENS]:
        selections = list(dict.fromkeys(tokens for _, _, tokens in readings))

        def warm(transformer, texts):
            for tokens in selections:
                step = transformer
                if tokens != transformer.tokens:
                    step = fitted(clone(transformer).set_params(tokens=tokens))
                cache_token_states(step, texts, layers)

        return warm
    return lambda transformer, texts: cache_readings(transformer, texts, readings)
