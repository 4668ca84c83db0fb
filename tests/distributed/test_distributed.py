"""sklearn_probe.distributed on Dask: a LocalCluster of worker processes.

Counts, never times: texts through a model once (forward passes counted inside
the workers), one model per worker, rows on disk, the same vectors and scores
as in one process, and a worker killed mid-partition.
"""

import os
import subprocess
import sys

import pytest
from helpers import (
    check_store_serves,
    count_forward_rows,
    count_in_workers,
    length_corpus,
    readme_block,
    stored_rows,
)
from sklearn.linear_model import LogisticRegression

from sklearn_probe import HiddenStateTransformer, layer_sweep
from sklearn_probe.hidden import verify_cache
from sklearn_probe.store import MEMORY

distributed = pytest.importorskip("distributed")

from sklearn_probe.distributed import extract  # noqa: E402


@pytest.fixture(scope="module")
def client():
    """Two worker processes of one thread (processes, so faults are real)."""
    with (
        distributed.LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            dashboard_address=":0",
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        yield client


def test_each_text_once_one_model_per_worker_and_the_vectors_of_one_process(
    client, tiny_bert, tmp_path
):
    texts, _ = length_corpus(40, seed=5)
    given = texts + texts[:7]  # repeats are computed once
    store = str(tmp_path / "store")
    rows = count_in_workers(client, tiny_bert)
    report = extract(
        given,
        model=tiny_bert,
        cache_dir=store,
        client=client,
        pooling=["mean", "max"],
        partition_size=8,
    )
    assert sum(rows().values()) == len(texts)  # counted in the workers
    assert (report.n_texts, report.n_distinct) == (len(given), len(texts))
    assert report.n_missing == report.n_computed == len(texts)
    assert report.n_partitions == 5
    assert len(report.workers) == 2  # both took partitions
    assert sum(w["computed"] for w in report.workers.values()) == len(texts)
    assert {w["models_loaded"] for w in report.workers.values()} == {1}
    assert stored_rows(store) == {"mean": (40, 40), "max": (40, 40)}

    # Again: nothing to do, nothing run.
    again = extract(
        given, model=tiny_bert, cache_dir=store, client=client, pooling=["mean", "max"]
    )
    assert (again.n_missing, again.n_computed, again.n_partitions) == (0, 0, 0)
    assert sum(rows().values()) == len(texts)

    # This process reads them from the store alone, and they are the vectors
    # of one process computing the same texts (other batches: float32 noise).
    check_store_serves(tiny_bert, store, texts, ["mean", "max"])

    # Into another store: the workers hold these texts in memory, and still
    # every one of them is written there.
    other = str(tmp_path / "other")
    report = extract(
        texts, model=tiny_bert, cache_dir=other, client=client, pooling="mean"
    )
    assert report.n_missing == report.n_computed == len(texts)
    assert stored_rows(other) == {"mean": (40, 40)}


def test_one_partition_gives_exactly_the_vectors_of_one_process(
    client, tiny_bert, tmp_path
):
    texts, _ = length_corpus(20, seed=6)
    store = str(tmp_path / "store")
    extract(
        texts,
        model=tiny_bert,
        cache_dir=store,
        client=client,
        pooling="last",
        partition_size=len(texts),
    )
    # Dask's workers run torch on one thread each (its nanny sets
    # OMP_NUM_THREADS=1): the reference does too, and then every bit agrees.
    check_store_serves(tiny_bert, store, texts, ["last"], atol=0, threads=1)


@pytest.mark.slow
def test_a_worker_killed_mid_partition_leaves_a_complete_and_right_store(
    client, tiny_bert, tmp_path
):
    texts, _ = length_corpus(60, seed=7)
    store = str(tmp_path / "store")
    victim = sorted(client.scheduler_info(n_workers=-1)["workers"])[0]

    def die_after_first_shard():
        import signal

        from sklearn_probe.store import Store

        write = Store.write

        def write_then_die(self, digests, vectors):
            write(self, digests, vectors)
            os.kill(os.getpid(), signal.SIGKILL)  # mid-partition, for real

        Store.write = write_then_die

    client.wait_for_workers(2)
    client.run(die_after_first_shard, workers=[victim])
    report = extract(
        texts,
        model=tiny_bert,
        cache_dir=store,
        client=client,
        pooling=["mean", "cls"],
        partition_size=6,
    )
    # The victim died (its nanny started a new worker at another address),
    # and its partition ran again elsewhere: every partition reported once.
    assert victim not in client.scheduler_info(n_workers=-1)["workers"]
    assert sum(w["partitions"] for w in report.workers.values()) == 10
    client.wait_for_workers(2)
    # Complete: every text under both poolings, each shard whole and right.
    rows = stored_rows(store)
    assert {pooling: texts_ for pooling, (_, texts_) in rows.items()} == {
        "mean": 60,
        "cls": 60,
    }
    checked = verify_cache(store)
    assert checked["checked"] > 0 and checked["bad"] == 0
    again = extract(
        texts, model=tiny_bert, cache_dir=store, client=client, pooling=["mean", "cls"]
    )
    assert again.n_computed == 0
    check_store_serves(tiny_bert, store, texts, ["mean", "cls"])


@pytest.mark.slow
def test_a_sweep_under_the_dask_backend_runs_texts_on_the_workers_once(
    client, tiny_bert, tmp_path
):
    import joblib

    texts, labels = length_corpus(30, seed=8)
    test_texts, test_labels = length_corpus(10, seed=9)
    store = str(tmp_path / "store")
    args = {
        "model": tiny_bert,
        "layers": [1, 3],
        "pooling": ["mean", "max"],
        "probe": LogisticRegression(max_iter=300),
        "test": (test_texts, test_labels),
        "cv": 3,
        "cache_dir": store,
        "verbose": 0,
    }
    rows = count_in_workers(client, tiny_bert)
    with count_forward_rows(tiny_bert) as local, joblib.parallel_backend("dask"):
        on_cluster = layer_sweep(texts, labels, **args)
    assert local["rows"] == 0  # this process ran no text
    assert sum(rows().values()) == len(set(texts) | set(test_texts))
    # The same sweep in one process on the same store: the same numbers.
    MEMORY.clear()
    with count_forward_rows(tiny_bert) as local:
        here = layer_sweep(texts, labels, n_jobs=1, **args)
    assert local["rows"] == 0
    columns = ["layer", "pooling", "cv_score_mean", "cv_score_std", "train_score_mean"]
    assert on_cluster.scores[columns].equals(here.scores[columns])
    assert on_cluster.best_params == here.best_params
    assert on_cluster.test_score == here.test_score


def test_a_distributed_backend_needs_a_shared_cache_dir(client, tiny_bert):
    import joblib

    texts, labels = length_corpus(12, seed=1)
    for cache_dir in (None, "auto"):
        with (
            joblib.parallel_backend("dask"),
            pytest.raises(ValueError, match=r"share.*cache_dir='s3://bucket/prefix'"),
        ):
            layer_sweep(
                texts, labels, model=tiny_bert, cv=2, cache_dir=cache_dir, verbose=0
            )
        with pytest.raises(ValueError, match=r"names none"):
            extract(texts, model=tiny_bert, cache_dir=cache_dir, client=client)


def test_extract_needs_a_cluster(tiny_bert, tmp_path):
    with pytest.raises(ValueError, match=r"client=<a distributed.Client>"):
        extract(["a"], model=tiny_bert, cache_dir=str(tmp_path))


@pytest.mark.parametrize(
    ("backend", "module"), [("dask", "distributed"), ("ray", "ray")]
)
def test_a_missing_backend_names_the_extra(
    monkeypatch, tiny_bert, tmp_path, backend, module
):
    monkeypatch.setitem(sys.modules, module, None)
    with pytest.raises(ImportError, match=rf"pip install sklearn-probe\[{backend}\]"):
        extract(["a"], model=tiny_bert, cache_dir=str(tmp_path), backend=backend)


def test_importing_the_package_imports_neither_dask_nor_ray():
    code = (
        "import sys, sklearn_probe, sklearn_probe.distributed, sklearn_probe.sweep\n"
        "loaded = {'dask', 'distributed', 'ray'} & set(sys.modules)\n"
        "assert not loaded, loaded\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


@pytest.mark.parametrize(("n_jobs", "calls"), [(1, [1] * 4), (2, [4])])
def test_parallel_searches_hand_every_candidate_to_joblib_at_once(
    monkeypatch, tiny_bert, n_jobs, calls
):
    import joblib

    from sklearn_probe.sweep._search import _SweepSearchCV

    seen = []
    run = _SweepSearchCV._run_search

    def spy(self, evaluate_candidates, **kwargs):
        def evaluate(candidates):
            seen.append(len(candidates))
            return evaluate_candidates(candidates)

        return run(self, evaluate, **kwargs)

    monkeypatch.setattr(_SweepSearchCV, "_run_search", spy)
    texts, labels = length_corpus(16, seed=2)
    args = {
        "model": tiny_bert,
        "layers": [0, 1, 2, 3],
        "cv": 2,
        "verbose": 0,
        "cache_dir": None,
        "probe": LogisticRegression(max_iter=300),
    }
    with joblib.parallel_backend("threading"):
        result = layer_sweep(texts, labels, n_jobs=n_jobs, **args)
    assert seen[0 : len(calls)] == calls  # the main search comes first
    MEMORY.clear()
    alone = layer_sweep(texts, labels, n_jobs=1, **args)
    assert result.scores["cv_score_mean"].equals(alone.scores["cv_score_mean"])


def test_a_partition_retried_elsewhere_does_not_wait_for_a_dead_claim(
    client, tiny_bert, tmp_path
):
    """A claim from another host looks live for 30 minutes; a partition's texts
    are its own, so its (re)run drops such a claim instead of waiting."""
    from concurrent.futures import ThreadPoolExecutor

    from sklearn_probe.hidden._transformer import fitted
    from sklearn_probe.store import text_digest

    texts, _ = length_corpus(10, seed=13)
    store = tmp_path / "store"
    local = fitted(HiddenStateTransformer(tiny_bert, pooling="mean", cache_dir=store))
    key, _ = local._extraction_key("mean", local._get_loaded())
    claims = store / key / "claims"
    claims.mkdir(parents=True)
    claim = claims / "4242-0123456789abcdef@another-host.claim"
    claim.write_bytes(b"".join(text_digest(t) for t in texts[:4]))
    pool = ThreadPoolExecutor(1)
    try:
        running = pool.submit(
            extract,
            texts,
            model=tiny_bert,
            cache_dir=str(store),
            client=client,
            pooling="mean",
        )
        report = running.result(timeout=120)  # was a wait of 30 minutes
    finally:
        pool.shutdown(wait=False)  # a stuck call must not hang the suite
    assert report.n_computed == len(texts)
    assert not claim.exists()


@pytest.mark.slow
def test_the_readme_dask_example_runs(tmp_path, monkeypatch, capsys):
    """The Dask block of the README's "## Scaling out" (with a cluster of its
    own; the Ray block runs in test_distributed_ray.py)."""
    monkeypatch.chdir(tmp_path)
    code = readme_block("LocalCluster")
    exec(compile(code, "README.md", "exec"), {"__name__": "__main__"})
    lines = capsys.readouterr().out.strip().splitlines()
    assert (tmp_path / "vectors").is_dir()  # here, not in the workers' folders
    assert lines[0] == "True [1, 1]"
    layer, pooling = lines[1].split()
    assert 0 <= int(layer) <= 6 and pooling in ("mean", "max")


def test_a_relative_cache_dir_is_this_process_folder_on_every_worker(
    client, tiny_bert, tmp_path, monkeypatch
):
    from pathlib import Path

    monkeypatch.chdir(tmp_path)
    texts, labels = length_corpus(12, seed=14)
    report = extract(texts, model=tiny_bert, cache_dir="rel-store", client=client)
    assert report.n_computed == len(texts)
    assert stored_rows(tmp_path / "rel-store") == {"mean": (12, 12)}
    # Nothing written in the workers' own working folders.
    for cwd in set(client.run(os.getcwd).values()):
        assert not (Path(cwd) / "rel-store").exists()


def test_workers_of_a_host_with_several_gpus_each_take_their_own(monkeypatch):
    """No GPU here: torch is told there are four, and the device each worker's
    model would load on is read back."""
    import torch

    from sklearn_probe.distributed._worker import pick_device

    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "device_count", lambda: 4)
    auto = {"device": "auto", "model": "m"}
    assert [pick_device(auto, i)["device"] for i in range(5)] == [
        "cuda:0",
        "cuda:1",
        "cuda:2",
        "cuda:3",
        "cuda:0",
    ]
    assert pick_device({"device": "cpu"}, 1) == {"device": "cpu"}  # as asked
    assert pick_device(auto, None) == auto  # Ray: num_gpus gave it one
    monkeypatch.setattr(torch.cuda, "device_count", lambda: 1)
    assert pick_device(auto, 3) == auto  # one visible GPU: "auto" finds it
