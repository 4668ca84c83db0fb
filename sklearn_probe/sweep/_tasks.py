"""The task of a sweep: classes or a continuous property.

:class:`TaskSpec` (one per task, in ``TASKS``; looked up by
:func:`~._kinds.task_spec`) holds what a task decides: the default scoring, the
splitter, the default probe, the no-information guessers of chance, the model
of the text-only baselines and the words of the report.
:func:`check_task` resolves ``task="auto"`` from the labels (scikit-learn's
``type_of_target``) and refuses a classification of continuous labels;
:func:`_check_targets` reads a regression's labels as finite floats;
:func:`_check_regression` says what a regression sweep cannot do (MDL, the
word-type control) before anything runs.
"""

import importlib
import numbers
from dataclasses import dataclass

import numpy as np

#: ``task="auto"`` takes numbers with more distinct values than this for a
#: continuous property, not classes (floats: a regression; ints: an error
#: that asks for ``task=``).
MAX_AUTO_CLASSES = 20


def check_task(task, y):
    """``"classification"`` or ``"regression"``: ``task``, or for ``"auto"``
    what the labels are.

    The rule of ``"auto"``: a regression when scikit-learn's
    ``type_of_target`` calls ``y`` continuous (floats that are not all whole
    numbers), or when ``y`` is an array of floats with more than
    ``MAX_AUTO_CLASSES`` (20) distinct values (whole-number floats such as
    sentence lengths are measurements, not dozens of classes). Integers with
    more than 20 distinct values are an error that asks for ``task=``: they
    may be class ids or counts. Otherwise (strings, booleans, at most 20
    distinct numbers) a classification.

    A classification of continuous labels is an error that suggests the
    regression task.
    """
    from sklearn.utils.multiclass import type_of_target

    kind = type_of_target(y, input_name="labels")
    if task == "auto":
        if kind == "continuous" or _many_floats(y):
            return "regression"
        _check_many_ints(y)
        return "classification"
    if task == "classification" and kind == "continuous":
        values = np.unique(y)
        raise ValueError(
            f"The labels are continuous ({len(values)} distinct floats, from "
            f"{values.min():g} to {values.max():g}), not classes: a "
            "classification probe would treat each value as a class of its own. "
            "For a continuous property use task='regression' (--task regression "
            "on the command line); for classes, give labels that name them."
        )
    return task


def _many_floats(y):
    y = np.asarray(y)
    return y.dtype.kind == "f" and len(np.unique(y)) > MAX_AUTO_CLASSES


def _check_many_ints(y):
    y = np.asarray(y)
    if y.dtype.kind not in "iu":
        return
    values = np.unique(y)
    if len(values) <= MAX_AUTO_CLASSES:
        return
    raise ValueError(
        f"The labels are {len(values)} distinct integers (from {values.min()} to "
        f"{values.max()}), too many for task='auto' to take them for classes: "
        "pass task='regression' (--task regression on the command line) for a "
        "count or another quantity, or task='classification' (--task "
        "classification) if they name classes."
    )


def _check_targets(y, name):
    """The labels of a regression as finite floats, or a clear error."""
    try:
        targets = np.asarray(y, dtype=np.float64)
    except (TypeError, ValueError):
        bad = next(v for v in y if not _is_number(v))
        raise ValueError(
            f"task='regression' needs numeric {name}; got {bad!r}. Use "
            "task='classification' for class labels."
        ) from None
    if not np.all(np.isfinite(targets)):
        raise ValueError(
            f"The {name} of a regression must be finite; got "
            f"{int(np.sum(~np.isfinite(targets)))} NaN or infinite values."
        )
    return targets


def _is_number(value):
    try:
        float(value)
    except (TypeError, ValueError):
        return False
    return True


def _check_regression(baselines, mdl, unit, word_types=False):
    """What a regression sweep cannot do, said before anything runs."""
    from ..baselines import BASELINES

    if mdl:
        raise ValueError(
            "mdl=True is for classification only: the online code transmits "
            "class labels with a probe's class probabilities, which a regression "
            "probe does not give. Use mdl=False with task='regression'."
        )
    classes_only = [
        b for b in baselines if b in BASELINES and BASELINES[b].classes_only_for_words
    ]
    if word_types and classes_only:
        raise ValueError(
            "The word-type control draws a class label per word type, so it is "
            f"for classification only; with task='regression' and unit={unit!r} "
            f"leave {', '.join(map(repr, classes_only))} out of baselines."
        )


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
    guessers : tuple of (str, str)
        The strategies of the no-information guesser (``DummyClassifier`` or
        ``DummyRegressor``), each with what its chance is called in a report;
        chance is the best one's score (:func:`~._chance.chance_level`).
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

    def chance_words(self, strategy=None):
        """What chance is called when ``strategy``'s guesser gives it
        (``chance`` for the default guesser, or when ``strategy`` is None)."""
        return dict(self.guessers).get(strategy, self.chance)

    def chance_note(self, strategy=None):
        """What chance is, when another guesser than the default one (the
        first of ``guessers``) gives it, e.g. ``"guessing at the class
        rates"``; else None."""
        if strategy is None or strategy == self.guessers[0][0]:
            return None
        return self.chance_words(strategy).removeprefix("chance (").rstrip(")")

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
        dummy = _attribute("sklearn.dummy", self._dummy)(strategy=strategy)
        if "random_state" in dummy.get_params():
            dummy.set_params(random_state=random_state)
        return dummy

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
        guessers=(
            ("prior", "chance"),
            ("stratified", "chance (guessing at the class rates)"),
            ("uniform", "chance (guessing uniformly)"),
        ),
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
        guessers=(
            ("mean", "chance (the training mean)"),
            ("median", "chance (the training median)"),
        ),
        trial_guesser="mean",
        _probe="ProbeRegressor",
        _dummy="DummyRegressor",
        _text_model="Ridge",
        _folds="KFold",
        _repeated_folds="RepeatedKFold",
        _group_folds="GroupKFold",
    ),
}
