"""Accuracy and fit time of ProbeClassifier's defaults against LogisticRegression.

The evidence behind ProbeClassifier's default ``batch_size`` (and the README's
table "Why these defaults"): MiniLM, mean-pooled hidden states of Rotten
Tomatoes snippets, extracted once; per hidden state, 5-fold stratified CV of
``LogisticRegression()`` and of ``ProbeClassifier`` at each batch size (``auto``
by default, and 128, the default before ``auto``), every
other parameter at its default, one torch thread. Prints a Markdown table.

    .venv/bin/python benchmarks/probe_defaults.py --n-samples 2000
"""

import argparse
import time

import numpy as np


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-samples", type=int, default=2000)
    parser.add_argument(
        "--batch-sizes",
        nargs="+",
        default=["auto", "128"],
        help="batch sizes of ProbeClassifier to compare (ints or auto)",
    )
    args = parser.parse_args(argv)

    import torch
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold, cross_validate

    from sklearn_probe import HiddenStateTransformer, ProbeClassifier
    from sklearn_probe.datasets import load_rotten_tomatoes

    torch.set_num_threads(1)
    data = load_rotten_tomatoes(n_samples=args.n_samples, random_state=0)
    y = data["label"].to_numpy()
    hidden = HiddenStateTransformer("minilm", layer="all", device="cpu")
    X = hidden.fit_transform(data["text"].tolist())
    X = X.reshape(len(y), hidden.n_layers_, -1)
    cv = StratifiedKFold(5, shuffle=True, random_state=0)

    probes = {"LogisticRegression()": LogisticRegression(max_iter=1000)}
    for size in args.batch_sizes:
        size = size if size == "auto" else int(size)
        probes[f"ProbeClassifier(batch_size={size!r})"] = ProbeClassifier(
            batch_size=size, random_state=0, device="cpu"
        )
    scores = {name: [] for name in probes}
    seconds = {name: [] for name in probes}
    for layer in range(hidden.n_layers_):
        for name, probe in probes.items():
            result = cross_validate(probe, X[:, layer], y, cv=cv)
            scores[name].append(result["test_score"].mean())
            seconds[name].append(result["fit_time"].mean())

    train_rows = len(y) - len(y) // 5
    auto = ProbeClassifier().fit(X[:train_rows, 0], y[:train_rows]).batch_size_
    print(
        f"{args.n_samples} texts, 5-fold CV accuracy (mean fit time per fold, s); "
        f"'auto' is batches of {auto} on {train_rows} training rows\n"
    )
    print("| hidden state | " + " | ".join(probes) + " |")
    print("|---" * (len(probes) + 1) + "|")
    rows = [*range(hidden.n_layers_), "mean"]
    for i, row in enumerate(rows):
        cells = []
        for name in probes:
            if row == "mean":
                acc, fit = np.mean(scores[name]), np.mean(seconds[name])
            else:
                acc, fit = scores[name][i], seconds[name][i]
            cells.append(f"{acc:.3f} ({fit:.2f})")
        print(f"| {row} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    start = time.perf_counter()
    main()
    print(f"\n{time.perf_counter() - start:.0f} s")
