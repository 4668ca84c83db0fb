"""
Scaling out on a local Dask cluster
===================================

On a cluster, :func:`sklearn_probe.distributed.extract` runs the texts through
the model on the workers (one model per worker for the whole run, each distinct
text once) into a store every worker shares; a ``layer_sweep`` under joblib's
Dask backend then fits every candidate and fold on the workers from that
store. Here the cluster is two worker processes on this machine; on a real one
the store is ``"s3://bucket/prefix"`` (see the user guide's *Scaling out*).
"""

# %%
# Extract once, on the workers
# ----------------------------
from pathlib import Path
from tempfile import mkdtemp

import joblib
from distributed import Client, LocalCluster

from sklearn_probe import layer_sweep
from sklearn_probe.datasets import load_rotten_tomatoes
from sklearn_probe.distributed import extract

# Dask starts its workers as fresh Python processes that import this script,
# so what must run once goes under ``if __name__ == "__main__"``.
if __name__ == "__main__":
    data = load_rotten_tomatoes(n_samples=200, random_state=0)
    texts, labels = list(data["text"]), data["label"]
    store = str(Path(mkdtemp()) / "vectors")  # on a cluster: "s3://bucket/prefix"

    cluster = LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    )
    client = Client(cluster)
    report = extract(texts, model="minilm", cache_dir=store, client=client)
    print(f"{report.n_distinct} distinct texts, {report.n_computed} computed")
    print(
        "models loaded per worker:",
        [w["models_loaded"] for w in report.workers.values()],
    )

# %%
# A second call finds every text in the store and computes nothing.
if __name__ == "__main__":
    again = extract(texts, model="minilm", cache_dir=store, client=client)
    print(f"again: {again.n_computed} computed, {again.n_missing} missing")

# %%
# Sweep on the cluster
# --------------------
# The candidates and folds are handed to the workers at once; they read the
# vectors from the store, so no worker runs the model again.
if __name__ == "__main__":
    with joblib.parallel_backend("dask"):
        on_cluster = layer_sweep(
            texts, labels, model="minilm", cache_dir=store, cv=3, verbose=0
        )
    client.close()
    cluster.close()

# %%
# The same sweep in this process, on the same store, gives the same scores.
if __name__ == "__main__":
    here = layer_sweep(texts, labels, model="minilm", cache_dir=store, cv=3, verbose=0)
    print(on_cluster.scores[["layer", "cv_score_mean"]].round(3).to_string(index=False))
    same = (
        (on_cluster.scores["cv_score_mean"] - here.scores["cv_score_mean"]).abs().max()
    )
    print(f"largest difference from one process: {same:.1e}")
