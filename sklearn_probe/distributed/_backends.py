"""Optional imports of Dask and Ray, and the distributed joblib backend in use."""

import importlib
import os

EXTRAS = {"dask": ("distributed", "dask"), "ray": ("ray", "ray")}


def require(backend):
    """Import the module that ``backend`` needs, or say which extra installs it."""
    module, extra = EXTRAS[backend]
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise ImportError(
            f"The {backend!r} backend needs the {module!r} package, which is not "
            f"installed ({exc}). Install it with: pip install "
            f"sklearn-probe[{extra}]"
        ) from exc


def active_backend():
    """``("dask", client)`` or ``("ray", None)`` when joblib runs on a cluster,
    else None.

    Read from joblib's active backend, without importing Dask or Ray: the
    backends that ``joblib.parallel_backend("dask")`` and, after
    ``ray.util.joblib.register_ray()``, ``joblib.parallel_backend("ray")``
    install.
    """
    from joblib.parallel import get_active_backend

    backend, _ = get_active_backend()
    module = type(backend).__module__
    if type(backend).__name__ == "DaskDistributedBackend":
        return "dask", backend.client
    if module.startswith("ray."):
        return "ray", None
    return None


def shared_cache_dir(cache_dir, where):
    """``cache_dir`` checked to name a store the workers can share: a URL as
    given, a local folder as its absolute path.

    ``where`` says what runs on the cluster, for the message.
    """
    from ..store import resolve_cache_dir as resolve

    if cache_dir is None or (isinstance(cache_dir, str) and cache_dir == "auto"):
        raise ValueError(
            f"{where} runs on the workers of a cluster, which read and write "
            "the pooled vectors in a store they all share; "
            f"cache_dir={cache_dir!r} names none (None keeps vectors in one "
            "process's memory, 'auto' is a folder of this machine only). Pass "
            "cache_dir='s3://bucket/prefix' (or another fsspec URL: gs://, "
            "az://; pip install sklearn-probe[s3] for s3) or a folder on a file "
            "system every worker mounts."
        )
    fs, root, _ = resolve(cache_dir)  # an unknown scheme, a missing package: now
    # A local folder as this process's absolute path: a worker's working
    # folder is its own, so a relative path would name another folder there.
    return root if not fs.url_prefix else os.fspath(cache_dir)
