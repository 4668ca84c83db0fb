"""ProbeRegressor: scikit-learn's common checks, Ridge's solution, the MLP."""

import pickle

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LinearRegression, Ridge
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.estimator_checks import parametrize_with_checks

from sklearn_probe import ProbeRegressor


@parametrize_with_checks([ProbeRegressor()])
def test_sklearn_compatible(estimator, check):
    check(estimator)


def _linear_case(n_samples, n_features, noise, seed=0):
    """Features of unequal scales and offsets, a linear target plus noise."""
    rng = np.random.RandomState(seed)
    X = rng.randn(n_samples, n_features) * rng.uniform(0.1, 10, n_features) + 5
    y = X @ rng.randn(n_features) + noise * rng.randn(n_samples) + 50
    return X, y


@pytest.mark.parametrize(
    ("n_samples", "n_features", "noise"),
    [(30, 5, 0.1), (50, 200, 1.0), (300, 20, 0.0), (400, 50, 10.0)],
)
@pytest.mark.parametrize("C", [0.1, 1.0, 10.0, np.inf])
def test_linear_probe_is_ridge_with_alpha_width_over_c(n_samples, n_features, noise, C):
    """The linear probe on d features is StandardScaler + Ridge(alpha=d / C) on
    the raw targets: standardising the targets inside does not change it."""
    X, y = _linear_case(n_samples, n_features, noise)
    probe = ProbeRegressor(C=C, device="cpu").fit(X, y)
    # Ridge(alpha=0) is LinearRegression (least norm when d > n).
    solver = LinearRegression() if np.isinf(C) else Ridge(alpha=n_features / C)
    reference = make_pipeline(StandardScaler(), solver)
    reference.fit(X, y)
    X_new, _ = _linear_case(50, n_features, noise, seed=1)
    scale = y.std()
    for data in (X, X_new):
        assert_allclose(
            probe.predict(data), reference.predict(data), rtol=0, atol=1e-4 * scale
        )
    assert probe.n_iter_ == 1
    assert_allclose(probe.score(X, y), reference.score(X, y), atol=1e-6)


def test_objective_is_half_the_squared_error_plus_penalty():
    """loss_curve_ is the documented objective per sample, on standardised
    targets: (1/2) mean squared error + d ||w||^2 / (2 C n)."""
    X, y = _linear_case(100, 8, 1.0)
    probe = ProbeRegressor(C=2.0, device="cpu").fit(X, y)
    scaled = StandardScaler().fit_transform(X)
    target = (y - y.mean()) / y.std()
    ridge = Ridge(alpha=8 / 2.0).fit(scaled, target)
    residual = target - ridge.predict(scaled)
    expected = np.mean(residual**2) / 2 + 8 * np.sum(ridge.coef_**2) / (2 * 2.0 * 100)
    assert_allclose(probe.loss_curve_[0], expected, rtol=1e-6)
    assert_allclose(probe.target_mean_, y.mean())
    assert_allclose(probe.target_scale_, y.std())


def test_mlp_beats_the_linear_probe_on_a_square():
    """y = x0^2 is invisible to a linear probe (R^2 about 0) and learnt by an
    MLP; neither is worse than predicting the training mean."""
    rng = np.random.RandomState(0)
    X = rng.randn(600, 4)
    y = X[:, 0] ** 2 + 0.1 * rng.randn(600)
    train, test = slice(0, 400), slice(400, None)
    linear = ProbeRegressor(device="cpu").fit(X[train], y[train])
    mlp = ProbeRegressor((64,), random_state=0, device="cpu").fit(X[train], y[train])
    mean_r2 = 1 - np.sum((y[test] - y[train].mean()) ** 2) / np.sum(
        (y[test] - y[test].mean()) ** 2
    )
    linear_r2, mlp_r2 = linear.score(X[test], y[test]), mlp.score(X[test], y[test])
    assert linear_r2 < 0.05
    assert mlp_r2 > 0.8
    assert mlp_r2 >= mean_r2 and linear_r2 >= mean_r2 - 0.02
    assert mlp.n_iter_ < mlp.max_epochs
    assert not mlp.degenerate_


def test_mlp_is_never_worse_than_the_mean_on_noise():
    """On pure noise the MLP predicts about the mean (its penalty), not worse."""
    rng = np.random.RandomState(1)
    X, y = rng.randn(300, 6), rng.randn(300)
    mlp = ProbeRegressor((32,), random_state=0, device="cpu").fit(X[:200], y[:200])
    mean_sse = np.sum((y[200:] - y[:200].mean()) ** 2)
    sse = np.sum((y[200:] - mlp.predict(X[200:])) ** 2)
    assert sse <= 1.05 * mean_sse


def test_hitting_max_epochs_warns_and_names_the_fix():
    X, y = _linear_case(200, 6, 1.0)
    probe = ProbeRegressor((8,), max_epochs=2, random_state=0, device="cpu")
    with pytest.warns(ConvergenceWarning, match="ProbeRegressor's training.*Raise"):
        probe.fit(X, y)
    assert probe.n_iter_ == 2


def test_target_units_do_not_change_the_fit():
    """Targets in other units (x 1000, shifted) give the same predictions in
    those units: the targets are standardised inside."""
    rng = np.random.RandomState(2)
    X = rng.randn(200, 5)
    y = np.sin(X[:, 0]) + X[:, 1]
    for hidden in [(), (16,)]:
        small = ProbeRegressor(hidden, random_state=0, device="cpu").fit(X, y)
        big = ProbeRegressor(hidden, random_state=0, device="cpu").fit(X, 1000 * y + 7)
        assert_allclose(big.predict(X), 1000 * small.predict(X) + 7, rtol=1e-4)


def test_degenerate_flags_constant_predictions():
    rng = np.random.RandomState(3)
    X = rng.randn(100, 5)
    y = X[:, 0] + 0.1 * rng.randn(100)
    assert not ProbeRegressor(device="cpu").fit(X, y).degenerate_
    crushed = ProbeRegressor(C=1e-9, device="cpu").fit(X, y)
    assert crushed.predict(X).std() < 1e-3 * y.std()
    assert crushed.degenerate_


def test_pickle_round_trip_and_seeds():
    X, y = _linear_case(120, 6, 1.0)
    probe = ProbeRegressor((8,), random_state=0, device="cpu").fit(X, y)
    restored = pickle.loads(pickle.dumps(probe))
    assert_array_equal(restored.predict(X), probe.predict(X))
    again = ProbeRegressor((8,), random_state=0, device="cpu").fit(X, y)
    assert_array_equal(again.predict(X), probe.predict(X))


def test_saved_pipeline_round_trip(tmp_path):
    from sklearn_probe import load_pipeline, save_pipeline

    X, y = _linear_case(80, 4, 1.0)
    pipe = make_pipeline(ProbeRegressor((4,), random_state=0, device="cpu"))
    pipe.fit(X, y)
    save_pipeline(pipe, tmp_path / "p.skops")
    assert_array_equal(load_pipeline(tmp_path / "p.skops").predict(X), pipe.predict(X))


def test_bad_parameters_name_the_regressor():
    X, y = _linear_case(20, 3, 1.0)
    with pytest.raises(ValueError, match="The 'C' parameter of ProbeRegressor"):
        ProbeRegressor(C=0).fit(X, y)
    with pytest.raises(ValueError, match="'hidden_layer_sizes' parameter of Probe"):
        ProbeRegressor((4, 0)).fit(X, y)
    with pytest.raises(ValueError, match="could not convert|numeric"):
        ProbeRegressor().fit(X, np.array(["a"] * 20))
