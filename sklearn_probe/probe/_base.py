"""What ProbeClassifier and ProbeRegressor share: their parameters, their
checks, the preparation of a fit, the forward pass of the fitted module and
their (de)serialisation.

A fitted probe holds its module in one of two forms: the skorch net (``_net``:
after an MLP's training, or once ``net_`` was asked for) or the module's
parameters as numpy arrays (``_net_params``: a linear probe's solution, or a
probe that was unpickled or loaded by skops). ``net_`` builds the net from the
parameters the first time it is read. Pickling (and skops) saves the
parameters, never torch objects, so a saved probe loads without building
anything but numpy arrays.
"""

import copy
import numbers

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.utils._param_validation import Interval, Options, StrOptions
from sklearn.utils.validation import check_is_fitted, validate_data

from ._training import linear_outputs, module_params, restore_net, standardization


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

    def _prepare(self, X, statistics=True):
        """Set ``device_`` and ``batch_size_``; the hidden sizes and the
        features' standardisation statistics of a fit on ``X`` (``None,
        None`` without ``statistics``)."""
        from ..utils._devices import resolve_device

        sizes = self._hidden_sizes()
        self.device_ = resolve_device(self.device)
        self.batch_size_ = (
            min(256, max(32, len(X) // 4))
            if self.batch_size == "auto"
            else self.batch_size
        )
        mean, scale = standardization(X, self.standardize and statistics)
        return sizes, mean, scale

    def _start_fit(self, X):
        """Forget the module of an earlier fit; remember the size of this one
        (the penalty's weight of a net built later)."""
        self.__dict__.pop("_net", None)
        self.__dict__.pop("_net_params", None)
        self._n_fit_samples = len(X)

    @property
    def net_(self):
        """The fitted skorch net, built from the fitted parameters the first
        time it is read (see the class's Attributes)."""
        net = self.__dict__.get("_net")
        if net is None:
            params = self.__dict__.get("_net_params")
            if params is None:
                raise AttributeError(
                    f"This {type(self).__name__} instance is not fitted yet: it has "
                    "no attribute 'net_'. Call 'fit' first."
                )
            device = self.__dict__.get("_net_device", self.device_)
            net = self._net = restore_net(self, params, device=device)
        return net

    def _forward(self, X):
        """The fitted module's outputs for ``X`` as float64, shape (n_samples,
        n_outputs)."""
        check_is_fitted(self)
        X = validate_data(self, X, dtype=np.float32, reset=False)
        return self._outputs(X)

    def _outputs(self, X):
        """:meth:`_forward` on validated float32 ``X``: a linear probe's in
        numpy from its parameters (float64) until its net is built, else the
        torch module's."""
        if self.__dict__.get("_net") is None and not self._hidden_sizes():
            return self._expand_outputs(linear_outputs(self._net_params, X))
        outputs = self.net_.forward(X, training=False, device="cpu")
        return outputs.numpy().astype(np.float64)

    def _expand_outputs(self, z):
        """The module's forward from its output layer's values ``z``."""
        return z

    def __getstate__(self):
        """The probe's state with its module as numpy parameters, not torch
        objects: what pickle and skops save."""
        state = super().__getstate__()
        state = dict(state) if state is self.__dict__ else state
        net = state.pop("_net", None)
        state.pop("_net_device", None)
        if net is not None:
            state["_net_params"] = module_params(net)
        return state

    def __setstate__(self, state):
        state = dict(state)
        if "net_params_" in state:  # saved by an earlier version
            state["_net_params"] = state.pop("net_params_")
        state.setdefault("_n_fit_samples", 1)
        super().__setstate__(state)
        if "_net_params" in state:
            self._net_device = "cpu"  # where a net built from them lives

    def __deepcopy__(self, memo):
        """A deep copy that keeps the net (and its history), where a pickle
        keeps only the parameters."""
        new = type(self).__new__(type(self))
        memo[id(self)] = new
        new.__dict__.update(copy.deepcopy(self.__dict__, memo))
        return new
