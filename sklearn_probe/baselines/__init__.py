"""Control baselines for probes: permuted labels and word-type control tasks.

A probe's score alone does not say whether the representation encodes the
property or whether the probe learned the task by itself. A *control* is the same
probe, on the same features, asked to fit labels that carry no information about
the property; *selectivity* is the real score minus the control score (Hewitt &
Liang, 2019).

- :class:`ControlTask` wraps any classifier and fits it on labels permuted at
  random. Inside cross-validation the permutation happens within each training
  fold, while the test fold is scored against its true labels, so its score is
  what the probe reaches by chance with the same label distribution. It is an
  ordinary estimator: put it where the probe goes in a pipeline or a grid search
  and the control score comes from the same cached features, at no extra forward
  pass.
- :class:`WordTypeControl` is Hewitt & Liang's control task for *token-level*
  data: each word type gets one fixed random label. It does not apply to
  sentence-level labels (sentiment of a review); see its docstring for why.
- :func:`save_random_weights` writes a model's untrained twin (the
  random-weights baseline) as a model folder, to compare layer by layer with
  the pretrained model (``layer_sweep(model=[...])``).

Every baseline :func:`~sklearn_probe.layer_sweep` can run beside the probe
(``baselines=[...]``) is one :class:`BaselineSpec` in ``BASELINES``: how it is
fitted, its result columns, its curve, its report words and its command name.

References
----------
.. [1] J. Hewitt and P. Liang, "Designing and Interpreting Probes with Control
   Tasks", EMNLP 2019. https://aclanthology.org/D19-1275
"""

from ._control import ControlTask, selectivity
from ._random_weights import save_random_weights
from ._registry import BASELINES, SEARCH_BASELINES, TEXT_BASELINES, BaselineSpec
from ._word_type import WordTypeControl, split_words, word_type_control_labels

__all__ = [
    "BASELINES",
    "SEARCH_BASELINES",
    "TEXT_BASELINES",
    "BaselineSpec",
    "ControlTask",
    "WordTypeControl",
    "save_random_weights",
    "selectivity",
    "split_words",
    "word_type_control_labels",
]
