"""Edit the residual stream at one layer during a forward pass.

:func:`intervene` registers a forward hook that rewrites ``hidden_states[L]``
(the output of block ``L - 1``; ``L = 0``, the embedding output, is rewritten
as it enters block 0) for the rest of the forward pass, and removes it when
the ``with`` block ends, on an error too. The edits a causal check needs:

- :func:`erase` (a fitted :class:`~sklearn_probe.causal.ConceptEraser`, the
  probe's direction, or any subspace projected out around a mean),
- :func:`steer` (add ``scale`` times a direction),
- :func:`zero_units` (set chosen units, "neurons", to zero).

``positions`` restricts an edit to some token positions (e.g. ``-1``, the last
token, where a decoder predicts the next word). The last hidden state of a decoder is
the output of its final norm (GPT-2's ``ln_f``, Llama's ``norm``): the hook
for it sits there. The blocks are found by the
model's own ``num_hidden_layers``: the one ``ModuleList`` of that length (BERT,
RoBERTa, DistilBERT, GPT-2, Llama, Mistral, Qwen and most others); pass
``blocks=`` for a model where that is ambiguous.
"""

import contextlib

import numpy as np

from ..hidden import transformer_blocks


@contextlib.contextmanager
def intervene(model, layer, edit, *, positions=None, blocks=None):
    """Rewrite ``hidden_states[layer]`` with ``edit`` while the block runs.

    Parameters
    ----------
    model : transformers.PreTrainedModel
        The model to edit (any head).
    layer : int
        Index into ``hidden_states`` (0 = embedding output, ``n_layers`` = the
        last block's output; negative counts from the end).
    edit : callable
        ``edit(states) -> states`` on a tensor of shape ``(batch, tokens,
        width)`` (or the selected positions, ``(batch, width)`` each).
    positions : int, sequence of int or None, default=None
        Token positions to edit; None edits every position.
    blocks : torch.nn.ModuleList, default=None
        The model's blocks, when :func:`transformer_blocks` cannot tell.

    Yields
    ------
    None
        Forward passes inside the ``with`` block run with the edit.
    """
    blocks = transformer_blocks(model) if blocks is None else blocks
    n = len(blocks)
    index = layer + n + 1 if layer < 0 else layer
    if not 0 <= index <= n:
        raise ValueError(
            f"layer={layer} is not a hidden state of this model: 0 (the embedding "
            f"output) to {n}, or -1 to -{n + 1}."
        )
    apply = _at_positions(edit, positions)
    final_norm = _final_norm(model, blocks) if index == n else None
    if final_norm is not None:
        # A decoder's last hidden state is its final norm's output (GPT-2's
        # ln_f, Llama's norm): that is the state to edit.
        handle = final_norm.register_forward_hook(_post_hook(apply), prepend=True)
    elif index == 0:
        handle = blocks[0].register_forward_pre_hook(
            _pre_hook(apply), with_kwargs=True, prepend=True
        )
    else:
        # First of the block's hooks, so that what transformers records as
        # hidden_states (by hooks of its own) is the edited state.
        handle = blocks[index - 1].register_forward_hook(
            _post_hook(apply), prepend=True
        )
    try:
        yield
    finally:
        handle.remove()


# Names of the norm that decoders apply after their last block (GPT-2, Falcon:
# ln_f; Llama, Mistral, Qwen: norm; GPT-NeoX, OPT: final_layer_norm; Phi:
# final_layernorm).
_FINAL_NORMS = ("ln_f", "norm", "final_layer_norm", "final_layernorm")


def _final_norm(model, blocks):
    """The norm that runs after the last block, beside the blocks; or None."""
    for parent in model.modules():
        if any(child is blocks for child in parent.children()):
            for name in _FINAL_NORMS:
                module = getattr(parent, name, None)
                if module is not None and hasattr(module, "register_forward_hook"):
                    return module
            return None
    return None


def _at_positions(edit, positions):
    if positions is None:
        return edit
    where = [positions] if isinstance(positions, int) else list(positions)

    def apply(states):
        states = states.clone()
        for p in where:
            states[:, p] = edit(states[:, p])
        return states

    return apply


def _pre_hook(apply):
    def hook(module, args, kwargs):
        if args:
            return (apply(args[0]), *args[1:]), kwargs
        kwargs = dict(kwargs)
        kwargs["hidden_states"] = apply(kwargs["hidden_states"])
        return args, kwargs

    return hook


def _post_hook(apply):
    def hook(module, args, output):
        if isinstance(output, tuple):
            return (apply(output[0]), *output[1:])
        return apply(output)

    return hook


def erase(eraser_or_directions, mean=None):
    """An edit that removes a concept.

    Parameters
    ----------
    eraser_or_directions : ConceptEraser or array-like of shape (k, width)
        A fitted :class:`~sklearn_probe.causal.ConceptEraser` (its LEACE map),
        or directions (one per row, e.g. a probe's ``coef_``) whose span is
        projected out orthogonally.
    mean : array-like of shape (width,), default=None
        The centre of the projection of directions (default: the origin).

    Returns
    -------
    callable
        ``edit(states) -> states`` for :func:`intervene`.
    """
    import torch

    if hasattr(eraser_or_directions, "proj_left_"):
        eraser = eraser_or_directions
        left, right, centre = eraser.proj_left_, eraser.proj_right_, eraser.mean_
    else:
        directions = np.atleast_2d(np.asarray(eraser_or_directions, dtype=np.float64))
        basis, _ = np.linalg.qr(directions.T)  # orthonormal columns
        left, right = basis, basis.T
        centre = np.zeros(directions.shape[1]) if mean is None else np.asarray(mean)

    def edit(states):
        lt, rt, ct = (
            torch.as_tensor(a, dtype=states.dtype, device=states.device)
            for a in (left, right, centre)
        )
        return states - ((states - ct) @ rt.T) @ lt.T

    return edit


def steer(direction, scale):
    """An edit that adds ``scale * direction`` to every edited state.

    Parameters
    ----------
    direction : array-like of shape (width,)
        The direction, in the units of the states (not normalised).
    scale : float
        Its multiple to add (negative: the other way).

    Returns
    -------
    callable
        ``edit(states) -> states`` for :func:`intervene`.
    """
    import torch

    direction = np.asarray(direction, dtype=np.float64)

    def edit(states):
        d = torch.as_tensor(direction, dtype=states.dtype, device=states.device)
        return states + scale * d

    return edit


def zero_units(units):
    """An edit that sets chosen units (neurons) to zero.

    Parameters
    ----------
    units : array-like of int
        Indices into the width.

    Returns
    -------
    callable
        ``edit(states) -> states`` for :func:`intervene`.
    """
    units = np.array(units, dtype=np.int64)  # a copy: torch refuses negative strides

    def edit(states):
        states = states.clone()
        states[..., units] = 0
        return states

    return edit


def random_directions(n_features, rank, *, random_state=0):
    """``rank`` orthonormal random directions: the control of the same size.

    Parameters
    ----------
    n_features : int
        Width of the states.
    rank : int
        How many directions.
    random_state : int, default=0
        Seed of the draw.

    Returns
    -------
    ndarray of shape (rank, n_features)
    """
    rng = np.random.default_rng(random_state)
    basis, _ = np.linalg.qr(rng.normal(size=(n_features, rank)))
    return basis.T
