"""Which layer to use: rules beyond the argmax of the mean score.

The argmax is a noisy choice: with repeated CV, several layers are often not
distinguishable from the best (see ``significantly_worse``), and the smallest
of them is cheaper to run and less likely to be a lucky draw.
:func:`chosen_index` applies a rule to a :class:`LayerSweepResult` (the
report says in words what the rules pick).
"""

RULES = ("best", "smallest_not_worse")


def chosen_index(result, rule):
    """The row of ``result.scores`` that ``rule`` picks (one of ``RULES``:
    ``LayerSweepResult.choose_layer`` validates it).

    ``"best"``: the highest mean score (``best_index``).
    ``"smallest_not_worse"``: the smallest layer whose row is not
    significantly worse than the best (paired corrected t-test of repeated CV,
    Holm-adjusted, the ``significantly_worse`` column); among rows of that
    layer, the highest mean score.
    """
    if rule == "best":
        return result.best_index
    frame = result.scores
    if "significantly_worse" not in frame:
        raise ValueError(
            "rule='smallest_not_worse' needs the paired tests of repeated CV: run "
            "layer_sweep with repeats > 1 (e.g. repeats=5); with one run of "
            "k-fold CV the test is too weak to call layers equal."
        )
    candidates = frame[~frame["significantly_worse"].astype(bool)]
    smallest = candidates[candidates["layer"] == candidates["layer"].min()]
    return int(smallest["cv_score_mean"].idxmax())
