"""
Saved pipelines and predict
===========================

The best layer's pipeline is saved as a skops file (tens of KB: no model
weights) that loads without running code from the file, then labels new
sentences from Python and from the command.
"""

# %%
# A sweep and its best pipeline
# -----------------------------
from pathlib import Path
from tempfile import mkdtemp

from sklearn_probe import layer_sweep, load_pipeline, save_pipeline
from sklearn_probe.datasets import load_rotten_tomatoes

data = load_rotten_tomatoes(n_samples=300, random_state=0)
result = layer_sweep(
    data["text"], data["label"], model="minilm", layers=[2, 4, 6], cv=5, verbose=0
)
print(result.best_pipeline)

# %%
# Save, load, predict
# -------------------
# ``load_pipeline`` lists the types the file would build and refuses any that
# is not scikit-learn's, skops' or this package's before building anything.
folder = Path(mkdtemp())
path = folder / "best_pipeline.skops"
save_pipeline(result.best_pipeline, path)
print(f"{path.name}: {path.stat().st_size / 1024:.0f} KB")

pipe = load_pipeline(path)
sentences = ["A masterpiece, I was moved to tears.", "Dull, boring and far too long."]
print(pipe.predict(sentences), pipe.predict_proba(sentences).round(3))

# %%
# The same from the command
# -------------------------
# ``sklearn-probe predict --pipeline P SENTENCE ...`` (here through its
# ``main``, which the console script calls) prints each sentence's label and
# probability; ``--json`` gives every class's probability.
from sklearn_probe.cli import main

status = main(["predict", "--pipeline", str(path), "--json", *sentences])
print("exit status:", status)

# %%
# A whole report folder
# ---------------------
# ``save_report`` writes what ``sklearn-probe sweep`` writes; the folder holds
# the pipeline too, and ``LayerSweepResult.load`` reads it all back.
report = folder / "report"
result.save_report(report, texts=data["text"], labels=data["label"])
print(sorted(p.name for p in report.iterdir()))
