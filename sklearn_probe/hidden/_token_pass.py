"""Every reading of a text (site x pooling x token selection) from one pass.

A token selection (``tokens=``, :mod:`._tokens`) changes which tokens are
pooled, not what the model reads: the plain-text selections (``"all"``,
``"first"``, ``"last"``, ``"first:n"``, ``"last:n"``, ``"regex:..."``) of the
same texts tokenise them to the same ids, and the conversation selections of
the same conversations (every role, every message, ``"all"``) tokenise the
same rendering (the chat template renders the whole conversation whichever
role is selected, :func:`._chat.render`). So one forward pass serves them all:
:func:`compute_readings` runs a chunk of texts through the model once, pools
every site and pooling over each selection's mask, and caches every reading
under the key a transform with that site, pooling and selection would use.
"""

import numpy as np

from ._extract import forward_pooled, pad_batch, plan_batches, tokenize
from ._tokens import TokenInputs, pad_masks, parse_tokens


def reading_triples(transformer, also):
    """``(site, pooling, tokens)`` of every reading of ``also``: a pooling
    alone is at the transformer's site, a ``(site, pooling)`` pair with its
    selection; the selection as its cache key spells it (``"first:1"`` is
    ``"first"``)."""
    own = getattr(transformer, "tokens", "all")
    out = []
    for reading in also:
        if isinstance(reading, str):
            reading = (transformer.site, reading)
        site, pooling, *tokens = reading
        out.append((site, pooling, str(parse_tokens(tokens[0] if tokens else own))))
    return out


def compute_readings(transformer, loaded, inputs, asked, chunk, bar):
    """``(vectors, n_truncated)``: the vectors of ``chunk`` under the first
    reading of ``asked`` (``(site, pooling, tokens)`` triples), from one
    forward pass that caches every other reading under its own key
    (:func:`._caching.keep_pooled`). ``inputs`` is the transformer's
    :class:`~._tokens.TokenInputs` of the samples; ``bar`` a progress bar."""
    from ._caching import keep_pooled
    from ._extract import extract  # looked up at call time (tests count calls)

    own, others = asked[0], asked[1:]
    common = {
        "max_length": transformer.max_length_,
        "batch_size": transformer.batch_size,
        "progress": bar,
        "dtype": transformer.dtype,
    }
    plain_all = not inputs.conversations and inputs.selection.kind == "all"
    encode = None if plain_all else inputs.encode
    if not others and transformer.site == "residual":
        return extract(loaded, chunk, pooling=own[1], encode=encode, **common)
    poolings = list(dict.fromkeys(p for _, p, _ in asked))
    sites = list(dict.fromkeys(s for s, _, _ in asked))
    selections = list(dict.fromkeys(t for _, _, t in asked))
    modules = transformer.site_modules
    if len(selections) == 1:
        pooled, n_cut = extract(
            loaded,
            chunk,
            pooling=poolings,
            sites=sites,
            site_modules=modules,
            encode=encode,
            **common,
        )
        vectors = {(s, p, own[2]): v for (s, p), v in pooled.items()}
    else:
        encodes = _encodes(loaded, inputs, selections)
        vectors, n_cut = extract_selections(
            loaded, chunk, encodes, poolings, sites, site_modules=modules, **common
        )
        _warn_shortened(transformer, loaded, encodes, n_cut, len(chunk))
    for site, pooling, tokens in others:
        keep_pooled(
            transformer,
            pooling,
            chunk,
            vectors[(site, pooling, tokens)],
            site=site,
            conversations=inputs.conversations,
            tokens=tokens,
        )
    return vectors[own], n_cut


def _encodes(loaded, inputs, selections):
    """Selection -> its :class:`~._tokens.TokenInputs` over the samples of
    ``inputs`` (the first selection: ``inputs`` itself), or None for every
    token of plain texts (the ids of :func:`._extract.tokenize`, as a
    transform with ``tokens="all"`` reads them)."""
    out = {}
    for i, tokens in enumerate(selections):
        selection = parse_tokens(tokens)
        if selection.kind == "all" and not inputs.conversations:
            out[tokens] = None
        elif i == 0:
            out[tokens] = inputs
        else:
            out[tokens] = TokenInputs(loaded.tokenizer, inputs.samples, selection)
    return out


def shared_inputs(loaded, texts, encodes, max_length):
    """``(ids, masks, n_truncated)``: the token ids of ``texts``, the same
    under every selection of ``encodes`` (checked), and per selection a list
    of boolean masks of its tokens (:meth:`~._tokens.TokenInputs.encode`)."""
    ids, masks, n_truncated = None, {}, 0
    for tokens, prepared in encodes.items():
        if prepared is None:
            these, n_truncated = tokenize(loaded, texts, max_length)
            chosen = [np.ones(len(seq), dtype=bool) for seq in these]
        else:
            these, chosen, n_truncated = prepared.encode(texts, max_length)
        if ids is None:
            ids = [list(seq) for seq in these]
        elif [list(seq) for seq in these] != ids:
            raise RuntimeError(
                f"tokens={tokens!r} tokenises the texts to other ids than "
                f"tokens={next(iter(encodes))!r}, so the two selections cannot "
                "share a forward pass. Transform with each selection on its own."
            )
        masks[tokens] = chosen
    return ids, masks, n_truncated


def extract_selections(
    loaded,
    texts,
    encodes,
    poolings,
    sites,
    *,
    max_length,
    batch_size,
    progress=None,
    dtype="float32",
    site_modules=None,
):
    """Pooled vectors of ``texts`` at every site of ``sites``, in every
    pooling of ``poolings``, over every selection of ``encodes`` (selection
    -> :class:`~._tokens.TokenInputs` or None, see :func:`_encodes`), from
    one forward pass (batched as :func:`._extract.extract` batches).

    Returns ``(vectors, n_truncated)``: ``vectors`` a dict ``(site, pooling,
    tokens)`` -> ``(len(texts), rows, width)`` array.
    """
    import torch

    from ._forward import DTYPES
    from ._sites import site_shape

    ids, masks, n_truncated = shared_inputs(loaded, texts, encodes, max_length)
    order = [(t, p) for t in encodes for p in poolings]
    out = {
        site: np.empty(
            (len(order), len(texts), *site_shape(loaded, site, site_modules)),
            dtype=DTYPES[dtype][0],
        )
        for site in sites
    }
    side = loaded.tokenizer.padding_side
    for rows in plan_batches([len(seq) for seq in ids], batch_size):
        input_ids, mask = pad_batch(loaded, [ids[i] for i in rows])
        selected = torch.stack(
            [
                pad_masks([masks[t][i] for i in rows], input_ids.shape[1], side)
                for t in encodes
            ]
        )
        pooled = forward_pooled(
            loaded,
            input_ids,
            mask,
            poolings,
            dtype,
            (tuple(sites), site_modules),
            selected=selected,
        )
        for site in sites:
            out[site][:, rows] = pooled[site]
        if progress is not None:
            progress.update(len(rows))
    return {
        (site, p, t): out[site][k] for site in sites for k, (t, p) in enumerate(order)
    }, n_truncated


def _warn_shortened(transformer, loaded, encodes, n_truncated, n_texts):
    """The truncation warning of each selection after the first whose
    samples lost some of their selected tokens (the transformer warns of its
    own)."""
    from ._warnings import warn_truncated

    for tokens, prepared in list(encodes.items())[1:]:
        if n_truncated and prepared is not None and prepared.n_shortened:
            warn_truncated(
                n_truncated,
                n_texts,
                prepared.n_shortened,
                transformer.max_length_,
                loaded.max_positions,
                tokens,
            )
