"""Where in a block a vector is read: the sites, their modules and their hooks.

A *site* is a place in the model's computation. ``"residual"`` is the hidden
state the model returns after each block (``output_hidden_states``); the other
sites live inside a block and are read by hooks on its modules:

- ``"attention"``: what the attention sublayer adds to the residual stream
  (its output projection's output, bias included);
- ``"mlp"``: what the MLP (feed-forward) sublayer adds;
- ``"residual_mid"``: the stream between the two sublayers, the input of the
  MLP's residual branch (pre-norm decoders: ``residual + attention``, the input
  of the second norm; post-norm encoders: the attention's add-and-norm output);
- ``"heads"``: each attention head's output before the output projection, the
  heads side by side (head ``h`` in columns ``h * d`` to ``(h + 1) * d``).

:data:`FAMILIES` maps a configuration's ``model_type`` to the modules of one
block that hold each site (:func:`site_modules`); a model of another family
gives them as ``site_modules=`` (same form). :func:`recording` registers the
hooks for one forward pass and removes them when it ends, on an error too; each
hook reduces (pools) its tensor at once, so no token-level tensor outlives its
block. A sublayer site has a vector per block: block ``b`` (0-based) is layer
``b + 1``, the hidden state it feeds into (:func:`site_layers`).
"""

import contextlib

SITES = ("residual", "attention", "mlp", "residual_mid", "heads")
SUBLAYER_SITES = SITES[1:]

# Post-norm encoders: the attention's add-and-norm output is the mid stream.
_BERT = {
    "attention": "attention.output.dense",
    "mlp": "output.dense",
    "residual_mid": "attention.output",
    "heads": "attention.output.dense:input",
}
_DISTILBERT = {
    "attention": "attention.out_lin",
    "mlp": "ffn",
    "residual_mid": "sa_layer_norm",
    "heads": "attention.out_lin:input",
}
# Pre-norm decoders: the mid stream is the input of the second norm.
_GPT2 = {
    "attention": "attn",
    "mlp": "mlp",
    "residual_mid": "ln_2:input",
    "heads": "attn.c_proj:input",
}
_LLAMA = {
    "attention": "self_attn",
    "mlp": "mlp",
    "residual_mid": "post_attention_layernorm:input",
    "heads": "self_attn.o_proj:input",
}

#: ``model_type`` -> the module (path inside one block) of every sublayer site;
#: ``"path"`` reads the module's output (the first element of a tuple),
#: ``"path:input"`` its first input. ``"blocks"``, where given, is the path of
#: the blocks' ``ModuleList`` from the model (found by its length otherwise).
FAMILIES = {
    "bert": _BERT,
    "roberta": _BERT,
    "distilbert": _DISTILBERT,
    "gpt2": _GPT2,
    "llama": _LLAMA,
    "mistral": _LLAMA,
    "qwen2": _LLAMA,
}


def transformer_blocks(model):
    """The model's list of transformer blocks (``num_hidden_layers`` long).

    Parameters
    ----------
    model : transformers.PreTrainedModel
        A model whose config names its number of layers.

    Returns
    -------
    torch.nn.ModuleList
    """
    import torch

    config = model.config
    n = getattr(config, "num_hidden_layers", None) or getattr(config, "n_layer", None)
    found = [
        m
        for m in model.modules()
        if isinstance(m, torch.nn.ModuleList) and len(m) == n and n
    ]
    if len(found) != 1:
        raise ValueError(
            f"Cannot tell the {n} transformer blocks of {type(model).__name__} "
            f"apart ({len(found)} module lists of that length); pass them as "
            "blocks=, e.g. blocks=model.transformer.h."
        )
    return found[0]


def site_modules(model, given=None):
    """The module map of ``model``'s family, or ``given`` (checked)."""
    if given is not None:
        unknown = set(given) - {*SUBLAYER_SITES, "blocks"}
        if unknown:
            raise ValueError(
                f"site_modules has the unknown key(s) {sorted(unknown)}; its keys "
                f"are sites {list(SUBLAYER_SITES)} (and 'blocks')."
            )
        return dict(given)
    model_type = getattr(model.config, "model_type", None)
    if model_type in FAMILIES:
        return FAMILIES[model_type]
    raise ValueError(
        f"Sites inside a block are known for the model families "
        f"{sorted(FAMILIES)}; this model is {model_type!r}. Name the modules of "
        "one block yourself with site_modules=, e.g. for a Llama-like block "
        f"site_modules={_LLAMA!r} (a path reads the module's output, "
        "'path:input' its first input; add 'blocks': 'model.layers' if the "
        "blocks cannot be found by their number)."
    )


def blocks_of(model, modules):
    """The blocks: ``modules["blocks"]`` if given, else found by their number."""
    if "blocks" in modules:
        return model.get_submodule(modules["blocks"])
    try:
        return transformer_blocks(model)
    except ValueError as error:
        raise ValueError(
            f"{error} For sites, give the path of the blocks in site_modules, "
            "e.g. site_modules={..., 'blocks': 'model.layers'}."
        ) from None


def _module(block, site, modules):
    """``(module, reads_input)`` of ``site`` in ``block``."""
    if site not in modules:
        raise ValueError(
            f"site={site!r} is not in the module map of this model "
            f"({sorted(k for k in modules if k != 'blocks')}); add it to "
            "site_modules."
        )
    path, _, where = modules[site].partition(":")
    try:
        module = block.get_submodule(path)
    except AttributeError:
        raise ValueError(
            f"site={site!r}: the block {type(block).__name__} has no module "
            f"{path!r}; check site_modules."
        ) from None
    return module, where == "input"


def site_layers(site, layers, layer, model, n_layers):
    """Check the hidden-state indices ``layers`` (resolved from ``layer``) for
    ``site``; a sublayer site has none at 0 (``"all"`` starts at 1)."""
    import os

    if site == "residual":
        return layers
    if layer == "all":
        return [lay for lay in layers if lay > 0]
    if 0 in layers:
        raise ValueError(
            f"site={site!r} has no layer 0: the embedding output has no sublayers. "
            f"Layer L of a sublayer site is read inside block L, the one that "
            f"writes hidden state L: model {os.fspath(model)!r} has layers 1 to "
            f"{n_layers - 1} there (-1 is the last), or 'all'."
        )
    return layers


def rows_of(site, layers):
    """Rows of the cached ``(rows, width)`` array of ``site`` for ``layers``."""
    return list(layers) if site == "residual" else [lay - 1 for lay in layers]


def site_shape(loaded, site, given=None):
    """``(rows, width)`` of ``site``'s cached vectors of one text."""
    if site == "residual":
        return loaded.n_layers, loaded.width
    model = loaded.model
    modules = site_modules(model, given)
    blocks = blocks_of(model, modules)
    module, _ = _module(blocks[0], site, modules)
    width = loaded.width
    if site == "heads":
        width = getattr(module, "in_features", None) or getattr(module, "nx", None)
        if width is None:
            raise ValueError(
                f"site='heads' reads the input of {type(module).__name__}, whose "
                "input width is unknown (no in_features): name a linear output "
                "projection in site_modules['heads']."
            )
    return len(blocks), int(width)


def n_heads(loaded):
    """Number of attention heads per block."""
    config = loaded.model.config
    n = getattr(config, "num_attention_heads", None) or getattr(config, "n_head", None)
    if not n:
        raise ValueError(
            "site='heads' needs the number of heads, which the configuration "
            "does not give (num_attention_heads)."
        )
    return int(n)


def check_head(head, loaded):
    """The columns of head ``head`` in the heads' vector (all for None)."""
    if head is None:
        return None
    count = n_heads(loaded)
    if not 0 <= head < count:
        raise ValueError(
            f"head={head} is out of range: the model has {count} heads per block "
            f"(0 to {count - 1}); head=None returns them all side by side."
        )
    return head


def head_columns(head, width, count):
    """Slice of head ``head``'s columns in a heads vector of ``width``."""
    size = width // count
    return slice(head * size, (head + 1) * size)


@contextlib.contextmanager
def recording(model, sites, reduce, mask, given=None):
    """Hooks that read ``sites`` in every block during one forward pass.

    Yields ``site -> list`` (one entry per block) that the pass fills with
    ``reduce(tensor_in_float32, mask_on_its_device)``. The hooks are removed
    when the ``with`` block ends, whether the pass succeeded or not; a site
    whose module did not run once per block is an error.
    """
    sites = [s for s in sites if s != "residual"]
    got = {site: [] for site in sites}
    handles = []
    if sites:
        modules = site_modules(model, given)
        blocks = blocks_of(model, modules)
    masks = {}

    def keep(site, tensor):
        if isinstance(tensor, tuple | list):
            tensor = tensor[0]
        if tensor.dim() == 2 and tensor.shape[0] == mask.numel():
            # Some blocks (OPT's MLP) run on the tokens flattened.
            tensor = tensor.reshape(*mask.shape, -1)
        where = tensor.device
        if where not in masks:
            masks[where] = mask.to(where)
        got[site].append(reduce(tensor.float(), masks[where]))

    def hook(site, reads_input):
        if reads_input:

            def before(module, args, kwargs):
                keep(site, args[0] if args else next(iter(kwargs.values())))

            return before, True

        def after(module, args, output):
            keep(site, output)

        return after, False

    try:
        for site in sites:
            for block in blocks:
                module, reads_input = _module(block, site, modules)
                function, pre = hook(site, reads_input)
                if pre:
                    handles.append(
                        module.register_forward_pre_hook(function, with_kwargs=True)
                    )
                else:
                    handles.append(module.register_forward_hook(function))
        yield got
        for site in sites:
            if len(got[site]) != len(blocks):
                raise RuntimeError(
                    f"site={site!r}: its module ran {len(got[site])} times in a "
                    f"forward pass of {len(blocks)} blocks; check site_modules."
                )
    finally:
        for handle in handles:
            handle.remove()
