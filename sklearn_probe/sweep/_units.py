"""What a sweep probes: whole texts (``unit="text"``) or words of sentences.

:class:`UnitSpec` (one per unit, in ``UNITS``; looked up by
:func:`~._kinds.unit_spec`) holds what a unit decides: how its samples are
checked and split, the ``hidden`` step, and the words of the report.

With ``unit="word"`` the samples are those of
:class:`~sklearn_probe.WordHiddenStateTransformer` (``(words, i)``, spans or
pairs of spans of pre-split sentences), the pipeline's ``hidden`` step is that
transformer, ``pooling`` is its ``subword`` (``"auto"`` is ``"first"``), and
the folds are grouped by sentence: the words of one sentence are never on both
sides of a split, whatever ``cv`` is (an int gives ``StratifiedGroupKFold``; a
splitter that puts one sentence on both sides is an error). The ``"control"``
baseline is Hewitt & Liang's word-type control
(:class:`~sklearn_probe.baselines.WordTypeControl`): the same search on labels
that are a random function of the word type, so ``selectivity`` is their
definition.
"""

import warnings
from dataclasses import dataclass

import numpy as np

from ..hidden import (
    POOLINGS,
    SUBWORDS,
    HiddenStateTransformer,
    WordHiddenStateTransformer,
    check_texts,
    fitted,
    sentence_groups,
)
from ..hidden import check_word_samples as check_samples_of_words


def check_word_samples(texts, baselines=()):
    """The samples as a list, and the sentence of each (the CV groups)."""
    from ..baselines import BASELINES

    samples = list(texts) if not isinstance(texts, str | bytes) else texts
    checked = check_samples_of_words(samples, estimator_name="layer_sweep")
    takes = {b: BASELINES[b].word_samples for b in baselines if b in BASELINES}
    text_only = [b for b, kinds in takes.items() if kinds == "none"]
    single = [b for b, kinds in takes.items() if kinds == "single"]
    if text_only:
        raise ValueError(
            f"The text-only baselines {text_only} read whole texts, and "
            "unit='word' probes words of sentences: drop them, or probe the "
            "sentences with unit='text'."
        )
    if single and checked.kind != "word":
        raise ValueError(
            f"The word-type control (baselines={single} with unit='word') "
            f"gives each word type a label, and the samples are {checked.kind}s. "
            f"Drop {', '.join(map(repr, single))} or probe single words."
        )
    return samples, checked.sentence_index


def check_word_sweep(*, repeats):
    """What a word-level sweep cannot do (yet), said before anything runs."""
    if repeats > 1:
        raise ValueError(
            "repeats > 1 is not available with unit='word'; use repeats=1 (folds "
            "grouped by sentence)."
        )


def grouped_splits(splitter, samples, y, groups):
    """The folds of ``splitter`` grouped by sentence, checked for leaks: a
    splitter that puts one sentence on both sides is an error."""
    with warnings.catch_warnings():
        # A splitter that ignores groups says so; the check below says more.
        warnings.filterwarnings("ignore", "The groups parameter is ignored")
        splits = list(splitter.split(np.zeros(len(samples)), y, groups))
    for k, (train, test) in enumerate(splits):
        shared = np.intersect1d(groups[train], groups[test])
        if len(shared):
            raise ValueError(
                f"cv={splitter!r} puts words of sentence {shared[0]} (and "
                f"{len(shared) - 1} more) in both the training and the validation "
                f"part of fold {k}, so the probe would be scored on sentences it "
                "was trained on. Pass an int or a group splitter such as "
                "GroupKFold."
            )
    return splits


def word_transformer(*, model, pooling, verbose=None, **params):
    """The ``hidden`` step of a word-level sweep (``verbose``: not used by it;
    ``params``: the transformer's, its defaults where left out)."""
    return WordHiddenStateTransformer(
        model=model,
        layer=0,
        subword="first" if pooling == "auto" else pooling,
        **params,
    )


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
            return ["auto", *SUBWORDS]
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
            return check_word_samples(texts, baselines)
        samples = check_texts(texts, estimator_name="layer_sweep", conversations=True)
        if not isinstance(samples[0], str):
            _check_conversation_baselines(baselines)
        return samples, None

    def check_test_samples(self, texts):
        """The samples of a held-out test set as a list."""
        if self.has_word_types:
            return check_word_samples(texts)[0]
        return check_texts(
            texts, estimator_name="layer_sweep (test texts)", conversations=True
        )

    def check_options(self, *, repeats):
        """What this unit cannot do (yet), said before anything runs."""
        if self.has_word_types:
            check_word_sweep(repeats=repeats)

    def splits(self, cv, samples, y, groups, random_state, task, n_repeats=1):
        """The splitter and its folds (drawn once); grouped by sentence, and
        checked for leaks, for words."""
        if self.has_word_types:
            splitter = task.group_splitter(cv, random_state)
            return splitter, grouped_splits(splitter, samples, y, groups)
        splitter = task.splitter(cv, random_state, n_repeats)
        return splitter, list(splitter.split(np.zeros(len(samples)), y))

    # -- the hidden step -----------------------------------------------------

    def hidden_step(self, *, model, pooling, **params):
        """The unfitted ``hidden`` step at layer 0 with ``pooling``
        (``"auto"``: the transformer's own default; so is ``max_length=None``)."""
        if params.get("max_length", 0) is None:
            del params["max_length"]
        if self.has_word_types:
            return word_transformer(model=model, pooling=pooling, **params)
        return HiddenStateTransformer(model=model, layer=0, pooling=pooling, **params)

    def fitted(self, step, samples):
        """``step`` fitted (its model loaded) without a pass over the data."""
        if self.has_word_types:
            return step.fit(samples[:1])
        return fitted(step)

    def resolved_pooling(self, step):
        """The pooling a fitted ``step`` resolved ``"auto"`` to."""
        return getattr(step, self.pooling_param + ("" if self.has_word_types else "_"))

    def n_passes(self, samples):
        """How many forward passes ``samples`` take: texts, or sentences."""
        if self.has_word_types:
            return len(set(sentence_groups(samples)))
        return len(samples)


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


def _check_conversation_baselines(baselines):
    """Text-only baselines read strings: conversations are an error naming them."""
    from ..baselines import BASELINES

    text_only = [b for b in baselines if BASELINES[b].reads_texts]
    if text_only:
        raise ValueError(
            f"baselines {text_only} read raw texts, but the samples are "
            "conversations (lists of messages). Leave them out; 'control' and "
            "'random_weights' work on conversations."
        )
