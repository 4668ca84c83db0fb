"""A naive layer sweep, written the way the lesson in shared/reference/ works.

For every layer and every fold it runs the model again over the training texts
and over the test texts, in batches of 32 in input order, and keeps nothing
between runs: 2 x layers x folds passes over the data where one would do. The
lesson's outright bugs are fixed so that the numbers are comparable with
sklearn-probe's (masked mean pooling, no autograd, pooled per batch so batches of
different lengths can be joined, all hidden states reachable, a probe that ends
in logits). What remains is the cost of its structure, which is what this
reference is for.

Not part of the package; used by the benchmarks only.
"""

import time

import numpy as np
from sklearn.model_selection import StratifiedKFold


def naive_embeddings(model, tokenizer, texts, layer, *, max_length=128, batch_size=32):
    """Mean-pooled hidden state ``layer`` of ``texts``, the lesson's way."""
    import torch

    out = []
    for start in range(0, len(texts), batch_size):
        batch = list(texts[start : start + batch_size])
        inputs = tokenizer(
            batch,
            return_tensors="pt",
            padding=True,
            truncation=True,
            max_length=max_length,
        )
        with torch.no_grad():
            hidden = model(**inputs, output_hidden_states=True).hidden_states[layer]
        mask = inputs["attention_mask"].unsqueeze(-1).to(hidden.dtype)
        out.append(((hidden * mask).sum(1) / mask.sum(1)).numpy())
    return np.concatenate(out)


def naive_layer_sweep(model_path, texts, labels, make_probe, *, layers, cv=5, seed=0):
    """Cross-validated accuracy per layer, re-extracting for every layer and fold.

    Returns ``(scores, seconds, rows)``: ``scores[layer]`` is the list of fold
    accuracies, ``rows`` the number of texts sent through the model.
    """
    from transformers import AutoModel, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(model_path)
    model = AutoModel.from_pretrained(model_path).eval()
    texts = np.asarray(texts, dtype=object)
    labels = np.asarray(labels)
    folds = list(
        StratifiedKFold(cv, shuffle=True, random_state=seed).split(texts, labels)
    )
    scores, rows = {}, 0
    start = time.perf_counter()
    for layer in layers:
        scores[layer] = []
        for train, test in folds:
            x_train = naive_embeddings(model, tokenizer, texts[train], layer)
            x_test = naive_embeddings(model, tokenizer, texts[test], layer)
            rows += len(train) + len(test)
            probe = make_probe().fit(x_train, labels[train])
            scores[layer].append(float((probe.predict(x_test) == labels[test]).mean()))
    return scores, time.perf_counter() - start, rows
