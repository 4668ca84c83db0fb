"""One pass of a model over pre-split sentences: every word's vector at every layer.

Sentences are tokenised through :mod:`._align`, sorted by length and batched as
texts are (:func:`._extract.plan_batches`). For each batch, a ``(batch, words,
tokens)`` weight matrix says which tokens make each word (one 1 for ``first``
and ``last``, ``1/k`` on each of a word's ``k`` tokens for ``mean``), and every
hidden state is pooled with one batched matrix product. Padding never enters:
it has weight 0 and its states are zeroed first (a fully masked position may
hold NaN). Token-level states never outlive their batch.
"""

import numpy as np

from ._align import encode_sentences
from ._extract import pad_batch, plan_batches

SUBWORDS = ("first", "last", "mean")


def extract_words(loaded, sentences, *, subword, max_length, batch_size):
    """Per-sentence ``(n_words, n_layers, width)`` float32 arrays, in order."""
    ids, spans = encode_sentences(loaded, sentences, max_length)
    out = [None] * len(sentences)
    for rows in plan_batches([len(seq) for seq in ids], batch_size):
        input_ids, mask = pad_batch(loaded, [ids[r] for r in rows])
        weights = _word_weights(
            loaded, [spans[r] for r in rows], mask.shape[1], mask.sum(dim=1), subword
        )
        pooled = _forward_words(loaded, input_ids, mask, weights)
        for b, r in enumerate(rows):
            out[r] = pooled[b, : len(spans[r])]
    return out


def _word_weights(loaded, spans, width, lengths, subword):
    """``(batch, max_words, width)`` weights of each word's tokens."""
    import torch

    n_words = max(len(s) for s in spans)
    weights = torch.zeros((len(spans), n_words, width), dtype=torch.float32)
    for b, word_spans in enumerate(spans):
        # Left padding shifts every real token right by the padding's width.
        offset = width - int(lengths[b]) if loaded.padding_side == "left" else 0
        for w, (first, last) in enumerate(word_spans + offset):
            if subword == "first":
                weights[b, w, first] = 1.0
            elif subword == "last":
                weights[b, w, last] = 1.0
            else:
                weights[b, w, first : last + 1] = 1.0 / (last - first + 1)
    return weights


def _forward_words(loaded, input_ids, mask, weights):
    """Word vectors of every hidden state of one batch -> numpy (B, W, L, D)."""
    import torch

    device = loaded.device
    inputs = {"input_ids": input_ids.to(device), "attention_mask": mask.to(device)}
    if loaded.padding_side == "left" and loaded.accepts_position_ids:
        # Positions count real tokens only, so left padding shifts nothing.
        inputs["position_ids"] = (mask.cumsum(dim=1) - 1).clamp(min=0).to(device)
    real = mask.to(device=device, dtype=torch.bool)[:, :, None]
    weights = weights.to(device)
    with torch.inference_mode():
        states = loaded.model(
            **inputs, output_hidden_states=True, return_dict=True
        ).hidden_states
        batch, words = weights.shape[:2]
        pooled = torch.empty(
            (batch, words, len(states), states[0].shape[-1]),
            dtype=torch.float32,
            device=device,
        )
        for layer, state in enumerate(states):
            state = state.float().masked_fill(~real, 0.0)
            pooled[:, :, layer] = torch.bmm(weights, state)
        del states
        return pooled.cpu().numpy()


def assemble(entries, samples, layers):
    """``(n_samples, n_args * len(layers) * width)`` vectors from sentence entries.

    ``entries[s]`` is sentence ``s``'s ``(n_words, n_layers, width)`` array; a
    range of words is the mean of its words' vectors, and the ranges of a pair
    are concatenated in order.
    """
    n, n_args, _ = samples.ranges.shape
    width = entries[0].shape[-1]
    out = np.empty((n, n_args, len(layers), width), dtype=np.float32)
    for i, (s, ranges) in enumerate(
        zip(samples.sentence_index, samples.ranges, strict=True)
    ):
        entry = entries[s]
        for a, (start, end) in enumerate(ranges):
            if end - start == 1:
                out[i, a] = entry[start, layers]
            else:
                out[i, a] = entry[start:end, layers].mean(axis=0)
    return out.reshape(n, -1)
