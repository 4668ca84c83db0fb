"""Pool token-level hidden states into one vector per text, ignoring padding.

Every function takes the hidden states of all layers of one batch, shaped
``(n_layers, batch, tokens, width)``, and the attention mask ``(batch, tokens)``
(1 for a real token, 0 for padding), and returns ``(batch, n_layers, width)``.
Padding never enters the result, whichever side it is on, so a text's vector does
not depend on the batch it was computed in.
"""

POOLINGS = ("mean", "cls", "max", "last")


def pool(hidden, mask, pooling):
    """Pool ``hidden`` (L, B, T, D) over tokens with ``mask`` (B, T) -> (B, L, D)."""
    import torch

    real = mask.to(torch.bool)[None, :, :, None]  # (1, B, T, 1)
    if pooling == "mean":
        # masked_fill, not multiplication: padded positions may hold NaN (a fully
        # masked attention row), and NaN * 0 is NaN.
        summed = hidden.masked_fill(~real, 0.0).sum(dim=2)
        counts = mask.sum(dim=1).clamp(min=1).to(hidden.dtype)[None, :, None]
        pooled = summed / counts
    elif pooling == "max":
        pooled = hidden.masked_fill(~real, float("-inf")).amax(dim=2)
    elif pooling in ("cls", "last"):
        index = first_real_token(mask) if pooling == "cls" else last_real_token(mask)
        batch = torch.arange(mask.shape[0], device=mask.device)
        pooled = hidden[:, batch, index, :]
    else:  # validated by the caller; kept as a guard for internal use
        raise ValueError(f"Unknown pooling {pooling!r}; expected one of {POOLINGS}.")
    return pooled.transpose(0, 1)


def first_real_token(mask):
    """Index of the first real token of each row, under left or right padding."""
    return mask.to(dtype=mask.dtype).argmax(dim=1)


def last_real_token(mask):
    """Index of the last real token of each row, under left or right padding."""
    import torch

    positions = torch.arange(mask.shape[1], device=mask.device)
    return (positions[None, :] * mask.to(positions.dtype)).argmax(dim=1)
