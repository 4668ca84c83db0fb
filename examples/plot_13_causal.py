"""
Does the model use what the probe finds?
========================================

A probe reads a property from a layer; that does not mean the model uses it.
Here a small GPT-2, trained in this example on subject-verb agreement, is
edited while it runs: the subject's number is erased at one layer (LEACE),
pushed along its direction (steering), or its strongest units are zeroed, and
the model's agreement is measured after each edit, beside an edit of the same
size in a random direction.
"""

# %%
# A model trained here
# --------------------
# ``make_agreement_lm`` trains a word-level GPT-2 (2 blocks, width 32, 600
# steps, seeded; under a minute on two CPU cores) on sentences such as ``the dogs near the cat run .``: the verb's form must
# agree with the subject (``dogs``), not with the nearer *attractor* noun
# (``cat``). The test prefixes all have an attractor of the other number, the
# hard case; chance is 0.5.
import tempfile
import time

from sklearn_probe.datasets import (
    agreement_behaviour,
    agreement_prefixes,
    last_token_states,
    load_agreement_lm,
    make_agreement_lm,
)

started = time.perf_counter()
folder = make_agreement_lm(
    tempfile.mkdtemp(), n_layer=2, n_embd=32, steps=600, random_state=0
)
model, tokenizer = load_agreement_lm(folder)  # with its language-modelling head
print(f"trained in {time.perf_counter() - started:.0f} s")

data = agreement_prefixes(300, attractor="opposite", random_state=2)
accuracy = agreement_behaviour(tokenizer, data)  # behaviour(model, rows) -> float
print(data["text"][0], "->", data["singular_form"][0], "/", data["plural_form"][0])
print(f"agreement accuracy: {accuracy(model):.3f} (chance 0.5)")

# %%
# Erasure at each layer, on the probe's folds
# -------------------------------------------
# ``causal_sweep`` draws the folds a layer sweep would (5-fold, stratified,
# seeded). On each training fold it fits LEACE on the states at the token
# before the verb, then runs the model with that erasure at one layer (every
# position) and measures the agreement accuracy on the validation fold. The
# control erases random subspaces of the same rank (one direction here), three
# draws per fold: their lowest and highest effect make the band.
from sklearn.linear_model import LogisticRegression

from sklearn_probe.causal import causal_sweep

result = causal_sweep(
    model,
    data["text"],
    data["plural"],
    tokenizer=tokenizer,
    behaviour=accuracy,
    probe=LogisticRegression(max_iter=2000),
    cv=5,
    n_controls=3,
)
columns = ["layer", "probe_score", "after", "control_after", "effect"]
columns += ["control_low", "control_high", "rank_by_effect", "rank_by_probe"]
print(result.scores[columns].round(3).to_string(index=False))

# %%
# The probe reads the number perfectly at every layer (``probe_score``), so
# the probe's ranking cannot tell the layers apart; the erasure's can.
# Erasing the number's one direction at the embeddings or at the last layer
# drops agreement to chance (``after``); erasing a random direction changes
# nothing (``control_after``). At the middle layer the erasure changes
# nothing either.
#
# Amnesic probing says why: after an erasure at layer *L*, a probe refitted
# on the edited states of each later layer. After the middle layer's erasure
# the last layer reads the number again: its block takes it from the
# subject's own position, which the eraser (fitted at the token before the
# verb) does not clear.
print(
    result.amnesic.pivot(index="erased_layer", columns="probed_layer", values="score")
    .round(3)
    .to_string()
)

# %%
# The picture: the effect by layer inside the random band, beside the probe.
from sklearn_probe.plotting import plot_causal_sweep

fig = plot_causal_sweep(result)

# %%
# Steering along the number
# -------------------------
# The direction from singular to plural (the difference of the class means at
# layer 1, last token, on other prefixes) is added with a scale; the share of
# prefixes where the model prefers the plural verb follows the scale. Random
# directions of the same norm are the control.
from sklearn_probe.causal import steering_curve

train = agreement_prefixes(600, attractor="any", random_state=1)
states = last_token_states(model, tokenizer, train["text"])
y = train["plural"]
X = states[:, 1]
direction = X[y].mean(axis=0) - X[~y].mean(axis=0)
plural_share = agreement_behaviour(tokenizer, data, metric="plural_share")
steering = steering_curve(
    model, 1, direction, [-2, -1, -0.5, 0, 0.5, 1, 2], plural_share, n_controls=3
)
print(steering.round(3).to_string(index=False))

# %%
# Single units
# ------------
# ``NeuronSelector`` ranks the 32 units of the layer whose erasure mattered
# most by their weight in an elastic-net probe. First the probe on the top-k
# units against random k (``neuron_curve``, the ranking refitted per fold),
# then the top-k units zeroed in the model (``unit_ablation``, every position)
# against random sets of k units.
from sklearn_probe.causal import NeuronSelector, neuron_curve, unit_ablation
from sklearn_probe.plotting import plot_neuron_curve

layer = result.layer_by_effect
X = states[:, layer]
ks = [1, 2, 4, 8, 16]
curve = neuron_curve(LogisticRegression(max_iter=2000), X, y, ks, n_random=3)
print(f"layer {layer}: the probe on k units")
print(curve.round(3).to_string(index=False))
ranking = NeuronSelector(random_state=0).fit(X, y).ranking_
ablation = unit_ablation(model, layer, ranking, ks, accuracy, n_random=3)
print(f"layer {layer}: agreement accuracy with k units zeroed")
print(ablation.round(3).to_string(index=False))
fig = plot_neuron_curve(curve, layer=layer, chance=0.5)
print(f"took {time.perf_counter() - started:.0f} s")

# %%
# What the numbers show, and what they do not
# -------------------------------------------
# - The probe shows that the number *can be read* at a layer; the drop after
#   erasure, far outside the random band, shows the model *uses* that linear
#   information there to choose the verb (Elazar et al. 2021).
# - Erasure removes only what a linear probe can read; the model may still
#   use a non-linear trace, and the later layers can recompute the property
#   (amnesic probing shows where it comes back).
# - An edit at every position moves the states off the distribution the
#   model was trained on; the random subspace of the same rank bounds how
#   much of a drop that alone causes.
# - A few units carrying a probe's weight does not make them the mechanism:
#   zeroing them is the causal check, and a property spread over a direction
#   needs many units zeroed before the model notices.
