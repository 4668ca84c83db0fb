"""Describe a checkpoint on disk without reading its weights.

A model whose vectors are all in the disk store need not be loaded at all: its
configuration and tokenizer say everything that fitting needs (layers, width,
padding, whether it reads left to right), and its fingerprint is computed from
the digests of its weight files, exactly as :func:`~._fingerprint.fingerprint`
computes it from the loaded model. :func:`describe_weights` says whether the
weights can wait and gives what describes them; :func:`check_unchanged` makes
sure, when they are finally read, that they are the files that were described.

The weights are read at once (as before) for the random-weights baseline (its
fingerprint hashes the tensors), with a ``device_map`` (the device is where
accelerate puts the embeddings), for encoder-decoders (the encoder is kept),
for checkpoints that ship their own code, and whenever the weight files are not
all there and readable: then reading them raises the error it always raised,
at fit.
"""

import json
import os

from ._checkpoint import weights_dtype
from ._fingerprint import WEIGHT_SUFFIXES, files_fingerprint, weight_file_digests


def describe_weights(config, tokenizer, files, *, torch_dtype, eager):
    """``(fingerprint, versions)`` of the weights in the
    directory ``files``, not read; None when they must be read now (``eager``
    true, or see the module's description). ``tokenizer`` is set up as the
    loaded model's is (its padding)."""
    if eager or files is None or not _deferrable(config):
        return None
    try:
        versions = weight_versions(files)
        if not versions or not _complete(files, versions):
            return None
        digests = weight_file_digests(files)
    except OSError:  # unreadable: reading the weights says why, at fit
        return None
    dtype = weights_dtype(torch_dtype, config)
    as_loaded = config.to_dict()
    # from_pretrained records the dtype it loaded the weights in.
    as_loaded["dtype"] = str(dtype).removeprefix("torch.")
    return files_fingerprint(as_loaded, dtype, digests, tokenizer), versions


def weight_versions(directory):
    """``{name: (size, inode, modification, change time)}`` of the weight files
    at the top of ``directory``."""
    out = {}
    for name in sorted(os.listdir(directory)):
        if name.endswith(WEIGHT_SUFFIXES):
            path = os.path.join(directory, name)
            if os.path.isfile(path):
                st = os.stat(path)
                out[name] = (st.st_size, st.st_ino, st.st_mtime_ns, st.st_ctime_ns)
    return out


def check_unchanged(source, files, versions):
    """Raise ``OSError`` if the weight files of ``source`` in ``files`` are no
    longer the ones described by ``versions``."""
    if weight_versions(files) != versions:
        raise OSError(
            f"The weight files of model {source!r} changed after the model was "
            "fitted in this process, so its cached vectors' fingerprint does not "
            "describe them. Fit again to use the new weights."
        )


def _deferrable(config):
    return not (
        getattr(config, "is_encoder_decoder", False)
        or getattr(config, "auto_map", None)
    )


def _complete(directory, versions):
    """Whether every shard that an index names is there, and every safetensors
    file's header reads (a truncated or foreign file fails at fit, as before)."""
    for name in versions:
        path = os.path.join(directory, name)
        if name.endswith(".index.json"):
            try:
                with open(path) as f:
                    shards = set(json.load(f)["weight_map"].values())
            except (ValueError, KeyError, TypeError, AttributeError):
                return False
            if not shards <= versions.keys():
                return False
        elif name.endswith(".safetensors") and not _header_reads(path):
            return False
    return True


def _header_reads(path):
    from safetensors import safe_open

    try:
        with safe_open(path, framework="pt") as f:
            f.keys()
    except Exception:  # safetensors' own error, or OSError: read it at fit
        return False
    return True
