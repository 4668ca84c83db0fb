"""Accuracy, log loss and fit time of ProbeClassifier's defaults, 60 to 6,000 texts.

The evidence behind ProbeClassifier's defaults (the README's table "Why these
defaults"): MiniLM, mean-pooled hidden states of Rotten Tomatoes snippets,
extracted once per size; per hidden state, 5-fold stratified CV of the linear
probe ``ProbeClassifier()`` against ``StandardScaler + LogisticRegression()``,
and of the MLP probe ``ProbeClassifier((256,))`` against ``StandardScaler +
MLPClassifier((256,))``, one torch thread. Prints a Markdown table, means over
the hidden states: accuracy (log loss, mean fit time per fold in s), and the
majority-class rate.

    .venv/bin/python benchmarks/probe_defaults.py --n-samples 60 300 1000 6000

Run it with another checkout first on ``PYTHONPATH`` to compare two versions.
"""

import argparse
import time
import warnings

import numpy as np


def _probes(hidden):
    from sklearn.linear_model import LogisticRegression
    from sklearn.neural_network import MLPClassifier
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    from sklearn_probe import ProbeClassifier

    if hidden:
        reference = MLPClassifier(hidden, random_state=0)
        name = f"MLP {hidden}"
    else:
        reference = LogisticRegression(max_iter=1000)
        name = "linear"
    return name, {
        "ProbeClassifier": ProbeClassifier(hidden, random_state=0, device="cpu"),
        type(reference).__name__: make_pipeline(StandardScaler(), reference),
    }


def _score(probe, X, y, cv):
    from sklearn.model_selection import cross_validate

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        scores = cross_validate(
            probe, X, y, cv=cv, scoring=["accuracy", "neg_log_loss"]
        )
    not_converged = sum("converge" in str(w.message) for w in caught)
    return (
        scores["test_accuracy"].mean(),
        -scores["test_neg_log_loss"].mean(),
        scores["fit_time"].mean(),
        not_converged,
    )


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-samples", type=int, nargs="+", default=[60, 300])
    parser.add_argument(
        "--layers", type=int, nargs="+", default=None, help="default: all"
    )
    parser.add_argument(
        "--hidden", type=int, nargs="+", default=[0, 256], help="0 is linear"
    )
    args = parser.parse_args(argv)

    import torch
    from sklearn.model_selection import StratifiedKFold

    from sklearn_probe import HiddenStateTransformer
    from sklearn_probe.datasets import load_rotten_tomatoes

    torch.set_num_threads(1)
    cv = StratifiedKFold(5, shuffle=True, random_state=0)
    print(
        "5-fold CV, mean over hidden states: accuracy (log loss, mean fit time "
        "per fold in s); [k] = k fits warned that they did not converge\n"
    )
    print("| texts | majority | probe | ProbeClassifier | reference |")
    print("|---|---|---|---|---|")
    for n in args.n_samples:
        data = load_rotten_tomatoes(n_samples=n, random_state=0)
        y = data["label"].to_numpy()
        hidden = HiddenStateTransformer("minilm", layer="all", device="cpu")
        X = hidden.fit_transform(data["text"].tolist())
        X = X.reshape(len(y), hidden.n_layers_, -1)
        layers = args.layers or range(hidden.n_layers_)
        majority = np.bincount(y).max() / len(y)
        for width in args.hidden:
            name, probes = _probes((width,) if width else ())
            cells = []
            for label, probe in probes.items():
                acc, loss, fit, warned = np.mean(
                    [_score(probe, X[:, layer], y, cv) for layer in layers], axis=0
                )
                note = f" [{warned * len(layers):.0f}]" if warned else ""
                cells.append(f"{label} {acc:.3f} ({loss:.3f}, {fit:.2f}){note}")
            print(f"| {n} | {majority:.3f} | {name} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    start = time.perf_counter()
    main()
    print(f"\n{time.perf_counter() - start:.0f} s")
