"""Hewitt & Liang's word-type control task for token-level labels."""

import hashlib
import numbers
import re

import numpy as np
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_consistent_length

DEFAULT_TOKEN_PATTERN = r"\w+"


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
