"""One pass of a model over texts, pooling every layer: ``(n_texts, n_layers, width)``.

Texts are tokenised once, sorted by length and cut into batches by a *token
budget* (rows x padded width), so that short texts travel in large batches and
long ones in small batches: padding stays small and the memory of a batch stays
about constant however much the lengths vary. Each batch runs through the one
forward pass of :mod:`._forward` (the words' too); every hidden state is
pooled, on its device and in every pooling asked for, into one ``(poolings,
batch, n_layers, width)`` tensor, which goes to the host in one transfer, and
the result lands in the caller's order. A sweep over poolings thus costs one pass.
Token-level tensors never outlive their batch, so memory grows with texts x
layers x width only.
"""

import math

import numpy as np

from . import _forward
from ._forward import DTYPES
from ._pooling import pool
from ._tokens import pad_masks

# Rows of one batch at most, as a multiple of ``batch_size``: a token budget alone
# would put thousands of one-token texts in one batch.
MAX_ROWS_FACTOR = 4


def tokenize(loaded, texts, max_length):
    """Token ids of every text, truncated to ``max_length``.

    Returns ``(ids, n_truncated)``. A text with no tokens at all (an empty string
    under a tokenizer that adds no special tokens) is given the tokenizer's BOS
    (or EOS) token, so that it still has a vector.
    """
    tokenizer = loaded.tokenizer
    ids = tokenizer(list(texts), truncation=False, verbose=False)["input_ids"]
    long = [i for i, seq in enumerate(ids) if len(seq) > max_length]
    if long:
        cut = tokenizer(
            [texts[i] for i in long], truncation=True, max_length=max_length
        )["input_ids"]
        for i, seq in zip(long, cut, strict=True):
            ids[i] = seq
    filler = tokenizer.bos_token_id
    if filler is None:
        filler = tokenizer.eos_token_id
    if filler is None:
        filler = loaded.pad_token_id
    ids = [seq if len(seq) else [filler] for seq in ids]
    return ids, len(long)


def plan_batches(lengths, batch_size, *, token_budget=None, sort=True):
    """Cut texts into batches; returns a list of index arrays into ``lengths``.

    With ``sort`` (the default) texts are taken shortest first and a batch grows
    while ``rows x longest`` stays within ``token_budget`` padded tokens (and
    rows within ``MAX_ROWS_FACTOR x batch_size``); a text longer than the budget
    goes alone. ``token_budget=None`` is ``batch_size`` times the mean length:
    as many batches as fixed batches of ``batch_size`` would give, but sized by
    what they cost. ``token_budget=0`` gives fixed batches of ``batch_size``.
    ``sort=False`` keeps the input order in fixed batches (for benchmarks).
    """
    lengths = np.asarray(lengths, dtype=np.int64)
    n = len(lengths)
    if not sort:
        order = np.arange(n)
        return [order[s : s + batch_size] for s in range(0, n, batch_size)]
    order = np.argsort(lengths, kind="stable")
    if token_budget == 0 or n == 0:
        return [order[s : s + batch_size] for s in range(0, n, batch_size)]
    if token_budget is None:
        token_budget = batch_size * math.ceil(lengths.mean())
    max_rows = MAX_ROWS_FACTOR * batch_size
    sorted_lengths = lengths[order]
    batches, start = [], 0
    while start < n:
        stop = start + 1
        # Sorted ascending: the last row of a candidate batch is its widest.
        while (
            stop < n
            and stop - start < max_rows
            and (stop - start + 1) * sorted_lengths[stop] <= token_budget
        ):
            stop += 1
        batches.append(order[start:stop])
        start = stop
    return batches


def pad_batch(loaded, batch_ids):
    """Pad token ids to ``(input_ids, attention_mask)`` tensors with the
    tokenizer's own ``pad``, on its padding side (left for causal models)."""
    encoded = loaded.tokenizer.pad(
        {"input_ids": batch_ids},
        padding=True,
        return_attention_mask=True,
        return_tensors="pt",
    )
    return encoded["input_ids"], encoded["attention_mask"]


def forward_pooled(
    loaded, input_ids, mask, poolings, dtype="float32", sites=None, selected=None
):
    """Pooled vectors of every hidden state of one padded batch, for every
    pooling of ``poolings``, from one forward pass -> numpy (P, B, L, D).

    The pass is :func:`._forward.forward`'s (autocast, per-layer devices);
    only the pooled vectors go to the host, in one transfer. The result is
    float32, or float16 for the reduced-precision ``dtype``. ``sites``, a
    ``(sites, site_modules)`` pair, gives a dict site -> such an array, every
    site read in the same pass. ``selected``, if given, is a ``(batch,
    tokens)`` mask of the tokens to pool over (a subset of the real tokens);
    the model still reads every real token. A ``(selections, batch, tokens)``
    stack of such masks pools every pooling over each: ``S * P`` rows, the
    poolings of the first selection first (:mod:`._token_pass`).
    """
    import torch

    def reduce(state, mask_here):
        masks = [mask_here]
        if selected is not None:
            chosen = selected.to(mask_here.device)
            masks = list(chosen) if chosen.dim() == 3 else [chosen]
        state = state[None]
        return torch.stack([pool(state, m, p)[:, 0] for m in masks for p in poolings])

    storage = getattr(torch, DTYPES[dtype][0])
    if sites is None:
        pooled = _forward.forward(loaded, input_ids, mask, reduce, dtype=dtype)
        return pooled.to("cpu", storage).numpy()
    names, modules = sites
    pooled = _forward.forward(
        loaded, input_ids, mask, reduce, dtype=dtype, sites=names, modules=modules
    )
    return {site: t.to("cpu", storage).numpy() for site, t in pooled.items()}


def extract(
    loaded,
    texts,
    *,
    pooling,
    max_length,
    batch_size,
    progress=None,
    dtype="float32",
    token_budget=None,
    sort=True,
    sites=None,
    site_modules=None,
    encode=None,
):
    """Pooled hidden states of every layer for ``texts``.

    ``pooling`` is one pooling, or a sequence of them: every text then goes
    through the model once and all of them are pooled from that pass.
    ``progress``, if given, has ``update(n_texts)`` called after every batch.
    ``token_budget`` and ``sort`` are passed to :func:`plan_batches`.
    ``encode(texts, max_length)``, if given, replaces :func:`tokenize`: it
    returns ``(ids, masks, n_truncated)`` where ``masks`` select the tokens
    to pool over (see :class:`._tokens.TokenInputs`).
    Returns ``(vectors, n_truncated)`` where ``vectors`` has shape
    ``(len(texts), loaded.n_layers, loaded.width)`` in the order of ``texts``
    (a dict pooling -> such an array when ``pooling`` is a sequence), float32
    (float16 for the reduced-precision ``dtype``). ``sites`` (a sequence of
    sites, :mod:`._sites`; ``site_modules`` the user's module map) reads them
    all from the same pass: ``vectors`` is then a dict ``(site, pooling)`` ->
    ``(len(texts), rows, width)`` array, every pooling of every site.
    """
    from ._sites import site_shape

    poolings = (pooling,) if isinstance(pooling, str) else tuple(pooling)
    if encode is None:
        ids, n_truncated = tokenize(loaded, texts, max_length)
        masks = None
    else:
        ids, masks, n_truncated = encode(texts, max_length)
    storage = DTYPES[dtype][0]
    names = ("residual",) if sites is None else tuple(dict.fromkeys(sites))
    out = {
        site: np.empty(
            (len(poolings), len(texts), *site_shape(loaded, site, site_modules)),
            dtype=storage,
        )
        for site in names
    }
    lengths = [len(seq) for seq in ids]
    for rows in plan_batches(lengths, batch_size, token_budget=token_budget, sort=sort):
        input_ids, mask = pad_batch(loaded, [ids[i] for i in rows])
        selected = None
        if masks is not None:
            side = loaded.tokenizer.padding_side
            selected = pad_masks([masks[i] for i in rows], input_ids.shape[1], side)
        if sites is None:
            out["residual"][:, rows] = forward_pooled(
                loaded, input_ids, mask, poolings, dtype, selected=selected
            )
        else:
            pooled = forward_pooled(
                loaded,
                input_ids,
                mask,
                poolings,
                dtype,
                (names, site_modules),
                selected=selected,
            )
            for site in names:
                out[site][:, rows] = pooled[site]
        if progress is not None:
            progress.update(len(rows))
    if sites is not None:
        return {
            (site, p): out[site][i] for site in names for i, p in enumerate(poolings)
        }, n_truncated
    if isinstance(pooling, str):
        return out["residual"][0], n_truncated
    return dict(zip(poolings, out["residual"], strict=True)), n_truncated
