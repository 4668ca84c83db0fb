"""sklearn_probe.distributed on Ray: a local Ray runtime of two CPUs.

Counts, never times: each text through a model once, one model per actor, rows
on disk, the vectors of one process, and a sweep under the Ray joblib backend.
"""

import pytest
from helpers import check_store_serves, count_forward_rows, length_corpus
from sklearn.linear_model import LogisticRegression

from sklearn_probe import layer_sweep
from sklearn_probe.hidden import cache_info
from sklearn_probe.hidden._cache import MEMORY

ray = pytest.importorskip("ray")

from sklearn_probe.distributed import extract  # noqa: E402

pytestmark = pytest.mark.slow  # a Ray runtime takes a while to start


@pytest.fixture(scope="module")
def local_ray():
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    yield
    ray.shutdown()


def test_ray_actors_compute_each_text_once_with_one_model_each(
    local_ray, tiny_bert, tmp_path
):
    texts, _ = length_corpus(30, seed=11)
    store = str(tmp_path / "store")
    report = extract(
        texts + texts[:4],
        model=tiny_bert,
        cache_dir=store,
        backend="ray",
        pooling=["mean", "last"],
        partition_size=5,
        n_workers=2,
    )
    assert report.n_missing == report.n_computed == len(texts)
    assert report.n_partitions == 6
    assert sum(w["partitions"] for w in report.workers.values()) == 6
    assert all(w["models_loaded"] == 1 for w in report.workers.values())
    assert len(report.workers) <= 2
    assert {
        entry["meta"]["pooling"]: (entry["rows"], entry["texts"])
        for entry in cache_info(store)["keys"]
    } == {"mean": (30, 30), "last": (30, 30)}
    again = extract(
        texts,
        model=tiny_bert,
        cache_dir=store,
        backend="ray",
        pooling=["mean", "last"],
        n_workers=2,
    )
    assert again.n_computed == 0
    check_store_serves(tiny_bert, store, texts, ["mean", "last"])


def test_a_sweep_under_the_ray_backend_matches_one_process(
    local_ray, tiny_bert, tmp_path
):
    import joblib
    from ray.util.joblib import register_ray

    register_ray()
    texts, labels = length_corpus(24, seed=12)
    args = {
        "model": tiny_bert,
        "layers": [0, 2],
        "probe": LogisticRegression(max_iter=300),
        "cv": 2,
        "cache_dir": str(tmp_path / "store"),
        "verbose": 0,
    }
    with count_forward_rows(tiny_bert) as local, joblib.parallel_backend("ray"):
        on_ray = layer_sweep(texts, labels, **args)
    assert local["rows"] == 0  # the texts ran on the actors
    MEMORY.clear()
    with count_forward_rows(tiny_bert) as local:
        here = layer_sweep(texts, labels, n_jobs=1, **args)
    assert local["rows"] == 0  # all in the store
    columns = ["layer", "cv_score_mean", "cv_score_std"]
    assert on_ray.scores[columns].equals(here.scores[columns])
