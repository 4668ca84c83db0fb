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
print(
    f"{len(words)} snippets of {words.min()} to {words.max()} words (mean {words.mean():.1f})"
)

# %%
# The sweep, with the penalty swept too
# -------------------------------------
lengths = layer_sweep(
    snippets,
    words,
    model="minilm",
    task="regression",
    cv=5,
    verbose=0,
    param_grid={"probe__C": [0.1, 1.0]},
    baselines=("control",),
)
table = lengths.scores.pivot(index="layer", columns="C", values="cv_score_mean")
print(table.round(3).to_string())
print(f"chance (training mean): {lengths.chance_score:.3f}")
print(
    lengths.best_per("C")[["C", "layer", "cv_score_mean"]]
    .round(3)
    .to_string(index=False)
)

# %%
# The control is the same probe fitted to lengths permuted inside each
# training fold. Fitted to noise, a regressor predicts noise, and the weaker
# its penalty the further below chance it can score; selectivity (the probe's
# R² minus the control's) is then not bounded by 1, the best possible R². So
# compare selectivity between rows of one ``C``, and do not rank layers by it.
print(
    lengths.scores[["layer", "C", "control_mean", "selectivity"]]
    .round(3)
    .to_string(index=False)
)
by_c = lengths.scores.groupby("C")["control_mean"].mean()
print("mean control R² by C:", by_c.round(3).to_dict())
print(f"largest selectivity: {lengths.scores['selectivity'].max():.3f}")

# %%
# The picture
# -----------
from sklearn_probe import LayerScoresDisplay

display = LayerScoresDisplay.from_sweep(lengths)
