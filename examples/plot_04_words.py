"""
Words: where does a verb learn its subject's number?
====================================================

Part of speech and agreement are properties of words, not texts.
:class:`~sklearn_probe.WordHiddenStateTransformer` gives one vector per word of
pre-split sentences, and ``layer_sweep(unit="word")`` sweeps it with folds
grouped by sentence; the word-type control (Hewitt & Liang) is the reference
for part of speech.
"""

# %%
# A treebank with exact labels
# ----------------------------
# ``make_agreement_conllu`` writes generated sentences
# (``the [ADJ] NOUN [near the [ADJ] NOUN] VERB [ADV] .``) as a Universal
# Dependencies file whose labels are right by construction, including the
# subject's number at the verb (``misc:SubjNumber``). ``load_conllu`` reads any
# UD treebank the same way: one row per word.
from pathlib import Path
from tempfile import mkdtemp

from sklearn_probe.datasets import load_conllu, make_agreement_conllu

path = Path(mkdtemp()) / "agreement.conllu"
make_agreement_conllu(path, n_sentences=300, random_state=0)
words = load_conllu(path)
verbs = words[(words["upos"] == "VERB") & (words["feats:Tense"] == "Past")]
print(
    f"{len(words)} words in {words['sentence'].nunique()} sentences; "
    f"{len(verbs)} past-tense verbs"
)
print(verbs["sample"].iloc[0])  # (the sentence's words, the index of the verb)

# %%
# The question
# ------------
# A past-tense English verb has one form for both numbers (*barked*), so its
# embedding cannot know the subject's number: any later layer that does took
# it from the subject, across the attractor noun when there is one.
from sklearn_probe import layer_sweep

result = layer_sweep(
    verbs["sample"].tolist(),
    verbs["misc:SubjNumber"],
    unit="word",
    model="minilm",
    cv=5,
    verbose=0,
)
print(
    result.scores[["layer", "cv_score_mean", "cv_score_std"]]
    .round(3)
    .to_string(index=False)
)
scores = result.scores.set_index("layer")["cv_score_mean"]
print(
    f"chance: {result.chance_score:.3f}; layer 0 (the embedding output): {scores[0]:.3f}; "
    f"best layer {result.best_layer}: {result.best_score:.3f}"
)
print(f"folds grouped by {result.settings['cv_groups']}")

# %%
# The embedding layer is the reference here: it sees the verb's form and
# position alone.
# The word-type control would not help: it gives each verb *form* one random
# label, which a probe learns from the form itself at every layer, so its
# score says nothing about the subject.
from sklearn_probe import LayerScoresDisplay

display = LayerScoresDisplay.from_sweep(result)

# %%
# Part of speech, with the word-type control
# ------------------------------------------
# The control gives each word *type* one random label, so a probe that
# memorises word identity scores high on it; selectivity is what the vectors
# say beyond the word itself. In this grammar a word's form gives its part of
# speech, so the probe and the control both score high and selectivity is
# small. The first sentences are plenty for that.
first = words[words["sentence"] < 60]
print(f"{len(first)} words of the first {first['sentence'].nunique()} sentences")
upos = layer_sweep(
    first["sample"].tolist(),
    first["upos"],
    unit="word",
    model="minilm",
    layers=[0, 3, 6],
    cv=5,
    baselines=("control",),
    verbose=0,
)
print(
    upos.scores[["layer", "cv_score_mean", "control_mean", "selectivity"]]
    .round(3)
    .to_string(index=False)
)
