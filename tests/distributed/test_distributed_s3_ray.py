"""A Ray cluster whose workers share nothing but object storage.

A local Ray cluster of three nodes on this machine (``ray.cluster_utils``): a
head without CPUs and two worker nodes of one CPU each, each node with a
scratch folder of its own (its ``TMPDIR`` and the digests folder, in the
environment of its raylet, which its worker processes inherit). They read and
write the pooled vectors in an S3 bucket only: moto's S3 server, started here
(``object_storage.moto_bucket``, shared with the Dask test). Counts, never
times: every text through a model once (rows counted inside Ray's worker
processes by a hook each runs at its start), a rerun runs nothing, a worker
killed mid-partition leaves a complete store, and a sweep on the cluster gives
the scores of one process.
"""

import os

import pytest
from helpers import check_store_serves, count_forward_rows, length_corpus, stored_rows
from object_storage import (
    CONTROL_ENV,
    HERE,
    moto_bucket,
    ray_rows,
    reset_control,
    s3_env,
    scratch_env,
    store_files_in,
)
from sklearn.linear_model import LogisticRegression

from sklearn_probe import layer_sweep
from sklearn_probe.hidden import verify_cache
from sklearn_probe.store import MEMORY

ray = pytest.importorskip("ray")
pytest.importorskip("s3fs")
pytest.importorskip("moto.server")

from ray.cluster_utils import Cluster  # noqa: E402

from sklearn_probe.distributed import extract  # noqa: E402

pytestmark = pytest.mark.slow  # three Ray nodes take a while to start

#: Enough for Ray's object store on each node (its floor is 75 MiB).
STORE_BYTES = 80 * 2**20


@pytest.fixture(scope="module")
def bucket():
    with moto_bucket() as url:
        yield url


@pytest.fixture(scope="module")
def ray_cluster(bucket, tiny_bert, tmp_path_factory):
    """``(control folder, scratch folders)``: this process connected to a Ray
    cluster of two one-CPU worker nodes, each with a scratch folder of its
    own; every worker process counts its model's rows in the control folder
    (``object_storage.ray_worker_setup``)."""
    scratch = [tmp_path_factory.mktemp(f"node-{k}") for k in range(2)]
    control = tmp_path_factory.mktemp("control")
    (control / "model").write_text(str(tiny_bert))
    cluster = Cluster(
        initialize_head=True,
        head_node_args={
            "num_cpus": 0,  # the head schedules; the worker nodes compute
            "include_dashboard": False,
            "object_store_memory": STORE_BYTES,
        },
    )
    try:
        for k, folder in enumerate(scratch):
            cluster.add_node(
                num_cpus=1,
                resources={f"node-{k}": 1},
                object_store_memory=STORE_BYTES,
                env_vars=scratch_env(folder),
            )
        paths = [str(HERE), str(HERE.parent), os.environ.get("PYTHONPATH", "")]
        env = {
            **s3_env(os.environ["FSSPEC_S3_ENDPOINT_URL"]),
            # This file's helpers (the setup hook), the tests' and the package.
            "PYTHONPATH": os.pathsep.join(p for p in paths if p),
            CONTROL_ENV: str(control),
            "OMP_NUM_THREADS": "1",
            "TOKENIZERS_PARALLELISM": "false",
        }
        ray.init(
            address=cluster.address,
            log_to_driver=False,
            runtime_env={
                "env_vars": env,
                "worker_process_setup_hook": "object_storage.ray_worker_setup",
            },
        )
        try:
            yield control, scratch
        finally:
            ray.shutdown()
    finally:
        cluster.shutdown()


def scratch_of_each_node():
    """node -> the temporary folder its worker processes see."""

    @ray.remote(num_cpus=0)
    def where():
        import tempfile

        return os.path.realpath(tempfile.gettempdir())

    return [
        ray.get(where.options(resources={f"node-{k}": 0.01}).remote()) for k in range(2)
    ]


def test_ray_workers_of_separate_folders_fill_an_s3_store_once(
    ray_cluster, bucket, tiny_bert
):
    control, scratch = ray_cluster
    # Each node's workers write their temporary files in a folder of its own.
    assert scratch_of_each_node() == [os.path.realpath(f) for f in scratch]

    reset_control(control)
    texts, _ = length_corpus(40, seed=31)
    url = f"{bucket}/once"
    report = extract(
        texts + texts[:5],
        model=tiny_bert,
        cache_dir=url,
        backend="ray",
        pooling=["mean", "max"],
        partition_size=8,
    )
    rows, processes = ray_rows(control)
    assert rows == len(texts)  # counted in Ray's worker processes
    assert report.n_missing == report.n_computed == len(texts)
    # One actor per one-CPU node, both took partitions, one model each.
    assert len(report.workers) == processes == 2
    assert sum(w["partitions"] for w in report.workers.values()) == 5
    assert all(w["models_loaded"] == 1 for w in report.workers.values())
    assert stored_rows(url) == {"mean": (40, 40), "max": (40, 40)}
    assert store_files_in(scratch) == []  # S3 is all they share

    again = extract(
        texts, model=tiny_bert, cache_dir=url, backend="ray", pooling=["mean", "max"]
    )
    assert (again.n_missing, again.n_computed, again.n_partitions) == (0, 0, 0)
    assert ray_rows(control)[0] == len(texts)
    check_store_serves(tiny_bert, url, texts, ["mean", "max"])


def test_a_ray_worker_killed_mid_partition_leaves_a_complete_s3_store(
    ray_cluster, bucket, tiny_bert
):
    control, _ = ray_cluster
    # The first worker process to reach its third batch (the first of its
    # second partition of two batches) kills itself.
    reset_control(control, kill_on_call=3)
    texts, _ = length_corpus(48, seed=32)
    url = f"{bucket}/killed"
    report = extract(
        texts,
        model=tiny_bert,
        cache_dir=url,
        backend="ray",
        pooling=["mean", "cls"],
        partition_size=8,
        batch_size=4,
    )
    assert (control / "killed").is_file()  # a worker died, for real
    # Ray restarted the actor and ran its partition again: every partition
    # reported once, and no more than that partition computed twice.
    assert sum(w["partitions"] for w in report.workers.values()) == 6
    rows, _ = ray_rows(control)
    assert len(texts) < rows <= len(texts) + 8
    assert {p: n for p, (_, n) in stored_rows(url).items()} == {"mean": 48, "cls": 48}
    checked = verify_cache(url)
    assert checked["checked"] > 0 and checked["bad"] == 0
    reset_control(control)
    again = extract(
        texts, model=tiny_bert, cache_dir=url, backend="ray", pooling=["mean", "cls"]
    )
    assert again.n_computed == 0 and ray_rows(control)[0] == 0
    check_store_serves(tiny_bert, url, texts, ["mean", "cls"])


def test_a_sweep_on_ray_gives_the_scores_of_one_process(ray_cluster, bucket, tiny_bert):
    import joblib
    from ray.util.joblib import register_ray

    control, _ = ray_cluster
    register_ray()
    reset_control(control)
    texts, labels = length_corpus(30, seed=33)
    test_texts, test_labels = length_corpus(10, seed=34)
    args = {
        "model": tiny_bert,
        "layers": [1, 3],
        "pooling": ["mean", "max"],
        "probe": LogisticRegression(max_iter=300),
        "test": (test_texts, test_labels),
        "cv": 3,
        "verbose": 0,
    }
    with count_forward_rows(tiny_bert) as local, joblib.parallel_backend("ray"):
        on_cluster = layer_sweep(texts, labels, cache_dir=f"{bucket}/sweep", **args)
    assert local["rows"] == 0  # this process ran no text
    assert ray_rows(control)[0] == len(set(texts) | set(test_texts))
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
    assert on_cluster.test_score_ci == here.test_score_ci
