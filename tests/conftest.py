"""Shared fixtures: tiny random models saved to disk, small corpora. No network.

The builders behind them live in helpers.py, which test modules import.
"""

import os
import sys
import tempfile
import types

# Tests never touch the network: fail fast instead of trying the hub.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("HF_DATASETS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
# Digests of weight files are recorded in a folder of the test run, not the
# user's cache.
os.environ.setdefault(
    "SKLEARN_PROBE_DIGEST_DIR", tempfile.mkdtemp(prefix="sklearn-probe-digests-")
)
# Pictures are drawn headless.
os.environ.setdefault("MPLBACKEND", "Agg")
# Never the user's default store of pooled vectors (a test that wants one sets
# the variable to a temporary folder).
os.environ["SKLEARN_PROBE_CACHE_DIR"] = "off"

import pytest  # noqa: E402
from helpers import TEXTS, make_bert, make_gpt2  # noqa: E402


@pytest.fixture(scope="session")
def tiny_bert(tmp_path_factory):
    return make_bert(tmp_path_factory.mktemp("tiny-bert"))


@pytest.fixture(scope="session")
def tiny_gpt2(tmp_path_factory):
    return make_gpt2(tmp_path_factory.mktemp("tiny-gpt2"))


@pytest.fixture
def texts():
    return list(TEXTS)


@pytest.fixture(autouse=True)
def _fresh_vector_cache():
    """Each test starts with an empty in-memory vector cache (models stay loaded)."""
    from sklearn_probe.store import MEMORY

    MEMORY.clear()
    yield
    MEMORY.clear()


@pytest.fixture
def one_blas_thread():
    """Tiny scikit-learn fits: BLAS threads only add contention (lbfgs ~50x slower)."""
    from threadpoolctl import threadpool_limits

    with threadpool_limits(1):
        yield


@pytest.fixture
def close_figures():
    """Close every matplotlib figure the test opened."""
    yield
    import matplotlib.pyplot as plt

    plt.close("all")


@pytest.fixture(scope="module")
def one_openmp_thread():
    """t-SNE of a few dozen points gains nothing from threads, and OpenMP threads
    spinning on a busy machine (parallel test runs) made one call take 30 s."""
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1, user_api="openmp"):
        yield


@pytest.fixture
def no_hub(monkeypatch):
    """A stand-in 'datasets' library that records hub lookups and fails them."""
    calls = []

    def load_dataset(name, **kwargs):
        calls.append(name)
        raise ConnectionError(f"Couldn't reach {name!r} on the Hub")

    stub = types.ModuleType("datasets")
    stub.load_dataset = load_dataset
    monkeypatch.setitem(sys.modules, "datasets", stub)
    return calls
