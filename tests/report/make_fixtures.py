"""Make the saved sweeps that the report tests read (tests/report/fixtures/).

The report is tested from saved ``results.json`` files, not live sweeps: each
fixture is a real sweep of a tiny random model (tests/helpers.py), written by
``save_report`` and trimmed to its ``results.json``. Rerun this script when the
format of ``results.json`` changes, and commit what it writes::

    PYTHONPATH=$PWD .venv/bin/python tests/report/make_fixtures.py

Fixtures (one folder each, holding ``results.json``):

- ``text_classification``: 60 texts labelled by length, a tiny BERT, 3-fold CV
  repeated twice, every baseline (control, random weights, bag of words,
  length) and MDL.
- ``regression``: the same texts with their length in words as a float target
  (``task="regression"``), with the control and length baselines.
- ``word``: word samples of 24 sentences (is the word an adjective?),
  ``unit="word"``, with the word-type control.
- ``comparison/bert`` and ``comparison/gpt2``: two tiny models on the same
  texts and folds, for :func:`~sklearn_probe.compare_sweeps`.

Machine paths (the temporary model folders) are replaced by the models' names,
and the creation time and versions by fixed values, so that the files do not
change from one run to the next except where the numbers do.
"""

import json
import os
import shutil
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))  # tests/helpers.py

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
os.environ.setdefault("MPLBACKEND", "Agg")
os.environ["SKLEARN_PROBE_CACHE_DIR"] = "off"

import numpy as np  # noqa: E402
from helpers import length_corpus, make_bert, make_gpt2  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402

from sklearn_probe import ProbeClassifier, layer_sweep  # noqa: E402

NOUNS = ["film", "plot", "story", "acting", "movie", "end"]
ADJECTIVES = ["good", "bad", "great", "awful", "dull", "brilliant"]


def word_samples():
    """Word samples of 24 sentences; label: is the word an adjective."""
    rng = np.random.default_rng(0)
    X, y = [], []
    for _ in range(24):
        sentence = ("the", rng.choice(NOUNS), "was", rng.choice(ADJECTIVES))
        sentence = tuple(str(w) for w in sentence)
        for i, word in enumerate(sentence):
            X.append((sentence, i))
            y.append(int(word in ADJECTIVES))
    return X, np.array(y)


def sweeps(models):
    """``name -> (result, dataset)`` of every fixture."""
    texts, labels = length_corpus(60)
    lengths = np.array([len(t.split()) - 1 for t in texts], float)
    common = {"model": models["bert"], "cache_dir": None, "verbose": 0}
    out = {}
    out["text_classification"] = layer_sweep(
        texts,
        labels,
        probe=LogisticRegression(max_iter=1000),
        cv=3,
        repeats=2,
        baselines=["control", "random_weights", "bag_of_words", "length"],
        mdl=True,
        **common,
    )
    out["regression"] = layer_sweep(
        texts,
        lengths,
        task="regression",
        cv=3,
        baselines=["control", "length"],
        **common,
    )
    X, y = word_samples()
    out["word"] = layer_sweep(
        X,
        y,
        unit="word",
        cv=3,
        probe=ProbeClassifier(random_state=0),
        baselines=["control"],
        **common,
    )
    texts, labels = length_corpus(48, gap=True)
    for name in ("bert", "gpt2"):
        out[f"comparison/{name}"] = layer_sweep(
            texts,
            labels,
            probe=LogisticRegression(max_iter=1000),
            pooling="mean",
            cv=3,
            repeats=2,
            random_state=1,
            baselines=["bag_of_words"],
            **{**common, "model": models[name]},
        )
    return out


def _clean(value, root):
    """``value`` with the temporary folder's paths made relative to it."""
    if isinstance(value, str):
        return value.replace(f"{root}{os.sep}", "")
    if isinstance(value, dict):
        return {k: _clean(v, root) for k, v in value.items()}
    if isinstance(value, list):
        return [_clean(v, root) for v in value]
    return value


def main():
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp).resolve()
        models = {
            "bert": make_bert(root / "tiny-bert"),
            "gpt2": make_gpt2(root / "tiny-gpt2"),
        }
        for name, result in sweeps(models).items():
            folder = root / "reports" / name
            result.save_report(folder, save_pipeline=False)
            data = json.loads((folder / "results.json").read_text())
            data = _clean(data, root)
            data["created"] = "2026-01-01T00:00:00+00:00"
            data["versions"] = {"sklearn-probe": "fixture"}
            data["files"] = ["results.json"]
            target = HERE / "fixtures" / name
            shutil.rmtree(target, ignore_errors=True)
            target.mkdir(parents=True)
            (target / "results.json").write_text(json.dumps(data, indent=2) + "\n")
            print(f"wrote {target / 'results.json'}")


if __name__ == "__main__":
    main()
