"""The one forward pass of a padded batch, for texts and for words alike.

:func:`forward` runs a batch through the model under ``torch.inference_mode``
(and, on CUDA, the autocast of a reduced-precision ``dtype``), with every hidden
state returned, and hands each hidden state, in float32, to a ``reduce``
function on the device that holds it (a model spread over several GPUs by
``device_map`` holds its layers on several devices): pooling over tokens for
texts (:mod:`._extract`), a weighted sum of each word's tokens for words
(:mod:`._word_extract`). The reduced vectors of every layer land in one
preallocated tensor on the model's input device, so the token-level states are
never stacked into one more copy, and only reduced vectors leave the batch.
With ``sites``, hooks (:func:`._sites.recording`) read the sublayer sites of
every block (attention and MLP outputs, the mid stream, the heads) in the same
pass, each reduced as soon as its module has run.
"""

import contextlib

# Storage dtypes: name -> (numpy dtype of stored vectors, autocast dtype on CUDA).
DTYPES = {
    "float32": ("float32", None),
    "float16": ("float16", "float16"),
    "bfloat16": ("float16", "bfloat16"),
}


def compute_dtype(device, dtype):
    """What the forward pass really runs in: part of the cache key."""
    compute = DTYPES[dtype][1]
    if compute is None or not str(device).startswith("cuda"):
        return "float32"
    return compute


def autocast(device, dtype):
    """bf16/fp16 autocast on CUDA for reduced-precision dtypes; nothing elsewhere."""
    import torch

    compute = compute_dtype(device, dtype)
    if compute == "float32":
        return contextlib.nullcontext()
    return torch.autocast("cuda", dtype=getattr(torch, compute))


def model_inputs(loaded, input_ids, mask):
    """The model's keyword arguments for one padded batch, on its input device.

    Under left padding (causal models) positions count real tokens only, so
    the padding shifts nothing.
    """
    device = loaded.device
    inputs = {"input_ids": input_ids.to(device), "attention_mask": mask.to(device)}
    if loaded.padding_side == "left" and loaded.accepts_position_ids:
        inputs["position_ids"] = (mask.cumsum(dim=1) - 1).clamp(min=0).to(device)
    return inputs


def forward(
    loaded, input_ids, mask, reduce, *, dtype="float32", sites=None, modules=None
):
    """Every hidden state of one padded batch, reduced -> float32 tensor.

    ``reduce(state, mask)`` gets one hidden state ``(batch, tokens, width)`` in
    float32 and the attention mask, both on the device that holds that state,
    and returns a ``(..., width)`` tensor there. The result, on
    ``loaded.device``, is ``(..., n_layers, width)``: the reductions of every
    hidden state, in order. ``dtype`` is the transformer's (``"float16"`` and
    ``"bfloat16"`` run under autocast on CUDA).

    ``sites`` (see :mod:`._sites`), if given, asks for those sites of every
    layer from this one pass: the result is then a dict site -> ``(...,
    rows, width)`` (``"residual"``: every hidden state; a sublayer site: one
    row per block), read by hooks (``modules``: the user's module map) that
    reduce each tensor as soon as its module has run.
    """
    import torch

    from ._sites import recording

    asked = ("residual",) if sites is None else tuple(sites)
    inputs = model_inputs(loaded, input_ids, mask)
    with torch.inference_mode():
        with recording(
            loaded.model, asked, reduce, inputs["attention_mask"], modules
        ) as recorded:
            with autocast(loaded.device, dtype):
                outputs = loaded.model(
                    **inputs, output_hidden_states="residual" in asked, return_dict=True
                )
        out = {
            site: _gathered(loaded, recorded[site])
            for site in asked
            if site != "residual"
        }
        if "residual" in asked:
            out["residual"] = _residual(loaded, outputs, inputs, reduce)
        del outputs
        return out["residual"] if sites is None else {s: out[s] for s in asked}


def _gathered(loaded, reduced):
    """The per-block reductions of one site stacked on ``loaded.device``:
    ``(..., n_blocks, width)``."""
    import torch

    return torch.stack([r.to(loaded.device) for r in reduced], dim=-2)


def _residual(loaded, outputs, inputs, reduce):
    """Every hidden state of ``outputs`` reduced: ``(..., n_layers, width)``."""
    import torch

    states = outputs.hidden_states
    if len(states) != loaded.n_layers:
        raise RuntimeError(
            f"{loaded.source!r} returned {len(states)} hidden states; its "
            f"configuration announces {loaded.n_layers}."
        )
    reduced = None
    for index, state in enumerate(states):
        mask_here = inputs["attention_mask"].to(state.device)
        layer = reduce(state.float(), mask_here)
        if reduced is None:
            reduced = torch.empty(
                (*layer.shape[:-1], len(states), layer.shape[-1]),
                dtype=torch.float32,
                device=loaded.device,
            )
        reduced[..., index, :] = layer.to(loaded.device)
    return reduced
