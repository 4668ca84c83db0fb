"""The batched solve of many linear probes (``probe._batched``): each problem's
solution is scikit-learn's, and a probe built from it is the probe its own
``fit`` gives."""

import pickle

import numpy as np
import pytest
from scipy.special import softmax
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold

from sklearn_probe import ProbeClassifier
from sklearn_probe.probe._batched import fitted_probe, solve_logistic
from sklearn_probe.probe._training import standardization


def _layers(n=240, d=12, k=2, layers=2, seed=0):
    """Correlated, unstandardised features on ``layers`` layers, ``k`` classes."""
    rng = np.random.default_rng(seed)
    blocks = []
    for _ in range(layers):
        mixing = rng.normal(size=(d, d)) / np.sqrt(d)
        X = rng.normal(size=(n, d)) @ mixing * rng.uniform(0.2, 3, size=d) + 5.0
        blocks.append(X.astype(np.float32))
    centred = blocks[0] - blocks[0].mean(axis=0)
    scores = centred @ rng.normal(size=(d, k)) + rng.gumbel(size=(n, k))
    return np.stack(blocks), np.argmax(scores, axis=1)


def _solve(X3, y, Cs, folds=3, **kwargs):
    splits = list(StratifiedKFold(folds, shuffle=True, random_state=0).split(X3[0], y))
    masks = np.zeros((folds, len(y)), dtype=bool)
    for k, (train, _) in enumerate(splits):
        masks[k, train] = True
    stats = [[standardization(X[m], True) for m in masks] for X in X3]
    mean = np.array([[s[0] for s in row] for row in stats])
    scale = np.array([[s[1] for s in row] for row in stats])
    solution = solve_logistic(X3, y, masks, Cs, mean=mean, scale=scale, **kwargs)
    return splits, mean, scale, solution


def _proba(Xs, coef, intercept):
    z = Xs @ coef.T + intercept
    if z.shape[1] == 1:
        z = np.hstack([np.zeros_like(z), z])
    return softmax(z, axis=1)


def _gradient(Xs, y, coef, intercept, C):
    """The gradient of LogisticRegression(C)'s objective (mean cross-entropy
    plus ``||W||^2 / (2 C n)``) at one solution, in float64."""
    proba = _proba(Xs, coef, intercept)
    target = np.eye(proba.shape[1])[y]
    residual = (proba - target)[:, -len(coef) :] / len(y)
    grad_W = residual.T @ Xs + coef / (C * len(y))
    return np.hstack([grad_W, residual.sum(axis=0)[:, None]])


@pytest.mark.parametrize("k", [2, 4])
def test_every_problem_is_scikit_learns_solution(k):
    """Every problem stops on LogisticRegression's rule (``gtol``, 1e-4 by
    default, as ProbeClassifier's default): every entry of its objective's
    gradient at most ``gtol``, which lands within 1e-3 of the exact optimum's
    probabilities with C=0.05 and C=1. The weakly penalised C=20 stops as much
    as 3.4e-3 from it (LogisticRegression's own default 2.0e-3 on this data);
    a tenfold lower ``gtol`` brings it within 1e-3 too."""
    X3, y = _layers(k=k)
    Cs = [0.05, 1.0, 20.0]
    splits, mean, scale, (coef, intercept, n_iter, converged) = _solve(X3, y, Cs)
    assert converged.all()
    assert coef.shape == (2, 3, 3, 1 if k == 2 else k, X3.shape[2])
    *_, (close, close_intercept, _, converged) = _solve(X3, y, [20.0], gtol=1e-5)
    assert converged.all()
    for layer, X in enumerate(X3):
        for fold, (train, test) in enumerate(splits):
            Xs = (X.astype(np.float64) - mean[layer, fold]) / scale[layer, fold]
            for c, C in enumerate(Cs):
                C_prime = C / X.shape[1]
                solution = coef[layer, fold, c], intercept[layer, fold, c]
                grad = _gradient(Xs[train], y[train], *solution, C_prime)
                assert np.abs(grad).max() <= 1e-4 * (1 + 1e-3), (layer, fold, C)
                if C == 20.0:
                    solution = close[layer, fold, 0], close_intercept[layer, fold, 0]
                reference = LogisticRegression(
                    C=C_prime, tol=1e-12, max_iter=10_000
                ).fit(Xs[train], y[train])
                proba = _proba(Xs[test], *solution)
                gap = np.abs(proba - reference.predict_proba(Xs[test])).max()
                assert gap < 1e-3, (layer, fold, C, gap)


@pytest.mark.parametrize("k", [2, 3])
def test_a_probe_built_from_the_solution_is_the_probe_fit_gives(k):
    X3, y = _layers(k=k, layers=1)
    labels = np.array(["a", "b", "c"])[y]
    Cs = [0.3, 3.0]
    splits, mean, scale, (coef, intercept, n_iter, _) = _solve(X3, y, Cs)
    train, test = splits[1]
    X = X3[0]
    for c, C in enumerate(Cs):
        fitted = ProbeClassifier(C=C, device="cpu").fit(X[train], labels[train])
        built = fitted_probe(
            ProbeClassifier(C=C, device="cpu"),
            X[train],
            labels[train],
            coef[0, 1, c],
            intercept[0, 1, c],
            mean[0, 1],
            scale[0, 1],
            n_iter[0, 1, c],
        )
        np.testing.assert_array_equal(built.classes_, fitted.classes_)
        assert built.n_features_in_ == fitted.n_features_in_
        assert built.degenerate_ == fitted.degenerate_
        assert built.n_iter_ == n_iter[0, 1, c] > 0
        np.testing.assert_allclose(built.loss_curve_, fitted.loss_curve_, atol=1e-5)
        np.testing.assert_allclose(
            built.predict_proba(X[test]), fitted.predict_proba(X[test]), atol=1e-3
        )
        np.testing.assert_allclose(
            built.decision_function(X[test]),
            fitted.decision_function(X[test]),
            atol=1e-2,
        )
        # It saves and loads as a fitted probe does, and builds its net.
        again = pickle.loads(pickle.dumps(built))
        np.testing.assert_array_equal(again.predict(X[test]), built.predict(X[test]))
        logits = built.net_.forward(X[test], training=False).numpy()
        np.testing.assert_allclose(
            softmax(logits, axis=1), built.predict_proba(X[test]), atol=1e-5
        )


def test_a_problem_not_solved_in_max_iter_says_so():
    X3, y = _layers(k=3, layers=1)
    *_, (coef, _, n_iter, converged) = _solve(X3, y, [100.0], max_iter=2)
    assert not converged.any()
    assert (n_iter <= 2).all()
    *_, (_, _, _, converged) = _solve(X3, y, [100.0], max_iter=200)
    assert converged.all()


def test_products_in_float64_give_the_same_solution():
    X3, y = _layers(k=3, layers=1)
    *_, (coef32, *_) = _solve(X3, y, [1.0])
    *_, (coef64, *_) = _solve(X3, y, [1.0], product_dtype="float64")
    np.testing.assert_allclose(coef32, coef64, atol=2e-3)


def test_fold_standardization_is_each_folds_own():
    from sklearn_probe.probe._batched import fold_standardization

    X3, y = _layers(n=300, d=6, layers=1)
    X = X3[0].copy()
    X[:, 2] = 7.0  # a constant feature: centred, not divided by ~0
    masks = np.zeros((3, len(X)), dtype=bool)
    for k, (train, _) in enumerate(StratifiedKFold(3).split(X, y)):
        masks[k, train] = True
    mean, scale = fold_standardization(X, masks)
    for k, mask in enumerate(masks):
        expected_mean, expected_scale = standardization(X[mask], True)
        np.testing.assert_allclose(mean[k], expected_mean, rtol=1e-6)
        np.testing.assert_allclose(scale[k], expected_scale, rtol=1e-6)
    assert (scale[:, 2] == 1.0).all()
