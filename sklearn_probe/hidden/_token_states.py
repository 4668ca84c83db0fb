"""Each text's token states, for probes that pool for themselves.

``HiddenStateTransformer(pooling="tokens")`` returns, for every text, the hidden
states of its real tokens (padding never appears): an object array of
``(n_tokens_i, width * len(layers))`` float32 arrays, the layers side by side
in the order of ``layer``, as the pooled vectors are. It is the input of
:class:`~sklearn_probe.AttentionProbe`.

Why a pooling and not a class of its own: the per-token mode needs everything
the text transformer already has (model, layers, truncation, device, dtype,
random weights, the shared model and its fingerprint, pickling without the
weights), and a sweep's pipeline, its random-weights baseline and a saved
pipeline set those parameters by name on the ``hidden`` step; one more value of
``pooling`` keeps all of it, where a second class would copy it.

Memory. Token states are ``tokens x layers x width`` per text, where pooled
vectors are ``layers x width``; what this module keeps is bounded:

- the forward pass is the one of :mod:`._forward` (every site and dtype it
  knows); of a batch only the real (or selected) tokens are gathered on the
  device, and only the layers to keep go to the host;
- entries live in the process-wide memory cache of
  :mod:`sklearn_probe.store` (``MEMORY``), one per text *and layer*, under a
  key of their own (``pooling="tokens"``), in the storage dtype (float16 for
  ``dtype="float16"``/``"bfloat16"``), so that its byte limit
  (:func:`~sklearn_probe.hidden.set_memory_cache_limit`) bounds them with
  everything else it holds;
- a transform whose output alone would exceed that limit is an error that says
  how to shrink it; a transform that computes texts keeps every layer of them
  when they fit (so a grid over ``layer`` runs the model once per text), else
  only the layers asked for, with a :class:`TokenStatesWarning`.

Token states are kept in memory only, not in the disk store: the store's
shards hold one fixed-shape ``(layers, width)`` row per text and check every
shard against that shape; a text's token states have a shape of their own, and
a corpus of them is tens of times the size of its pooled vectors.

:func:`cache_token_states` computes the states of texts once, for the layers a
sweep will ask for, and also caches the mean-pooled vectors of every layer from
the same pass (what the sweep's pictures show).
"""

import numpy as np

from ..store import MEMORY
from ._pooling import POOLINGS
from ._warnings import TruncationWarning, warn_caller

#: The ``pooling`` of the per-token mode.
TOKENS = "tokens"


class TokenStatesWarning(UserWarning):
    """Token states could not all be kept in the memory cache.

    A grid over layers then runs the model again for the texts whose layers
    were not kept.
    """


def token_states(transformer, texts):
    """The token states of ``texts`` at ``transformer.layers_``.

    Returns an object array of ``len(texts)`` float32 arrays, each
    ``(n_tokens_i, width * len(layers_))``: served from the memory cache, the
    missing texts computed in one pass each.
    """
    _check_site(transformer)
    inputs = _selection(transformer, texts)
    texts, chat = inputs.texts, inputs.conversations
    layers = list(transformer.layers_)
    found = _lookup(transformer, texts, layers, chat)
    missing = list(dict.fromkeys(t for t in texts if t not in found))
    if missing:
        ids, n_cut, masks = _encode(transformer, missing, inputs)
        n_kept = [len(s) for s in ids] if masks is None else [m.sum() for m in masks]
        counts = dict(zip(missing, n_kept, strict=True))
        counts.update({text: len(parts[0]) for text, parts in found.items()})
        _check_output_size(transformer, [counts[t] for t in texts], layers)
        keep = _layers_to_keep(transformer, sum(map(len, ids)), len(missing), layers)
        computed = _compute(
            transformer, missing, ids, keep, n_cut=n_cut, masks=masks, chat=chat
        )
        for text, states in zip(missing, computed, strict=True):
            found[text] = [states[keep.index(layer)] for layer in layers]
    out = np.empty(len(texts), dtype=object)
    for i, text in enumerate(texts):
        out[i] = np.concatenate(found[text], axis=1, dtype=np.float32)
    return out


def cache_token_states(transformer, texts, layers):
    """Run every text of ``texts`` that lacks a layer of ``layers`` once, and
    keep those layers' token states in the memory cache.

    ``transformer`` is a fitted text transformer (its ``layer`` and
    ``pooling`` are not used). The texts' mean-pooled vectors of every layer
    come from the same pass into the cache of pooled vectors (what a sweep's
    pictures show). What the layers take is checked first: more than the
    memory cache's limit is a ``ValueError`` that says how to shrink it (a
    sweep promises one pass per text, which a cache that evicts cannot keep).
    Returns the number of texts run through the model.
    """
    _check_site(transformer)
    inputs = _selection(transformer, texts)
    texts, chat = inputs.texts, inputs.conversations
    layers = sorted(set(layers))
    found = _lookup(transformer, texts, layers, chat)
    missing = list(dict.fromkeys(t for t in texts if t not in found))
    if not missing:
        return 0
    ids, n_cut, masks = _encode(transformer, missing, inputs)
    n_tokens = sum(map(len, ids)) + sum(len(p[0]) for p in found.values())
    n_texts = len(missing) + len(found)
    need = n_tokens * transformer.hidden_size_ * len(layers) * _itemsize(transformer)
    if need > MEMORY.limit_bytes:
        raise ValueError(
            f"The token states of {n_texts} texts at {len(layers)} layers take "
            f"{_size(need)} ({n_tokens} tokens x {len(layers)} layers x "
            f"{transformer.hidden_size_} values), more than the memory cache's "
            f"limit of {_size(MEMORY.limit_bytes)}, so they could not be kept "
            "for every layer and fold. Raise the limit (sklearn_probe.hidden."
            "set_memory_cache_limit, or SKLEARN_PROBE_CACHE_BYTES), sweep fewer "
            "layers, lower max_length, or use fewer texts."
        )
    _compute(
        transformer,
        missing,
        ids,
        layers,
        n_cut=n_cut,
        masks=masks,
        chat=chat,
        mean=True,
    )
    return len(missing)


# -- steps ---------------------------------------------------------------------


def _check_site(transformer):
    site = getattr(transformer, "site", "residual")
    if site != "residual":
        raise ValueError(
            f"pooling='tokens' reads the residual stream; site={site!r} is not "
            "available per token yet. Use site='residual' with pooling='tokens', "
            f"or a pooling of {POOLINGS} at site={site!r}."
        )


def _selection(transformer, texts):
    """The transformer's token selection (``tokens=``, :mod:`._tokens`) made
    ready for ``texts``: conversations rendered, ``.texts`` the cache keys."""
    from ._tokens import TokenInputs, parse_tokens

    selection = parse_tokens(getattr(transformer, "tokens", "all"))
    return TokenInputs(transformer._get_loaded().tokenizer, texts, selection)


def _key(transformer, chat=False):
    """The cache key of the token states (it names the token selection;
    ``chat``: of rendered conversations)."""
    loaded = transformer._get_loaded()
    return transformer._extraction_key(TOKENS, loaded, conversations=chat)[0]


def _lookup(transformer, texts, layers, chat=False):
    """text -> list of its cached states per layer, for the texts that have all."""
    key = _key(transformer, chat)
    found = {}
    for text in dict.fromkeys(texts):
        parts = [MEMORY.get(f"{key}:{layer}", text) for layer in layers]
        if all(part is not None for part in parts):
            found[text] = parts
    return found


def _tokenize(transformer, texts):
    """Token ids of ``texts`` as the forward pass sees them, and how many
    were truncated."""
    from ._extract import tokenize

    return tokenize(transformer._get_loaded(), texts, transformer.max_length_)


def _encode(transformer, texts, inputs):
    """Token ids of ``texts``, how many were truncated, and the masks of the
    tokens that ``inputs`` (the ``tokens=`` selection) selects (None: every
    token)."""
    if inputs.conversations or inputs.selection.kind != "all":
        ids, masks, n_cut = inputs.encode(texts, transformer.max_length_)
        return ids, n_cut, masks
    return (*_tokenize(transformer, texts), None)


def _storage_dtype(transformer):
    from ._forward import DTYPES

    return np.dtype(DTYPES[transformer.dtype][0])


def _itemsize(transformer):
    return _storage_dtype(transformer).itemsize


def _size(n_bytes):
    """``"1.5 GiB"``, ``"12.0 MiB"``, ``"3.2 KiB"``, ``"100 bytes"``."""
    for unit, scale in (("GiB", 1024**3), ("MiB", 1024**2), ("KiB", 1024)):
        if n_bytes >= scale:
            return f"{n_bytes / scale:,.1f} {unit}"
    return f"{n_bytes} bytes"


def _check_output_size(transformer, counts, layers):
    """The states a transform returns (float32) must fit in the memory limit
    (none when the memory cache is off: the caller's memory is the limit)."""
    limit = MEMORY.limit_bytes
    need = sum(counts) * transformer.hidden_size_ * len(layers) * 4
    if limit and need > limit:
        raise ValueError(
            f"The token states of these {len(counts)} texts take {_size(need)} "
            f"({sum(counts)} tokens x {len(layers)} layers x "
            f"{transformer.hidden_size_} float32 values), more than the memory "
            f"limit of {_size(limit)}. Transform fewer texts at a time (e.g. "
            "predict in chunks), ask for fewer layers, lower max_length, or raise "
            "the limit with sklearn_probe.hidden.set_memory_cache_limit."
        )


def _layers_to_keep(transformer, n_tokens, n_texts, layers):
    """Every layer when the computed texts' states of all of them fit in the
    memory cache, else the ``layers`` asked for (with a warning)."""
    every = list(range(transformer.n_layers_))
    asked = sorted(set(layers))
    if MEMORY.limit_bytes == 0 or len(asked) == len(every):
        return asked
    need = n_tokens * transformer.hidden_size_ * _itemsize(transformer) * len(every)
    if need <= MEMORY.limit_bytes:
        return every
    warn_caller(
        f"The token states of {n_texts} texts at all {len(every)} layers would "
        f"take {_size(need)}, more than the memory cache's limit of "
        f"{_size(MEMORY.limit_bytes)}: only the layers asked for ({asked}) are "
        "kept, so a grid over other layers runs the model again on these texts. "
        "Raise the limit (set_memory_cache_limit), use dtype='float16', or warm "
        "the cache with the grid's layers only (cache_token_states).",
        TokenStatesWarning,
    )
    return asked


def _compute(
    transformer,
    texts,
    ids,
    layers,
    *,
    n_cut=0,
    masks=None,
    chat=False,
    mask=None,
    mean=False,
):
    """Token states of ``layers`` for ``texts`` (token ``ids``), one forward
    pass each; kept in the memory cache. Returns, per text, a list (one per
    layer) of ``(n_tokens, width)`` arrays in the storage dtype.

    ``masks`` (one boolean array per text, :class:`._tokens.TokenInputs`)
    choose the tokens of each text (default: every real token); the cache key
    names the selection (``chat``: of rendered conversations). ``mask(input_ids,
    attention_mask) -> bool tensor``, instead, chooses the tokens of each
    padded batch; its states are not kept (no key names it). With ``mean``
    the texts' mean-pooled vectors (over the same tokens) of every layer are
    cached too, pooled from the same pass.
    """
    from ._extract import pad_batch, plan_batches
    from ._tokens import pad_masks

    loaded = transformer._get_loaded()
    storage = _storage_dtype(transformer)
    mean = mean and masks is None
    out = [None] * len(texts)
    means = np.empty((len(texts), loaded.n_layers, loaded.width), storage)
    for rows in plan_batches([len(s) for s in ids], transformer.batch_size):
        input_ids, attention = pad_batch(loaded, [ids[i] for i in rows])
        if mask is not None:
            selected = mask(input_ids, attention)
        elif masks is None:
            selected = attention.bool()
        else:
            side = loaded.tokenizer.padding_side
            width = input_ids.shape[1]
            selected = pad_masks([masks[i] for i in rows], width, side).bool()
        _check_selected(selected, rows, texts)
        states, batch_means = _forward_tokens(
            loaded, input_ids, attention, selected, layers, transformer.dtype, mean
        )
        counts = selected.sum(dim=1).tolist()
        for i, text_states in zip(
            rows, np.split(states, np.cumsum(counts)[:-1]), strict=True
        ):
            # (tokens, layers, width) -> one contiguous array per layer.
            out[i] = [
                np.ascontiguousarray(text_states[:, k], dtype=storage)
                for k in range(len(layers))
            ]
        if mean:
            means[rows] = batch_means
    if mask is None:
        _keep(transformer, texts, layers, out, chat)
    if mean:
        from ._caching import keep_pooled

        keep_pooled(transformer, "mean", texts, means, conversations=chat)
    if n_cut:
        warn_caller(
            f"{n_cut} of {len(texts)} texts were longer than max_length="
            f"{transformer.max_length_} tokens and were truncated; raise "
            "max_length to keep them whole.",
            TruncationWarning,
        )
    return out


def _check_selected(selected, rows, texts):
    empty = (~selected.any(dim=1)).nonzero().flatten().tolist()
    if empty:
        i = rows[empty[0]]
        raise ValueError(
            f"Text {i} ({texts[i]!r:.40}) has no selected token, so it has no "
            "token states. Select at least one token of every text."
        )


def _forward_tokens(loaded, input_ids, attention, selected, layers, dtype, mean):
    """The selected tokens' states of ``layers`` from one forward pass: numpy
    ``(n_selected, len(layers), width)`` float32, and with ``mean`` each row's
    mean over them of every layer, ``(rows, n_layers, width)``."""
    import torch

    from . import _forward

    def gather(state, mask_here):
        return state[selected.to(state.device)]

    tokens = _forward.forward(loaded, input_ids, attention, gather, dtype=dtype)
    kept = tokens[:, layers].to("cpu").numpy()
    if not mean:
        return kept, None
    counts = selected.sum(dim=1).to(tokens.device)
    rows = torch.repeat_interleave(
        torch.arange(len(counts), device=tokens.device), counts
    )
    sums = torch.zeros((len(counts), *tokens.shape[1:]), device=tokens.device)
    sums.index_add_(0, rows, tokens)
    return kept, (sums / counts[:, None, None]).to("cpu").numpy()


def _keep(transformer, texts, layers, states, chat=False):
    if MEMORY.limit_bytes == 0:
        return
    key = _key(transformer, chat)
    for text, per_layer in zip(texts, states, strict=True):
        for layer, value in zip(layers, per_layer, strict=True):
            MEMORY.put(f"{key}:{layer}", text, value)
