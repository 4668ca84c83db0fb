"""The hidden-state side of a word sweep: transforms served from the cache.

    PYTHONPATH=$PWD .venv/bin/python benchmarks/words_transform.py --sentences 300

A word sweep over 7 layers x 5 grouped folds transforms the training and the
validation samples of every fold at every layer: 70 transforms of cached
sentences (the model runs once, before, and is not timed). Prints the time of
those 70 transforms, of one pass of the model, and a digest of the vectors
(the same digest before and after a change means the same numbers); one JSON
line at the end.
"""

import argparse
import hashlib
import json
import os
import tempfile
import time

os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

import numpy as np  # noqa: E402


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sentences", type=int, default=300)
    parser.add_argument("--folds", type=int, default=5)
    args = parser.parse_args(argv)

    from sklearn.base import clone
    from sklearn.model_selection import StratifiedGroupKFold

    from sklearn_probe import WordHiddenStateTransformer, sentence_groups
    from sklearn_probe.datasets import load_conllu, make_agreement_conllu

    path = os.path.join(tempfile.mkdtemp(), "agreement.conllu")
    make_agreement_conllu(path, n_sentences=args.sentences, random_state=0)
    words = load_conllu(path)
    X, y = words["sample"].tolist(), words["upos"].to_numpy()
    groups = sentence_groups(X)
    splitter = StratifiedGroupKFold(args.folds, shuffle=True, random_state=0)
    folds = list(splitter.split(np.zeros(len(X)), y, groups))

    hidden = WordHiddenStateTransformer("minilm", device="cpu", cache_dir=None)
    hidden.fit(X[:1])
    started = time.perf_counter()
    hidden.transform(X)  # the one pass
    one_pass = time.perf_counter() - started

    digest = hashlib.sha256()
    started = time.perf_counter()
    for layer in range(hidden.n_layers_):
        step = clone(hidden).set_params(layer=layer).fit(X[:1])
        for train, test in folds:
            for rows in (train, test):
                out = step.transform([X[i] for i in rows])
                digest.update(out.tobytes())
    transforms = time.perf_counter() - started
    n_calls = 2 * hidden.n_layers_ * len(folds)
    print(f"{len(set(groups))} sentences, {len(X)} words: one pass {one_pass:.2f} s; "
          f"{n_calls} cached transforms {transforms:.2f} s")  # fmt: skip
    print(
        json.dumps(
            {
                "words": len(X),
                "one_pass_s": round(one_pass, 2),
                "transforms": n_calls,
                "transforms_s": round(transforms, 2),
                "digest": digest.hexdigest()[:16],
            }
        )
    )


if __name__ == "__main__":
    main()
