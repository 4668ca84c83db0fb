"""Words, tables and files for causal checks and single units.

- :func:`causal_section`: Markdown for a
  :class:`~sklearn_probe.causal.CausalSweepResult`: what was erased and
  measured, the table by layer (effect beside the random subspaces' band, the
  ranking by effect beside the ranking by probe score), what it shows and
  what it does not.
- :func:`neuron_section`: Markdown for a
  :func:`~sklearn_probe.causal.neuron_curve` (top-k, bottom-k, random k).
- :func:`write_causal_report` writes ``causal.md``, ``causal_scores.csv``,
  ``causal_amnesic.csv`` and ``causal.png``/``.svg`` to a folder;
  :func:`add_neuron_section` and :func:`add_causal_section` append a section
  to an existing ``report.md`` (the command's) and write its files beside it.
"""

from pathlib import Path

from ._files import save_figure
from ._tables import markdown_table

#: What the numbers do not show; cited in every causal section.
CAVEATS = (
    "A probe shows that a property can be read from a layer, not that the "
    "model uses it (Belinkov 2022, *Probing Classifiers: Promises, "
    "Shortcomings, and Advances*); a probe can even read properties the model "
    "never uses (Ravichander et al. 2021, *Probing the Probing Paradigm*). "
    "Erasure asks the converse (Elazar et al. 2021, *Amnesic Probing*): if "
    "removing the linearly readable property changes the behaviour more than "
    "removing a random subspace of the same rank, the model uses that "
    "information there. It does not show that the model uses it *linearly* or "
    "*only* there (a non-linear trace may remain; the property may be "
    "recomputed later, which amnesic probing of later layers shows), and an "
    "edit at every position also moves the states off the distribution the "
    "model was trained on, which the random control of the same size bounds "
    "but does not remove."
)

NEURON_CAVEATS = (
    "Units are ranked by their weight in an elastic-net probe fitted inside "
    "each training fold (NeuroX's linguistic correlation analysis); the top-k "
    "curve above the random band means the property is concentrated in few "
    "units of this basis, not that those units cause anything: zeroing them in "
    "the model (`sklearn_probe.causal.unit_ablation`) is the causal check."
)


def _draws(n):
    return f"{n} draw" if n == 1 else f"{n} draws"


def _fmt(value):
    return f"{value:.3f}"


def _band(low, high):
    """``"0.48 to 0.52"`` for each pair of a control band's edges."""
    return [f"{_fmt(lo)} to {_fmt(hi)}" for lo, hi in zip(low, high, strict=True)]


def causal_table(result):
    """The per-layer table of a causal sweep, as strings."""
    scores = result.scores.sort_values("layer")
    table = {
        "layer": scores["layer"].astype(str),
        "probe score": scores["probe_score"].map(_fmt),
        "after erasure": scores["after"].map(_fmt),
        "after random subspace": scores["control_after"].map(_fmt),
        "effect": scores["effect"].map(_fmt),
        "random band": _band(scores["control_low"], scores["control_high"]),
    }
    if "amnesic_score" in scores and scores["amnesic_score"].notna().any():
        last = int(result.amnesic["probed_layer"].max())
        table[f"probe at {last} after"] = scores["amnesic_score"].map(_fmt)
    table["rank by effect"] = scores["rank_by_effect"].astype(str)
    table["rank by probe"] = scores["rank_by_probe"].astype(str)
    import pandas as pd

    return pd.DataFrame(table)


def causal_lines(result):
    """Sentences that read the causal sweep."""
    scores = result.scores
    above = scores.loc[scores["effect"] > scores["control_high"], "layer"].tolist()
    lines = [
        f"Measured: the {result.measure} ({_fmt(result.before)} without an "
        f"edit), on the validation folds of {result.n_splits}-fold "
        "cross-validation; the eraser is fitted on each training fold's "
        f"vectors ({result.pooling} pooling) and applied "
        + (
            "at every token position."
            if result.settings.get("positions") is None
            else f"at positions {result.settings['positions']}."
        ),
        f"Erasing at layer {result.layer_by_effect} changes it most "
        f"({_fmt(scores['effect'].max())}); the probe scores highest at layer "
        f"{result.layer_by_probe} ({_fmt(scores['probe_score'].max())}). The two "
        "rankings need not agree: a layer can hold the property without the "
        "model reading it from there.",
        (
            "Effects above the band of every random subspace of the same rank: "
            f"layer(s) {', '.join(map(str, above))}."
            if above
            else "No layer's effect leaves the band of the random subspaces of "
            "the same rank."
        ),
        f"Chance for the probe: {_fmt(result.chance)}.",
    ]
    return lines


def causal_section(result, *, heading="## Does the model use it? (causal sweep)"):
    """Markdown for a causal sweep's result."""
    parts = [
        heading,
        "",
        *causal_lines(result),
        "",
        markdown_table(causal_table(result)),
        "",
        "*effect*: drop of the measure after erasing the probed property at "
        "that layer; *random band*: the same drop for random subspaces of the "
        f"eraser's rank (lowest to highest of {_draws(result.n_controls)}).",
        "",
        CAVEATS,
        "",
    ]
    return "\n".join(parts)


def neuron_table(curve):
    """The neuron curve as strings."""
    import pandas as pd

    return pd.DataFrame(
        {
            "k": curve["k"].astype(str),
            "top k": curve["top"].map(_fmt),
            "bottom k": curve["bottom"].map(_fmt),
            "random k (mean)": curve["random_mean"].map(_fmt),
            "random band": _band(curve["random_low"], curve["random_high"]),
        }
    )


def neuron_section(curve, *, layer=None, chance=None, heading="## Single units"):
    """Markdown for a neuron curve at one layer."""
    above = curve.loc[curve["top"] > curve["random_high"], "k"].tolist()
    where = "" if layer is None else f" of layer {layer}"
    lines = [
        heading,
        "",
        f"The probe on the top-k, bottom-k and random k units{where}, on the "
        "same folds (the ranking refitted in each training fold)."
        + ("" if chance is None else f" Chance: {_fmt(chance)}."),
        (
            f"The top k beat every random set of k units for k = "
            f"{', '.join(map(str, above))}."
            if above
            else "The top k never beat every random set of k units."
        ),
        "",
        markdown_table(neuron_table(curve)),
        "",
        NEURON_CAVEATS,
        "",
    ]
    return "\n".join(lines)


def write_causal_report(result, folder, *, dpi=150):
    """Write a causal sweep's files to ``folder``; returns name -> path.

    ``causal.md`` (the section), ``causal_scores.csv``, ``causal_amnesic.csv``
    and the picture ``causal.png``/``causal.svg``.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "causal.md").write_text(causal_section(result, heading="# Causal sweep"))
    result.scores.to_csv(folder / "causal_scores.csv", index=False)
    result.amnesic.to_csv(folder / "causal_amnesic.csv", index=False)
    names = ["causal.md", "causal_scores.csv", "causal_amnesic.csv"]
    names += _picture(result, folder / "causal", dpi)
    return {name: folder / name for name in names}


def add_causal_section(folder, result, *, dpi=150):
    """Append the causal section to ``folder/report.md``; write its files."""
    folder = Path(folder)
    names = _picture(result, folder / "causal", dpi)
    result.scores.to_csv(folder / "causal_scores.csv", index=False)
    result.amnesic.to_csv(folder / "causal_amnesic.csv", index=False)
    section = causal_section(result) + f"\n![causal sweep]({names[0]})\n"
    _append(folder / "report.md", section)
    return {n: folder / n for n in [*names, "causal_scores.csv", "causal_amnesic.csv"]}


def add_neuron_section(folder, curve, *, layer=None, chance=None, dpi=150):
    """Append the single-unit section to ``folder/report.md``; write its files
    (``neuron_curve.csv``, ``neurons.png``/``.svg``)."""
    from ..plotting import plot_neuron_curve

    folder = Path(folder)
    curve.to_csv(folder / "neuron_curve.csv", index=False)
    fig = plot_neuron_curve(curve, layer=layer, chance=chance)
    names = _save(fig, folder / "neurons", dpi)
    section = neuron_section(curve, layer=layer, chance=chance)
    _append(folder / "report.md", section + f"\n![single units]({names[0]})\n")
    return {n: folder / n for n in [*names, "neuron_curve.csv"]}


def _picture(result, stem, dpi):
    from ..plotting import plot_causal_sweep

    return _save(plot_causal_sweep(result), stem, dpi)


def _save(fig, stem, dpi):
    import matplotlib.pyplot as plt

    try:
        return save_figure(fig, stem, dpi)
    finally:
        plt.close(fig)


def _append(path, text):
    existing = path.read_text() if path.exists() else ""
    path.write_text(existing.rstrip("\n") + "\n\n" + text)
