"""Fingerprints of loaded models, and signatures of model directories.

The fingerprint is what keeps two different checkpoints (even saved one after
the other at one path) from ever sharing cached vectors: a hash of the
configuration, the tokenizer's vocabulary and normalisation, and the weights.
The weights of a checkpoint on disk enter as digests of its weight files,
computed once per file version and recorded (reading a 7B model's tensors on
every load took about a minute); freshly initialised weights enter as the
tensors themselves.
"""

import hashlib
import json
import logging
import os
import re
import threading

logger = logging.getLogger(__name__)

# Files that from_pretrained reads weights from.
WEIGHT_SUFFIXES = (
    ".safetensors",
    ".bin",
    ".pt",
    ".pth",
    ".ckpt",
    ".h5",
    ".msgpack",
    ".gguf",
    ".safetensors.index.json",
    ".bin.index.json",
)
_SHA256 = re.compile(r"^[0-9a-f]{64}$")
_DIGESTS = {}  # real path -> (file version, digest), this process


def directory_signature(path):
    """Name, size, inode, modification and change times of every file under ``path``.

    A model directory whose signature changed is loaded anew. The change time
    (``st_ctime``) is set by the system on every write and cannot be set back,
    so weights overwritten in place with the same size and a restored
    modification time are still seen. The limit: a rewrite within one tick of
    the file system's clock (a few milliseconds on Linux) of the previous
    change looks unchanged; :func:`~._models.clear_loaded_models` forgets every model.
    A dangling symbolic link (a file that is not there) enters as its target
    only: if the model needs that file, loading fails and says so.
    """
    entries = []
    for root, _dirs, files in os.walk(path):
        for name in files:
            full = os.path.join(root, name)
            rel = os.path.relpath(full, path)
            try:
                st = os.stat(full)
            except FileNotFoundError:  # a dangling link, or removed meanwhile
                link = os.readlink(full) if os.path.islink(full) else None
                entries.append((rel, "missing", link))
                continue
            entries.append((rel, st.st_size, st.st_ino, st.st_mtime_ns, st.st_ctime_ns))
    return tuple(sorted(entries, key=repr))


def fingerprint(model, tokenizer, *, files=None):
    """Hash of the weights, the configuration and the tokenizer of a loaded model.

    The weights enter as the digests of the weight files in the directory
    ``files`` (with the dtype they were loaded in), or, when ``files`` is None
    or holds none (freshly initialised weights), as the tensors in memory.
    """
    digests = weight_file_digests(files) if files is not None else []
    return _combine(model.config.to_dict(), model.dtype, digests, tokenizer, model)


def files_fingerprint(config, dtype, digests, tokenizer):
    """The :func:`fingerprint` of a model not loaded yet: ``config``, the
    configuration's dict as the loaded model will have it; ``dtype``, the torch
    dtype its weights will be loaded in; ``digests``, those of
    :func:`weight_file_digests` (not empty)."""
    return _combine(config, dtype, digests, tokenizer, None)


def _combine(config, dtype, digests, tokenizer, model):
    h = hashlib.blake2b(digest_size=20)
    # The configuration, less where it was read from and what saved it.
    config = {
        k: v
        for k, v in config.items()
        if not k.startswith("_") and k != "transformers_version"
    }
    h.update(json.dumps(config, sort_keys=True, default=str).encode())
    if digests:
        h.update(f"weights in {dtype}".encode())
        for name, digest in digests:
            h.update(f"{name}|{digest}".encode())
    else:
        _hash_tensors(h, model)
    h.update(_tokenizer_description(tokenizer).encode())
    return h.hexdigest()


def _hash_tensors(h, model):
    import torch

    for name, tensor in sorted(model.state_dict().items()):
        tensor = tensor.detach().to("cpu").contiguous()
        h.update(f"{name}|{tensor.dtype}|{tuple(tensor.shape)}".encode())
        if tensor.dtype == torch.bfloat16:
            tensor = tensor.view(torch.int16)
        h.update(tensor.numpy())  # any contiguous buffer; no copy


def weight_file_digests(directory):
    """``[(name, digest)]`` of the weight files at the top of ``directory``
    (those ``from_pretrained`` reads), sorted by name.

    A file's digest is computed once per version of the file: it is kept in
    this process and in a small record under :func:`digest_dir`, both keyed by
    the file's real path, size, inode, modification and change times. A file
    of the Hugging Face cache is a link to a blob named by its SHA-256: that
    name is its digest, and nothing is read.
    """
    out = []
    for name in sorted(os.listdir(directory)):
        if name.endswith(WEIGHT_SUFFIXES):
            path = os.path.join(directory, name)
            if os.path.isfile(path):
                out.append((name, _file_digest(os.path.realpath(path))))
    return out


def digest_dir():
    """Where file digests are recorded (None: nowhere on disk).

    ``platformdirs.user_cache_dir("sklearn-probe")/digests``; the environment
    variable ``SKLEARN_PROBE_DIGEST_DIR`` moves it, or turns it off with
    ``off``.
    """
    value = os.environ.get("SKLEARN_PROBE_DIGEST_DIR")
    if value is not None:
        return None if value.strip().lower() in {"", "0", "off", "none"} else value
    import platformdirs

    return os.path.join(platformdirs.user_cache_dir("sklearn-probe"), "digests")


def _file_digest(path):
    name = os.path.basename(path)
    if os.path.basename(os.path.dirname(path)) == "blobs" and _SHA256.match(name):
        return "sha256:" + name
    st = os.stat(path)
    version = [st.st_size, st.st_ino, st.st_mtime_ns, st.st_ctime_ns]
    known = _DIGESTS.get(path)
    if known is not None and known[0] == version:
        return known[1]
    where = digest_dir()
    record = None
    if where is not None:
        key = hashlib.blake2b(path.encode(), digest_size=16).hexdigest()
        record = os.path.join(where, key + ".json")
        try:
            with open(record) as f:
                saved = json.load(f)
            if saved["path"] == path and saved["version"] == version:
                _DIGESTS[path] = (version, saved["digest"])
                return saved["digest"]
        except (OSError, ValueError, KeyError, TypeError):
            pass  # absent or unreadable: compute
    h = hashlib.blake2b(digest_size=32)
    with open(path, "rb") as f:
        while chunk := f.read(1 << 23):
            h.update(chunk)
    digest = "blake2b:" + h.hexdigest()
    _DIGESTS[path] = (version, digest)
    if record is not None:
        _save_record(record, {"path": path, "version": version, "digest": digest})
    return digest


def _save_record(record, content):
    """Write ``content`` to ``record`` whole (a temporary file renamed), or not
    at all: a record is only a shortcut."""
    try:
        os.makedirs(os.path.dirname(record), exist_ok=True)
        tmp = f"{record}.tmp-{os.getpid()}-{threading.get_ident()}"
        with open(tmp, "w") as f:
            json.dump(content, f)
        os.replace(tmp, record)
    except OSError as exc:
        logger.debug("Could not record a file digest in %s: %s", record, exc)


def _tokenizer_description(tokenizer):
    vocab = sorted(tokenizer.get_vocab().items())
    parts = {
        "class": type(tokenizer).__name__,
        "vocab": vocab,
        "special": {k: str(v) for k, v in tokenizer.special_tokens_map.items()},
    }
    backend = getattr(tokenizer, "backend_tokenizer", None)
    if backend is not None:
        spec = json.loads(backend.to_str())
        spec.pop("truncation", None)
        spec.pop("padding", None)
        spec.pop("model", None)  # the vocabulary, already above
        parts["pipeline"] = spec
    return json.dumps(parts, sort_keys=True, default=str)
