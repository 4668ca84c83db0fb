"""Sites on a Dask cluster: a sublayer site computed by the workers into the
shared store is what one process computes, and this process runs no text."""

import numpy as np
import pytest
from helpers import count_forward_rows, count_in_workers, length_corpus

from sklearn_probe import HiddenStateTransformer
from sklearn_probe.store import MEMORY

distributed = pytest.importorskip("distributed")

from sklearn_probe.distributed import extract  # noqa: E402


@pytest.fixture(scope="module")
def client():
    with (
        distributed.LocalCluster(
            n_workers=1, threads_per_worker=1, processes=True, dashboard_address=":0"
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        yield client


def test_workers_cache_a_sublayer_site_that_this_process_reads(
    client, tiny_bert, tmp_path
):
    texts, _ = length_corpus(16, seed=3)
    store = str(tmp_path / "store")
    rows = count_in_workers(client, tiny_bert)
    report = extract(
        texts, model=tiny_bert, cache_dir=store, client=client, site="attention"
    )
    assert report.n_computed == len(texts) and sum(rows().values()) == len(texts)
    MEMORY.clear()
    with count_forward_rows(tiny_bert) as local:
        read = HiddenStateTransformer(
            tiny_bert,
            layer="all",
            site="attention",
            cache_dir=store,
            cache_mode="read-only",
        ).fit_transform(texts)
    assert local["rows"] == 0
    MEMORY.clear()
    alone = HiddenStateTransformer(
        tiny_bert, layer="all", site="attention", cache_dir=None
    ).fit_transform(texts)
    np.testing.assert_allclose(read, alone, rtol=0, atol=1e-5)
