"""MiniLM against its random-weights twin, layer by layer, on the same folds.

Draws the README's picture ``docs/compare_models.png`` and prints its tables:
the bundled MiniLM (``model="minilm"``) and the same architecture with fresh
random weights (``sklearn_probe.baselines.save_random_weights``, the weights of
the ``"random_weights"`` baseline), each swept with the default linear probe
on the same Rotten Tomatoes snippets and the same repeated folds, with the
text-only baselines; then ``compare_sweeps`` tests every model's best layer
against the best model's. Offline.

    .venv/bin/python benchmarks/compare_models.py            # 800 texts, 3 x 5-fold
    .venv/bin/python benchmarks/compare_models.py --n-samples 200 --repeats 2
"""

import argparse
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-samples", type=int, default=800)
    parser.add_argument("--cv", type=int, default=5)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--out", default=str(ROOT / "docs" / "compare_models.png"))
    args = parser.parse_args(argv)

    import matplotlib

    matplotlib.use("Agg")
    from sklearn_probe import layer_sweep
    from sklearn_probe.baselines import save_random_weights
    from sklearn_probe.datasets import load_rotten_tomatoes
    from sklearn_probe.report import comparison_table as summary_table
    from sklearn_probe.report import reading_lines

    data = load_rotten_tomatoes(n_samples=args.n_samples, random_state=0)
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as folder:
        twin = save_random_weights("minilm", Path(folder) / "minilm-random")
        comparison = layer_sweep(
            data["text"],
            data["label"],
            model=["minilm", twin],
            cv=args.cv,
            repeats=args.repeats,
            baselines=("bag_of_words", "length"),
            cache_dir=None,
            verbose=0,
        )
    seconds = time.perf_counter() - started
    display = comparison.plot(
        title=f"MiniLM vs its random-weights twin, {len(data)} Rotten Tomatoes snippets"
    )
    display.figure_.savefig(args.out, dpi=150, metadata={"Software": None})
    print(summary_table(comparison).to_markdown(index=False))
    print()
    for line in comparison.reading_lines():
        print("-", line)
    pretrained = comparison.results["minilm"]
    print()
    print(pretrained.scores[["layer", "cv_score_mean", "ci_low", "ci_high"]])
    for line in reading_lines(pretrained):
        print("-", line)
    print(
        "choose_layer:",
        pretrained.choose_layer(),
        pretrained.choose_layer(rule="smallest_not_worse"),
    )
    print(f"{seconds:.0f} s; picture: {args.out}")


if __name__ == "__main__":
    main()
