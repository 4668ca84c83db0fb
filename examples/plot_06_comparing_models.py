"""
Comparing models layer by layer
===============================

Which model, and where? :func:`~sklearn_probe.sweep_models` sweeps several
models on the same texts and the same folds, so their fold scores are paired, and
returns a :class:`~sklearn_probe.SweepComparison`. Here MiniLM against its own
untrained twin: what pretraining adds at every layer.
"""

# %%
# The twin
# --------
# ``save_random_weights`` writes the random-weights baseline's model as a
# folder: the same architecture and tokenizer, freshly initialised.
from pathlib import Path
from tempfile import mkdtemp

from sklearn_probe import sweep_models
from sklearn_probe.baselines import save_random_weights
from sklearn_probe.datasets import load_rotten_tomatoes

twin = save_random_weights("minilm", Path(mkdtemp()) / "minilm-random", random_state=0)
data = load_rotten_tomatoes(n_samples=240, random_state=0)

# %%
# Both models, same folds
# -----------------------
comparison = sweep_models(
    data["text"],
    data["label"],
    models=["minilm", twin],
    layers=[0, 2, 4, 6],
    cv=3,
    repeats=2,
    baselines=("bag_of_words",),
    verbose=0,
)
print(
    comparison.summary[
        [
            "model",
            "best_layer",
            "relative_depth",
            "cv_score_mean",
            "diff_vs_best",
            "p_vs_best_adjusted",
        ]
    ]
    .round(4)
    .to_string(index=False)
)

# %%
# In sentences, as the report writes them:
for line in comparison.reading_lines():
    print(line)

# %%
# The picture
# -----------
# One curve per model, each one's best layer starred, chance and the
# bag-of-words baseline as horizontal lines. ``x="relative_depth"`` lines up
# models of different depths.
display = comparison.plot(x="layer")

# %%
# From report folders
# -------------------
# A result saved with ``save_report`` reads back with ``LayerSweepResult.load``
# and compares without rerunning anything (``sklearn-probe compare DIR_A DIR_B``
# does the same from a shell).
from sklearn_probe import LayerSweepResult, compare_sweeps

folder = Path(mkdtemp()) / "minilm-report"
comparison.results["minilm"].save_report(folder, save_pipeline=False)
again = LayerSweepResult.load(folder)
print(
    "best model:",
    compare_sweeps([again, comparison.results["minilm-random"]]).best_model,
)
