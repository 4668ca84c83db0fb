"""
A probe as a monitor: recall at 5% false positives
==================================================

A monitor may raise few false alarms: how many of the texts it should flag
does the probe catch when it flags at most 5% of the others? The layer sweep
is scored by that recall (``scoring="recall_at_5pct_fpr"``), the best layer's
pipeline is scored once on held-out texts, and a bootstrap of those texts
says how far that one number can be trusted.
"""

# %%
# Training and test texts
# -----------------------
# Rotten Tomatoes snippets: the rotten ones (label 0) are what this monitor
# should flag, so they are made the positive class (1). 300 texts to choose
# the layer on, 200 held out.
from sklearn_probe.datasets import load_rotten_tomatoes

data = load_rotten_tomatoes(n_samples=500, random_state=0)
data["flag"] = 1 - data["label"]  # rotten: flag it
train, test = data.iloc[:300], data.iloc[300:]
print(
    f"{len(train)} training texts, {len(test)} held out; "
    f"to flag: {int(train['flag'].sum())} and {int(test['flag'].sum())}"
)

# %%
# The sweep, scored by recall at 5% FPR
# -------------------------------------
# Each layer's probe is scored by the share of rotten snippets it catches at
# the threshold that flags at most 5% of the fresh ones in each validation
# fold (of about 30 fresh snippets: one false alarm to spend).
from sklearn_probe import layer_sweep

result = layer_sweep(
    train["text"],
    train["flag"],
    model="minilm",
    scoring="recall_at_5pct_fpr",
    test=(test["text"], test["flag"]),
    cv=5,
    verbose=0,
)
print(
    result.scores[["layer", "cv_score_mean", "cv_score_std"]]
    .round(3)
    .to_string(index=False)
)
print(f"best layer: {result.best_layer} ({result.best_score:.3f} in 5-fold CV)")

# %%
# The held-out score and its interval
# -----------------------------------
# The best pipeline ran on the 200 test texts once; the test set was then
# drawn again 1,000 times within each class, each draw scored from those
# outputs. The central 95% of the draws' scores is the interval.
ci = result.test_score_ci
print(
    f"held-out recall at 5% FPR: {result.test_score:.3f}, "
    f"95% CI {ci['low']:.3f}-{ci['high']:.3f} ({ci['n_resamples']} draws)"
)

# %%
# The same test outputs, other monitor metrics
# --------------------------------------------
# The interval of any other metric comes the same way, from the pipeline's
# decision values on the test set, computed once here.
import numpy as np
from sklearn.metrics import average_precision_score

from sklearn_probe.metrics import bootstrap_interval, partial_auroc, recall_at_fpr

scores = result.best_pipeline.decision_function(test["text"])
y = test["flag"].to_numpy()
for name, metric in {
    "recall at 1% FPR": lambda t, s: recall_at_fpr(t, s, max_fpr=0.01),
    "partial AUROC (FPR <= 10%)": lambda t, s: partial_auroc(t, s, max_fpr=0.1),
    "average precision": average_precision_score,
}.items():
    other = bootstrap_interval(metric, y, scores)
    print(
        f"{name}: {other['score']:.3f} (95% CI {other['low']:.3f}-{other['high']:.3f})"
    )
print(f"share to flag in the test set: {np.mean(y):.2f}")
