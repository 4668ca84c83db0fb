"""
Words: where does a verb learn its subject's number?
====================================================

Part of speech and agreement are properties of words, not texts.
:class:`~sklearn_probe.WordHiddenStateTransformer` gives one vector per word of
pre-split sentences, and ``layer_sweep(unit="word")`` sweeps it with folds
grouped by sentence and Hewitt & Liang's word-type control.
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
make_agreement_conllu(path, n_sentences=400, random_state=0)
words = load_conllu(path)
verbs = words[(words["upos"] == "VERB") & (words["feats:Tense"] == "Past")]
print(f"{len(words)} words in {words['sentence'].nunique()} sentences; "
      f"{len(verbs)} past-tense verbs")
print(verbs["sample"].iloc[0])  # (the sentence's words, the index of the verb)

# %%
# The question
# ------------
# A past-tense English verb has one form for both numbers (*barked*), so its
# embedding cannot know the subject's number: any later layer that does took
# it from the subject, across the attractor noun when there is one.
from sklearn_probe import layer_sweep

result = layer_sweep(
    verbs["sample"].tolist(), verbs["misc:SubjNumber"], unit="word", model="minilm",
    cv=5, baselines=("control",), verbose=0,
)
print(result.scores[["layer", "cv_score_mean", "control_mean", "selectivity"]]
      .round(3).to_string(index=False))
print(f"chance: {result.chance_score:.3f}; folds grouped by {result.settings['cv_groups']}")

# %%
# The control gives each word *type* one random label, so a probe that
# memorises word identity scores high on it: selectivity is what the vectors
# say beyond the word itself.
from sklearn_probe import LayerScoresDisplay

LayerScoresDisplay.from_sweep(result)

# %%
# Part of speech, for contrast
# ----------------------------
# In this grammar a word's form gives its part of speech, so every layer
# decodes it, and the word-type control does almost as well: a high score with
# low selectivity.
upos = layer_sweep(
    words["sample"].tolist(), words["upos"], unit="word", model="minilm",
    layers=[0, 3, 6], cv=5, baselines=("control",), verbose=0,
)
print(upos.scores[["layer", "cv_score_mean", "control_mean", "selectivity"]]
      .round(3).to_string(index=False))
