"""sklearn_probe.distributed on Ray: a local Ray runtime of two CPUs.

Counts, never times: each text through a model once, one model per actor, rows
on disk, the vectors of one process, and a sweep under the Ray joblib backend.
"""

import pytest
from helpers import check_store_serves, length_corpus, readme_block

from sklearn_probe.hidden import cache_info

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


def test_the_readme_ray_example_runs(local_ray, tmp_path, monkeypatch, capsys):
    """Last: the README's block shuts Ray down at its end."""
    from sklearn_probe.datasets import load_rotten_tomatoes

    monkeypatch.chdir(tmp_path)
    exec(compile(readme_block("ray.init"), "README.md", "exec"), {})
    n_computed, best_layer = capsys.readouterr().out.split()
    distinct = set(load_rotten_tomatoes(n_samples=200)["text"])
    assert int(n_computed) == len(distinct)  # each computed once
    assert 0 <= int(best_layer) <= 6
