"""The arguments of :func:`~sklearn_probe.causal.causal_sweep`, checked and
resolved: the model and tokenizer, the texts and labels, the erased and probed
layers, the folds, the default probe, chance."""

import numbers

import numpy as np
from sklearn.model_selection import StratifiedKFold, check_cv


def resolve_model(model, tokenizer):
    if isinstance(model, str) or hasattr(model, "__fspath__"):
        from ..hidden import load_model

        loaded = load_model(model)
        return loaded.model, loaded.tokenizer if tokenizer is None else tokenizer
    if tokenizer is None:
        raise ValueError(
            "causal_sweep needs the model's tokenizer with a model object: pass "
            "tokenizer=AutoTokenizer.from_pretrained(...)."
        )
    return model, tokenizer


def check_data(texts, labels):
    if isinstance(texts, str):
        raise ValueError(
            "Iterable over raw text documents expected, string object received."
        )
    texts = list(texts)
    y = np.asarray(labels)
    if len(texts) != len(y):
        raise ValueError(
            f"texts and labels differ in length: {len(texts)} texts, {len(y)} labels."
        )
    if len(np.unique(y)) < 2:
        raise ValueError("The labels hold a single class; erasure needs two or more.")
    return texts, y


def resolve_layers(layers, n_blocks):
    n_states = n_blocks + 1
    if isinstance(layers, str):
        if layers != "all":
            raise ValueError(f"layers={layers!r}: use 'all', an int or a list of ints.")
        return list(range(n_states))
    chosen = [layers] if isinstance(layers, numbers.Integral) else list(layers)
    out = []
    for layer in chosen:
        if not -n_states <= int(layer) < n_states:
            raise ValueError(
                f"layer {layer} is not a hidden state of this model: 0 to "
                f"{n_blocks}, or -1 to -{n_states}."
            )
        out.append(int(layer) % n_states)
    return sorted(set(out))


def probed_layers(amnesic_layers, erased_layers, n_blocks):
    if amnesic_layers is None:
        return []
    if isinstance(amnesic_layers, str):
        if amnesic_layers == "later":
            return list(erased_layers)
        if amnesic_layers == "last":
            return [n_blocks]
        raise ValueError(
            f"amnesic_layers={amnesic_layers!r}: use 'later', 'last', a list of "
            "layers or None."
        )
    return resolve_layers(amnesic_layers, n_blocks)


def check_measure(behaviour, erased_layers, probed):
    """Without a behaviour, every erased layer needs a probed layer after it."""
    if behaviour is not None:
        return
    alone = [layer for layer in erased_layers if not any(p >= layer for p in probed)]
    if alone:
        raise ValueError(
            f"Nothing to measure after erasing at layer(s) {alone}: pass a "
            "behaviour, or amnesic_layers that include a layer at or after "
            "each erased one ('later' or 'last')."
        )


def draw_folds(cv, y, random_state):
    if isinstance(cv, numbers.Integral):
        cv = StratifiedKFold(int(cv), shuffle=True, random_state=random_state)
    splitter = check_cv(cv, y, classifier=True)
    return list(splitter.split(np.zeros(len(y)), y))


def default_probe(probe, random_state):
    if probe is not None:
        return probe
    from ..probe import ProbeClassifier

    return ProbeClassifier(random_state=random_state)


def probe_chance(y, folds):
    shares = []
    for train, test in folds:
        values, counts = np.unique(y[train], return_counts=True)
        shares.append(np.mean(y[test] == values[np.argmax(counts)]))
    return float(np.mean(shares))
