"""Pictures of causal checks: effects beside their random controls.

- :func:`plot_causal_sweep`: a :class:`~sklearn_probe.causal.CausalSweepResult`
  as two panels. Left, the effect of erasing the property at each layer (the
  drop of the behaviour, or of the last layer's probe), with the band of the
  random subspaces of the same rank; right, the probe score by layer (what a
  layer sweep ranks by) and the last layer's probe after erasure there
  (amnesic probing), with chance.
- :func:`plot_neuron_curve`: :func:`~sklearn_probe.causal.neuron_curve`'s
  top-k, bottom-k and random-k scores by k, the random sets as a band.

Both take computed results (no model runs) and return the figure.
"""

import numpy as np

from ._style import LABEL_SIZE, LEGEND_SIZE, MUTED, OKABE_ITO, TITLE_SIZE, tidy_axes

_EFFECT, _CONTROL, _PROBE, _AMNESIC = OKABE_ITO[0], "0.55", OKABE_ITO[1], OKABE_ITO[2]


def _legend_below(ax):
    ax.legend(
        fontsize=LEGEND_SIZE,
        frameon=False,
        loc="upper center",
        bbox_to_anchor=(0.5, -0.2),
    )


def plot_causal_sweep(result, *, figsize=(11, 5.2)):
    """Effect of erasure by layer with the control's band, beside the probe.

    Parameters
    ----------
    result : CausalSweepResult
        What :func:`~sklearn_probe.causal.causal_sweep` returned.
    figsize : tuple, default=(11, 5.2)
        Size of the figure in inches.

    Returns
    -------
    matplotlib.figure.Figure
    """
    import matplotlib.pyplot as plt

    scores = result.scores.sort_values("layer")
    layers = scores["layer"].to_numpy()
    fig, (left, right) = plt.subplots(1, 2, figsize=figsize, layout="constrained")
    _effect_panel(left, scores, layers, result)
    _probe_panel(right, scores, layers, result)
    return fig


def _effect_panel(ax, scores, layers, result):
    ax.fill_between(
        layers,
        scores["control_low"],
        scores["control_high"],
        color=_CONTROL,
        alpha=0.3,
        linewidth=0,
        label="random subspace, same rank ("
        + (f"{result.n_controls} draws)" if result.n_controls != 1 else "1 draw)"),
    )
    ax.plot(layers, scores["control_mean"], color=_CONTROL, linestyle="--")
    ax.plot(
        layers,
        scores["effect"],
        color=_EFFECT,
        marker="o",
        label="erasure of the property (LEACE)"
        if result.settings.get("eraser") == "LEACE"
        else "erasure of the property",
    )
    ax.axhline(0, color=MUTED, linewidth=0.8)
    ax.set_xticks(layers)
    ax.set_xlabel("layer erased", fontsize=LABEL_SIZE)
    ax.set_ylabel(f"drop of the {result.measure}", fontsize=LABEL_SIZE)
    ax.set_title("What erasing it changes", loc="left", fontsize=TITLE_SIZE)
    _legend_below(ax)
    tidy_axes(ax)


def _probe_panel(ax, scores, layers, result):
    ax.plot(
        layers, scores["probe_score"], color=_PROBE, marker="o", label="probe score"
    )
    if "amnesic_score" in scores and scores["amnesic_score"].notna().any():
        last = int(result.amnesic["probed_layer"].max())
        ax.plot(
            layers,
            scores["amnesic_score"],
            color=_AMNESIC,
            marker="s",
            label=f"probe at layer {last} after erasure",
        )
        ax.plot(
            layers,
            scores["amnesic_control"],
            color=_CONTROL,
            linestyle="--",
            linewidth=2.5,
            zorder=3,
            label=f"probe at layer {last}, random subspace erased",
        )
    ax.axhline(result.chance, color=MUTED, linestyle=":", label="chance")
    ax.set_xticks(layers)
    ax.set_xlabel("layer", fontsize=LABEL_SIZE)
    ax.set_ylabel("cross-validated score", fontsize=LABEL_SIZE)
    ax.set_title("What a probe reads", loc="left", fontsize=TITLE_SIZE)
    _legend_below(ax)
    tidy_axes(ax)


def plot_neuron_curve(curve, *, layer=None, chance=None, ax=None):
    """Scores of the top-k, bottom-k and random k units by k.

    Parameters
    ----------
    curve : pandas.DataFrame
        What :func:`~sklearn_probe.causal.neuron_curve` returned.
    layer : int, default=None
        The layer the units belong to (named in the title).
    chance : float, default=None
        Drawn as a dotted line when given.
    ax : matplotlib.axes.Axes, default=None
        Where to draw; None makes a new figure.

    Returns
    -------
    matplotlib.figure.Figure
    """
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(6.5, 4.2), layout="constrained")
    ks = np.asarray(curve["k"])
    ax.fill_between(
        ks,
        curve["random_low"],
        curve["random_high"],
        color=_CONTROL,
        alpha=0.3,
        linewidth=0,
        label="random k units (band over draws)",
    )
    ax.plot(ks, curve["random_mean"], color=_CONTROL, linestyle="--")
    ax.plot(ks, curve["top"], color=_EFFECT, marker="o", label="top k units")
    ax.plot(ks, curve["bottom"], color=_PROBE, marker="s", label="bottom k units")
    if chance is not None:
        ax.axhline(chance, color=MUTED, linestyle=":", label="chance")
    ax.set_xscale("log")
    ax.set_xticks(ks, [str(k) for k in ks])
    ax.set_xlabel("units kept (k)", fontsize=LABEL_SIZE)
    ax.set_ylabel("cross-validated score", fontsize=LABEL_SIZE)
    where = "" if layer is None else f" (layer {layer})"
    ax.set_title(f"Single units{where}", loc="left", fontsize=TITLE_SIZE)
    ax.legend(fontsize=LEGEND_SIZE, frameon=False, loc="best")
    tidy_axes(ax)
    return ax.figure
