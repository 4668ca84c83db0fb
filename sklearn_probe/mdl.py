"""Minimum description length probing: the online code (Voita & Titov, 2020).

The code lives in :mod:`sklearn_probe.stats` (``stats/_mdl.py``); this module
keeps ``from sklearn_probe.mdl import online_code_length`` working, and its
names are the same objects.
"""

from .stats import (
    DEFAULT_PORTIONS,
    PROBA_FLOOR,
    OnlineCodeResult,
    make_mdl_scorer,
    mdl_scorer,
    online_code_length,
)

__all__ = [
    "DEFAULT_PORTIONS",
    "PROBA_FLOOR",
    "OnlineCodeResult",
    "make_mdl_scorer",
    "mdl_scorer",
    "online_code_length",
]
