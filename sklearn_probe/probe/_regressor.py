"""ProbeRegressor: a linear or MLP probe of a continuous property, trained with
torch, as a scikit-learn regressor.

The regression twin of :class:`~sklearn_probe.ProbeClassifier`: the same
module, parameters, standardisation, penalty and stopping rules, with half the
squared error in place of the cross-entropy and the targets standardised too.
"""

import numpy as np
from sklearn.base import RegressorMixin, _fit_context
from sklearn.utils.validation import validate_data

from ._base import _BaseProbe
from ._training import build_net, fit_adam, fit_ridge

#: Predictions whose standard deviation is at most this fraction of the
#: targets' are constant: the probe learned nothing (``degenerate_``).
CONSTANT_SPREAD = 1e-3


class ProbeRegressor(RegressorMixin, _BaseProbe):
    """Linear or MLP probe of a continuous property, trained to its optimum.

    A scikit-learn regressor around a skorch ``NeuralNetRegressor``. The inputs are
    standardised as in :class:`~sklearn_probe.ProbeClassifier`, and so are the
    **targets**: the probe is trained on ``(y - mean(y)) / std(y)`` (training mean and
    standard deviation; a constant target is only centred) and :meth:`predict` maps its
    output back to the units of ``y``. So ``C``, ``lr`` and ``tol`` mean the same
    whether ``y`` counts words or measures seconds, and the objective of a probe that
    predicts the mean is 1/2 per sample.

    Training minimises half the summed squared error on the standardised
    targets plus the L2 penalty of ``C`` on all the training data (no
    internal validation split):

    - A linear probe (the default) is solved exactly, in closed form:
      scikit-learn's ``Ridge(alpha=n_features / C)`` on the standardised
      features (a Cholesky solve), its coefficients kept as the torch
      module's parameters (the net is built when ``net_`` is first read).
      Ridge is equivariant to the scale of ``y``, so its predictions are those
      of ``make_pipeline(StandardScaler(), Ridge(alpha=n_features / C))`` on
      the raw targets. ``tol`` and ``max_epochs`` do not apply to it.
    - An MLP probe is trained with Adam on mini-batches shuffled every epoch,
      stopping when the training objective has not improved by ``tol`` for
      ``n_iter_no_change`` epochs, and warning with a ``ConvergenceWarning``
      when ``max_epochs`` stopped it first.

    Parameters
    ----------
    hidden_layer_sizes : tuple of int, default=()
        Widths of the hidden layers (ReLU between layers). ``()`` is a linear
        probe (ridge regression); ``(256,)`` one hidden layer. An int ``n``
        means ``(n,)``.
    max_epochs : int, default=200
        Upper bound on the Adam epochs of an MLP probe.
    tol : float, default=1e-3
        An MLP stops when its training objective (half the mean squared error
        on the standardised targets plus penalty / n_samples) has not improved
        by ``tol`` for ``n_iter_no_change`` consecutive epochs.
    n_iter_no_change : int, default=10
        Epochs without an improvement of ``tol`` after which an MLP stops.
    lr : float, default=1.0
        Adam's learning rate of an MLP, per input of a layer: a layer with
        ``fan_in`` inputs steps at ``lr / fan_in`` (see
        :class:`~sklearn_probe.ProbeClassifier`).
    batch_size : int or "auto", default="auto"
        Samples per training mini-batch of an MLP; ``"auto"`` is ``min(256,
        max(32, n_samples // 4))``. The size used is ``batch_size_``.
    C : float, default=1.0
        Inverse strength of the L2 penalty on the weights (not the biases),
        against half the summed squared error. The output layer (``fan_in``
        inputs) costs ``fan_in * ||W||^2 / (2 C)``: a Gaussian prior of
        variance ``C / fan_in`` per weight around 0, under Gaussian noise of
        the targets' variance. For a linear probe on ``d`` features this is
        ``Ridge(alpha=d / C)`` on the standardised features. Hidden layers are
        pulled towards their He-initialised weights by ``fan_in * ||W -
        W_init||^2 / (20 C)``, as in :class:`~sklearn_probe.ProbeClassifier`.
        ``np.inf`` turns the penalty off (a linear probe is then the
        least-squares solution of least norm).
    standardize : bool, default=True
        Scale every feature with the training mean and standard deviation
        inside the probe (constant features are only centred). The targets
        are standardised whatever this says.
    random_state : int, RandomState instance or None, default=None
        Seeds the weight initialisation and the shuffling of batches of an
        MLP; the caller's global torch random state is left as it was.
    device : str, default="auto"
        Torch device that trains an MLP probe and holds the module:
        ``"auto"`` (CUDA, then Apple MPS, else the CPU) or a torch device
        string. A linear probe is solved on the CPU in float64.

    Attributes
    ----------
    n_features_in_ : int
        Width of the vectors :meth:`fit` saw.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Their column names, when `X` had string column names (a DataFrame).
    net_ : skorch.NeuralNetRegressor
        The trained network (``PenalisedRegressorNet``). Its module maps raw
        vectors to standardised predictions; ``net_.history`` is the training
        history (empty for a linear probe and after pickling, as in
        :class:`~sklearn_probe.ProbeClassifier`).
    target_mean_, target_scale_ : float
        Mean and standard deviation of the training targets (the scale is 1
        for a constant target): ``predict`` returns ``target_mean_ +
        target_scale_ * output``.
    device_ : str
        The device the network was trained on.
    batch_size_ : int
        Samples per training mini-batch.
    degenerate_ : bool
        Whether the probe learned nothing: its predictions on the training
        samples are constant (their standard deviation at most 1e-3 of the
        targets'), or its training R^2 is at most 0 (no better than the
        training mean). Raise ``C`` or use more data.
    n_iter_ : int
        Adam epochs of an MLP (``max_epochs`` when the bound stopped it); 1
        for a linear probe, solved in one step.
    loss_curve_ : list of float
        Training objective per sample after every Adam epoch of an MLP; for a
        linear probe, one value, the objective at the solution.

    See Also
    --------
    ProbeClassifier : The probe of class labels.
    sklearn.linear_model.Ridge : The linear probe, on standardised features.
    sklearn.neural_network.MLPRegressor : A numpy MLP without torch.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_probe import ProbeRegressor
    >>> rng = np.random.RandomState(0)
    >>> X = rng.randn(200, 10)
    >>> y = 3 * X[:, 0] - X[:, 1] + 0.1 * rng.randn(200)
    >>> probe = ProbeRegressor(device="cpu").fit(X, y)
    >>> probe.predict(X[:2]).shape
    (2,)
    >>> round(probe.score(X, y), 3)  # R^2
    0.997
    """

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y):
        """Fit the probe to continuous targets.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            One vector per sample (the pooled hidden states of a layer, say).
        y : array-like of shape (n_samples,)
            One number per sample, in any unit.

        Returns
        -------
        self : ProbeRegressor
            This probe, fitted.
        """
        X, y = validate_data(self, X, y, dtype=np.float32, y_numeric=True)
        y = np.asarray(y, dtype=np.float64)
        self.target_mean_ = float(y.mean())
        spread = float(y.std())
        tiny = 10 * np.finfo(np.float32).eps * max(abs(self.target_mean_), 1.0)
        self.target_scale_ = spread if spread > tiny else 1.0
        y_standard = (y - self.target_mean_) / self.target_scale_
        sizes, mean, scale = self._prepare(X)
        self._start_fit(X)
        if sizes:
            self._net = build_net(self, X.shape[1], sizes, mean, scale, len(X))
            fit_adam(self, X, y_standard.astype(np.float32).reshape(-1, 1))
        else:
            fit_ridge(self, X, y_standard, mean, scale)
        self._check_degenerate(X, y)
        return self

    def _check_degenerate(self, X, y):
        """Set ``degenerate_``: does the probe learn nothing from its data?"""
        predicted = self.target_mean_ + self.target_scale_ * self._outputs(X)[:, 0]
        constant = predicted.std() <= CONSTANT_SPREAD * y.std()
        at_mean = np.sum((y - predicted) ** 2) >= np.sum((y - y.mean()) ** 2)
        self.degenerate_ = bool(constant or at_mean)

    def predict(self, X):
        """Predicted targets, in the units of the training targets.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Vectors as in :meth:`fit`.

        Returns
        -------
        ndarray of shape (n_samples,)
            ``target_mean_ + target_scale_ * output``, float64.
        """
        output = self._forward(X)[:, 0]
        return self.target_mean_ + self.target_scale_ * output
