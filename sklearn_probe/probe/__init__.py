"""Probes: small classifiers and regressors trained on fixed vectors, as
scikit-learn estimators.

:class:`ProbeClassifier` (``_classifier``) and :class:`ProbeRegressor`
(``_regressor``) share their parameters (``_base``) and their training
(``_training``): the torch module of ``_module`` on the mini-batches of
``_batches``. :class:`AttentionProbe` (``_attention``) reads a text's token
states and pools them with learned attention. torch is imported only when a
probe is fitted.
``CONSTANT_SPREAD`` is the spread under which a regressor's predictions count
as constant (shared with the sweep's diagnostics). ``solve_logistic``,
``fold_standardization``, ``fitted_probe`` (``_batched``) and
``standardization`` serve the sweep's batched solve of many linear probes.
"""

from ._attention import AttentionProbe
from ._batched import fitted_probe as fitted_probe
from ._batched import fold_standardization as fold_standardization
from ._batched import solve_logistic as solve_logistic
from ._classifier import ProbeClassifier
from ._regressor import CONSTANT_SPREAD as CONSTANT_SPREAD
from ._regressor import ProbeRegressor
from ._training import standardization as standardization

__all__ = ["AttentionProbe", "ProbeClassifier", "ProbeRegressor"]
