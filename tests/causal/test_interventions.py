"""Edits of the residual stream: exact, local to later layers, always removed."""

import numpy as np
import pytest
from helpers import make_bert, make_decoder, make_gpt2

from sklearn_probe.causal import (
    erase,
    intervene,
    random_directions,
    steer,
    transformer_blocks,
    zero_units,
)


@pytest.fixture(scope="module", params=["bert", "gpt2", "llama"])
def model_and_inputs(request, tmp_path_factory):
    import torch
    from transformers import AutoModel, AutoTokenizer

    folder = tmp_path_factory.mktemp(request.param)
    path = {
        "bert": lambda: make_bert(folder / "m", num_hidden_layers=3),
        "gpt2": lambda: make_gpt2(folder / "m", n_layer=3),
        "llama": lambda: make_decoder(folder / "m", "llama", dtype="float32"),
    }[request.param]()
    model = AutoModel.from_pretrained(path).eval()
    tokens = AutoTokenizer.from_pretrained(path)("a good film", return_tensors="pt")
    with torch.no_grad():
        plain = model(**tokens, output_hidden_states=True).hidden_states
    return request.param, model, tokens, plain


def _states(model, tokens):
    import torch

    with torch.no_grad():
        return model(**tokens, output_hidden_states=True).hidden_states


def test_an_identity_edit_leaves_every_state_as_it_was(model_and_inputs):
    _, model, tokens, plain = model_and_inputs
    for layer in range(len(plain)):
        with intervene(model, layer, lambda s: s):
            states = _states(model, tokens)
        for a, b in zip(states, plain, strict=True):
            np.testing.assert_allclose(a.numpy(), b.numpy(), atol=1e-6)


def test_an_edit_changes_its_layer_and_later_ones_only(model_and_inputs):
    kind, model, tokens, plain = model_and_inputs
    layer = 1
    width = plain[0].shape[-1]
    with intervene(model, layer, steer(np.ones(width), 3.0), positions=-1):
        states = _states(model, tokens)
    np.testing.assert_allclose(states[0].numpy(), plain[0].numpy(), atol=1e-6)
    edited = plain[1].clone()
    edited[:, -1] += 3.0
    np.testing.assert_allclose(states[1].numpy(), edited.numpy(), atol=1e-5)
    assert not np.allclose(states[-1][:, -1].numpy(), plain[-1][:, -1].numpy())


def test_a_hand_run_of_the_later_blocks_reproduces_the_edited_states(model_and_inputs):
    kind, model, tokens, plain = model_and_inputs
    import torch

    blocks = transformer_blocks(model)
    layer = 1
    edit = zero_units([0, 3, 5])
    with intervene(model, layer, edit):
        states = _states(model, tokens)
    x = edit(plain[layer])
    extra = {}
    if kind == "llama":  # its blocks take the rotary embeddings the model makes
        positions = torch.arange(x.shape[1])[None]
        extra["position_embeddings"] = model.rotary_emb(x, positions)
    with torch.no_grad():
        for block in blocks[layer:]:
            out = block(x, **extra)
            x = out[0] if isinstance(out, tuple) else out
        # A decoder's last hidden state is after its final norm.
        if kind != "bert":
            x = model.ln_f(x) if kind == "gpt2" else model.norm(x)
    np.testing.assert_allclose(states[-1].numpy(), x.numpy(), atol=1e-5)


def test_erasing_projects_out_the_directions(model_and_inputs):
    _, model, tokens, plain = model_and_inputs
    width = plain[0].shape[-1]
    directions = random_directions(width, 2, random_state=0)
    with intervene(model, 2, erase(directions)):
        states = _states(model, tokens)
    np.testing.assert_allclose(states[2].numpy() @ directions.T, 0, atol=1e-5)


def test_the_hook_is_removed_after_an_error(model_and_inputs):
    _, model, tokens, _ = model_and_inputs
    blocks = transformer_blocks(model)

    def hooks():  # transformers keeps hooks of its own on the blocks
        return [(len(b._forward_hooks), len(b._forward_pre_hooks)) for b in blocks]

    before = hooks()
    with pytest.raises(RuntimeError, match="inside"):
        with intervene(model, 1, lambda s: s):
            raise RuntimeError("inside")
    with pytest.raises(RuntimeError, match="edit failed"):
        with intervene(model, 0, _failing):
            _states(model, tokens)
    assert hooks() == before


def _failing(states):
    raise RuntimeError("edit failed")


def test_a_layer_out_of_range_is_refused(model_and_inputs):
    _, model, _, plain = model_and_inputs
    with pytest.raises(ValueError, match="not a hidden state"):
        with intervene(model, len(plain), lambda s: s):
            pass


def test_an_edit_of_the_last_hidden_state_is_the_state_returned(model_and_inputs):
    """A decoder's last hidden state is after its final norm: the edit lands
    there, not before the norm."""
    _, model, tokens, plain = model_and_inputs
    width = plain[0].shape[-1]
    directions = random_directions(width, 2, random_state=0)
    with intervene(model, -1, erase(directions)):
        states = _states(model, tokens)
    np.testing.assert_allclose(states[-1].numpy() @ directions.T, 0, atol=1e-5)
    for a, b in zip(states[:-1], plain[:-1], strict=True):
        np.testing.assert_allclose(a.numpy(), b.numpy(), atol=1e-6)
