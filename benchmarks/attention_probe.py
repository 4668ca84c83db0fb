"""AttentionProbe against mean pooling + a linear probe, both from ``layer_sweep``.

    PYTHONPATH=$PWD OMP_NUM_THREADS=1 .venv/bin/python benchmarks/attention_probe.py

Two tasks, each swept over every hidden state of MiniLM (``model="minilm"``,
offline) twice on the same folds (``StratifiedKFold(5, shuffle=True,
random_state=0)``: the sweep's ``cv=5, random_state=0``), each time with the
permuted-label control (``baselines=["control"]``: the same probe on labels
permuted inside each training fold):

- ``probe="attention"``: :class:`~sklearn_probe.AttentionProbe` on each text's
  token states (``HiddenStateTransformer(pooling="tokens")``);
- ``probe=None``: the default linear ``ProbeClassifier`` on mean-pooled vectors.

The tasks:

- **few-token** (generated, exact labels; the text form of the token-state task
  of ``tests/probe/test_attention_probe.py``): ``--n-few`` texts of 60-100
  words (``--words``) drawn at random from a neutral vocabulary; two words of
  each text (``--evidence``), at random places, are ``north`` (label 1) or
  ``south`` (label 0). Everything else in a text says nothing of its label, so
  the evidence sits in two tokens of about a hundred (``--words 150 250
  --evidence 1``: in one of about two hundred).
- **Rotten Tomatoes**: ``--n-reviews`` fresh and as many rotten critic snippets
  (``load_rotten_tomatoes``, balanced, shuffled by ``--seed``).

Prints each sweep's best layer, its mean CV accuracy ± sd over the folds, the
control at that layer, and the seconds; one JSON line at the end.

``--tasks fit`` times one fold's fit alone: the token states of layer 4 of the
Rotten Tomatoes texts (800 of the 1,000 to train, the rest to predict), fitted
``--repeats`` times (a linear head, or the MLP head of ``--fit-sizes``) after
one warm-up fit (the first fit in a process imports torch's optimiser). With
``--old-module PATH`` (a file holding another version of
``sklearn_probe/probe/_attention.py``, e.g. from ``git show
REV:sklearn_probe/probe/_attention.py``): the same fits of that version, in
the same run, and the largest difference of their predicted probabilities;
with the other tasks, a sweep of that version first (each attention sweep then
starts from an empty memory cache and runs the model itself; the linear sweep
after them reads the vectors that the last one's warm-up kept, as without
``--old-module``).
"""

import argparse
import contextlib
import functools
import json
import os
import time

os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

import numpy as np  # noqa: E402

NEUTRAL = (
    "the a an of to in on at by with from and or but then after before while "
    "train station platform ticket window table chair door paper letter box "
    "road bridge river field garden kitchen office room floor wall street "
    "morning evening noon week day hour minute year man woman child friend "
    "clerk driver teacher walked waited read wrote carried opened closed "
    "found left took gave sat stood looked turned moved placed counted "
    "small large old new long short green grey brown wooden square round "
    "quietly slowly again later early often there here inside outside"
).split()


def few_token_texts(n, seed=0, *, words=(60, 100), evidence=2):
    """``n`` texts of ``words[0]``-``words[1]`` neutral words; ``evidence`` of
    them, at random places, are ``north`` (label 1) or ``south`` (label 0).
    Returns ``(texts, labels)``."""
    rng = np.random.default_rng(seed)
    y = rng.permutation(np.arange(n) % 2)
    texts = []
    for label in y:
        words_ = list(rng.choice(NEUTRAL, rng.integers(words[0], words[1] + 1)))
        for at in rng.choice(len(words_), evidence, replace=False):
            words_[at] = "north" if label else "south"
        texts.append(" ".join(words_))
    return texts, y


def balanced_reviews(n_per_class, seed=0):
    """``n_per_class`` fresh and rotten Rotten Tomatoes snippets, shuffled."""
    from sklearn_probe.datasets import load_rotten_tomatoes

    data = load_rotten_tomatoes()
    rng = np.random.default_rng(seed)
    rows = np.concatenate(
        [
            rng.choice(np.flatnonzero(data["label"] == label), n_per_class, False)
            for label in (0, 1)
        ]
    )
    rows = rng.permutation(rows)
    return data["text"].iloc[rows].tolist(), data["label"].iloc[rows].to_numpy()


def sweep(texts, y, probe, args):
    from sklearn_probe import layer_sweep

    start = time.perf_counter()
    result = layer_sweep(
        texts,
        y,
        model="minilm",
        probe=probe,
        cv=5,
        random_state=0,
        max_length=args.max_length,
        cache_dir=None,
        verbose=0,
        baselines=["control"],
    )
    seconds = time.perf_counter() - start
    row = result.scores.loc[result.best_index]
    folds = result.scores[[f"cv_score_fold{k}" for k in range(5)]].loc[
        result.best_index
    ]
    return {
        "probe": result.settings["probe"],
        "pooling": result.settings["pooling"],
        "best_layer": int(row["layer"]),
        "cv_mean": float(row["cv_score_mean"]),
        "cv_std": float(row["cv_score_std"]),
        "cv_folds": [round(float(v), 4) for v in folds],
        "control_mean": float(row["control_mean"]),
        "by_layer": [round(float(v), 4) for v in result.scores["cv_score_mean"]],
        "seconds": round(seconds, 1),
        "cv_splitter": result.settings["cv_splitter"],
    }


@contextlib.contextmanager
def old_probe(path):
    """``AttentionProbe`` running the methods of the version in ``path``
    (None: as it is), so that a sweep fits that version."""
    from sklearn_probe import AttentionProbe

    if path is None:
        yield
        return
    saved = dict(vars(AttentionProbe))
    methods = {
        name: value
        for name, value in vars(load_probe_module(path).AttentionProbe).items()
        if callable(value) and not name.startswith("__")
    }
    try:
        for name, value in methods.items():
            setattr(AttentionProbe, name, value)
        yield
    finally:
        for name in methods:
            if name in saved:
                setattr(AttentionProbe, name, saved[name])
            else:
                delattr(AttentionProbe, name)


@functools.cache
def load_probe_module(path):
    """The module in ``path`` (another version of ``_attention.py``)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("old_attention", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def time_fit(args):
    """Seconds of one fit on one fold's token states (best of ``--repeats``),
    its L-BFGS iterations, and against ``--old-module`` the same."""
    from sklearn_probe import AttentionProbe, HiddenStateTransformer

    texts, y = balanced_reviews(args.n_reviews, args.seed)
    hidden = HiddenStateTransformer(
        "minilm", layer=4, pooling="tokens", max_length=args.max_length
    )
    states = list(hidden.fit_transform(texts))
    n_train = int(0.8 * len(states))
    probes = {"new": AttentionProbe}
    if args.old_module:
        probes["old"] = load_probe_module(args.old_module).AttentionProbe
    out = {
        "n_train": n_train,
        "tokens": int(sum(len(s) for s in states[:n_train])),
        "width": int(states[0].shape[1]),
    }
    for name, cls in probes.items():
        cls(max_iter=2).fit(states[:20], y[:20])  # imports, once per process
        seconds = []
        for _ in range(args.repeats):
            start = time.perf_counter()
            probe = cls(tuple(args.fit_sizes), random_state=0).fit(
                states[:n_train], y[:n_train]
            )
            seconds.append(time.perf_counter() - start)
        out[name] = {
            "seconds": round(min(seconds), 3),
            "n_iter": probe.n_iter_,
            "proba": probe.predict_proba(states[n_train:]),
        }
    if "old" in out:
        diff = np.abs(out["old"]["proba"] - out["new"]["proba"]).max()
        out["max_abs_proba_diff"] = float(diff)
        out["speedup"] = round(out["old"]["seconds"] / out["new"]["seconds"], 2)
    for name in probes:
        del out[name]["proba"]
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n-few", type=int, default=400)
    parser.add_argument("--n-reviews", type=int, default=500, help="per class")
    parser.add_argument("--max-length", type=int, default=256)
    parser.add_argument(
        "--words", type=int, nargs=2, default=(60, 100), help="words per text"
    )
    parser.add_argument("--evidence", type=int, default=2, help="words of evidence")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--tasks",
        nargs="+",
        default=["few-token", "reviews"],
        choices=["few-token", "reviews", "fit"],
    )
    parser.add_argument("--repeats", type=int, default=3, help="fits timed (fit)")
    parser.add_argument("--old-module", help="another _attention.py to time (fit)")
    parser.add_argument(
        "--fit-sizes",
        type=int,
        nargs="*",
        default=(),
        help="the head's hidden layer sizes (fit; none: a linear head)",
    )
    args = parser.parse_args()

    import torch

    torch.set_num_threads(int(os.environ.get("OMP_NUM_THREADS", "1")))
    data = {
        "few-token": lambda: few_token_texts(
            args.n_few, args.seed, words=args.words, evidence=args.evidence
        ),
        "reviews": lambda: balanced_reviews(args.n_reviews, args.seed),
    }
    out = {}
    for task in args.tasks:
        if task == "fit":
            out[task] = time_fit(args)
            print(f"{task:>10}: {out[task]}", flush=True)
            continue
        texts, y = data[task]()
        out[task] = {"n_texts": len(texts)}
        runs = [("attention", "attention"), ("mean+linear", None)]
        if args.old_module:
            runs.insert(0, ("attention (old)", "attention"))
        for name, probe in runs:
            if args.old_module and probe == "attention":
                # Each version's sweep computes the token states itself.
                from sklearn_probe.hidden import clear_cache

                clear_cache()
            with old_probe(args.old_module if "old" in name else None):
                numbers = sweep(texts, y, probe, args)
            out[task][name] = numbers
            print(
                f"{task:>10} {name:>12}: best layer {numbers['best_layer']}, CV "
                f"accuracy {numbers['cv_mean']:.3f} ± {numbers['cv_std']:.3f} "
                f"(folds {numbers['cv_folds']}), control "
                f"{numbers['control_mean']:.3f}; by layer {numbers['by_layer']}; "
                f"{numbers['seconds']:.0f} s",
                flush=True,
            )
    print(json.dumps(out))


if __name__ == "__main__":
    main()
