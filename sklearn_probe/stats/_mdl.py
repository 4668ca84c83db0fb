"""Minimum description length probing: the online code (Voita & Titov, 2020).

Accuracy says how well a probe does; description length also says how much
data (and effort) it needs to do it. The *online code* transmits the labels
block by block: the first block with the uniform code, every later block with
a probe trained on all the blocks sent before it. A representation that makes
the labels easy to extract gives a short code. Dividing the uniform code length
(``n * log2(K)`` bits) by the online code length gives the *compression*: 1
means the probe learned nothing usable, larger is better.

References
----------
.. [1] E. Voita and I. Titov, "Information-Theoretic Probing with Minimum
   Description Length", EMNLP 2020. https://aclanthology.org/2020.emnlp-main.14
"""

import math
import numbers
from dataclasses import dataclass, field

import numpy as np
from sklearn.base import clone
from sklearn.utils import _safe_indexing, assert_all_finite, check_random_state
from sklearn.utils._param_validation import HasMethods, Interval, validate_params
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_consistent_length, column_or_1d

from ._mdl_blocks import _block_ends, _grouped_order, _snap

__all__ = [
    "DEFAULT_PORTIONS",
    "PROBA_FLOOR",
    "OnlineCodeResult",
    "make_mdl_scorer",
    "mdl_scorer",
    "online_code_length",
]

#: Voita & Titov's portions: 0.1, 0.2, 0.4, 0.8, 1.6, 3.2, 6.25, 12.5, 25, 50
#: and 100 percent of the data.
DEFAULT_PORTIONS = (
    0.001,
    0.002,
    0.004,
    0.008,
    0.016,
    0.032,
    0.0625,
    0.125,
    0.25,
    0.5,
    1.0,
)

#: Smallest probability an example's true label is coded with. A label the
#: model gives a lower probability (in particular a class absent from its
#: training part, which gets probability 0) costs ``-log2(1e-12)``, about 39.9
#: bits, instead of infinitely many.
PROBA_FLOOR = 1e-12


@dataclass(frozen=True)
class OnlineCodeResult:
    """Result of :func:`online_code_length`.

    Attributes
    ----------
    code_length_bits : float
        Online code length of the labels, in bits.
    uniform_code_length_bits : float
        ``n_samples * log2(n_classes)``: the labels sent with the uniform code.
    compression : float
        ``uniform_code_length_bits / code_length_bits``.
    n_samples : int
        Number of examples coded.
    n_classes : int
        Number of distinct labels (``K``).
    classes : ndarray of shape (n_classes,)
        The labels, sorted.
    block_ends : tuple of int
        ``t_1 < t_2 < ... < t_S = n_samples``: block ``i`` holds examples
        ``t_{i-1}`` (exclusive) to ``t_i`` (inclusive), counting from 1, in the
        shuffled order, with ``t_0 = 0``.
    block_code_lengths_bits : tuple of float
        Code length of each block; the first is uniform. They sum to
        ``code_length_bits``.
    block_uniform : tuple of bool
        Whether each block was sent with the uniform code: the first always,
        a later one when the examples before it hold fewer than two classes.
    """

    code_length_bits: float
    uniform_code_length_bits: float
    compression: float
    n_samples: int
    n_classes: int
    classes: np.ndarray = field(compare=False)
    block_ends: tuple
    block_code_lengths_bits: tuple
    block_uniform: tuple


@validate_params(
    {
        "estimator": [HasMethods(["fit", "predict_proba"])],
        "X": ["array-like"],
        "y": ["array-like"],
        "portions": ["array-like"],
        "random_state": ["random_state"],
        "shuffle": ["boolean"],
        "proba_floor": [Interval(numbers.Real, 0, 1, closed="neither")],
        "groups": ["array-like", None],
    },
    # The estimator's clones are fitted here: their parameters are checked.
    prefer_skip_nested_validation=False,
)
def online_code_length(
    estimator,
    X,
    y,
    *,
    portions=DEFAULT_PORTIONS,
    random_state=0,
    shuffle=True,
    proba_floor=PROBA_FLOOR,
    groups=None,
):
    """Online code length of ``y`` given ``X`` (Voita & Titov, 2020).

    The examples are shuffled once, then cut into blocks at
    ``t_i = round(portions[i] * n)``. The first ``t_1`` labels are sent with the
    uniform code, ``t_1 * log2(K)`` bits. Every later block ``(t_i, t_{i+1}]``
    is sent with a clone of ``estimator`` fitted on the first ``t_i`` examples:
    ``-sum log2 p(y_j | x_j)`` bits under that clone's ``predict_proba``. The
    online code length is the sum over blocks.

    Parameters
    ----------
    estimator : estimator object
        A classifier with ``predict_proba`` (or a pipeline ending in one, e.g.
        ``HiddenStateTransformer`` then ``ProbeClassifier``). It is cloned for
        each block; the object passed is not fitted.
    X : array-like of shape (n_samples, n_features) or sequence of str
        Input accepted by ``estimator``.
    y : array-like of shape (n_samples,)
        Class labels. ``K``, the number of classes of the uniform code, is the
        number of distinct labels in ``y``.
    portions : sequence of float, default=DEFAULT_PORTIONS
        Strictly increasing fractions of ``n`` in ``(0, 1]``, ending with 1.0.
        Fractions are rounded half up to a number of examples; the first block
        has at least 2 examples; fractions that round to the same end are
        merged (so small datasets get fewer, larger blocks).
    random_state : int, RandomState instance or None, default=0
        Seeds the shuffle. The estimator's own ``random_state`` is left alone.
    shuffle : bool, default=True
        Shuffle before cutting blocks. ``False`` codes the examples in the
        given order (``random_state`` is then unused).
    proba_floor : float, default=PROBA_FLOOR (1e-12)
        Probabilities are clipped to ``[proba_floor, 1]`` before taking logs, so
        each example costs at most ``-log2(proba_floor)`` bits (39.9 bits for
        1e-12) and the code stays finite. A class absent from a block's
        training part has no ``predict_proba`` column; its probability is 0,
        hence ``proba_floor``. The clipped probabilities are not renormalised;
        the excess over 1 is at most ``K * proba_floor``, which changes code
        lengths by far less than a bit.
    groups : array-like of shape (n_samples,), default=None
        A group per example (e.g. the sentence of each word sample). Groups
        are shuffled whole (each group's examples keep their order) and every
        block end is moved to the nearest end of a group, so no group has
        examples both in the part a block's model is trained on and in the
        block it codes. ``block_ends`` then follow the groups, not exactly
        ``portions``.

    Returns
    -------
    result : OnlineCodeResult
        ``code_length_bits``, ``uniform_code_length_bits``, ``compression`` and
        the per-block code lengths.

    Notes
    -----
    When the examples before a block hold a single class, most classifiers
    cannot be fitted (``LogisticRegression`` raises). Such a block is sent with
    the uniform code, like the first block, and marked in
    ``result.block_uniform``. With few examples per class in the first blocks,
    this happens often: two random examples of a balanced binary task share a
    class half of the time.

    The code length depends on the shuffle and on how each clone trains; for a
    stable number, average over several ``random_state`` values. Compression
    is comparable between representations (layers, models) on the same data,
    not between datasets of different sizes or label sets.

    References
    ----------
    .. [1] E. Voita and I. Titov, "Information-Theoretic Probing with Minimum
       Description Length", EMNLP 2020, Section 2.2.

    Examples
    --------
    >>> from sklearn.dummy import DummyClassifier
    >>> y = [0, 1, 1, 1, 0, 1, 1, 0]
    >>> X = [[0.0]] * len(y)
    >>> result = online_code_length(
    ...     DummyClassifier(strategy="prior"), X, y,
    ...     portions=(0.25, 0.5, 1.0), shuffle=False)
    >>> result.block_ends
    (2, 4, 8)
    >>> [round(b, 4) for b in result.block_code_lengths_bits]
    [2.0, 2.0, 4.8301]
    """
    y = column_or_1d(y)
    assert_all_finite(y, input_name="y")
    check_classification_targets(y)
    check_consistent_length(X, y)
    n_samples = y.shape[0]
    if n_samples < 2:
        raise ValueError(
            f"online_code_length needs at least 2 examples; got {n_samples}."
        )
    classes, y_index = np.unique(y, return_inverse=True)
    n_classes = len(classes)
    if n_classes < 2:
        raise ValueError(
            "online_code_length needs at least 2 classes (with one class the "
            f"uniform code has length 0); got only {classes.tolist()!r}."
        )
    ends = _block_ends(portions, n_samples)
    order = None
    if groups is not None:
        order, boundaries = _grouped_order(groups, n_samples, shuffle, random_state)
        ends = _snap(ends, boundaries)
    elif shuffle:
        order = check_random_state(random_state).permutation(n_samples)
    if order is not None:
        X = _safe_indexing(X, order)
        y = y[order]
        y_index = y_index[order]

    bits_per_uniform_label = math.log2(n_classes)
    block_bits = [ends[0] * bits_per_uniform_label]
    block_uniform = [True]
    for start, stop in zip(ends[:-1], ends[1:], strict=True):
        train_classes = np.unique(y_index[:start])
        if len(train_classes) < 2:
            block_bits.append((stop - start) * bits_per_uniform_label)
            block_uniform.append(True)
            continue
        model = clone(estimator)
        model.fit(_safe_indexing(X, np.arange(start)), y[:start])
        proba = np.asarray(
            model.predict_proba(_safe_indexing(X, np.arange(start, stop))),
            dtype=float,
        )
        p_true = _true_label_proba(proba, model.classes_, classes, y_index[start:stop])
        p_true = np.clip(p_true, proba_floor, 1.0)
        block_bits.append(float(-np.sum(np.log2(p_true))))
        block_uniform.append(False)

    code_length = float(sum(block_bits))
    uniform = n_samples * bits_per_uniform_label
    return OnlineCodeResult(
        code_length_bits=code_length,
        uniform_code_length_bits=uniform,
        compression=uniform / code_length,
        n_samples=n_samples,
        n_classes=n_classes,
        classes=classes,
        block_ends=ends,
        block_code_lengths_bits=tuple(float(b) for b in block_bits),
        block_uniform=tuple(block_uniform),
    )


def _true_label_proba(proba, model_classes, classes, y_index):
    """Probability each row gives its true class; 0 for classes the model lacks."""
    model_classes = np.asarray(model_classes)
    if proba.shape != (len(y_index), len(model_classes)):
        raise ValueError(
            f"predict_proba returned shape {proba.shape}; expected "
            f"({len(y_index)}, {len(model_classes)}) from the model's classes_."
        )
    columns = np.searchsorted(classes, model_classes)
    if np.any(columns >= len(classes)) or np.any(classes[columns] != model_classes):
        raise ValueError(
            f"The model's classes_ {model_classes.tolist()!r} are not a subset of "
            f"the labels in y {classes.tolist()!r}."
        )
    full = np.zeros((len(y_index), len(classes)))
    full[:, columns] = proba
    return full[np.arange(len(y_index)), y_index]


def make_mdl_scorer(*, portions=DEFAULT_PORTIONS, random_state=0, shuffle=True):
    """A scorer that returns the online-code compression (greater is better).

    Parameters
    ----------
    portions : sequence of float, default=DEFAULT_PORTIONS
        Passed to :func:`online_code_length`.
    random_state : int, RandomState instance or None, default=0
        Seeds the shuffle of each scored set.
    shuffle : bool, default=True
        Shuffle before cutting blocks.

    Returns
    -------
    scorer : callable
        ``scorer(estimator, X, y) -> float``, the compression of
        :func:`online_code_length` on ``(X, y)``; see :func:`mdl_scorer` for
        what it means inside cross-validation.

    Examples
    --------
    >>> from sklearn.datasets import make_classification
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklearn.model_selection import cross_validate
    >>> X, y = make_classification(n_samples=300, class_sep=2, random_state=0)
    >>> scores = cross_validate(
    ...     LogisticRegression(), X, y, cv=3,
    ...     scoring={"accuracy": "accuracy",
    ...              "mdl_compression": make_mdl_scorer(portions=(0.1, 0.5, 1.0))})
    >>> bool(scores["test_mdl_compression"].mean() > 1)
    True
    """
    # Check the portions now rather than in the middle of a grid search.
    _block_ends(portions, 10**6)

    def scorer(estimator, X, y):
        return online_code_length(
            estimator,
            X,
            y,
            portions=portions,
            random_state=random_state,
            shuffle=shuffle,
        ).compression

    scorer.__name__ = "mdl_scorer"
    return scorer


def mdl_scorer(estimator, X, y):
    """Online-code compression of ``(X, y)`` as a scorer (greater is better).

    ``uniform code length / online code length`` from
    :func:`online_code_length` with the default portions and ``random_state=0``
    (build one with other settings with :func:`make_mdl_scorer`). Use it in a
    sweep beside accuracy::

        GridSearchCV(pipe, {"hidden__layer": layers},
                     scoring={"accuracy": "accuracy",
                              "mdl_compression": mdl_scorer},
                     refit="accuracy")

    Inside cross-validation it is computed on each **test fold**, on its own:
    the estimator fitted on the training fold is ignored, and clones of it
    (same parameters, unfitted) are refitted on growing portions of the test
    fold to code the rest of it. So

    - it measures how easily the labels of ``n_test`` examples can be learned
      from the representation, not how well the training-fold probe
      generalises; the training fold plays no part;
    - every fold and candidate costs one probe fit per portion (11 with the
      defaults) on at most ``n_test`` examples, and no forward pass when the
      hidden states are cached;
    - compression grows with the number of examples coded, so compare layers
      on the same folds, not numbers from test folds of different sizes.

    Parameters
    ----------
    estimator : estimator object
        Its parameters define the probe; fitted state is not used.
    X : array-like or sequence of str
        The examples to code.
    y : array-like of shape (n_samples,)
        Their labels.

    Returns
    -------
    compression : float
        Greater is better; about 1 or below when the labels cannot be learned.
    """
    return online_code_length(estimator, X, y).compression
