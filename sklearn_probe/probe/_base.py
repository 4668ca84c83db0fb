"""What ProbeClassifier and ProbeRegressor share: their parameters, their
checks, the preparation of a fit and the forward pass of the fitted net."""

import numbers

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.utils._param_validation import Interval, Options, StrOptions
from sklearn.utils.validation import check_is_fitted, validate_data

from ._training import standardization


class _BaseProbe(BaseEstimator):
    """Parameters and fitting steps of a torch probe (not for direct use)."""

    _parameter_constraints: dict = {
        "hidden_layer_sizes": [
            Interval(numbers.Integral, 1, None, closed="left"),
            "array-like",
        ],
        "max_epochs": [Interval(numbers.Integral, 1, None, closed="left")],
        "tol": [Interval(numbers.Real, 0, None, closed="neither")],
        "n_iter_no_change": [Interval(numbers.Integral, 1, None, closed="left")],
        "lr": [Interval(numbers.Real, 0, None, closed="neither")],
        "batch_size": [
            Interval(numbers.Integral, 1, None, closed="left"),
            StrOptions({"auto"}),
        ],
        "C": [
            Interval(numbers.Real, 0, None, closed="neither"),
            Options(numbers.Real, {np.inf}),
        ],
        "standardize": ["boolean"],
        "random_state": ["random_state"],
        "device": [str],
    }

    def __init__(
        self,
        hidden_layer_sizes=(),
        *,
        max_epochs=200,
        tol=1e-3,
        n_iter_no_change=10,
        lr=1.0,
        batch_size="auto",
        C=1.0,
        standardize=True,
        random_state=None,
        device="auto",
    ):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.max_epochs = max_epochs
        self.tol = tol
        self.n_iter_no_change = n_iter_no_change
        self.lr = lr
        self.batch_size = batch_size
        self.C = C
        self.standardize = standardize
        self.random_state = random_state
        self.device = device

    def _hidden_sizes(self):
        """``hidden_layer_sizes`` as a tuple of positive ints, or a clear error."""
        sizes = self.hidden_layer_sizes
        if isinstance(sizes, numbers.Integral):
            sizes = (sizes,)
        sizes = tuple(sizes)
        if not all(
            isinstance(s, numbers.Integral) and not isinstance(s, bool) and s >= 1
            for s in sizes
        ):
            raise ValueError(
                f"The 'hidden_layer_sizes' parameter of {type(self).__name__} "
                "must be a tuple of positive ints, e.g. () for a linear probe or "
                f"(768,) for one hidden layer. Got {self.hidden_layer_sizes!r} "
                "instead."
            )
        return tuple(int(s) for s in sizes)

    def _prepare(self, X):
        """Set ``device_`` and ``batch_size_``; the hidden sizes and the
        features' standardisation statistics of a fit on ``X``."""
        from ..hidden._models import resolve_device

        sizes = self._hidden_sizes()
        self.device_ = resolve_device(self.device)
        self.batch_size_ = (
            min(256, max(32, len(X) // 4))
            if self.batch_size == "auto"
            else self.batch_size
        )
        mean, scale = standardization(X, self.standardize)
        return sizes, mean, scale

    def _forward(self, X):
        """The fitted module's outputs for ``X`` as float64, shape (n_samples,
        n_outputs)."""
        check_is_fitted(self)
        X = validate_data(self, X, dtype=np.float32, reset=False)
        outputs = self.net_.forward(X, training=False, device="cpu")
        return outputs.numpy().astype(np.float64)
