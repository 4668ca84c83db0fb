"""Control baselines for probes: permuted labels and word-type control tasks.

A probe's score alone does not say whether the representation encodes the
property or whether the probe learned the task by itself. A *control* is the same
probe, on the same features, asked to fit labels that carry no information about
the property; *selectivity* is the real score minus the control score (Hewitt &
Liang, 2019).

- :class:`ControlTask` wraps any classifier and fits it on labels permuted at
  random. Inside cross-validation the permutation happens within each training
  fold, while the test fold is scored against its true labels, so its score is
  what the probe reaches by chance with the same label distribution. It is an
  ordinary estimator: put it where the probe goes in a pipeline or a grid search
  and the control score comes from the same cached features, at no extra forward
  pass.
- :class:`WordTypeControl` is Hewitt & Liang's control task for *token-level*
  data: each word type gets one fixed random label. It does not apply to
  sentence-level labels (sentiment of a review); see its docstring for why.

References
----------
.. [1] J. Hewitt and P. Liang, "Designing and Interpreting Probes with Control
   Tasks", EMNLP 2019. https://aclanthology.org/D19-1275
"""

import hashlib
import numbers
import re

import joblib
import numpy as np
import scipy.sparse as sp
from sklearn.base import (
    BaseEstimator,
    ClassifierMixin,
    MetaEstimatorMixin,
    clone,
)
from sklearn.utils import assert_all_finite, check_random_state, get_tags
from sklearn.utils.metaestimators import available_if
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import (
    check_consistent_length,
    check_is_fitted,
    column_or_1d,
)

__all__ = [
    "ControlTask",
    "WordTypeControl",
    "selectivity",
    "split_words",
    "word_type_control_labels",
]

DEFAULT_TOKEN_PATTERN = r"\w+"


def _estimator_has(attr):
    """Check the fitted estimator if there is one, else the unfitted one."""

    def check(self):
        if hasattr(self, "estimator_"):
            return hasattr(self.estimator_, attr)
        return hasattr(self.estimator, attr)

    return check


class ControlTask(MetaEstimatorMixin, ClassifierMixin, BaseEstimator):
    """Fit a classifier on randomly permuted labels: the permuted-label control.

    ``fit(X, y)`` clones ``estimator`` and fits the clone on ``X`` with ``y``
    shuffled by ``random_state``. Prediction delegates to that clone. The
    permutation keeps the label distribution (each class keeps its count) but
    breaks every link between an example and its label, so no representation can
    help: a held-out score above chance measures nothing but the label prior and
    the evaluation noise.

    Inside cross-validation (``cross_val_score``, ``GridSearchCV``) ``fit`` sees
    only the training fold, so labels are permuted *within each training fold*;
    scoring uses the test fold's true labels. Used as the last step of a
    pipeline over cached hidden states, the control costs one more probe fit per
    fold and no forward pass.

    Parameters
    ----------
    estimator : estimator object
        The classifier (or pipeline ending in one) to fit on permuted labels. It
        is cloned in ``fit``; the object passed is never fitted.
    random_state : int, RandomState instance or None, default=None
        Seeds the permutation. With an int, every fit's permutation is drawn
        from that int and a hash of the training data (``X`` and ``y``): the
        same data always gets the same permutation, and every training fold
        of a cross-validation (every repeat too) gets a different one, so
        averaging over folds and repeats averages over permutations. A
        ``RandomState`` instance or ``None`` draws a fresh permutation from it
        on every fit. The estimator's own ``random_state`` is left as it is.

    Attributes
    ----------
    estimator_ : estimator object
        The clone of ``estimator`` fitted on the permuted labels.
    classes_ : ndarray of shape (n_classes,)
        The class labels (from ``estimator_``).
    permutation_ : ndarray of shape (n_samples,)
        Row ``i`` of ``X`` was fitted with label ``y[permutation_[i]]``.

    See Also
    --------
    selectivity : Real score minus control score.
    WordTypeControl : Hewitt & Liang's control for token-level labels.

    Notes
    -----
    Keyword arguments to ``fit`` (e.g. ``sample_weight``) are passed to the
    estimator unchanged: they stay with their rows of ``X``, not with the
    permuted labels.

    A control's score varies far more from fold to fold than the real probe's,
    most of all on well-separated features: a classifier fitted to permuted
    labels is a random decision rule, and whole clusters of the test fold fall
    on one side of it (on two tight synthetic clusters, single 5-fold scores
    ranged from 0.15 to 0.75 around a mean of 0.5). Report the mean over
    repeated cross-validation (``sklearn_probe.stats.repeated_cv_scores``)
    rather than one split.

    References
    ----------
    .. [1] J. Hewitt and P. Liang, "Designing and Interpreting Probes with
       Control Tasks", EMNLP 2019.

    Examples
    --------
    >>> from sklearn.datasets import make_classification
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklearn.model_selection import cross_val_score
    >>> X, y = make_classification(n_samples=200, class_sep=3, random_state=0)
    >>> real = cross_val_score(LogisticRegression(), X, y).mean()
    >>> control = cross_val_score(
    ...     ControlTask(LogisticRegression(), random_state=0), X, y
    ... ).mean()
    >>> bool(real > 0.9), bool(abs(control - 0.5) < 0.15)
    (True, True)
    """

    _required_parameters = ["estimator"]

    def __init__(self, estimator, *, random_state=None):
        self.estimator = estimator
        self.random_state = random_state

    def fit(self, X, y, **fit_params):
        """Fit a clone of ``estimator`` on ``X`` and a random permutation of ``y``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features) or sequence of str
            Whatever ``estimator`` accepts (numbers, or texts for a pipeline
            that starts with ``HiddenStateTransformer``).
        y : array-like of shape (n_samples,)
            Class labels. They are permuted before fitting.
        **fit_params : dict
            Passed to ``estimator.fit`` unchanged.

        Returns
        -------
        self : ControlTask
            The fitted control.
        """
        if y is None:
            raise ValueError(
                "ControlTask requires y to be passed, but the target y is None."
            )
        y = column_or_1d(y, warn=True)
        assert_all_finite(y, input_name="y")
        check_classification_targets(y)
        check_consistent_length(X, y)
        self.permutation_ = self._rng(X, y).permutation(y.shape[0])
        self.estimator_ = clone(self.estimator)
        self.estimator_.fit(X, y[self.permutation_], **fit_params)
        return self

    def _rng(self, X, y):
        """The permutation's random state: for an int ``random_state``, seeded
        by it and by the training rows, so folds differ and refits agree."""
        if not isinstance(self.random_state, numbers.Integral):
            return check_random_state(self.random_state)
        # md5 of the values, whatever holds them (list, DataFrame, array).
        rows = X if sp.issparse(X) else np.asarray(X)
        digest = int(joblib.hash((rows, y)), 16)
        seed = np.random.SeedSequence([int(self.random_state), digest])
        return np.random.RandomState(seed.generate_state(4))

    @property
    def classes_(self):
        """Class labels of the fitted estimator."""
        check_is_fitted(self)
        return self.estimator_.classes_

    @property
    def n_features_in_(self):
        """Number of features seen in ``fit`` (from the fitted estimator)."""
        check_is_fitted(self)
        return self.estimator_.n_features_in_

    @property
    def feature_names_in_(self):
        """Feature names seen in ``fit`` (from the fitted estimator)."""
        check_is_fitted(self)
        return self.estimator_.feature_names_in_

    def predict(self, X):
        """Predict with the estimator fitted on permuted labels.

        Parameters
        ----------
        X : array-like or sequence of str
            Input accepted by ``estimator``.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
            Predicted labels.
        """
        check_is_fitted(self)
        return self.estimator_.predict(X)

    @available_if(_estimator_has("predict_proba"))
    def predict_proba(self, X):
        """Class probabilities from the estimator fitted on permuted labels.

        Parameters
        ----------
        X : array-like or sequence of str
            Input accepted by ``estimator``.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            Columns follow ``classes_``.
        """
        check_is_fitted(self)
        return self.estimator_.predict_proba(X)

    @available_if(_estimator_has("predict_log_proba"))
    def predict_log_proba(self, X):
        """Log class probabilities from the estimator fitted on permuted labels.

        Parameters
        ----------
        X : array-like or sequence of str
            Input accepted by ``estimator``.

        Returns
        -------
        log_proba : ndarray of shape (n_samples, n_classes)
            Columns follow ``classes_``.
        """
        check_is_fitted(self)
        return self.estimator_.predict_log_proba(X)

    @available_if(_estimator_has("decision_function"))
    def decision_function(self, X):
        """Decision function of the estimator fitted on permuted labels.

        Parameters
        ----------
        X : array-like or sequence of str
            Input accepted by ``estimator``.

        Returns
        -------
        scores : ndarray of shape (n_samples,) or (n_samples, n_classes)
            As returned by ``estimator.decision_function``.
        """
        check_is_fitted(self)
        return self.estimator_.decision_function(X)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        inner = get_tags(self.estimator)
        tags.input_tags.sparse = inner.input_tags.sparse
        tags.input_tags.allow_nan = inner.input_tags.allow_nan
        tags.input_tags.string = inner.input_tags.string
        tags.input_tags.two_d_array = inner.input_tags.two_d_array
        tags.input_tags.pairwise = inner.input_tags.pairwise
        return tags


def selectivity(score, control_score):
    """Selectivity: the probe's score minus its control score.

    Hewitt & Liang (2019) call a probe *selective* when it scores high on the
    real task and low on the control task; the difference is the part of the
    score the probe could not have reached without the representation encoding
    the property.

    Parameters
    ----------
    score : float or array-like
        Scores of the probe on the real labels (e.g. one per layer).
    control_score : float or array-like
        Scores of the same probe, same features, same folds, on control labels.

    Returns
    -------
    selectivity : float or ndarray
        ``score - control_score`` (elementwise; a pandas Series stays a Series).
    """
    return score - control_score


def split_words(text, *, token_pattern=DEFAULT_TOKEN_PATTERN, lowercase=True):
    """Split a text into words with a regular expression, no tokenizer needed.

    Parameters
    ----------
    text : str
        The text.
    token_pattern : str, default=r"\\w+"
        Every non-overlapping match is one word.
    lowercase : bool, default=True
        Lowercase the text first, so "Good" and "good" are one word type.

    Returns
    -------
    words : list of str
        The words, in order.

    Examples
    --------
    >>> split_words("A good, GOOD film!")
    ['a', 'good', 'good', 'film']
    """
    if lowercase:
        text = text.lower()
    return re.findall(token_pattern, text)


class WordTypeControl:
    """Hewitt & Liang's word-type control task for token-level labels.

    Every word type gets one fixed label drawn at random from the empirical
    label distribution; every occurrence of the type gets that label. A probe can
    reach a high control score only by memorising word identity, so the gap
    between the real task and this control (selectivity) says how much of the
    real score needs more than word identity.

    The draw for a type depends only on the seed, the type and the label
    distribution learned in ``fit``, not on the order of the data or on which
    other words occur, so ``control_labels`` gives one type the same label in
    the training and the test data, also for types first seen at test time.

    Parameters
    ----------
    token_pattern : str, default=r"\\w+"
        Regular expression that splits texts into words, used for items given as
        ``(text, word_index)`` pairs.
    lowercase : bool, default=True
        Lowercase words so "Good" and "good" are one type.
    random_state : int, RandomState instance or None, default=None
        Seeds the draws. ``None`` draws a fresh seed in ``fit``.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        The labels seen in ``fit``, sorted.
    class_prior_ : ndarray of shape (n_classes,)
        Their relative frequencies in ``fit``: the distribution labels are drawn
        from.
    seed_ : int
        The seed used for the draws.

    Notes
    -----
    **Sentence-level labels are out of scope**, and for our sentiment data the
    control to use is :class:`ControlTask` (permuted labels). The word-type
    control is defined for tasks in which each label belongs to one token (part
    of speech, dependency edges): the control task keeps the real task's
    structure, that a label is a function of the token, and replaces the
    function by a random one of word type. A sentiment label belongs to a whole
    text that contains many word types, and there is no word whose type it is a
    function of. Giving each *text* a random label is not the same control: the
    "type" of a text is the text itself, almost every text is unique, so the
    labels become independent random labels per example. A probe cannot
    generalise such labels to held-out texts, and the control score is chance by
    construction, whatever the representation; it says nothing about
    memorisation that the permuted-label control does not already say. Deriving
    a sentence label from its words' control labels (e.g. a majority vote) would
    invent a new task with its own, uncontrolled difficulty, not Hewitt &
    Liang's control.

    References
    ----------
    .. [1] J. Hewitt and P. Liang, "Designing and Interpreting Probes with
       Control Tasks", EMNLP 2019, Section 2.

    Examples
    --------
    >>> words = ["the", "film", "The", "was", "good"]
    >>> pos = ["DET", "NOUN", "DET", "VERB", "ADJ"]
    >>> control = WordTypeControl(random_state=0).fit(words, pos)
    >>> labels = control.control_labels(words)
    >>> bool(labels[0] == labels[2])  # "the" and "The" are one type
    True
    """

    def __init__(
        self, *, token_pattern=DEFAULT_TOKEN_PATTERN, lowercase=True, random_state=None
    ):
        self.token_pattern = token_pattern
        self.lowercase = lowercase
        self.random_state = random_state

    def _words(self, items):
        """Word types of ``items`` (words, or ``(text, word_index)`` pairs)."""
        if isinstance(items, str | bytes):
            raise ValueError(
                "WordTypeControl expects a sequence of words or (text, word_index) "
                "pairs; a single string was received."
            )
        words = []
        for i, item in enumerate(items):
            if isinstance(item, str):
                word = item.lower() if self.lowercase else item
            elif _is_word_sample(item):
                word = _word_of_sample(i, item, self.lowercase)
            elif isinstance(item, tuple | list) and len(item) == 2:
                text, index = item
                if not isinstance(text, str) or not isinstance(index, numbers.Integral):
                    raise TypeError(
                        f"Item {i} must be a (str, int) pair; got "
                        f"({type(text).__name__}, {type(index).__name__})."
                    )
                split = split_words(
                    text, token_pattern=self.token_pattern, lowercase=self.lowercase
                )
                if not -len(split) <= index < len(split):
                    raise IndexError(
                        f"Item {i} asks for word {index} of a text with "
                        f"{len(split)} words (pattern {self.token_pattern!r}): "
                        f"{text!r:.60}."
                    )
                word = split[index]
            else:
                raise TypeError(
                    f"Item {i} must be a word (str) or a (text, word_index) pair; "
                    f"got {type(item).__name__}."
                )
            words.append(word)
        return words

    def fit(self, items, y):
        """Learn the label set and its distribution; fix the seed.

        Parameters
        ----------
        items : sequence of str, of (str, int) or of (tuple of str, int)
            One entry per token example: the word itself, the text and the
            index of the word in ``split_words(text)``, or a pre-split sentence
            and the word's index in it (the samples of
            :class:`~sklearn_probe.WordHiddenStateTransformer`).
        y : array-like of shape (n_items,)
            The real token-level labels.

        Returns
        -------
        self : WordTypeControl
            The fitted control.
        """
        words = self._words(items)
        y = np.asarray(y)
        if y.ndim != 1:
            raise ValueError(
                f"WordTypeControl expects y of shape (n_items,); got {y.shape}."
            )
        check_consistent_length(words, y)
        if len(y) == 0:
            raise ValueError("WordTypeControl needs at least one labelled item.")
        self.classes_, counts = np.unique(y, return_counts=True)
        self.class_prior_ = counts / counts.sum()
        if isinstance(self.random_state, numbers.Integral):
            self.seed_ = int(self.random_state)
        else:
            rng = check_random_state(self.random_state)
            self.seed_ = int(rng.randint(np.iinfo(np.int32).max))
        return self

    def control_labels(self, items):
        """Control label of each item: a fixed random label per word type.

        Parameters
        ----------
        items : sequence of str or of (str, int)
            Words, or ``(text, word_index)`` pairs, as in ``fit``.

        Returns
        -------
        labels : ndarray of shape (n_items,)
            Labels drawn from ``classes_`` with probabilities ``class_prior_``,
            one draw per word type.
        """
        if not hasattr(self, "classes_"):
            raise AttributeError(
                "This WordTypeControl instance is not fitted yet. Call 'fit' first."
            )
        words = self._words(items)
        cumulative = np.cumsum(self.class_prior_)
        drawn = {}
        out = np.empty(len(words), dtype=self.classes_.dtype)
        for i, word in enumerate(words):
            if word not in drawn:
                u = _uniform_from_hash(self.seed_, word)
                k = min(
                    int(np.searchsorted(cumulative, u, side="right")),
                    len(cumulative) - 1,
                )
                drawn[word] = self.classes_[k]
            out[i] = drawn[word]
        return out

    def fit_control_labels(self, items, y):
        """Fit on ``(items, y)`` and return the control labels of ``items``.

        Parameters
        ----------
        items : sequence of str or of (str, int)
            Words, or ``(text, word_index)`` pairs.
        y : array-like of shape (n_items,)
            The real labels.

        Returns
        -------
        labels : ndarray of shape (n_items,)
            The control labels.
        """
        return self.fit(items, y).control_labels(items)


def _is_word_sample(item):
    """A ``(words, index)`` sample of a pre-split sentence, as
    :class:`~sklearn_probe.WordHiddenStateTransformer` takes."""
    return (
        isinstance(item, tuple | list)
        and len(item) == 2
        and isinstance(item[0], tuple | list)
    )


def _word_of_sample(i, item, lowercase):
    words, index = item
    if not isinstance(index, numbers.Integral) or not 0 <= index < len(words):
        raise IndexError(
            f"Item {i} asks for word {index!r} of a sentence of {len(words)} "
            f"words; use an index in [0, {len(words) - 1}]."
        )
    word = words[index]
    if not isinstance(word, str):
        raise TypeError(f"Word {index} of item {i} is {type(word).__name__}.")
    return word.lower() if lowercase else word


def _uniform_from_hash(seed, word):
    """A number in [0, 1) fixed by ``(seed, word)``, stable across runs."""
    digest = hashlib.blake2b(
        f"{seed}\x00{word}".encode(), digest_size=8, usedforsecurity=False
    ).digest()
    return int.from_bytes(digest, "big") / 2.0**64


def word_type_control_labels(
    items, y, *, token_pattern=DEFAULT_TOKEN_PATTERN, lowercase=True, random_state=None
):
    """Hewitt & Liang control labels for a token-level dataset.

    Shorthand for ``WordTypeControl(...).fit_control_labels(items, y)``. Compute
    them once over the whole dataset (all splits), so a word type has one label
    everywhere. For sentence-level labels this control does not apply; use
    :class:`ControlTask` (see :class:`WordTypeControl` for why).

    Parameters
    ----------
    items : sequence of str or of (str, int)
        One entry per token example: the word, or ``(text, word_index)`` with
        ``word_index`` counted in ``split_words(text)``.
    y : array-like of shape (n_items,)
        The real labels: they give the label set and the distribution to draw
        from.
    token_pattern : str, default=r"\\w+"
        Regular expression that splits texts into words.
    lowercase : bool, default=True
        Lowercase words so case variants are one type.
    random_state : int, RandomState instance or None, default=None
        Seeds the draws.

    Returns
    -------
    labels : ndarray of shape (n_items,)
        The control labels.

    Examples
    --------
    >>> items = [("The film was good", 0), ("the end", 0), ("the end", 1)]
    >>> labels = word_type_control_labels(items, ["DET", "DET", "NOUN"],
    ...                                   random_state=0)
    >>> bool(labels[0] == labels[1])
    True
    """
    control = WordTypeControl(
        token_pattern=token_pattern, lowercase=lowercase, random_state=random_state
    )
    return control.fit_control_labels(items, y)
