"""
A regression probe: sentence length
===================================

A continuous property is probed by :class:`~sklearn_probe.ProbeRegressor` in
the same sweep, scored in R², against a chance level computed on the same folds
(predicting the training fold's mean) and a control fitted to permuted targets.
"""

# %%
# Targets
# -------
# The length of each snippet in words: a count, so say ``task="regression"``
# (``"auto"`` reads integers as classes).
from sklearn_probe import layer_sweep
from sklearn_probe.datasets import load_rotten_tomatoes

snippets = load_rotten_tomatoes(n_samples=200, random_state=1)["text"]
words = snippets.str.split().str.len()
print(f"{len(words)} snippets of {words.min()} to {words.max()} words (mean {words.mean():.1f})")

# %%
# The sweep, with the penalty swept too
# -------------------------------------
lengths = layer_sweep(
    snippets, words, model="minilm", task="regression", cv=5, verbose=0,
    param_grid={"probe__C": [0.1, 1.0]}, baselines=("control",),
)
table = lengths.scores.pivot(index="layer", columns="C", values="cv_score_mean")
print(table.round(3).to_string())
print(f"chance (training mean): {lengths.chance_score:.3f}")
print(lengths.best_per("C")[["C", "layer", "cv_score_mean"]].round(3).to_string(index=False))

# %%
# The control, fitted to permuted lengths, scores below chance: a regressor
# fitted to noise predicts noise. Its selectivity is therefore not bounded by
# the best possible R², so compare selectivity between rows of one ``C`` and do
# not rank layers by it.
print(lengths.scores[["layer", "C", "control_mean", "selectivity"]].round(3).to_string(index=False))

# %%
# The picture
# -----------
from sklearn_probe import LayerScoresDisplay

LayerScoresDisplay.from_sweep(lengths)
