"""How a probe is trained: its skorch net, Adam epochs for an MLP until the
objective stops improving, and the optimum for a linear probe (L-BFGS to
``LogisticRegression``'s stopping rule for a ProbeClassifier, Ridge's exact
closed form for a ProbeRegressor). Each function sets the fitted attributes
on the probe it is given.

A linear probe builds no skorch net to be fitted: its solution is kept as the
module's parameters in numpy (:func:`_fit_linear`), and :func:`restore_net`
builds the net from them when it is asked for, as it does for a probe that
was saved and loaded.
"""

import warnings

import numpy as np
from scipy.special import logsumexp
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils import check_random_state

_MAX_SEED = np.iinfo(np.int32).max


def _fan_ins(n_features, sizes):
    """Inputs per ``Linear`` layer of ``ProbeModule``, by the layer's name."""
    widths = (n_features, *sizes)
    names = [f"hidden.{i}" for i in range(len(sizes))] + ["output"]
    return dict(zip(names, widths, strict=True))


def _ignore(*args, **kwargs):
    """A sink for skorch's messages."""


def _warn_not_converged(what):
    warnings.warn(
        f"{what}: the probe may not be at its optimum. Raise max_epochs "
        "(or raise tol to accept a coarser optimum).",
        ConvergenceWarning,
        stacklevel=5,  # the caller of fit
    )


def standardization(X, standardize):
    """Training mean and scale of every feature (``None, None`` if off).

    Constant features are centred, not divided by ~0.
    """
    if not standardize:
        return None, None
    mean = X.mean(axis=0, dtype=np.float64)
    scale = X.std(axis=0, dtype=np.float64)
    return mean, scale_floor(mean, scale)


def scale_floor(mean, scale):
    """``scale`` with 1 for the constant features (a scale below float32's
    resolution at ``mean``)."""
    scale[scale < 10 * np.finfo(np.float32).eps * np.abs(mean).clip(1)] = 1.0
    return scale


def build_net(
    probe,
    n_features,
    sizes,
    mean,
    scale,
    n_samples,
    n_classes=None,
    *,
    seeds=None,
    device=None,
):
    """The skorch net, its module initialised from ``random_state``.

    ``n_classes`` classes: a classifier's net, trained on the cross-entropy;
    None: a regressor's, one output trained on half the squared error.
    ``seeds`` (initialisation, shuffling) replace the two drawn from
    ``random_state``; ``device`` replaces ``probe.device_``.
    """
    import torch
    from skorch.callbacks import EarlyStopping

    from ._batches import ArrayBatchLoader
    from ._module import (
        HalfSquaredError,
        PenalisedNet,
        PenalisedRegressorNet,
        ProbeModule,
    )

    if seeds is None:
        rng = check_random_state(probe.random_state)
        seeds = rng.randint(_MAX_SEED, size=2)
    init_seed, shuffle_seed = (int(s) for s in seeds)
    penalty_weight = 0.0 if np.isinf(probe.C) else 1 / (probe.C * n_samples)
    stop = EarlyStopping(
        monitor="train_loss",
        patience=probe.n_iter_no_change,
        threshold=probe.tol,
        threshold_mode="abs",
        sink=_ignore,
    )
    regression = n_classes is None
    net = (PenalisedRegressorNet if regression else PenalisedNet)(
        ProbeModule,
        module__n_features=n_features,
        module__n_classes=n_classes,
        module__hidden_layer_sizes=sizes,
        module__mean=mean,
        module__scale=scale,
        module__penalty_weight=penalty_weight,
        criterion=HalfSquaredError if regression else torch.nn.CrossEntropyLoss,
        optimizer=torch.optim.Adam,
        lr=probe.lr,
        optimizer__param_groups=[
            (f"{name}.*", {"lr": probe.lr / fan_in})
            for name, fan_in in _fan_ins(n_features, sizes).items()
        ],
        # One kernel per step for all parameters instead of a Python loop
        # over them: the same update, 15% less time per fit on the CPU.
        optimizer__foreach=True,
        max_epochs=probe.max_epochs,
        batch_size=probe.batch_size_,
        iterator_train=ArrayBatchLoader,
        iterator_valid=ArrayBatchLoader,
        iterator_train__shuffle=True,
        iterator_train__generator=torch.Generator().manual_seed(shuffle_seed),
        callbacks=[("early_stopping", stop)],
        train_split=None,
        verbose=0,
        device=probe.device_ if device is None else device,
    )
    # The module is built on the CPU, so seeding the CPU generator fixes the
    # initial weights; batches are drawn from the loader's own generator.
    # fork_rng puts the caller's CPU random state back afterwards.
    with torch.random.fork_rng(devices=[]):
        torch.random.default_generator.manual_seed(init_seed)
        net.initialize()
    return net


def restore_net(probe, params, device=None):
    """The skorch net of a fitted probe whose module holds ``params`` (the
    module's ``state_dict`` as numpy arrays): built as :func:`build_net` builds
    it for a fit on ``probe._n_fit_samples`` samples, then loaded."""
    import torch

    classes = getattr(probe, "classes_", None)  # None: a ProbeRegressor
    net = build_net(
        probe,
        int(probe.n_features_in_),
        probe._hidden_sizes(),
        params["mean"],
        params["scale"],
        probe._n_fit_samples,
        None if classes is None else len(classes),
        seeds=(0, 0),  # every weight is loaded from params
        device=device,
    )
    state = {k: torch.as_tensor(v) for k, v in params.items()}
    net.module_.load_state_dict(state)
    return net


def module_params(net):
    """The state of ``net``'s module as numpy arrays on the CPU."""
    state = net.module_.state_dict()
    return {k: v.detach().cpu().numpy() for k, v in state.items()}


def fit_adam(probe, X, y):
    """MLP: Adam epochs until the objective stops improving by ``tol``.

    ``y``: encoded classes, or standardised targets of shape (n_samples, 1).
    """
    probe.net_.partial_fit(X, y)
    probe.loss_curve_ = [float(v) for v in probe.net_.history[:, "train_loss"]]
    probe.n_iter_ = len(probe.loss_curve_)
    misses = dict(probe.net_.callbacks_)["early_stopping"].misses_
    if probe.n_iter_ == probe.max_epochs and misses < probe.n_iter_no_change:
        _warn_not_converged(
            f"{type(probe).__name__}'s training objective still improved by more "
            f"than tol={probe.tol} within the last n_iter_no_change="
            f"{probe.n_iter_no_change} epochs when it reached "
            f"max_epochs={probe.max_epochs}"
        )


def _fit_linear(probe, solver, X, y, mean, scale, dtype=np.float64):
    """Fit the scikit-learn ``solver`` on the standardised features (in
    ``dtype``) and keep its coefficients as the module's parameters
    (``probe._net_params``, in float64; the torch net is built from them only
    when ``net_`` is asked for); the features it saw."""
    Xs = X.astype(dtype)
    if mean is not None:
        Xs -= mean.astype(dtype)
        Xs /= scale.astype(dtype)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        solver.fit(Xs, y)
    n_features = X.shape[1]
    coef = np.asarray(solver.coef_, dtype=np.float64).reshape(-1, n_features)
    probe._net_params = {
        "mean": np.zeros(n_features) if mean is None else mean,
        "scale": np.ones(n_features) if scale is None else scale,
        "output.weight": coef,
        "output.bias": np.asarray(solver.intercept_, dtype=np.float64).reshape(-1),
    }
    return Xs


def _penalty(probe, coef):
    """The output layer's penalty ``fan_in * ||W||^2 / (2 C)``."""
    return coef.shape[-1] * np.sum(coef**2) / (2 * probe.C)


def fit_lbfgs(probe, X, y_encoded, mean, scale):
    """Linear classifier: the optimum of the penalised objective by L-BFGS
    (scikit-learn's ``LogisticRegression`` on the standardised features, at
    its stopping rule ``gtol = tol / 10``: its default 1e-4 for the probe's
    default ``tol``), kept as the module's parameters. Returns the encoded
    class it predicts for every training sample."""
    from sklearn.linear_model import LogisticRegression

    solver = LogisticRegression(
        C=probe.C / X.shape[1], tol=probe.tol / 10, max_iter=probe.max_epochs
    )
    # In float32, as LogisticRegression solves on the float32 output of a
    # StandardScaler: half the memory traffic of float64 per L-BFGS step.
    Xs = _fit_linear(probe, solver, X, y_encoded, mean, scale, dtype=np.float32)
    n_iter = int(np.max(solver.n_iter_))
    if n_iter >= probe.max_epochs:
        _warn_not_converged(
            f"L-BFGS did not bring the training objective's gradient below "
            f"tol / 10 = {probe.tol / 10:g} in max_epochs={probe.max_epochs} "
            "iterations"
        )
    return set_linear_solution(
        probe, X, y_encoded, solver.coef_, solver.intercept_, mean, scale, n_iter, Xs
    )


def linear_outputs(params, X):
    """The output layer's values for raw ``X`` (n_samples, n_outputs) in
    float64, from a linear module's ``params``: the standardisation folded
    into the weights (``X @ (W / scale).T + b - (mean / scale) @ W.T``), one
    product and no standardised copy of ``X``."""
    weight = params["output.weight"] / params["scale"]
    offset = params["output.bias"] - weight @ params["mean"]
    return X.astype(np.float64, copy=False) @ weight.T + offset


def set_linear_solution(
    probe, X, y_encoded, coef, intercept, mean, scale, n_iter, Xs=None
):
    """Keep a linear classifier's solution (``coef`` (n_out, d) and
    ``intercept`` on the features standardised by ``mean`` and ``scale``) as
    its module's parameters, with ``n_iter_`` and ``loss_curve_`` (the
    objective at the solution). ``Xs``: the standardised ``X``, when at hand.
    Returns the encoded class it predicts for every training sample."""
    n_features = X.shape[1]
    coef = np.asarray(coef, dtype=np.float64).reshape(-1, n_features)
    intercept = np.asarray(intercept, dtype=np.float64).reshape(-1)
    probe._net_params = {
        "mean": np.zeros(n_features) if mean is None else mean,
        "scale": np.ones(n_features) if scale is None else scale,
        "output.weight": coef,
        "output.bias": intercept,
    }
    probe.n_iter_ = int(n_iter)
    if Xs is None:
        z = linear_outputs(probe._net_params, X)
    else:
        z = Xs @ coef.T.astype(Xs.dtype) + intercept.astype(Xs.dtype)
        z = z.astype(np.float64)
    if z.shape[1] == 1:  # the logit of class 1 against class 0
        z = np.hstack([np.zeros_like(z), z])
    log_proba = z - logsumexp(z, axis=1, keepdims=True)
    likelihood = log_proba[np.arange(len(X)), y_encoded]
    penalty = _penalty(probe, coef)
    probe.loss_curve_ = [float(-np.mean(likelihood) + penalty / len(X))]
    return np.argmax(z, axis=1)


def fit_ridge(probe, X, y_standard, mean, scale):
    """Linear regressor: the exact optimum of the penalised objective in closed
    form (scikit-learn's ``Ridge(alpha=n_features / C)`` on the standardised
    features and targets; for ``C=np.inf`` ``LinearRegression``, the
    least-squares solution of least norm), kept as the module's parameters. One
    iteration."""
    from sklearn.linear_model import LinearRegression, Ridge

    alpha = X.shape[1] / probe.C
    # The eigenvalues of the centred Gram matrix sum to its trace (n_samples *
    # n_features for standardised features).
    variance = X.var(axis=0, dtype=np.float64) / (1.0 if scale is None else scale**2)
    if np.isinf(probe.C):
        # Not Ridge(alpha=0): its SVD keeps singular values above 1e-15, so
        # the rank that centring removes comes back as noise.
        solver = LinearRegression()
    elif alpha > 1e-10 * len(X) * variance.sum():
        # A condition number below 1e10: a Cholesky solve is exact, and 20x
        # faster than an SVD.
        solver = Ridge(alpha=alpha, solver="cholesky")
    else:
        solver = Ridge(alpha=alpha, solver="svd")
    Xs = _fit_linear(probe, solver, X, y_standard, mean, scale)
    probe.n_iter_ = 1
    residual = y_standard - solver.predict(Xs)
    penalty = 0.0 if np.isinf(probe.C) else _penalty(probe, solver.coef_)
    probe.loss_curve_ = [float(np.mean(residual**2) / 2 + penalty / len(X))]
