"""Statistics of probes: repeated measurement and minimum description length.

- :mod:`._corrected`: repeated cross-validation and the corrected resampled t
  (confidence intervals, paired tests); :mod:`._layers`: every layer against
  the best, as a table.
- :mod:`._mdl` (with :mod:`._mdl_blocks`): the online code length of Voita &
  Titov (2020), also importable as :mod:`sklearn_probe.mdl`.

Repeated measurement
--------------------

One split of 500 dev examples cannot tell two layers 0.02 apart. Repeating
stratified k-fold cross-validation with several seeds gives ``J = k * r`` scores
per layer; their mean is a steadier estimate. Their spread, however, is too
small: the training sets of different folds overlap, so the scores are
correlated and the naive variance of the mean, ``S^2 / J``, is too small (a
t-test on it rejects far too often). Nadeau & Bengio (2003) correct it to

    ``(1 / J + n_test / n_train) * S^2``

where ``S^2`` is the sample variance of the ``J`` scores (or of the paired
differences), and use Student's t with ``J - 1`` degrees of freedom. Bouckaert
& Frank (2004) apply it to repeated k-fold cross-validation, with
``n_test / n_train = 1 / (k - 1)``.

Every function here works on scores from the **same folds** for every layer:
:func:`repeated_cv_scores` with the same ``random_state`` and the same ``y``
gives the same folds, so layer-by-layer differences are paired.

References
----------
.. [1] C. Nadeau and Y. Bengio, "Inference for the Generalization Error",
   Machine Learning 52(3), 239-281, 2003.
   https://doi.org/10.1023/A:1024068626366
.. [2] R. R. Bouckaert and E. Frank, "Evaluating the Replicability of
   Significance Tests for Comparing Learning Algorithms", PAKDD 2004.
   https://doi.org/10.1007/978-3-540-24775-3_3
.. [3] E. Voita and I. Titov, "Information-Theoretic Probing with Minimum
   Description Length", EMNLP 2020. https://aclanthology.org/2020.emnlp-main.14
"""

from ._corrected import (
    ConfidenceInterval,
    PairedComparison,
    confidence_interval,
    corrected_variance,
    paired_comparison,
    repeated_cv_scores,
    train_test_sizes,
)
from ._layers import COMPARISON_COLUMNS, layer_comparison_frame
from ._mdl import (
    DEFAULT_PORTIONS,
    PROBA_FLOOR,
    OnlineCodeResult,
    make_mdl_scorer,
    mdl_scorer,
    online_code_length,
)

__all__ = [
    "COMPARISON_COLUMNS",
    "DEFAULT_PORTIONS",
    "PROBA_FLOOR",
    "ConfidenceInterval",
    "OnlineCodeResult",
    "PairedComparison",
    "confidence_interval",
    "corrected_variance",
    "layer_comparison_frame",
    "make_mdl_scorer",
    "mdl_scorer",
    "online_code_length",
    "paired_comparison",
    "repeated_cv_scores",
    "train_test_sizes",
]
