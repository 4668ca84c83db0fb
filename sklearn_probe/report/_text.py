"""The sentences under a sweep's table: best layer, chance, held-out score, time.

:func:`summary_lines` is what the command prints under the table and report.md
puts first; what the baselines say is :func:`~._reading.reading_lines`.
:func:`projection_note` says what the embeddings picture can and cannot show.
"""

from ..baselines import BASELINES
from ..utils._names import format_param
from ._caveats import headline, learned_nothing_lines
from ._words import chance_words, n_folds, sample_noun, varied


def summary_lines(result, *, run=None):
    """The sentences under the table: best layer (or the tie), the best ``C``
    of each probe when ``C`` is swept beside them, probes that learned
    nothing, held-out score, time.

    ``run``: the seconds the report's parts took (``pictures``, ``pipeline``,
    ``report``, and ``whole`` for the whole run when known); the time line then
    covers them beside the sweep's. Without it, the line is the sweep's alone.
    """
    lines = [headline(result), *_best_c_lines(result), *learned_nothing_lines(result)]
    noun = sample_noun(result)
    if result.test_score is not None:
        interval, draws = test_interval_words(result)
        lines.append(
            f"Held-out test {result.score_name} of the best pipeline: "
            f"{result.test_score:.3f}{interval} ({result.n_test} {noun}, not used "
            f"to choose the layer{draws})."
        )
    lines.append(_time_line(result, run))
    return lines


def test_interval_words(result):
    """``(", 95% CI 0.750-0.950", "; the interval: ...")``: the held-out
    score's interval and how it was drawn, or two empty strings without one
    (no test set, or a result saved before intervals were kept)."""
    ci = result.test_score_ci
    if not ci:
        return "", ""
    draws = "stratified bootstrap" if ci.get("stratified") else "bootstrap"
    return (
        f", {ci['confidence']:.0%} CI {ci['low']:.3f}-{ci['high']:.3f}",
        f"; the interval from {ci['n_resamples']} {draws} draws of them",
    )


def _time_line(result, run):
    """Where the time went: the whole run and its parts, or the sweep's."""
    sweep = _sweep_parts(result)
    total = result.timings["total"]
    if not run:
        return f"The sweep took {total:.1f} s: {sweep}."
    parts = [("pictures", "pictures"), ("pipeline", "saved pipeline")]
    parts += [("report", "report")]
    after = "".join(f", {label} {run[key]:.1f} s" for key, label in parts if key in run)
    whole = total + sum(run[key] for key, _ in parts if key in run)
    if "whole" in run:
        rest = run["whole"] - whole
        whole = run["whole"]
        after += f", loading the data and the rest {max(rest, 0):.1f} s"
    return f"Took {whole:.1f} s in all: the sweep {total:.1f} s ({sweep}){after}."


def _sweep_parts(result):
    """The sweep's parts: model, hidden states, fits, baselines."""
    t = result.timings
    noun = sample_noun(result)
    return (
        f"model {t['load']:.1f} s, hidden states of "
        f"{result.n_train + result.n_test} {noun} {t['hidden_states']:.1f} s, "
        f"{len(result.scores) * n_folds(result)} probe fits "
        f"{t['cross_validation']:.1f} s, refit {t['refit']:.1f} s"
        + "".join(
            f", {label} {t[key]:.1f} s"
            for key, label in (
                *((name, spec.timing_label) for name, spec in BASELINES.items()),
                ("mdl", "MDL"),
                ("best_predictions", "cross-validated predictions"),
                ("test", "held-out test"),
            )
            if t.get(key, 0) >= 0.05
        )
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


def projection_note(result, pictures):
    """What the embeddings picture drew, what a 2-D projection can and cannot
    show, and the probe's score as the measure."""
    from ..plotting import PROJECTION_NOTE

    width = result.settings.get("hidden_size")
    dims = f"all {width} dimensions" if width else "every dimension"
    drawn = pictures.get("description") or (
        f"{pictures['method']} of {pictures['n_points']} {sample_noun(result)}."
    )
    return (
        f"{drawn} {PROJECTION_NOTE} Here the probe reads {dims} of each layer: "
        f"its cross-validated score ({result.best_score:.3f} at layer "
        f"{result.best_layer}, {chance_words(result)} {result.chance_score:.3f}) "
        "is the measure, the picture an illustration."
    )
