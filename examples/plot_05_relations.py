"""
Relations: dependency arcs
==========================

A relation is a pair of words. ``load_conllu(..., unit="arc")`` gives one
sample per dependency arc, ``(words, (dependent span), (head span))``; the word
transformer concatenates the two spans' vectors, dependent first, as edge
probing does, and the probe predicts the relation's label (``deprel``).
"""

# %%
# Arcs of a generated treebank
# ----------------------------
from pathlib import Path
from tempfile import mkdtemp

from sklearn_probe.datasets import load_conllu, make_agreement_conllu

path = Path(mkdtemp()) / "agreement.conllu"
make_agreement_conllu(path, n_sentences=80, random_state=1)
arcs = load_conllu(path, unit="arc")
print(f"{len(arcs)} arcs in {arcs['sentence'].nunique()} sentences")
print(arcs["deprel"].value_counts().to_string())
print(arcs["sample"].iloc[1])

# %%
# The sweep
# ---------
# The same ``unit="word"`` sweep, folds grouped by sentence. The word-type
# control needs single words, so the reference here is the same model with
# random weights: what the architecture alone gives.
from sklearn_probe import LayerScoresDisplay, layer_sweep

result = layer_sweep(
    arcs["sample"].tolist(),
    arcs["deprel"],
    unit="word",
    model="minilm",
    layers=[0, 2, 4, 6],
    cv=5,
    baselines=("random_weights",),
    verbose=0,
)
print(
    result.scores[["layer", "cv_score_mean", "random_weights_mean"]]
    .round(3)
    .to_string(index=False)
)
print(f"chance: {result.chance_score:.3f}")
gap = (result.scores["cv_score_mean"] - result.scores["random_weights_mean"]).max()
print(f"largest gain of the pretrained model over its random twin: {gap:.3f}")

# %%
# Reading it
# ----------
# Compare the two columns, not the scores with chance: in this small grammar
# a relation follows from the two words' forms (``the`` is a determiner, ``.``
# punctuation), so the untrained twin decodes it about as well as MiniLM, and
# the probe's score says nothing about what pretraining added. On a real
# treebank (``sklearn-probe sweep --unit arc --dataset en_ewt-ud-train.conllu``)
# the same comparison is what to read.
display = LayerScoresDisplay.from_sweep(result)
