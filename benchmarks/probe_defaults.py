"""Accuracy, log loss and fit time of ProbeClassifier's defaults and variants.

The evidence behind ProbeClassifier's defaults (``C`` and ``batch_size``; the
README's table "Why these defaults"): MiniLM, mean-pooled hidden states of
Rotten Tomatoes snippets, extracted once; per hidden state, 5-fold stratified
CV of ``LogisticRegression()``, of ``ProbeClassifier()`` and of each variant
(``ProbeClassifier`` with some parameters changed), one torch thread. Prints a
Markdown table: accuracy (log loss, mean fit time per fold in s).

    .venv/bin/python benchmarks/probe_defaults.py --n-samples 2000
    .venv/bin/python benchmarks/probe_defaults.py --variants C=0.5 C=2 batch_size=128
"""

import argparse
import ast
import time

import numpy as np


def _variant(text):
    """``"C=inf,batch_size=128"`` -> ``{"C": inf, "batch_size": 128}``."""
    params = {}
    for item in text.split(","):
        key, _, value = (part.strip() for part in item.partition("="))
        try:
            params[key] = ast.literal_eval(value)
        except (ValueError, SyntaxError):
            try:
                params[key] = float(value)  # inf, nan
            except ValueError:
                params[key] = value
    return params


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-samples", type=int, default=2000)
    parser.add_argument(
        "--variants",
        nargs="+",
        type=_variant,
        default=[_variant("C=0.5"), _variant("C=2")],
        help="ProbeClassifier parameters to compare, e.g. C=0.5 batch_size=128",
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

    probes = {
        "LogisticRegression()": LogisticRegression(max_iter=1000),
        "ProbeClassifier()": ProbeClassifier(random_state=0, device="cpu"),
    }
    for params in args.variants:
        name = ", ".join(f"{k}={v!r}" for k, v in params.items())
        probes[name] = ProbeClassifier(random_state=0, device="cpu", **params)
    results = {name: [] for name in probes}
    for layer in range(hidden.n_layers_):
        for name, probe in probes.items():
            scores = cross_validate(
                probe, X[:, layer], y, cv=cv, scoring=["accuracy", "neg_log_loss"]
            )
            results[name].append(
                (
                    scores["test_accuracy"].mean(),
                    -scores["test_neg_log_loss"].mean(),
                    scores["fit_time"].mean(),
                )
            )

    print(
        f"{args.n_samples} texts, 5-fold CV: accuracy (log loss, mean fit time "
        "per fold in s)\n"
    )
    print("| hidden state | " + " | ".join(probes) + " |")
    print("|---" * (len(probes) + 1) + "|")
    for row in [*range(hidden.n_layers_), "mean"]:
        cells = []
        for name in probes:
            values = results[name]
            acc, loss, fit = np.mean(values, axis=0) if row == "mean" else values[row]
            cells.append(f"{acc:.3f} ({loss:.3f}, {fit:.2f})")
        print(f"| {row} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    start = time.perf_counter()
    main()
    print(f"\n{time.perf_counter() - start:.0f} s")
