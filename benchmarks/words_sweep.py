"""A token-level layer sweep against a naive loop that re-encodes per layer and fold.

    .venv/bin/python benchmarks/words_sweep.py --sentences 2000 --folds 5

The corpus is ``make_agreement_conllu(n)`` read with ``load_conllu``: every word
of every sentence is a sample, labelled with its part of speech. Both ways probe
the first subword of every word at each of MiniLM's 7 hidden states with a
``LogisticRegression`` over the same ``GroupKFold`` folds (grouped by sentence):

- sklearn-probe: ``GridSearchCV`` over ``Pipeline(WordHiddenStateTransformer,
  LogisticRegression)`` and ``words__layer``; each sentence goes through the
  model once (counted) and every layer and fold is served from the cache.
- naive: for every layer and fold, run the model again over the training and
  the validation sentences (batches of 32 in input order, word ids from the
  tokenizer), take the layer's first-subword vectors, fit, score.

Prints the time of each, the ratio, the forward rows, peak memory (VmHWM) and
that the two give the same scores; one JSON line at the end. ``--naive-layers``
runs the naive loop on fewer layers and scales its time to all of them
(said in the output) when the full loop would take too long.
"""

import argparse
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

import numpy as np  # noqa: E402
from _bench import peak_rss_mb  # noqa: E402


def naive_word_vectors(loaded, sentences, layer, batch_size=32):
    """First-subword vectors of every word at ``layer``, encoding afresh: one
    ``(n_words, width)`` array per sentence."""
    import torch

    tokenizer, model = loaded.tokenizer, loaded.model
    out = []
    for start in range(0, len(sentences), batch_size):
        batch = [list(s) for s in sentences[start : start + batch_size]]
        inputs = tokenizer(
            batch, is_split_into_words=True, padding=True, return_tensors="pt"
        )
        with torch.inference_mode():
            states = model(**inputs, output_hidden_states=True).hidden_states[layer]
        for row in range(len(batch)):
            first = {}
            for position, word in enumerate(inputs.word_ids(row)):
                if word is not None:
                    first.setdefault(word, position)
            out.append(states[row, list(first.values())].numpy())
    return out


def naive_features(loaded, X, rows, groups, sentences, layer):
    """The vectors of samples ``rows``, their sentences encoded afresh."""
    needed = np.unique(groups[rows])
    vectors = naive_word_vectors(loaded, [sentences[g] for g in needed], layer)
    where = {g: k for k, g in enumerate(needed)}
    return np.stack([vectors[where[groups[j]]][X[j][1]] for j in rows])


def naive_sweep(loaded, X, y, groups, sentences, folds, layers):
    from sklearn.linear_model import LogisticRegression

    scores = {}
    for layer in layers:
        fold_scores = []
        for train, test in folds:
            X_train = naive_features(loaded, X, train, groups, sentences, layer)
            X_test = naive_features(loaded, X, test, groups, sentences, layer)
            probe = LogisticRegression(max_iter=1000).fit(X_train, y[train])
            fold_scores.append(probe.score(X_test, y[test]))
        scores[layer] = float(np.mean(fold_scores))
    return scores


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sentences", type=int, default=2000)
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--naive-layers", type=int, default=None)
    parser.add_argument("--threads", type=int, default=None)
    args = parser.parse_args(argv)

    import tempfile

    import torch
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import GridSearchCV, GroupKFold
    from sklearn.pipeline import Pipeline

    from sklearn_probe import WordHiddenStateTransformer, sentence_groups
    from sklearn_probe.datasets import load_conllu, make_agreement_conllu
    from sklearn_probe.hidden._models import load_model

    if args.threads:
        torch.set_num_threads(args.threads)
    path = os.path.join(tempfile.mkdtemp(), "agreement.conllu")
    make_agreement_conllu(path, n_sentences=args.sentences, random_state=0)
    words = load_conllu(path)
    X, y = words["sample"].tolist(), words["upos"].to_numpy()
    # One id per distinct sentence, in order of first use (as the cache sees them).
    groups = sentence_groups(X)
    sentences = list(dict.fromkeys(s for s, _ in X))
    loaded = load_model("minilm", "cpu")
    _ = loaded.model  # the weights are read when first asked for: not timed
    n_layers = loaded.n_layers
    print(f"{len(sentences)} sentences, {len(X)} words, {n_layers} layers, "
          f"{args.folds} folds")  # fmt: skip

    rows = []
    handle = loaded.model.register_forward_pre_hook(
        lambda m, a, kw: rows.append(kw["input_ids"].shape[0]), with_kwargs=True
    )
    cv = GroupKFold(args.folds)
    pipe = Pipeline(
        [
            ("words", WordHiddenStateTransformer("minilm", device="cpu")),
            ("probe", LogisticRegression(max_iter=1000)),
        ]
    )
    started = time.perf_counter()
    search = GridSearchCV(pipe, {"words__layer": list(range(n_layers))}, cv=cv)
    search.fit(X, y, groups=groups)
    ours = time.perf_counter() - started
    handle.remove()
    ours_scores = search.cv_results_["mean_test_score"]
    print(f"sklearn-probe: {ours:.1f} s, {sum(rows)} forward rows "
          f"({len(sentences)} sentences), peak RSS {peak_rss_mb():.0f} MB")  # fmt: skip

    folds = list(cv.split(X, y, groups))
    layers = list(range(n_layers))[: args.naive_layers]
    started = time.perf_counter()
    naive_scores = naive_sweep(loaded, X, y, groups, sentences, folds, layers)
    naive = (time.perf_counter() - started) * n_layers / len(layers)
    scaled = "" if len(layers) == n_layers else f" (scaled from {len(layers)} layers)"
    print(f"naive: {naive:.1f} s{scaled}; ratio {naive / ours:.1f}x")
    difference = max(abs(naive_scores[la] - ours_scores[la]) for la in layers)
    print(f"largest score difference between the two: {difference:.4f}")
    print(
        json.dumps(
            {
                "sentences": len(sentences),
                "words": len(X),
                "layers": n_layers,
                "folds": args.folds,
                "ours_s": round(ours, 1),
                "naive_s": round(naive, 1),
                "naive_layers_run": len(layers),
                "ratio": round(naive / ours, 1),
                "forward_rows": sum(rows),
                "peak_rss_mb": round(peak_rss_mb()),
                "max_score_difference": round(difference, 4),
            }
        )
    )


if __name__ == "__main__":
    main()
