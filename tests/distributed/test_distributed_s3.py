"""A Dask cluster whose workers share nothing but object storage.

Two worker processes on this machine, each with its own scratch folder (its
``TMPDIR``, Dask's local directory and the digests folder), read and write the
pooled vectors in an S3 bucket only: moto's S3 server, started here on a free
port of 127.0.0.1, with fake credentials. Counts, never times: every text
through a model once (forward rows counted inside the workers), a rerun runs
nothing, a worker killed mid-partition leaves a complete store, and a sweep on
the cluster gives the scores of one process. The bucket and the scratch
folders come from ``object_storage``, which the Ray version shares.
"""

import os

import pytest
from helpers import (
    check_store_serves,
    count_forward_rows,
    count_in_workers,
    length_corpus,
    stored_rows,
)
from object_storage import moto_bucket, scratch_env, store_files_in
from sklearn.linear_model import LogisticRegression

from sklearn_probe import HiddenStateTransformer, layer_sweep
from sklearn_probe.hidden import verify_cache
from sklearn_probe.store import MEMORY

distributed = pytest.importorskip("distributed")
pytest.importorskip("s3fs")
pytest.importorskip("moto.server")

from sklearn_probe.distributed import extract  # noqa: E402

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def bucket():
    """``s3://<bucket>`` on moto's S3 server in this process; the endpoint and
    fake credentials in the environment, which the workers inherit."""
    with moto_bucket() as url:
        yield url


@pytest.fixture(scope="module")
def cluster(bucket, tmp_path_factory):
    """``(client, scratch folders)``: two worker processes of one thread, each
    with a scratch folder of its own (a restarted worker gets it again)."""
    scratch = [tmp_path_factory.mktemp(f"worker-{k}") for k in range(2)]
    workers = {
        f"worker-{k}": {
            "cls": distributed.Nanny,
            "options": {
                "nthreads": 1,
                "host": "127.0.0.1",
                "local_directory": str(folder),
                "env": scratch_env(folder),
            },
        }
        for k, folder in enumerate(scratch)
    }
    scheduler = {
        "cls": distributed.Scheduler,
        "options": {"host": "127.0.0.1", "dashboard_address": ":0"},
    }
    with (
        distributed.SpecCluster(workers=workers, scheduler=scheduler) as spec,
        distributed.Client(spec) as client,
    ):
        client.wait_for_workers(2)
        yield client, scratch


def scratch_of_each_worker(client):
    """worker -> its temporary folder, as the worker process sees it."""

    def where():
        import tempfile

        return os.path.realpath(tempfile.gettempdir())

    return client.run(where)


def test_workers_of_separate_folders_fill_an_s3_store_once(cluster, bucket, tiny_bert):
    client, scratch = cluster
    # Each worker writes its temporary files in a folder of its own.
    folders = sorted(scratch_of_each_worker(client).values())
    assert folders == sorted(os.path.realpath(f) for f in scratch)

    texts, _ = length_corpus(40, seed=21)
    given = texts + texts[:5]
    url = f"{bucket}/once"
    rows = count_in_workers(client, tiny_bert)
    settings = HiddenStateTransformer(tiny_bert, pooling="mean", cache_dir=url)
    report = extract(
        given, settings, client=client, pooling=["mean", "max"], partition_size=8
    )
    assert sum(rows().values()) == len(texts)  # counted in the workers
    assert report.n_missing == report.n_computed == len(texts)
    assert len(report.workers) == 2  # both took partitions
    assert stored_rows(url) == {"mean": (40, 40), "max": (40, 40)}
    # Nothing of the store in any worker's folder: S3 is all they share.
    assert store_files_in(scratch) == []

    # Again, the settings given as keywords: nothing to do, nothing run.
    again = extract(
        given, model=tiny_bert, cache_dir=url, client=client, pooling=["mean", "max"]
    )
    assert (again.n_missing, again.n_computed, again.n_partitions) == (0, 0, 0)
    assert sum(rows().values()) == len(texts)
    # This process reads them from the bucket alone: the vectors of one
    # process computing the same texts (other batches: float32 noise).
    check_store_serves(tiny_bert, url, texts, ["mean", "max"])


def test_a_worker_killed_mid_partition_leaves_a_complete_s3_store(
    cluster, bucket, tiny_bert
):
    client, _ = cluster
    texts, _ = length_corpus(48, seed=22)
    url = f"{bucket}/killed"
    victim = sorted(client.scheduler_info(n_workers=-1)["workers"])[0]

    def die_on_third_batch(path):
        import signal

        from sklearn_probe.hidden._models import load_model

        model = load_model(path, "cpu").model
        calls = []

        def hook(module, args, kwargs):
            calls.append(1)
            if len(calls) == 3:  # inside a partition, for real
                os.kill(os.getpid(), signal.SIGKILL)

        model.register_forward_pre_hook(hook, with_kwargs=True)

    client.run(die_on_third_batch, tiny_bert, workers=[victim])
    report = extract(
        texts,
        model=tiny_bert,
        cache_dir=url,
        client=client,
        pooling=["mean", "cls"],
        partition_size=8,
        batch_size=4,
    )
    # The victim died (its nanny started a new worker at another address) and
    # its partition ran again elsewhere: every partition reported once.
    assert victim not in client.scheduler_info(n_workers=-1)["workers"]
    assert sum(w["partitions"] for w in report.workers.values()) == 6
    client.wait_for_workers(2)
    assert {p: n for p, (_, n) in stored_rows(url).items()} == {"mean": 48, "cls": 48}
    checked = verify_cache(url)
    assert checked["checked"] > 0 and checked["bad"] == 0
    again = extract(
        texts, model=tiny_bert, cache_dir=url, client=client, pooling=["mean", "cls"]
    )
    assert again.n_computed == 0
    check_store_serves(tiny_bert, url, texts, ["mean", "cls"])


def test_a_sweep_on_the_cluster_gives_the_scores_of_one_process(
    cluster, bucket, tiny_bert
):
    import joblib

    client, _ = cluster
    texts, labels = length_corpus(30, seed=23)
    test_texts, test_labels = length_corpus(10, seed=24)
    args = {
        "model": tiny_bert,
        "layers": [1, 3],
        "pooling": ["mean", "max"],
        "probe": LogisticRegression(max_iter=300),
        "test": (test_texts, test_labels),
        "cv": 3,
        "verbose": 0,
    }
    rows = count_in_workers(client, tiny_bert)
    with count_forward_rows(tiny_bert) as local, joblib.parallel_backend("dask"):
        on_cluster = layer_sweep(texts, labels, cache_dir=f"{bucket}/sweep", **args)
    assert local["rows"] == 0  # this process ran no text
    assert sum(rows().values()) == len(set(texts) | set(test_texts))
    # One process, no store at all: its own pass over the texts.
    MEMORY.clear()
    with count_forward_rows(tiny_bert) as local:
        here = layer_sweep(texts, labels, n_jobs=1, cache_dir=None, **args)
    assert local["rows"] == len(set(texts) | set(test_texts))
    columns = ["layer", "pooling", "cv_score_mean", "cv_score_std", "train_score_mean"]
    # The vectors agree to float32 noise (other batches), the scores exactly.
    assert on_cluster.scores[columns].equals(here.scores[columns])
    assert on_cluster.best_params == here.best_params
    assert on_cluster.test_score == here.test_score
