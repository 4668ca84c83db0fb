"""
Controls, baselines and MDL
===========================

A probe's score alone says little. On the same folds, the sweep adds the
control task (the same probe on permuted labels), the same model with random
weights, two text-only baselines (bag of words, length), the MDL online code
length of the labels, and repeated cross-validation with a paired test of every
layer against the best.
"""

# %%
# One sweep, every baseline
# -------------------------
# Still one forward pass per text through MiniLM, and one through its
# untrained twin for the random-weights baseline.
from sklearn_probe import layer_sweep
from sklearn_probe.datasets import load_rotten_tomatoes

data = load_rotten_tomatoes(n_samples=300, random_state=0)
result = layer_sweep(
    data["text"],
    data["label"],
    model="minilm",
    cv=5,
    repeats=2,
    verbose=0,
    baselines=("control", "random_weights", "bag_of_words", "length"),
    mdl=True,
)
columns = [
    "layer",
    "cv_score_mean",
    "ci_low",
    "ci_high",
    "control_mean",
    "selectivity",
    "random_weights_mean",
    "mdl_compression",
    "p_vs_best_adjusted",
]
print(result.scores[columns].round(3).to_string(index=False))

# %%
# Reading it
# ----------
# *Selectivity* is the probe's score minus the control's: how much of the
# score the probe could not have got by memorising labels. The random-weights
# column is the floor pretraining must beat. MDL compression is the uniform
# code length of the labels over their online code length: above 1, the
# labels are easier to transmit with this layer's vectors than without.
scores = result.scores
print(f"chance (majority class): {result.chance_score:.3f}")
print(
    f"text-only baselines: bag of words {scores['bag_of_words_mean'].iloc[0]:.3f}, "
    f"length {scores['length_mean'].iloc[0]:.3f}"
)
print(
    f"best layer {result.best_layer}: {result.best_score:.3f}; "
    f"highest selectivity at layer {int(scores.loc[scores['selectivity'].idxmax(), 'layer'])}; "
    f"best MDL compression at layer {int(scores.loc[scores['mdl_compression'].idxmax(), 'layer'])}"
)
worse = scores.loc[scores["significantly_worse"], "layer"].tolist()
print("layers significantly worse than the best (Holm-adjusted):", worse)
print(
    "smallest layer not significantly worse:",
    result.choose_layer(rule="smallest_not_worse"),
)

# %%
# The picture
# -----------
# With repeated CV the band is the 95% confidence interval; the control and
# random-weights curves and the text-only baselines are drawn beside the probe.
from sklearn_probe import LayerScoresDisplay

display = LayerScoresDisplay.from_sweep(result)
