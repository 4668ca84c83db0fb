"""Checks on word, span and relation samples, with errors that name the sample.

A sample is a tuple whose first element is a pre-split sentence (a tuple or
list of str) and whose other elements say what to take from it:

- ``(words, i)``: the word ``words[i]``;
- ``(words, start, end)``: the span ``words[start:end]`` (end excluded, as in
  Python slices);
- ``(words, (start1, end1), (start2, end2))``: a pair of spans, e.g. a
  dependent and its head, ``(words, (d, d + 1), (h, h + 1))``.

Every sample of one ``X`` is of one kind.
"""

import json
import numbers
from dataclasses import dataclass

import numpy as np

KINDS = ("word", "span", "pair")

FORMAT = (
    "(words, i) for a word, (words, start, end) for a span words[start:end], or "
    "(words, (start1, end1), (start2, end2)) for a pair of spans, where words is "
    "a tuple of str"
)


@dataclass(frozen=True)
class WordSamples:
    """Samples reduced to distinct sentences and word ranges into them."""

    kind: str
    sentences: list  # distinct sentences, tuples of str, in order of first use
    sentence_index: np.ndarray  # (n_samples,) index into ``sentences``
    ranges: np.ndarray  # (n_samples, n_args, 2) [start, end) word ranges


def sentence_key(words):
    """The text under which a sentence's vectors are cached: unambiguous."""
    return json.dumps(list(words), ensure_ascii=False)


def check_word_samples(X, *, estimator_name="WordHiddenStateTransformer"):
    """Return ``X`` as :class:`WordSamples`, or raise an error naming the sample."""
    if isinstance(X, str | bytes) or hasattr(X, "columns"):
        raise ValueError(
            f"{estimator_name} expects a list of samples: {FORMAT}. Got "
            f"{type(X).__name__}."
        )
    try:
        samples = list(X)
    except TypeError:
        raise TypeError(
            f"{estimator_name} expects a list of samples: {FORMAT}. Got "
            f"{type(X).__name__}."
        ) from None
    if not samples:
        raise ValueError(f"{estimator_name} needs at least one sample; got none.")
    kind = None
    # Distinct sentences by their words: each is checked once, however many
    # samples it has (a sweep checks every sample of every fold again).
    positions, sentences, index, bounds = {}, [], [], []
    for i, sample in enumerate(samples):
        if not isinstance(sample, tuple | list) or len(sample) not in (2, 3):
            raise ValueError(
                f"Sample {i} is {_short(sample)}; each sample must be {FORMAT}."
            )
        position = _known(positions, sample[0])
        if position is None:
            words = _check_words(i, sample[0])
            position = positions.setdefault(words, len(sentences))
            if position == len(sentences):
                sentences.append(words)
        sample_kind, sample_ranges = _check_args(i, sample, len(sentences[position]))
        if kind is None:
            kind = sample_kind
        elif sample_kind != kind:
            raise ValueError(
                f"Sample {i} is a {sample_kind} but sample 0 is a {kind}: every "
                f"sample of one X must be of one kind ({FORMAT}). Probe words, "
                "spans and pairs with separate transformers."
            )
        index.append(position)
        bounds.extend(sample_ranges)
    n_args = 2 if kind == "pair" else 1
    return WordSamples(
        kind=kind,
        sentences=sentences,
        sentence_index=np.asarray(index, dtype=np.int64),
        ranges=np.asarray(bounds, dtype=np.int64).reshape(len(index), n_args, 2),
    )


def _known(positions, words):
    """The position of ``words`` among the sentences already checked, or None
    (also for words that cannot be looked up: a list, an unhashable value)."""
    try:
        return positions.get(words)
    except TypeError:
        return None


def sentence_groups(X):
    """Sentence id of every sample: samples of one sentence share an id.

    Pass it as ``groups`` to a grouped splitter (``GroupKFold``) so that words
    of one sentence are never in both the training and the validation folds.

    Parameters
    ----------
    X : sequence of word samples
        ``(words, i)``, ``(words, start, end)`` or ``(words, (s1, e1), (s2,
        e2))`` samples, as :class:`WordHiddenStateTransformer` takes them.

    Returns
    -------
    ndarray of int of shape (n_samples,)
        The sentence id of each sample, numbered in order of first appearance.

    Examples
    --------
    >>> from sklearn_probe.hidden import sentence_groups
    >>> s, t = ("The", "dogs", "bark"), ("Cats", "sleep")
    >>> sentence_groups([(s, 0), (s, 1), (t, 0), (s, 2)]).tolist()
    [0, 0, 1, 0]
    """
    return check_word_samples(X, estimator_name="sentence_groups").sentence_index


def _check_args(i, sample, n_words):
    """``(kind, bounds)`` of a sample whose sentence has ``n_words`` words:
    ``bounds`` is ``[start, end]``, or ``[start1, end1, start2, end2]``."""
    args = sample[1:]
    if len(args) == 1:
        (index,) = args
        _check_int(i, index, "word index")
        return "word", _check_range(i, n_words, index, index + 1, "word")
    if all(_is_int(a) for a in args):
        return "span", _check_range(i, n_words, *args, "span")
    if all(isinstance(a, tuple | list) and len(a) == 2 for a in args):
        for a in args:
            for value in a:
                _check_int(i, value, "span bound")
        first, second = (_check_range(i, n_words, *a, "span") for a in args)
        return "pair", first + second
    raise ValueError(f"Sample {i} is {_short(sample)}; each sample must be {FORMAT}.")


def _check_words(i, words):
    if isinstance(words, str | bytes) or not isinstance(words, tuple | list):
        raise TypeError(
            f"The sentence of sample {i} is {_short(words)}; it must be a tuple of "
            "str, one per word, e.g. ('The', 'dogs', 'bark'). Split a text into "
            "words first."
        )
    if not words:
        raise ValueError(
            f"The sentence of sample {i} is empty; a sample needs at least one "
            "word. Drop empty sentences."
        )
    for j, word in enumerate(words):
        if not isinstance(word, str):
            raise TypeError(
                f"Word {j} of the sentence of sample {i} is {type(word).__name__} "
                f"({word!r:.40}); every word must be a str. Convert it (or drop "
                "the sample)."
            )
        if not word.strip():
            raise ValueError(
                f"Word {j} of the sentence of sample {i} is {word!r}, which has "
                "no characters to tokenize; remove empty words from the sentence "
                "(and shift the indices)."
            )
    return tuple(words)


def _is_int(value):
    if type(value) is int:  # the common case, without the ABC check
        return True
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def _check_int(i, value, what):
    if not _is_int(value):
        raise TypeError(
            f"The {what} of sample {i} is {_short(value)}; it must be an int."
        )


def _check_range(i, n, start, end, what):
    if what == "word":
        if not 0 <= start < n:
            raise IndexError(
                f"Word index {start} of sample {i} is out of range: its sentence "
                f"has {n} words, so the index must be in [0, {n - 1}]."
            )
        return [int(start), int(end)]
    if not 0 <= start < end <= n:
        raise IndexError(
            f"Span ({start}, {end}) of sample {i} is not a non-empty range of its "
            f"{n}-word sentence: use 0 <= start < end <= {n} (end excluded, as in "
            "words[start:end])."
        )
    return [int(start), int(end)]


def _short(value):
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."
