"""What the embeddings picture reads: checked vectors, a sweep's panels and words.

Computation only: :class:`~sklearn_probe.plotting.LayerEmbeddingsDisplay` draws.
"""

import numpy as np

from ._projection import PROJECTIONS

# What the points of a sweep's picture are, by the sweep's unit; ``pooling`` is
# the text pooling, or for words and arcs the subword pooling.
_VECTOR_NAMES = {
    "text": "{pooling}-pooled hidden states",
    "word": "{pooling}-subword word vectors",
    "arc": "{pooling}-subword arc vectors (dependent and head)",
}


def check_embeddings(embeddings, labels, method):
    """``(layer -> 2-D float array, labels array)``, checked for one projection."""
    embeddings = as_layer_dict(embeddings)
    labels = np.asarray(labels)
    n = len(labels)
    for layer, X in embeddings.items():
        if X.ndim != 2 or len(X) != n:
            raise ValueError(
                f"The vectors of layer {layer} have shape {X.shape}; "
                f"({n}, n_features) was expected, one row per label."
            )
        if not np.isfinite(X).all():
            raise ValueError(f"The vectors of layer {layer} contain NaN or inf.")
    if n < 2:
        raise ValueError(f"A projection needs at least 2 points; got {n}.")
    if method != "auto" and method not in PROJECTIONS:
        raise ValueError(
            "The 'method' parameter must be one of 'auto', 'tsne', 'pca' or "
            f"'probe'. Got {method!r} instead."
        )
    return embeddings, labels


def as_layer_dict(embeddings):
    """``layer -> (n_samples, n_features)`` from a dict or a 3-D array."""
    if isinstance(embeddings, dict):
        out = {int(k): np.asarray(v, dtype=float) for k, v in embeddings.items()}
    else:
        array = np.asarray(embeddings, dtype=float)
        if array.ndim != 3:
            raise ValueError(
                "embeddings must be a dict layer -> (n_samples, n_features) array, "
                "or an array of shape (n_samples, n_layers, n_features); got shape "
                f"{array.shape}."
            )
        out = {i: array[:, i] for i in range(array.shape[1])}
    if not out:
        raise ValueError("embeddings holds no layer.")
    return out


def merge_info(info, panel, n_total):
    """What every panel projected, as one record: the first panel's description,
    the panel count and the seconds of all panels together."""
    if info is None:
        return {**panel, "n_panels": 1, "n_points_total": int(n_total)}
    info = dict(info)
    info["n_panels"] += 1
    info["seconds"] += panel["seconds"]
    return info


def sweep_layers(result, layers):
    """The panels of a sweep's picture: ``layers``, or the first (embedding
    output), middle, best and last of the swept layers (the best pipeline's:
    a sublayer site has no layer 0)."""
    swept = list(result.layers)
    if result.best_params.get("hidden__site", "residual") != "residual":
        swept = [layer for layer in swept if layer > 0]
    if layers is None:
        layers = sorted(
            {swept[0], swept[len(swept) // 2], result.best_layer, swept[-1]}
        )
    return [int(x) for x in layers]


def sweep_panel_titles(result, layers):
    """``layer -> "Layer <l> (embeddings; best, CV 0.74; last)"``."""
    titles = {}
    for layer in layers:
        notes = []
        if layer == 0:
            notes.append("embeddings")
        if layer == result.best_layer:
            notes.append(f"best, CV {result.best_score:.2f}")
        if layer == result.n_layers - 1:
            notes.append("last")
        titles[layer] = f"Layer {layer}" + (f" ({'; '.join(notes)})" if notes else "")
    return titles


def sweep_vectors_name(result):
    """What the picture's points are, from the sweep's own settings:
    "mean-pooled hidden states", "first-subword word vectors", "last-pooled
    hidden states, tokens: assistant", ...

    For words and arcs the sweep's ``pooling`` setting is the subword pooling
    (``hidden__pooling``, or for words ``hidden__subword``, of the best
    pipeline when several were swept).
    """
    settings, best = result.settings, result.best_params
    pooling = best.get("hidden__pooling", best.get("hidden__subword"))
    pooling = pooling or settings.get("pooling") or "mean"
    if isinstance(pooling, (list, tuple)):
        pooling = pooling[0] if len(pooling) == 1 else "/".join(map(str, pooling))
    unit = settings.get("unit", "text")
    if pooling == "tokens":  # a probe that pools for itself: its texts' means
        pooling = "mean"
    name = _VECTOR_NAMES.get(unit, _VECTOR_NAMES["text"]).format(pooling=pooling)
    # The tokens pooled (of the best pipeline when several were swept).
    tokens = best.get("hidden__tokens", settings.get("tokens", "all"))
    if isinstance(tokens, str) and tokens != "all":
        name += f", tokens: {tokens}"
    return name
