"""
A probe that pools for itself
=============================

When the label of a long text sits in two of its tokens, the mean over all its
tokens dilutes the evidence about fifty times. :class:`~sklearn_probe.AttentionProbe`
learns which tokens to read: it scores every token's state with a learned
vector, takes the softmax over the text's tokens and reads the weighted sum with
a linear head. ``layer_sweep(probe="attention")`` trains it on each text's token
states (``HiddenStateTransformer(pooling="tokens")``), on the same folds as the
mean-pooled linear probe, with the permuted-label control beside each.
"""

# %%
# Texts whose label sits in two words
# -----------------------------------
# Each text is 60 to 100 words drawn at random from a neutral vocabulary; two
# of them, at random places, are ``north`` (label 1) or ``south`` (label 0).
# The labels are exact, and nothing else in a text says anything about them.
import numpy as np

rng = np.random.default_rng(0)
vocabulary = (
    "the a of to in on at with and but then after train station platform "
    "ticket window table chair door paper letter box road bridge river field "
    "garden kitchen office room morning evening hour man woman child clerk "
    "driver walked waited read wrote carried opened closed found left took "
    "small large old new green grey wooden quietly slowly again later there"
).split()
y = rng.permutation(np.arange(160) % 2)
texts = []
for label in y:
    words = list(rng.choice(vocabulary, rng.integers(60, 101)))
    for at in rng.choice(len(words), 2, replace=False):
        words[at] = "north" if label else "south"
    texts.append(" ".join(words))
print(texts[0][:120], "...", "label", y[0])

# %%
# The two probes on the same folds
# --------------------------------
# Both sweeps draw ``StratifiedKFold(3, shuffle=True, random_state=0)``; the
# control fits the same probe on labels permuted inside each training fold.
from sklearn_probe import layer_sweep

options = dict(model="minilm", layers=[3, 6], cv=3, random_state=0, verbose=0)
attention = layer_sweep(texts, y, probe="attention", baselines=["control"], **options)
mean = layer_sweep(texts, y, baselines=["control"], **options)
for name, result in (("attention", attention), ("mean + linear", mean)):
    best = result.scores.loc[result.best_index]
    print(
        f"{name:>14}: layer {best['layer']}, CV accuracy "
        f"{best['cv_score_mean']:.3f} ± {best['cv_score_std']:.3f}, "
        f"control {best['control_mean']:.3f}"
    )

# %%
# Where the probe looks
# ---------------------
# The best pipeline predicts from raw texts; its probe's attention weights over
# the tokens of a text sum to 1. Most of the weight falls on the two evidence
# tokens.
from sklearn_probe.hidden import load_model

pipe = attention.best_pipeline
states = pipe.named_steps["hidden"].transform(texts[:1])
weights = pipe.named_steps["probe"].attention_weights(states)[0]
tokenizer = load_model("minilm", "cpu").tokenizer
tokens = tokenizer.convert_ids_to_tokens(tokenizer(texts[0])["input_ids"])
top = np.argsort(weights)[::-1][:4]
print([(tokens[i], round(float(weights[i]), 3)) for i in top])
print("predicted:", pipe.predict(["a clerk walked north to the station", "south"]))
