"""What the baselines, MDL and repeated CV say about a sweep, in sentences.

:func:`reading_lines` reads them in turn: the paired tests of repeated CV (and
which layer the rules of :meth:`LayerSweepResult.choose_layer` pick), the
control task's selectivity, the random-weights model, the text-only baselines
and the MDL code lengths. The numbers come from the sweep; the words are here.
"""

import numpy as np

from ..baselines import BASELINES, TEXT_BASELINES
from ._words import (
    chance_words,
    control_meaning,
    control_words,
    labels_word,
    names,
    row_name,
    sample_noun,
    span,
)


def reading_lines(result):
    """What the baselines, MDL and repeated CV say, in plain sentences.

    Empty when the sweep ran none of them.
    """
    return [
        *paired_test_lines(result),
        *choice_lines(result),
        *selectivity_lines(result),
        *random_weights_lines(result),
        *text_baseline_lines(result),
        *mdl_lines(result),
    ]


def paired_test_lines(result):
    """Which rows are significantly worse than the best (repeated CV only)."""
    frame, best = result.scores, result.best_index
    if "significantly_worse" not in frame:
        return []
    worse = [i for i in frame.index if bool(frame.loc[i, "significantly_worse"])]
    ties = [i for i in frame.index if i != best and i not in worse]
    return [
        f"Significantly worse than the best ({row_name(result, best)}; "
        f"paired corrected t-test over {result.cv_description}, Holm-adjusted "
        f"p < 0.05): {names(result, worse)}. Not distinguishable from it: "
        f"{names(result, ties)}. 95% CI of the best: "
        f"{frame.loc[best, 'ci_low']:.3f}-{frame.loc[best, 'ci_high']:.3f}."
    ]


def choice_lines(result):
    """The smallest layer not significantly worse than the best, beside the
    argmax, in a sentence (none without repeated CV)."""
    from ..sweep import chosen_index

    if "significantly_worse" not in result.scores:
        return []
    index = chosen_index(result, "smallest_not_worse")
    if index == result.best_index:
        return [
            f"Smallest layer not significantly worse than the best: the best "
            f"itself ({row_name(result, index)}); "
            "choose_layer(rule='smallest_not_worse') picks it too."
        ]
    row = result.scores.loc[index]
    return [
        f"Smallest layer not significantly worse than the best: "
        f"{row_name(result, index)} ({row['cv_score_mean']:.3f}, "
        f"{row['diff_vs_best']:+.3f}, Holm-adjusted p = "
        f"{row['p_vs_best_adjusted']:.3g}), beside the argmax "
        f"{row_name(result, result.best_index)} ({result.best_score:.3f}): "
        "choose_layer(rule='smallest_not_worse') picks it."
    ]


def selectivity_lines(result):
    """What selectivity (score minus the control's) says: the row where it is
    highest; or, when it is at most 0 everywhere, what that means; or, when a
    regression's control scores below chance, why its rows are not ranked."""
    frame = result.scores
    if "selectivity" not in frame:
        return []
    selectivity, control = frame["selectivity"], frame["control_mean"]
    what = (
        f"Selectivity ({result.score_name} minus that of the same probe fitted on "
        f"{control_words(result)})"
    )
    controls = (
        f"the control scores {span(control.min(), control.max())} "
        f"({_chance_text(result)})"
    )
    if (selectivity <= 0).all():
        return [
            f"{what} is at most 0 at every layer "
            f"({span(selectivity.min(), selectivity.max())}); {controls}: "
            f"{control_meaning(result)}."
        ]
    below = [i for i in frame.index if control[i] < result.chance_score]
    if not result.task_spec.is_classifier and below:
        return [_overfit_control_line(result, what, below)]
    index = frame.index[int(selectivity.to_numpy().argmax())]
    return [
        f"{what} is highest at {row_name(result, index)}: "
        f"{selectivity[index]:.3f}; {controls}."
    ]


def _overfit_control_line(result, what, below):
    """Why a regression's selectivity is not ranked when its control scores
    below chance: there it measures how badly the control overfits."""
    frame = result.scores
    control, selectivity = frame["control_mean"], frame["selectivity"]
    top = float(selectivity.max())
    beyond = (
        f"more than the best probe's own {result.score_name}, {result.best_score:.3f}"
    )
    if result.score_name == "R²" and top > 1:
        beyond += ", and above the best possible R² of 1"
    return (
        f"{what} does not rank the layers here: the control's "
        f"{result.score_name} is below {chance_words(result)} "
        f"{result.chance_score:.3f} at {names(result, below)} "
        f"({span(control[below].min(), control[below].max())}): a probe fitted "
        f"on permuted {labels_word(result)} predicts noise (most with a weak "
        "penalty, a large C), so score minus control grows with how badly the "
        f"control overfits (up to {top:.3f}, {beyond}), not with what the layer "
        f"holds. Read each layer's {result.score_name} against chance, and the "
        "control against chance."
    )


def _chance_text(result):
    """Chance in words: guessing by the class rates for accuracy, else the
    sweep's chance score."""
    guess = _random_guess_accuracy(result)
    if guess is not None:
        return f"guessing by the class frequencies gives {guess:.3f} on average"
    return f"{chance_words(result)} {result.chance_score:.3f}"


def _random_guess_accuracy(result):
    """Accuracy of guessing each label at its frequency (sum of squared rates)."""
    if result.score_name != "accuracy":
        return None
    counts = np.array(list(result.settings.get("class_counts", {}).values()), float)
    if counts.sum() == 0:
        return None
    rates = counts / counts.sum()
    return float((rates**2).sum())


def random_weights_lines(result):
    """What the untrained model reaches, and what pretraining adds at the best
    row."""
    frame, best = result.scores, result.best_index
    if "random_weights_mean" not in frame:
        return []
    rw = frame["random_weights_mean"]
    top = frame.index[int(rw.to_numpy().argmax())]
    gain = frame["cv_score_mean"] - rw
    below = [i for i in frame.index if gain[i] <= 0]
    text = (
        f"The random-weights model (same architecture, untrained) reaches "
        f"{rw[top]:.3f} at best ({row_name(result, top)}); at the best "
        f"layer pretraining adds {gain[best]:+.3f} "
        f"({frame.loc[best, 'cv_score_mean']:.3f} vs {rw[best]:.3f})."
    )
    if below:
        text += f" Not above random weights: {names(result, below)}."
    if rw.max() <= result.chance_score:
        text += (
            f" Every random-weights score is at or below chance "
            f"({result.chance_score:.3f}): nothing to read from an untrained "
            "model at any layer."
        )
    return [text]


def text_baseline_lines(result):
    """What the text-only baselines say, one sentence each: whether (and by
    how much) the best row beats it, which rows do; with repeated CV the
    paired test of the best row against it on the same folds."""
    from ..sweep import text_baseline_p_value

    frame, best = result.scores, result.best_index
    lines = []
    for name in TEXT_BASELINES:
        if f"{name}_mean" not in frame:
            continue
        reference = float(frame[f"{name}_mean"].iloc[0])
        model = BASELINES[name].description.format(
            model=result.task_spec.text_model_words
        )
        what = f"the {name.replace('_', '-')} baseline ({model} on the same folds)"
        gain = result.best_score - reference
        p_value = text_baseline_p_value(result, name)
        test = (
            ""
            if p_value is None
            else f"; paired corrected t-test over {result.cv_description}, "
            f"p = {p_value:.3g}"
        )
        above = [i for i in frame.index if frame.loc[i, "cv_score_mean"] > reference]
        if not above:
            lines.append(
                f"No layer beats {what}, which scores {reference:.3f}: the best, "
                f"{row_name(result, best)}, scores {result.best_score:.3f} "
                f"({gain:+.3f}{test})."
            )
            continue
        which = (
            f"Every {'row' if result.param_columns else 'layer'} is above it."
            if len(above) == len(frame)
            else f"Above it: {names(result, above)}."
        )
        lines.append(
            f"{row_name(result, best).capitalize()} beats {what} by {gain:.3f} "
            f"({result.best_score:.3f} vs {reference:.3f}{test}). {which}"
        )
    return lines


def mdl_lines(result):
    """Where the labels compress best under the online code."""
    frame = result.scores
    if "mdl_compression" not in frame:
        return []
    top = frame.index[int(frame["mdl_compression"].to_numpy().argmax())]
    uniform = (result.settings.get("mdl") or {}).get("uniform_code_length_bits")
    bits = frame.loc[top, "mdl_code_length_bits"]
    of = f" of {uniform:.0f} uniform" if uniform else ""
    line = (
        f"MDL: the labels compress best at {row_name(result, top)} "
        f"({frame.loc[top, 'mdl_compression']:.2f}x: {bits:.0f} bits{of}; "
        f"online code on all the training {sample_noun(result)})."
    )
    if frame["mdl_compression"].max() < 1:
        line += (
            " Every layer codes the labels in more bits than the uniform "
            "code: the probe's probabilities are overconfident (most of "
            "all when trained on the small first blocks), so read the "
            "compression layer against layer, not against 1; a "
            "better-calibrated probe (e.g. a more regularised one) "
            "compresses more."
        )
    return [line]
