"""The sentences that keep a sweep's numbers from being over-read.

:func:`headline` names the best layer, or says that several tie for best (see
:attr:`LayerSweepResult.tied_indices`); :func:`learned_nothing_lines` names the
rows whose probe learned nothing (``degenerate_folds``) and what to change.
"""

from ..utils._names import CV, format_param
from ._words import (
    and_,
    chance_words,
    describe_params,
    n_folds,
    one_answer,
    row_name,
    sample_noun,
    varied,
)


def headline(result):
    """The first sentence: the best layer with its score and chance, or the
    layers that tie for best and which one's pipeline is kept."""
    score = f"{result.cv_description} {result.score_name}"
    chance = f"{chance_words(result)} {result.chance_score:.3f}"
    best = f"{result.best_score:.3f} ± {result.best_score_std:.3f}"
    tied = sorted(result.tied_indices)
    if len(tied) == 1:
        line = f"Best layer: {result.best_layer} ({score} {best}; {chance})"
        if varied(result):
            extra = {
                k: v for k, v in result.best_params.items() if k != "hidden__layer"
            }
            line += f", with {describe_params(extra)}"
        return line + "."
    rows = _tied_rows(result, tied)
    kept = row_name(result, result.best_index)
    means = result.scores.loc[tied, f"{CV}_mean"]
    # Rows whose means print the same (as the report prints them) tie exactly.
    if len({f"{m:.3f}" for m in means}) == 1:
        return (
            f"Best layers: {rows} tie at {result.best_score:.3f} ({score}; "
            f"{chance}); the pipeline kept is that of {kept}."
        )
    return (
        f"Best layers: {rows} tie within fold noise ({score} "
        f"{means.min():.3f}-{means.max():.3f}; {chance}); {kept} has the highest "
        f"mean ({best}) and its pipeline is kept."
    )


def _tied_rows(result, indices):
    """``"4 and 6"``; ``"4 and 6 (max pooling)"`` when the rows share their
    other settings; else each row's name."""
    layers = and_(int(result.scores.loc[i, "layer"]) for i in indices)
    swept = varied(result)
    if not swept:
        return layers
    shared = result.scores.loc[indices, swept].drop_duplicates()
    if len(shared) == 1:
        row = result.scores.loc[indices[0]]
        return f"{layers} (" + ", ".join(format_param(c, row[c]) for c in swept) + ")"
    return and_(row_name(result, i) for i in indices)


def _setting(result, index):
    """The probe of a row in words: ``"MLP(256) probe"``, ``"linear probe (max
    pooling)"``."""
    row = result.scores.loc[index]
    probe = result.settings.get("probe")
    probe = f"{probe} probe" if isinstance(probe, str) else "probe"
    others = []
    for column in varied(result):
        if column == "probe":
            probe = f"{row[column]} probe"
        elif column == "hidden_layer_sizes":
            probe = format_param(column, row[column])
        else:
            others.append(format_param(column, row[column]))
    return probe + (f" ({', '.join(others)})" if others else "")


def learned_nothing_lines(result):
    """One sentence per probe setting whose probe learned nothing at some layers.

    Empty when every probe learned something in every fold.
    """
    frame = result.scores
    groups = {}
    for index in result.degenerate_indices:
        groups.setdefault(_setting(result, index), []).append(index)
    n = n_folds(result)
    lines = []
    for setting, indices in groups.items():
        layers = and_(int(frame.loc[i, "layer"]) for i in indices)
        folds = frame.loc[indices, "degenerate_folds"]
        if (folds == n).all():
            count = f"all {n}"
        elif folds.min() == folds.max():
            count = f"{folds.min()} of {n}"
        else:
            count = f"{folds.min()}-{folds.max()} of {n}"
        lines.append(
            f"The {setting} learned nothing at layer{'s' * (len(indices) > 1)} "
            f"{layers}: in {count} folds it predicted {one_answer(result)} for "
            f"all the {sample_noun(result)} it was trained on, or scored no better "
            "than chance "
            f"({result.chance_score:.3f}) on them. Raise C (a weaker penalty) or "
            "use more data; these rows are not findings."
        )
    return lines
