"""``layer_sweep(unit="word")`` against a hand-written one pass + the same probe.

    PYTHONPATH=$PWD .venv/bin/python benchmarks/words_layer_sweep.py --sentences 300

The corpus is ``make_agreement_conllu(n)`` read with ``load_conllu``: every word
of every sentence is a sample, labelled with its part of speech. Both ways probe
the first subword of every word at each of MiniLM's 7 hidden states with the
sweep's default probe (``ProbeClassifier(random_state=0)``) on the same grouped
folds (``StratifiedGroupKFold(5, shuffle=True, random_state=0)``, by sentence):

- sklearn-probe: ``layer_sweep(X, y, unit="word", model="minilm")`` (no disk
  store, so the model runs inside the timed call);
- by hand: one pass over the sentences (batches of 32, word ids from the
  tokenizer, first subword, every hidden state), then for every layer and fold
  a clone of the probe fitted and scored on that layer's columns.

Prints both times, their ratio and the largest score difference; one JSON line
at the end.
"""

import argparse
import json
import os
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

import numpy as np  # noqa: E402


def one_pass(loaded, sentences, batch_size=32):
    """``(n_words, n_layers, width)`` first-subword vectors of every word, in
    sentence order, from one forward pass per batch."""
    import torch

    tokenizer, model = loaded.tokenizer, loaded.model
    out = []
    for start in range(0, len(sentences), batch_size):
        batch = [list(s) for s in sentences[start : start + batch_size]]
        inputs = tokenizer(
            batch, is_split_into_words=True, padding=True, return_tensors="pt"
        )
        with torch.inference_mode():
            states = model(**inputs, output_hidden_states=True).hidden_states
        states = torch.stack(states, dim=2)  # (batch, tokens, layers, width)
        for row in range(len(batch)):
            first = {}
            for position, word in enumerate(inputs.word_ids(row)):
                if word is not None:
                    first.setdefault(word, position)
            out.append(states[row, list(first.values())].numpy())
    return out


def by_hand(loaded, X, y, groups, sentences, folds, probe):
    from sklearn.base import clone

    per_sentence = one_pass(loaded, sentences)
    vectors = np.stack(
        [per_sentence[g][i] for g, (_, i) in zip(groups, X, strict=True)]
    )
    scores = []
    for layer in range(vectors.shape[1]):
        fold_scores = []
        for train, test in folds:
            fitted = clone(probe).fit(vectors[train, layer], y[train])
            fold_scores.append(fitted.score(vectors[test, layer], y[test]))
        scores.append(float(np.mean(fold_scores)))
    return np.asarray(scores)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sentences", type=int, default=300)
    parser.add_argument("--folds", type=int, default=5)
    args = parser.parse_args(argv)

    from sklearn.model_selection import StratifiedGroupKFold

    from sklearn_probe import ProbeClassifier, layer_sweep, sentence_groups
    from sklearn_probe.datasets import load_conllu, make_agreement_conllu
    from sklearn_probe.hidden._models import load_model

    path = os.path.join(tempfile.mkdtemp(), "agreement.conllu")
    make_agreement_conllu(path, n_sentences=args.sentences, random_state=0)
    words = load_conllu(path)
    X, y = words["sample"].tolist(), words["upos"].to_numpy()
    groups = sentence_groups(X)
    sentences = list(dict.fromkeys(s for s, _ in X))
    loaded = load_model("minilm", "cpu")  # loading is timed by neither way:
    _ = loaded.model  # the weights are read when first asked for: ask now
    print(f"{len(sentences)} sentences, {len(X)} words, {loaded.n_layers} layers")

    started = time.perf_counter()
    result = layer_sweep(
        X, y, unit="word", model="minilm", device="cpu", cache_dir=None,
        cv=args.folds, verbose=0, random_state=0,
    )  # fmt: skip
    ours = time.perf_counter() - started
    ours_scores = result.scores.sort_values("layer")["cv_score_mean"].to_numpy()
    print(f"layer_sweep(unit='word'): {ours:.1f} s")

    splitter = StratifiedGroupKFold(args.folds, shuffle=True, random_state=0)
    folds = list(splitter.split(np.zeros(len(X)), y, groups))
    started = time.perf_counter()
    hand_scores = by_hand(
        loaded, X, y, groups, sentences, folds, ProbeClassifier(random_state=0)
    )
    hand = time.perf_counter() - started
    difference = float(np.abs(hand_scores - ours_scores).max())
    print(f"one pass + the same probe by hand: {hand:.1f} s; "
          f"ratio {ours / hand:.2f}x")  # fmt: skip
    print(f"largest score difference between the two: {difference:.4f}")
    print(
        json.dumps(
            {
                "sentences": len(sentences),
                "words": len(X),
                "layers": loaded.n_layers,
                "folds": args.folds,
                "sweep_s": round(ours, 1),
                "by_hand_s": round(hand, 1),
                "ratio": round(ours / hand, 2),
                "max_score_difference": round(difference, 4),
            }
        )
    )


if __name__ == "__main__":
    main()
