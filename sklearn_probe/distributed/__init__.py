"""Extraction and sweeps on a cluster: Dask distributed or Ray.

:func:`extract` runs texts through a model on every worker of a cluster, one
long-lived model per worker (or GPU), each distinct text once, into a store
that every worker and the caller share (``cache_dir``: a folder on a shared
file system, or an object-store URL such as ``s3://bucket/prefix``). A
:func:`~sklearn_probe.layer_sweep` run under ``joblib.parallel_backend("dask")``
or ``("ray")`` extracts this way before its search, then fits every candidate
and fold on the cluster from that store.

Dask and Ray are optional (``pip install sklearn-probe[dask]`` or
``sklearn-probe[ray]``) and imported only when used.
"""

from ._backends import active_backend as active_backend
from ._backends import shared_cache_dir as shared_cache_dir
from ._extract import ExtractionReport, extract

__all__ = ["ExtractionReport", "extract"]
# active_backend and shared_cache_dir: what the sweep asks of joblib's backend
# (importable from here, not user API).
