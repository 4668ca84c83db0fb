"""Probe the hidden states of transformer language models with scikit-learn.

The two estimators chain into an ordinary scikit-learn pipeline::

    Pipeline([("hidden", HiddenStateTransformer(model=..., layer=3)),
              ("probe", ProbeClassifier())])

(``ProbeRegressor`` for a continuous property.)
:func:`layer_sweep` runs that pipeline over every layer and returns the scores,
the best layer and the refitted best pipeline; :mod:`sklearn_probe.plotting`
draws them; the ``sklearn-probe`` command does both from a shell.

torch and transformers are imported only when a model is loaded or a probe is
fitted, and the sweep machinery (scikit-learn's model selection) on first use,
so ``import sklearn_probe`` costs little more than ``import sklearn``.
"""

from .hidden import (
    HiddenStateTransformer,
    PoolingWarning,
    ReadOnlyStoreWarning,
    TruncationWarning,
    WordHiddenStateTransformer,
    clear_cache,
    compact_cache,
    sentence_groups,
    set_memory_cache_limit,
)
from .plotting import (
    LayerEmbeddingsDisplay,
    LayerScoresDisplay,
    ModelComparisonDisplay,
    plot_tsne,
)
from .probe import AttentionProbe, ProbeClassifier, ProbeRegressor

__version__ = "0.1.0"

__all__ = [
    "AttentionProbe",
    "HiddenStateTransformer",
    "LayerEmbeddingsDisplay",
    "LayerScoresDisplay",
    "LayerSweepResult",
    "ModelComparisonDisplay",
    "PoolingWarning",
    "ProbeClassifier",
    "ProbeRegressor",
    "ReadOnlyStoreWarning",
    "TruncationWarning",
    "SweepComparison",
    "WordHiddenStateTransformer",
    "clear_cache",
    "compact_cache",
    "compare_sweeps",
    "layer_sweep",
    "load_pipeline",
    "plot_tsne",
    "save_pipeline",
    "sentence_groups",
    "set_memory_cache_limit",
    "sweep_models",
    "__version__",
]

_LAZY = {
    "layer_sweep": "sweep",
    "LayerSweepResult": "sweep",
    "SweepComparison": "sweep",
    "compare_sweeps": "sweep",
    "sweep_models": "sweep",
    "load_pipeline": "_persistence",
    "save_pipeline": "_persistence",
}


def __getattr__(name):
    # The sweep imports scikit-learn's model selection: on first use.
    if name in _LAZY:
        import importlib

        value = getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(_LAZY))
