"""Metrics of probes used as monitors, as functions and scikit-learn scorers.

:func:`recall_at_fpr` and :func:`partial_auroc` (``_monitor``) judge a probe at
a low false-positive rate; their scorer factories and :func:`get_scorer` make
them ``scoring=`` values for scikit-learn and :func:`~sklearn_probe.layer_sweep`
(``"recall_at_1pct_fpr"``, ``"partial_auroc_10pct"``; average precision is
scikit-learn's ``"average_precision"``). :func:`bootstrap_interval`
(``_bootstrap``) puts a confidence interval on a held-out test metric, and
:func:`bootstrap_score` on a fitted estimator's score, from its predictions
computed once.
"""

from ._bootstrap import FrozenResponses, bootstrap_interval, bootstrap_score
from ._monitor import (
    SCORERS,
    get_scorer,
    make_partial_auroc_scorer,
    make_recall_at_fpr_scorer,
    partial_auroc,
    recall_at_fpr,
    resolve_scoring,
    scorer_names,
    scoring_title,
)

__all__ = [
    "SCORERS",
    "FrozenResponses",
    "bootstrap_interval",
    "bootstrap_score",
    "get_scorer",
    "make_partial_auroc_scorer",
    "make_recall_at_fpr_scorer",
    "partial_auroc",
    "recall_at_fpr",
    "resolve_scoring",
    "scorer_names",
    "scoring_title",
]
