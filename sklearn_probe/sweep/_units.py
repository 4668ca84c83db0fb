"""What a sweep probes: whole texts (``unit="text"``) or words of sentences.

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

import numbers
import warnings

import numpy as np

from ..hidden import SUBWORDS  # noqa: F401 (imported from here by the checks)

UNITS = ("text", "word")


def check_word_samples(texts, baselines=()):
    """The samples as a list, and the sentence of each (the CV groups)."""
    from ..hidden._word_inputs import check_word_samples as check

    samples = list(texts) if not isinstance(texts, str | bytes) else texts
    checked = check(samples, estimator_name="layer_sweep")
    text_only = [b for b in baselines if b in ("bag_of_words", "length")]
    if text_only:
        raise ValueError(
            f"The text-only baselines {text_only} read whole texts, and "
            "unit='word' probes words of sentences: drop them, or probe the "
            "sentences with unit='text'."
        )
    if "control" in baselines and checked.kind != "word":
        raise ValueError(
            f"The word-type control (baselines=['control'] with unit='word') "
            f"gives each word type a label, and the samples are {checked.kind}s. "
            "Drop 'control' or probe single words."
        )
    return samples, checked.sentence_index


def check_word_sweep(*, repeats):
    """What a word-level sweep cannot do (yet), said before anything runs."""
    if repeats > 1:
        raise ValueError(
            "repeats > 1 is not available with unit='word'; use repeats=1 (folds "
            "grouped by sentence)."
        )


def grouped_splits(cv, samples, y, groups, random_state, task="classification"):
    """The splitter and its folds, grouped by sentence; checked for leaks.

    An int ``cv`` is ``StratifiedGroupKFold``, or ``GroupKFold`` for a
    regression."""
    from sklearn.model_selection import GroupKFold, StratifiedGroupKFold, check_cv

    regression = task == "regression"
    if isinstance(cv, numbers.Integral) and not isinstance(cv, bool):
        kind = GroupKFold if regression else StratifiedGroupKFold
        splitter = kind(int(cv), shuffle=True, random_state=random_state)
    else:
        splitter = check_cv(cv, classifier=not regression)
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
    return splitter, splits


def word_transformer(
    *,
    model,
    pooling,
    max_length,
    batch_size,
    device,
    cache_dir,
    trust_remote_code,
    **_,
):
    """The ``hidden`` step of a word-level sweep (``verbose``: not used by it)."""
    from ..hidden import WordHiddenStateTransformer

    return WordHiddenStateTransformer(
        model=model,
        layer=0,
        subword="first" if pooling == "auto" else pooling,
        max_length=max_length,
        batch_size=batch_size,
        device=device,
        cache_dir=cache_dir,
        trust_remote_code=trust_remote_code,
    )


def pooling_param(unit):
    """The parameter of the ``hidden`` step that ``pooling`` sets."""
    return "subword" if unit == "word" else "pooling"


def fitted_step(step, unit, samples):
    """``step`` fitted (its model loaded) without a pass over the data."""
    if unit == "word":
        return step.fit(samples[:1])
    from ..hidden._transformer import fitted

    return fitted(step)


def word_type_labels(samples, y, random_state):
    """Hewitt & Liang's control labels: one random label per word type."""
    from ..baselines import WordTypeControl

    control = WordTypeControl(random_state=random_state)
    return control.fit_control_labels(samples, y)
