"""What a layer sweep returns: :class:`LayerSweepResult`.

It holds the scores DataFrame, the best layer and the refitted best pipeline of
:func:`~sklearn_probe.layer_sweep`, with its summary properties, predictions and
output (:meth:`~LayerSweepResult.to_dict`, :meth:`~LayerSweepResult.save_report`).
Its public home is :mod:`sklearn_probe.sweep` (or :mod:`sklearn_probe`).
"""

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from sklearn.pipeline import Pipeline
from sklearn.utils._param_validation import StrOptions, validate_params

from ..utils._names import CV, jsonable, score_name
from ._best import BestPipelineMethods
from ._choose import RULES
from ._kinds import task_spec, unit_spec


@dataclass(kw_only=True, eq=False, repr=False)
class LayerSweepResult(BestPipelineMethods):
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
        same for every row, so rows can be compared fold by fold);
        ``degenerate_folds`` (in how many folds the probe learned nothing: it
        predicted one class for every text it was trained on, or its training
        score was at most ``chance_score``); ``tied_with_best`` (the row ties
        with the best: see ``tied_indices``). With
        ``baselines``, ``mdl`` or ``repeats`` more columns (see
        :func:`layer_sweep`): ``control_mean``, ``control_std``,
        ``selectivity``; ``random_weights_mean``, ``random_weights_std``;
        ``bag_of_words_mean``, ``length_mean`` (their ``_std`` and
        ``_fold<k>``: one value in every row);
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
        without the model's weights: :func:`sklearn_probe.save_pipeline` writes
        it to a small ``.skops`` file, which loads without running code.
    test_score : float or None
        Score of ``best_pipeline`` on the held-out test set passed as ``test``;
        None without one. The layer was chosen without looking at it.
    test_score_ci : dict or None
        Its 95% bootstrap interval over the test texts (``{"low", "high",
        "confidence", "n_resamples", "stratified", "random_state"}``), or None
        without a test set. User guide: "Probes as monitors".
    chance_score : float
        The score of guessing without the texts: the majority-class rate for
        accuracy; for other scorings the best cross-validated score, on the
        same folds, of the no-information guessers (``DummyClassifier``
        ``prior``, ``stratified``, ``uniform``; ``DummyRegressor`` ``mean``,
        ``median`` for a regression).
    chance_guesser : str or None
        The guesser that gave ``chance_score``, e.g.
        ``"DummyClassifier(strategy='stratified')"`` (``settings["chance"]``
        has every guesser's score); None for a result saved without it.
    chance_words, chance_note : str
        What the report calls chance (``"chance (the training mean)"``, ...),
        and the picture's label when not the default guess (or None).
    scoring : str or callable
        The scoring used; ``score_name`` is its name for tables and axes
        (``"R²"`` for ``"r2"``).
    task : str
        ``"classification"`` or ``"regression"`` (from ``settings``).
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
    classes : ndarray or None
        Labels seen in the training data, sorted; None for a regression.
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
    cv_predictions : ndarray of shape (n_train,) or None
        Cross-validated predictions of the best candidate for every training
        text, on the folds of the first repeat (the probe refitted per fold on
        the cached vectors); None when those folds do not hold every text once.
        The report's per-class precision, recall and confusion matrix.
    train_labels : ndarray of shape (n_train,) or None
        The training labels, in the order of the training texts.
    example_texts : list of str or of conversations
        One text (conversation) of each class from the user's data (the held-out
        test set when there is one): what the report's "try it" command labels.
    tied_indices : list of int
        Rows that tie with the best (the best first): the mean of the paired
        per-fold differences is at most its standard error, or the scores are
        equal at three decimals.
    degenerate_indices : list of int
        Rows whose probe learned nothing in at least one fold (see
        ``degenerate_folds``).
    """

    scores: pd.DataFrame
    param_columns: list
    best_index: int
    best_params: dict
    best_pipeline: Pipeline
    test_score: float | None
    chance_score: float
    scoring: object
    n_splits: int
    n_repeats: int = 1
    n_layers: int
    layers: list
    classes: np.ndarray | None
    n_train: int
    n_test: int
    settings: dict
    timings: dict
    cv_results: dict = field(repr=False)
    cv_predictions: np.ndarray | None = None
    train_labels: np.ndarray | None = None
    example_texts: list = field(default_factory=list)
    test_score_ci: dict | None = None

    def __post_init__(self):
        self.param_columns = list(self.param_columns)
        self.best_index = int(self.best_index)
        self.best_params = dict(self.best_params)
        if self.test_score is not None:
            self.test_score = float(self.test_score)
        self.chance_score = float(self.chance_score)
        for name in ("n_splits", "n_repeats", "n_layers", "n_train", "n_test"):
            setattr(self, name, int(getattr(self, name)))
        self.layers = list(self.layers)

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

    @validate_params(
        {"rule": [StrOptions(set(RULES))]}, prefer_skip_nested_validation=True
    )
    def choose_layer(self, rule="best"):
        """The layer a rule picks from the scores.

        Parameters
        ----------
        rule : {"best", "smallest_not_worse"}, default="best"
            ``"best"``: the highest mean cross-validated score
            (``best_layer``). ``"smallest_not_worse"``: the smallest layer
            not significantly worse than the best by the paired corrected
            t-test of repeated CV (``significantly_worse``: Holm-adjusted
            p < 0.05), the highest-scoring row of that layer; cheaper to run
            and less likely a lucky draw. Needs ``repeats > 1``.

        Returns
        -------
        int
        """
        from ._choose import chosen_index

        return int(self.scores.loc[chosen_index(self, rule), "layer"])

    @property
    def tied_indices(self):
        tied = self.scores.index[self.scores["tied_with_best"].astype(bool)]
        return [self.best_index] + [int(i) for i in tied if i != self.best_index]

    @property
    def degenerate_indices(self):
        folds = self.scores["degenerate_folds"]
        return [int(i) for i in self.scores.index[folds > 0]]

    @property
    def score_name(self):
        name = score_name(self.scoring)
        return "R²" if name == "r2" else name

    @property
    def task(self):
        return self.settings.get("task", "classification")

    @property
    def chance_guesser(self):
        return (self.settings.get("chance") or {}).get("estimator")

    @property
    def chance_words(self):
        return self.task_spec.chance_words(self._chance_strategy)

    @property
    def chance_note(self):
        return self.task_spec.chance_note(self._chance_strategy)

    @property
    def _chance_strategy(self):
        return (self.settings.get("chance") or {}).get("guesser")

    @property
    def task_spec(self):
        """The :class:`~sklearn_probe.sweep._kinds.TaskSpec` of ``task``: its
        scoring, chance and words."""
        return task_spec(self.task)

    @property
    def unit_spec(self):
        """The :class:`~sklearn_probe.sweep._kinds.UnitSpec` of the sweep's
        unit (``settings["unit"]``, ``"text"`` when absent): its samples,
        ``hidden`` step and words."""
        return unit_spec(self.settings.get("unit", "text"))

    @property
    def model_name(self):
        return self.settings["model"]

    @property
    def cv_description(self):
        """``"5-fold CV"`` or ``"3 x 5-fold CV"`` (repeated)."""
        folds = f"{self.n_splits}-fold CV"
        return folds if self.n_repeats == 1 else f"{self.n_repeats} x {folds}"

    def __repr__(self):
        held_out = ""
        if self.test_score is not None:
            held_out = f", held-out test {self.score_name} {self.test_score:.3f}"
        if self.test_score_ci is not None:
            held_out += " [{low:.3f}, {high:.3f}]".format(**self.test_score_ci)
        return (
            f"<LayerSweepResult model={self.model_name!r}: {len(self.scores)} "
            f"candidates, best layer {self.best_layer} with {self.cv_description} "
            f"{self.score_name} {self.best_score:.3f} ± {self.best_score_std:.3f} "
            f"(chance {self.chance_score:.3f}){held_out}>"
        )

    def best_per(self, by):
        """The best row for each value of one or more swept parameters.

        E.g. ``result.best_per("hidden_layer_sizes")`` after a sweep of
        ``param_grid={"probe__hidden_layer_sizes": [(), (256,)], "probe__C":
        [0.1, 1, 10]}``: for each probe size, the layer and ``C`` with the
        highest mean CV score (the first of equal ones).

        Parameters
        ----------
        by : str or list of str
            Columns of ``scores`` (``layer`` or names in ``param_columns``).

        Returns
        -------
        pandas.DataFrame
            The rows of ``scores`` that are best within their group, in the
            order of ``scores``.
        """
        columns = [by] if isinstance(by, str) else list(by)
        unknown = [c for c in columns if c not in ["layer", *self.param_columns]]
        if unknown:
            raise ValueError(
                f"best_per: {unknown} not among the swept columns "
                f"{['layer', *self.param_columns]}."
            )
        keys = self.scores[columns].astype(str).agg("|".join, axis=1)
        means = self.scores[f"{CV}_mean"]
        best = means.groupby(keys, sort=False).idxmax()
        return self.scores.loc[sorted(best.to_numpy())]

    # -- output ----------------------------------------------------------------

    def to_dict(self):
        """Settings, data sizes, scores, best layer and timings, JSON-ready.

        Returns
        -------
        dict
            Only JSON types (what ``results.json`` holds).
        """
        counts = self.settings.get("class_counts", {})
        return jsonable(
            {
                "settings": self.settings,
                "data": {
                    "n_train": self.n_train,
                    "n_test": self.n_test,
                    "classes": None if self.classes is None else list(self.classes),
                    "class_counts": counts,
                    "targets": self.settings.get("targets"),
                },
                "scoring": score_name(self.scoring),
                "n_splits": self.n_splits,
                "n_repeats": self.n_repeats,
                "param_columns": self.param_columns,
                "scores": self.scores.to_dict(orient="records"),
                "best": {
                    "index": self.best_index,
                    "layer": self.best_layer,
                    "params": self.best_params,
                    "cv_score_mean": self.best_score,
                    "cv_score_std": self.best_score_std,
                },
                "chance_score": self.chance_score,
                "test_score": self.test_score,
                "test_score_ci": self.test_score_ci,
                "timings_s": self.timings,
            }
        )

    @classmethod
    def load(cls, folder, *, pipeline=True):
        """Read a sweep back from its report folder, without running anything.

        Parameters
        ----------
        folder : str or path-like
            A folder written by :meth:`save_report` or ``sklearn-probe sweep``.
        pipeline : bool, default=True
            Also load ``best_pipeline.skops`` (when the folder has it), for
            :meth:`predict` and :meth:`score`; the model's weights are loaded
            on first use.

        Returns
        -------
        LayerSweepResult
            The same ``scores``, ``settings``, best row, chance and held-out
            scores, sizes and timings as the sweep that wrote the folder, ready
            to draw (:class:`~sklearn_probe.LayerScoresDisplay`) or compare
            (:func:`~sklearn_probe.compare_sweeps`). Empty or None (not
            saved): ``cv_results``, ``cv_predictions``, ``train_labels``,
            ``example_texts``, and ``best_pipeline`` without its file.
        """
        from ._load import load_result

        return load_result(cls, folder, pipeline=pipeline)

    def save_report(self, out_dir, *, texts=None, labels=None, **kwargs):
        """Write scores.csv, results.json, the pictures, report.md and the pipeline.

        Parameters
        ----------
        out_dir : str or path-like
            Folder to write to (created if missing).
        texts, labels : sequence, default=None
            Texts and their labels (e.g. the training texts) for the t-SNE
            picture, which is left out without them.
        **kwargs
            Passed to :func:`sklearn_probe.report.write_report`.

        Returns
        -------
        dict
            ``name -> Path`` of every file written.
        """
        from ..report import write_report

        return write_report(self, out_dir, texts=texts, labels=labels, **kwargs)
