"""The 2-D points of the embeddings pictures: subset, then t-SNE, PCA or the
probe's own direction.

Computation only, no drawing: :class:`LayerEmbeddingsDisplay` and
:func:`~sklearn_probe.plotting.plot_tsne` draw what these return. Every
projection also says what it projected (:func:`describe_projection`), and
:data:`PROJECTION_NOTE` says what a 2-D picture can and cannot show.
"""

import logging
import os
import time

import numpy as np

from ..utils._sampling import stratified_subset

logger = logging.getLogger(__name__)

#: The projections, by the name a caller passes: (title word, file stem).
PROJECTIONS = {
    "tsne": ("t-SNE", "tsne"),
    "pca": ("PCA", "pca"),
    "probe": ("Probe projection", "probe"),
}
#: Dimensions kept by the PCA that runs before t-SNE on wider vectors.
TSNE_PCA_DIMENSIONS = 50
#: t-SNE iterations: 250 with early exaggeration, then 250 more (the layout of
#: the demo's 800 points did not change after these; 1,000 took twice as long).
TSNE_ITERATIONS = 500

#: What a 2-D projection of hidden states can and cannot show, for a report.
PROJECTION_NOTE = (
    "A 2-D picture keeps little of hundreds of dimensions. t-SNE keeps "
    "neighbourhoods, not directions: classes that a linear probe separates along "
    "one direction among hundreds can look mixed in it, and clusters in it can be "
    "topics or lengths rather than labels. PCA shows the two directions of most "
    "variance, which need not be the ones the probe reads. Mixed points in either "
    "picture do not mean that a layer lacks the information; separated points do "
    "not measure how much it holds (the cross-validated score does). The probe "
    "projection puts each point's out-of-fold probe score on the x axis (a probe "
    "fitted without that point) against the direction of most variance orthogonal "
    "to the probe's: there a linearly decodable label shows as a left-right split "
    "as clean as the probe's own held-out accuracy, and no cleaner."
)


def projection_file_stem(method):
    """The stem of an embeddings picture's file name, named by its projection.

    Parameters
    ----------
    method : str
        A projection's name (``"tsne"``, ``"pca"``, ``"probe"``) or its title
        word (``LayerEmbeddingsDisplay.method``, e.g. ``"t-SNE"``).

    Returns
    -------
    str
        ``"tsne_layers"``, ``"pca_layers"`` or ``"probe_layers"``.
    """
    for name, (word, stem) in PROJECTIONS.items():
        if method in (name, word):
            return f"{stem}_layers"
    raise ValueError(
        f"Unknown projection {method!r}; the projections are {sorted(PROJECTIONS)}."
    )


def describe_projection(info):
    """What a projection drew, in one sentence.

    Parameters
    ----------
    info : dict
        A display's ``projection_info_``.

    Returns
    -------
    str
        E.g. "t-SNE (openTSNE 1.0.4, 500 iterations) of 500 points per panel
        (a stratified subset of 800), after PCA from 384 to 50 dimensions; 4
        panels in 4.1 s."
    """
    n_panels = info.get("n_panels", 1)
    how = [info.get("implementation")]
    how.append(f"{info['iterations']} iterations" if info.get("iterations") else None)
    how = ", ".join(part for part in how if part)
    text = info["method"] + (f" ({how})" if how else "")
    text += f" of {info['n_points']:,} points"
    text += " per panel" if n_panels > 1 else ""
    if info.get("n_points_total", info["n_points"]) > info["n_points"]:
        text += f" (a stratified subset of {info['n_points_total']:,})"
    if info.get("pca_dimensions"):
        text += (
            f", after PCA from {info['n_features']} to {info['pca_dimensions']} "
            "dimensions"
        )
    else:
        text += f" of {info['n_features']} dimensions"
    if info.get("probe"):
        text += f"; x: out-of-fold score of {info['probe']}"
    seconds = info.get("seconds")
    if seconds is not None:
        panels = f"{n_panels} panels" if n_panels > 1 else "1 panel"
        text += f"; {panels} in {seconds:.1f} s"
    return text + "."


def _effective_perplexity(perplexity, n_samples):
    """``perplexity`` clipped to ``(n_samples - 1) / 3`` (TSNE needs < n_samples)."""
    return float(min(perplexity, (n_samples - 1) / 3))


def _subsample(labels, max_samples, random_state):
    n = len(labels)
    if max_samples is None or n <= max_samples:
        return np.arange(n)
    return np.sort(stratified_subset(labels, max_samples, random_state))


def _threads():
    """Threads for a projection: OpenMP and BLAS threads spin when the machine
    is busy (a model or other processes on the same cores): on 2 cores two
    threads took 3x longer than one. Half the cores, at most 4, is never much
    slower."""
    return max(1, min(4, (os.cpu_count() or 2) // 2))


def _pca_solver(X):
    """The PCA solver for ``X``: the covariance's eigendecomposition when it
    is small (800 x 384: 0.05 s, where the randomized solver that scikit-learn
    picks took 8 s on a busy machine), else the randomized one."""
    return "covariance_eigh" if X.shape[1] <= 1024 else "randomized"


def _project(X, method, perplexity, random_state, layer=None, labels=None):
    """``(points, (x label, y label), info)``: the 2-D points of ``X``, the axis
    labels that describe them, and what was projected (method, implementation,
    points, dimensions, seconds)."""
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=_threads()):
        return _project_limited(X, method, perplexity, random_state, layer, labels)


def _project_limited(X, method, perplexity, random_state, layer, labels):
    start = time.perf_counter()
    info = {
        "method": PROJECTIONS[method][0],
        "n_points": int(len(X)),
        "n_features": int(X.shape[1]),
    }
    scale = float(np.abs(X).max()) or 1.0
    if float(X.std(axis=0).max()) <= 1e-6 * scale:
        # Projections divide by the spread; identical vectors have none.
        logger.warning(
            "The vectors%s are all (nearly) the same; the picture shows one point.",
            "" if layer is None else f" of layer {layer}",
        )
        names = (f"{info['method']} 1", f"{info['method']} 2")
        return np.zeros((len(X), 2)), names, {**info, "seconds": 0.0}
    if method == "pca":
        points, names = _pca(X, random_state)
    elif method == "probe":
        points, names, extra = _probe(X, labels, random_state)
        info.update(extra)
    else:
        points, names, extra = _tsne(X, perplexity, random_state)
        info.update(extra)
    info["seconds"] = time.perf_counter() - start
    return points, names, info


def _pca(X, random_state):
    """The first two principal components, named by the variance they explain."""
    from sklearn.decomposition import PCA

    n_components = min(2, X.shape[1], X.shape[0])
    pca = PCA(n_components, svd_solver=_pca_solver(X), random_state=random_state)
    points = pca.fit_transform(X)
    if points.shape[1] < 2:
        points = np.column_stack([points, np.zeros(len(points))])
    ratio = list(pca.explained_variance_ratio_) + [0.0]
    return points, (
        f"PC 1 ({100 * ratio[0]:.0f}% of variance)",
        f"PC 2 ({100 * ratio[1]:.0f}% of variance)",
    )


def _tsne(X, perplexity, random_state):
    """t-SNE after PCA to 50 dimensions (when wider): openTSNE's (FFT-accelerated
    for 10,000 points or more) when installed, else scikit-learn's."""
    from sklearn.decomposition import PCA

    info = {"pca_dimensions": None, "iterations": TSNE_ITERATIONS}
    if X.shape[1] > TSNE_PCA_DIMENSIONS and X.shape[0] > TSNE_PCA_DIMENSIONS:
        X = PCA(
            TSNE_PCA_DIMENSIONS, svd_solver=_pca_solver(X), random_state=random_state
        ).fit_transform(X)
        info["pca_dimensions"] = TSNE_PCA_DIMENSIONS
    perplexity = _effective_perplexity(perplexity, len(X))
    seed = _seed(random_state)
    try:
        import openTSNE
    except ImportError:
        openTSNE = None
    # openTSNE's neighbour search needs more points than neighbours.
    if openTSNE is not None and len(X) > 3 * perplexity + 1 and len(X) >= 10:
        tsne = openTSNE.TSNE(
            n_components=2,
            perplexity=perplexity,
            initialization="pca",
            early_exaggeration_iter=250,
            n_iter=TSNE_ITERATIONS - 250,
            random_state=seed,
            n_jobs=_threads(),
            # openTSNE's choice: Barnes-Hut below 10,000 points, FFT above.
            # On the demo's 800 points FFT took 4x the CPU time of BH.
            negative_gradient_method="auto",
        )
        points = np.asarray(tsne.fit(X))
        info["implementation"] = f"openTSNE {openTSNE.__version__}"
    else:
        points = _sklearn_tsne(X, perplexity, seed)
        info["implementation"] = "scikit-learn"
    return points, ("t-SNE 1", "t-SNE 2"), info


def _sklearn_tsne(X, perplexity, seed):
    from sklearn.manifold import TSNE

    tsne = TSNE(
        n_components=2,
        perplexity=perplexity,
        init="pca" if min(X.shape) >= 2 else "random",
        max_iter=TSNE_ITERATIONS,
        random_state=seed,
    )
    return tsne.fit_transform(X)


def _seed(random_state):
    """An int seed from ``random_state`` (an int, a RandomState or None)."""
    if random_state is None or isinstance(random_state, (int, np.integer)):
        return None if random_state is None else int(random_state)
    return int(random_state.randint(np.iinfo(np.int32).max))


def _probe(X, labels, random_state, n_splits=5, C=1.0):
    """x: each point's out-of-fold score of a linear probe (``StandardScaler`` +
    ``LogisticRegression(C=C / d)``, the default ``ProbeClassifier``); y: the
    direction of most variance orthogonal to the probe's (fitted on all points).

    With more than two classes both axes come from the out-of-fold scores of
    every class (their first two principal components).
    """
    from sklearn.decomposition import PCA
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold, cross_val_predict
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    if labels is None:
        raise ValueError("The probe projection needs the labels of the points.")
    labels = np.asarray(labels)
    classes, counts = np.unique(labels, return_counts=True)
    n_splits = min(n_splits, int(counts.min()))
    if len(classes) < 2 or n_splits < 2:
        raise ValueError(
            "The probe projection fits a probe on cross-validation folds: it needs "
            "at least two classes with 2 points each; got class counts "
            f"{dict(zip(classes.tolist(), counts.tolist(), strict=True))}. Use "
            "method='pca' or 'tsne'."
        )
    probe = make_pipeline(
        StandardScaler(), LogisticRegression(C=C / X.shape[1], max_iter=1000)
    )
    folds = StratifiedKFold(n_splits, shuffle=True, random_state=_seed(random_state))
    scores = cross_val_predict(probe, X, labels, cv=folds, method="decision_function")
    if scores.ndim == 1:
        predicted = classes[(scores > 0).astype(int)]
    else:
        predicted = classes[np.argmax(scores, axis=1)]
    accuracy = float(np.mean(predicted == labels))
    extra = {"probe": "a linear probe", "probe_accuracy": accuracy}
    xlabel = f"Probe score, out-of-fold (accuracy {accuracy:.2f})"
    if scores.ndim == 2:
        pca = PCA(n_components=2, random_state=_seed(random_state))
        points = pca.fit_transform(scores)
        return points, (xlabel + ", PC 1", "Probe scores, PC 2"), extra
    Z = StandardScaler().fit_transform(X)
    w = probe.fit(X, labels)[-1].coef_.ravel()
    w = w / (np.linalg.norm(w) or 1.0)
    residual = Z - np.outer(Z @ w, w)
    pca = PCA(1, svd_solver=_pca_solver(X), random_state=_seed(random_state))
    pca.fit(residual)
    y = pca.transform(residual)[:, 0]
    share = float(pca.explained_variance_ratio_[0])
    return (
        np.column_stack([scores, y]),
        (xlabel, f"PC orthogonal to the probe ({100 * share:.0f}% of variance)"),
        extra,
    )
