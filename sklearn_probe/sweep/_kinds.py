"""The task and the unit of a sweep, each resolved once into a small object.

A sweep's task (``"classification"`` or ``"regression"``) and unit (``"text"``
or ``"word"``) decide its default scoring, splitter, default probe, chance
level, the ``hidden`` step and the words its report uses. :func:`task_spec`
and :func:`unit_spec` look up the frozen :class:`TaskSpec` and
:class:`UnitSpec` that hold all of it, so no other module branches on the
names. ``LayerSweepResult.task_spec`` and ``.unit_spec`` rebuild them from a
result's ``settings`` (a loaded result has them too).

The checks that read the data stay in ``_tasks`` (the labels of a task) and
``_units`` (word samples, folds grouped by sentence): the objects here call
them, and hold what is a fact of the task or unit rather than a check.
"""

import importlib
import numbers
from dataclasses import dataclass

import numpy as np


def _attribute(module, name):
    """``module.name``, imported when first needed (scikit-learn, the probes)."""
    return getattr(importlib.import_module(module, __package__), name)


@dataclass(frozen=True)
class TaskSpec:
    """What a task decides: scoring, folds, probe, chance and words.

    Attributes
    ----------
    name : str
        ``"classification"`` or ``"regression"``.
    is_classifier : bool
        Labels are classes (True) or values of a continuous property.
    default_scoring : str
        The scoring of ``scoring=None``: ``"accuracy"`` or ``"r2"``.
    score_fallback : str
        The default scoring as a report writes it: ``"accuracy"`` or ``"R²"``.
    labels, labelled, stratified, chance, one_answer : str
        Words: ``"labels"`` / ``"targets"``; ``"labelled"`` / ``"scored"``;
        ``"stratified "`` / ``""``; ``"chance"`` / ``"chance (the training
        mean)"``; what a probe that learned nothing predicts (``"one class"``
        / ``"a constant"``).
    control, control_legend : str
        What the text control is trained on, in a sentence and in a legend.
    text_model_words : str
        The model of the text-only baselines, in words.
    try_it : str
        Which texts of the data the report's "try it" command shows.
    guessers : tuple of str
        The strategies of the no-information guesser (``DummyClassifier`` or
        ``DummyRegressor``) whose best cross-validated score is chance.
    trial_guesser : str
        The guesser a named scoring is tried on before the sweep (one whose
        predictions hold every class).
    """

    name: str
    is_classifier: bool
    default_scoring: str
    score_fallback: str
    labels: str
    labelled: str
    stratified: str
    chance: str
    one_answer: str
    control: str
    control_legend: str
    text_model_words: str
    try_it: str
    guessers: tuple
    trial_guesser: str
    _probe: str
    _dummy: str
    _text_model: str
    _folds: str
    _repeated_folds: str
    _group_folds: str

    def __str__(self):
        return self.name

    # -- estimators ----------------------------------------------------------

    def default_probe(self, random_state=None):
        """``ProbeClassifier`` or ``ProbeRegressor``, linear, seeded."""
        return _attribute("..probe", self._probe)(random_state=random_state)

    def probe_mismatch(self, probe):
        """``(probe kind, wanted kind)`` when ``probe`` does not fit the task,
        e.g. ``("regressor", "classifier")``; else None."""
        from sklearn.base import is_classifier, is_regressor

        wrong = is_regressor(probe) if self.is_classifier else is_classifier(probe)
        if not wrong:
            return None
        kinds = ("regressor", "classifier")
        return kinds if self.is_classifier else kinds[::-1]

    def text_model(self):
        """The model of a text-only baseline: ``LogisticRegression()`` or
        ``Ridge()``."""
        return _attribute("sklearn.linear_model", self._text_model)()

    def guesser(self, strategy, random_state=0):
        """The no-information guesser of this task with ``strategy``."""
        from sklearn.base import clone

        dummy = _attribute("sklearn.dummy", self._dummy)(strategy=strategy)
        if "random_state" in dummy.get_params():
            dummy.set_params(random_state=random_state)
        return clone(dummy)

    # -- folds ---------------------------------------------------------------

    def splitter(self, cv, random_state, n_repeats=1):
        """The splitter of ``cv``: an int is ``StratifiedKFold`` (classes) or
        ``KFold``, shuffled by ``random_state``; repeated with ``n_repeats``."""
        from sklearn.model_selection import check_cv

        if not isinstance(cv, numbers.Integral) or isinstance(cv, bool):
            return check_cv(cv, classifier=self.is_classifier)
        if n_repeats > 1:
            kind = _attribute("sklearn.model_selection", self._repeated_folds)
            return kind(
                n_splits=int(cv), n_repeats=n_repeats, random_state=random_state
            )
        kind = _attribute("sklearn.model_selection", self._folds)
        return kind(int(cv), shuffle=True, random_state=random_state)

    def group_splitter(self, cv, random_state):
        """The splitter of ``cv`` for grouped samples: an int is
        ``StratifiedGroupKFold`` (classes) or ``GroupKFold``."""
        from sklearn.model_selection import check_cv

        if not isinstance(cv, numbers.Integral) or isinstance(cv, bool):
            return check_cv(cv, classifier=self.is_classifier)
        kind = _attribute("sklearn.model_selection", self._group_folds)
        return kind(int(cv), shuffle=True, random_state=random_state)

    # -- labels --------------------------------------------------------------

    def check_labels(self, y, name, *, mdl=False, baselines=(), unit=None):
        """The labels as the task reads them; what the task cannot do with
        ``mdl``, ``baselines`` and ``unit``, said before anything runs."""
        if self.is_classifier:
            return y
        from ._tasks import _check_regression, _check_targets

        if unit is not None:
            _check_regression(baselines, mdl, unit.name, unit.has_word_types)
        return _check_targets(y, name)

    def classes(self, y):
        """The sorted classes of ``y``; None for a regression."""
        return np.unique(y) if self.is_classifier else None

    def label_summary(self, y):
        """``class_counts`` of a classification, or ``targets`` (mean,
        standard deviation, range) of a regression."""
        if not self.is_classifier:
            y = np.asarray(y, dtype=float)
            targets = {"mean": y.mean(), "std": y.std(), "min": y.min(), "max": y.max()}
            return {
                "class_counts": {},
                "targets": {key: float(value) for key, value in targets.items()},
            }
        classes, counts = np.unique(y, return_counts=True)
        return {
            "class_counts": {
                str(c): int(n) for c, n in zip(classes.tolist(), counts, strict=True)
            }
        }

    def constant_predictions(self, y_true, y_pred):
        """Whether predictions are constant: one class, or for a regression a
        standard deviation at most ``CONSTANT_SPREAD`` of the targets'."""
        if self.is_classifier:
            return len(np.unique(y_pred)) <= 1
        from ..probe import CONSTANT_SPREAD

        return np.std(y_pred) <= CONSTANT_SPREAD * np.std(y_true)


@dataclass(frozen=True)
class UnitSpec:
    """What a unit decides: samples, folds, the ``hidden`` step and words.

    Attributes
    ----------
    name : str
        ``"text"`` or ``"word"``.
    pooling_param : str
        The parameter of the ``hidden`` step that ``pooling`` sets:
        ``"pooling"`` or ``"subword"``.
    noun : str
        One sample, plural: ``"texts"`` or ``"word samples"``.
    held_out : str
        What a held-out fold holds: ``"held-out texts"`` or ``"held-out
        sentences"``.
    passes : str
        What one forward pass reads: ``"texts"`` or ``"sentences"``.
    cv_groups : str or None
        What the folds are grouped by (``"sentence"``), or None.
    has_word_types : bool
        The control is Hewitt & Liang's word-type control.
    raw_texts : bool
        Its samples are raw texts (checked as texts; a command can be given
        them).
    """

    name: str
    pooling_param: str
    noun: str
    held_out: str
    passes: str
    cv_groups: str | None
    has_word_types: bool
    raw_texts: bool
    _control: str | None = None
    _control_legend: str | None = None

    def __str__(self):
        return self.name

    @property
    def poolings(self):
        """The values ``pooling`` may take (``"auto"`` first)."""
        if self.has_word_types:
            from ..hidden._word_extract import SUBWORDS

            return ["auto", *SUBWORDS]
        from ..hidden._pooling import POOLINGS

        return ["auto", *sorted(POOLINGS)]

    def control(self, task):
        """What the control probe is trained on, in a sentence."""
        return self._control or task.control

    def control_legend(self, task):
        """What the control probe is trained on, in a legend's words."""
        return self._control_legend or task.control_legend

    def describe(self, n_samples, n_sentences=None):
        """``"160 texts"``, or ``"1351 words in 96 sentences"``."""
        if n_sentences is None or not self.has_word_types:
            return f"{n_samples} {self.noun}"
        return f"{n_samples} words in {n_sentences} sentences"

    # -- samples and folds ---------------------------------------------------

    def check_samples(self, texts, baselines=()):
        """The samples as a list, and the sentence of each (None for texts)."""
        if self.has_word_types:
            from ._units import check_word_samples

            return check_word_samples(texts, baselines)
        from ..hidden._validation import check_texts

        return check_texts(texts, estimator_name="layer_sweep"), None

    def check_test_samples(self, texts):
        """The samples of a held-out test set as a list."""
        if self.has_word_types:
            from ._units import check_word_samples

            return check_word_samples(texts)[0]
        from ..hidden._validation import check_texts

        return check_texts(texts, estimator_name="layer_sweep (test texts)")

    def check_options(self, *, repeats):
        """What this unit cannot do (yet), said before anything runs."""
        if self.has_word_types:
            from ._units import check_word_sweep

            check_word_sweep(repeats=repeats)

    def splits(self, cv, samples, y, groups, random_state, task, n_repeats=1):
        """The splitter and its folds (drawn once); grouped by sentence, and
        checked for leaks, for words."""
        if self.has_word_types:
            from ._units import grouped_splits

            splitter = task.group_splitter(cv, random_state)
            return splitter, grouped_splits(splitter, samples, y, groups)
        splitter = task.splitter(cv, random_state, n_repeats)
        return splitter, list(splitter.split(np.zeros(len(samples)), y))

    # -- the hidden step -----------------------------------------------------

    def hidden_step(self, *, model, pooling, **params):
        """The unfitted ``hidden`` step at layer 0 with ``pooling``
        (``"auto"``: the transformer's own default)."""
        if self.has_word_types:
            from ._units import word_transformer

            return word_transformer(model=model, pooling=pooling, **params)
        from ..hidden import HiddenStateTransformer

        return HiddenStateTransformer(model=model, layer=0, pooling=pooling, **params)

    def fitted(self, step, samples):
        """``step`` fitted (its model loaded) without a pass over the data."""
        if self.has_word_types:
            return step.fit(samples[:1])
        from ..hidden._transformer import fitted

        return fitted(step)

    def resolved_pooling(self, step):
        """The pooling a fitted ``step`` resolved ``"auto"`` to."""
        return getattr(step, self.pooling_param + ("" if self.has_word_types else "_"))

    def n_passes(self, samples):
        """How many forward passes ``samples`` take: texts, or sentences."""
        if self.has_word_types:
            from ..hidden._word_inputs import sentence_groups

            return len(set(sentence_groups(samples)))
        return len(samples)


TASKS = {
    "classification": TaskSpec(
        name="classification",
        is_classifier=True,
        default_scoring="accuracy",
        score_fallback="accuracy",
        labels="labels",
        labelled="labelled",
        stratified="stratified ",
        chance="chance",
        one_answer="one class",
        control="labels permuted inside each training fold",
        control_legend="permuted labels",
        text_model_words="logistic regression",
        try_it="One text of each class from the data",
        guessers=("prior", "stratified", "uniform"),
        trial_guesser="stratified",
        _probe="ProbeClassifier",
        _dummy="DummyClassifier",
        _text_model="LogisticRegression",
        _folds="StratifiedKFold",
        _repeated_folds="RepeatedStratifiedKFold",
        _group_folds="StratifiedGroupKFold",
    ),
    "regression": TaskSpec(
        name="regression",
        is_classifier=False,
        default_scoring="r2",
        score_fallback="R²",
        labels="targets",
        labelled="scored",
        stratified="",
        chance="chance (the training mean)",
        one_answer="a constant",
        control="targets permuted inside each training fold",
        control_legend="permuted targets",
        text_model_words="ridge regression",
        try_it="The texts of the smallest, a middle and the largest target",
        guessers=("mean", "median"),
        trial_guesser="mean",
        _probe="ProbeRegressor",
        _dummy="DummyRegressor",
        _text_model="Ridge",
        _folds="KFold",
        _repeated_folds="RepeatedKFold",
        _group_folds="GroupKFold",
    ),
}

UNITS = {
    "text": UnitSpec(
        name="text",
        pooling_param="pooling",
        noun="texts",
        held_out="held-out texts",
        passes="texts",
        cv_groups=None,
        has_word_types=False,
        raw_texts=True,
    ),
    "word": UnitSpec(
        name="word",
        pooling_param="subword",
        noun="word samples",
        held_out="held-out sentences",
        passes="sentences",
        cv_groups="sentence",
        has_word_types=True,
        raw_texts=False,
        _control="labels drawn at random once per word type (Hewitt & Liang's "
        "control task), scored on those control labels",
        _control_legend="word-type labels",
    ),
}


def task_spec(name):
    """The :class:`TaskSpec` of ``"classification"`` or ``"regression"``."""
    return _lookup(TASKS, name, "task")


def unit_spec(name):
    """The :class:`UnitSpec` of ``"text"`` or ``"word"``."""
    return _lookup(UNITS, name, "unit")


def _lookup(table, name, what):
    if isinstance(name, TaskSpec | UnitSpec):
        return name
    try:
        return table[name]
    except (KeyError, TypeError):
        raise ValueError(f"Unknown {what} {name!r}; one of {sorted(table)}.") from None
