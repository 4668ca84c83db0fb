"""Pooled hidden states of a model with any head, for the causal sweep.

The causal sweep runs the model many times with an edit in place (a hook of
:func:`~sklearn_probe.causal.intervene`), so it cannot read the vector cache
of :class:`~sklearn_probe.HiddenStateTransformer` (whose entries are the
unedited states). :func:`pooled_states` runs the texts itself: tokenised as
the transformer does (special tokens, truncation at ``max_length``), in
batches of texts of one token length, so that no batch holds padding and
every pooling is exact (``last`` is the last token, ``mean`` the mean over all
tokens). The states are those of ``model(..., output_hidden_states=True)``:
a model with a language-modelling or classification head gives the same
hidden states as its bare encoder or decoder.
"""

import numpy as np

from ..hidden import POOLINGS, causal_config, pool
from ..utils._batches import same_length_batches


def resolve_pooling(model, pooling):
    """``"auto"`` is ``"last"`` for a causal model and ``"mean"`` otherwise."""
    if pooling == "auto":
        return "last" if causal_config(model.config) else "mean"
    if pooling not in POOLINGS:
        raise ValueError(
            f"pooling={pooling!r} is not a pooling; use 'auto' or one of {POOLINGS}."
        )
    return pooling


def token_ids(tokenizer, texts, max_length):
    """Token ids of every text (special tokens added), cut at ``max_length``."""
    return tokenizer(
        list(texts), truncation=True, max_length=max_length, verbose=False
    )["input_ids"]


def pooled_states(model, ids, pooling, *, batch_size=64):
    """Every hidden state of every text, pooled -> ``(n_texts, n_layers + 1, width)``.

    Parameters
    ----------
    model : transformers.PreTrainedModel
        Any head; run with ``output_hidden_states=True``.
    ids : list of list of int
        Token ids per text (:func:`token_ids`).
    pooling : {"mean", "cls", "max", "last"}
        How the tokens of one hidden state become one vector.
    batch_size : int, default=64
        Texts per forward pass (of one token length).

    Returns
    -------
    ndarray of float64
    """
    import torch

    device = model.get_input_embeddings().weight.device
    out = None
    with torch.inference_mode():
        for rows in same_length_batches([len(seq) for seq in ids], batch_size):
            batch = torch.tensor([ids[i] for i in rows], device=device)
            states = model(
                input_ids=batch,
                attention_mask=torch.ones_like(batch),
                output_hidden_states=True,
                return_dict=True,
            ).hidden_states
            every = torch.ones_like(batch)
            pooled = torch.stack(
                [pool(s.float()[None], every, pooling)[:, 0] for s in states], dim=1
            )
            pooled = pooled.cpu().numpy().astype(np.float64)
            if out is None:
                out = np.empty((len(ids), *pooled.shape[1:]))
            out[rows] = pooled
    return out
