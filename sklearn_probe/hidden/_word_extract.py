"""One pass of a model over pre-split sentences: every word's vector at every layer.

Sentences are tokenised through :mod:`._align`, sorted by length and batched as
texts are (:func:`._extract.plan_batches`), and every batch goes through the
same forward pass as texts (:func:`._forward.forward`: autocast, layers spread
over devices). For each batch, a ``(batch, words, tokens)`` weight matrix says
which tokens make each word (one 1 for ``first`` and ``last``, ``1/k`` on each
of a word's ``k`` tokens for ``mean``), built with array indexing from the
word-to-token spans, and every hidden state is pooled with one batched matrix
product on the device that holds it. Padding never enters: it has weight 0 and
its states are zeroed first (a fully masked position may hold NaN). Token-level
states never outlive their batch.
"""

import numpy as np

from . import _forward
from ._align import encode_sentences
from ._extract import pad_batch, plan_batches

SUBWORDS = ("first", "last", "mean")


def extract_words(
    loaded, sentences, *, subword, max_length, batch_size, site=("residual", None)
):
    """Per-sentence ``(n_words, n_layers, width)`` float32 arrays, in order.

    ``site`` is ``(site, site_modules)``: where the vectors are read
    (:mod:`._sites`; a sublayer site has one row per block).
    """
    ids, spans = encode_sentences(loaded, sentences, max_length)
    out = [None] * len(sentences)
    for rows in plan_batches([len(seq) for seq in ids], batch_size):
        input_ids, mask = pad_batch(loaded, [ids[r] for r in rows])
        weights = word_weights(
            [spans[r] for r in rows],
            mask.shape[1],
            mask.sum(dim=1).numpy(),
            subword,
            left_padding=loaded.padding_side == "left",
        )
        pooled = forward_words(loaded, input_ids, mask, weights, site)
        for b, r in enumerate(rows):
            out[r] = pooled[b, : len(spans[r])]
    return out


def word_weights(spans, width, lengths, subword, *, left_padding=False):
    """``(batch, max_words, width)`` float32 tensor: the weight of each token
    in each word's vector, from the ``(n_words, 2)`` ``[first, last]`` token
    spans of each sentence of the batch."""
    import torch

    n_words = np.asarray([len(s) for s in spans])
    flat = np.concatenate(spans)
    row = np.repeat(np.arange(len(spans)), n_words)
    word = np.arange(len(flat)) - np.repeat(np.cumsum(n_words) - n_words, n_words)
    # Left padding shifts every real token right by the padding's width.
    shift = width - np.asarray(lengths) if left_padding else np.zeros(len(spans))
    first, last = (flat + shift[row, None].astype(np.int64)).T
    weights = np.zeros((len(spans), n_words.max(), width), dtype=np.float32)
    if subword in ("first", "last"):
        weights[row, word, first if subword == "first" else last] = 1.0
    else:
        k = last - first + 1
        steps = np.arange(k.sum()) - np.repeat(np.cumsum(k) - k, k)
        weights[np.repeat(row, k), np.repeat(word, k), np.repeat(first, k) + steps] = (
            np.repeat(1.0 / k, k)
        )
    return torch.from_numpy(weights)


def forward_words(loaded, input_ids, mask, weights, site=("residual", None)):
    """Word vectors of every hidden state of one batch -> numpy (B, W, L, D)
    (at ``site``, a ``(site, site_modules)`` pair)."""
    import torch

    on_device = {}

    def reduce(state, mask_here):
        where = state.device
        if where not in on_device:
            on_device[where] = weights.to(where)
        real = mask_here.to(torch.bool)[:, :, None]
        return torch.bmm(on_device[where], state.masked_fill(~real, 0.0))

    name, modules = site
    if name == "residual":
        return _forward.forward(loaded, input_ids, mask, reduce).cpu().numpy()
    pooled = _forward.forward(
        loaded, input_ids, mask, reduce, sites=(name,), modules=modules
    )
    return pooled[name].cpu().numpy()


def assemble(entries, samples, layers):
    """``(n_samples, n_args * len(layers) * width)`` vectors from sentence entries.

    ``entries[s]`` is sentence ``s``'s ``(n_words, n_layers, width)`` array; a
    range of words is the mean of its words' vectors, and the ranges of a pair
    are concatenated in order. The words are gathered from one table of every
    word of the sentences used, by row index: no loop over samples.
    """
    n, n_args, _ = samples.ranges.shape
    layers = np.asarray(layers, dtype=np.intp)
    used = np.unique(samples.sentence_index)
    sizes = np.asarray([len(entries[s]) for s in used])
    offsets = np.zeros(len(entries), dtype=np.int64)
    offsets[used] = np.cumsum(sizes) - sizes
    table = np.concatenate([entries[s] for s in used])
    starts = offsets[samples.sentence_index][:, None] + samples.ranges[:, :, 0]
    lengths = (samples.ranges[:, :, 1] - samples.ranges[:, :, 0]).ravel()
    starts = starts.ravel()
    if (lengths == 1).all():
        out = table[starts[:, None], layers[None, :]]
    else:  # spans: the mean of each range of rows
        bounds = np.cumsum(lengths) - lengths
        rows = np.repeat(starts - bounds, lengths) + np.arange(lengths.sum())
        gathered = table[rows[:, None], layers[None, :]]
        out = np.add.reduceat(gathered, bounds, axis=0)
        out /= lengths[:, None, None].astype(np.float32)
    return np.ascontiguousarray(out, dtype=np.float32).reshape(n, -1)
