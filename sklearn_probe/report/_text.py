"""The sentences under a sweep's table: best layer, chance, held-out score, time.

:func:`summary_lines` is what the command prints under the table and report.md
puts first; what the baselines say is :func:`~._reading.reading_lines`.
"""

from ..utils._names import format_param
from ._caveats import headline, learned_nothing_lines
from ._words import n_folds, sample_noun, varied


def summary_lines(result):
    """The sentences under the table: best layer (or the tie), the best ``C``
    of each probe when ``C`` is swept beside them, probes that learned
    nothing, held-out score, time."""
    lines = [headline(result), *_best_c_lines(result), *learned_nothing_lines(result)]
    noun = sample_noun(result.settings)
    if result.test_score is not None:
        lines.append(
            f"Held-out test {result.score_name} of the best pipeline: "
            f"{result.test_score:.3f} ({result.n_test} {noun}, not used to choose "
            "the layer)."
        )
    lines.append(_time_line(result))
    return lines


def _time_line(result):
    """Where the time went: the sweep's parts."""
    t = result.timings
    noun = sample_noun(result.settings)
    return (
        f"Took {t['total']:.1f} s: model {t['load']:.1f} s, hidden states of "
        f"{result.n_train + result.n_test} {noun} {t['hidden_states']:.1f} s, "
        f"{len(result.scores) * n_folds(result)} probe fits "
        f"{t['cross_validation']:.1f} s, refit {t['refit']:.1f} s"
        + "".join(
            f", {label} {t[key]:.1f} s"
            for key, label in (
                ("control", "control"),
                ("random_weights", "random weights"),
                ("bag_of_words", "bag of words"),
                ("length", "length"),
                ("mdl", "MDL"),
            )
            if key in t
        )
        + "."
    )


def _best_c_lines(result):
    """With ``C`` swept beside other probe settings, the best ``C`` of each."""
    swept = varied(result)
    others = [c for c in swept if c != "C"]
    if "C" not in swept or not others:
        return []
    parts = []
    for _, row in result.best_per(others).iterrows():
        setting = ", ".join(format_param(c, row[c]) for c in others)
        parts.append(
            f"{setting}: C={row['C']:g} at layer {int(row['layer'])} "
            f"({row['cv_score_mean']:.3f})"
        )
    return [f"Best C of each setting: {'; '.join(parts)}."]
