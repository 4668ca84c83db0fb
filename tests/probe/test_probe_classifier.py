"""ProbeClassifier: scikit-learn's common checks plus the lesson's probe defects."""

import copy
import pickle
import re
import subprocess
import sys

import numpy as np
import pytest
import torch
from numpy.testing import assert_allclose, assert_array_equal
from scipy.special import softmax
from sklearn.base import clone
from sklearn.datasets import make_blobs, make_circles, make_classification
from sklearn.exceptions import ConvergenceWarning, NotFittedError
from sklearn.model_selection import cross_val_score
from sklearn.utils.estimator_checks import parametrize_with_checks

from sklearn_probe import ProbeClassifier


@parametrize_with_checks([ProbeClassifier()])
def test_sklearn_compatible(estimator, check):
    check(estimator)


@pytest.fixture(scope="module")
def blobs3():
    """Three well separated classes with string labels."""
    X, y = make_blobs(n_samples=150, centers=3, n_features=6, random_state=0)
    return X, np.array(["cat", "dog", "eel"])[y]


def _separable(n_features=4, n_samples=200, seed=0):
    X, y = make_blobs(
        n_samples=n_samples,
        centers=[[-4] * n_features, [4] * n_features],
        cluster_std=0.5,
        random_state=seed,
    )
    return X, y


# The lesson's defect 6: Sigmoid before CrossEntropyLoss --------------------------


def test_outputs_logits_not_sigmoid():
    X, y = _separable()
    # A weak penalty lets the logits grow as large as the data allow.
    probe = ProbeClassifier(C=100, random_state=0, device="cpu")
    proba = probe.fit(X, y).predict_proba(X)
    # Softmax of two sigmoid outputs in [0, 1] can never exceed e / (1 + e):
    # the lesson's probe was capped there however separable the data.
    cap = np.e / (1 + np.e)
    assert proba.max(axis=1).min() > 0.99 > cap
    assert_array_equal(probe.predict(X), y)
    modules = list(probe.net_.module_.modules())
    assert not any(isinstance(m, torch.nn.Sigmoid | torch.nn.Softmax) for m in modules)
    assert isinstance(probe.net_.criterion_, torch.nn.CrossEntropyLoss)
    # Raw logits leave [0, 1].
    logits = probe.net_.forward(X.astype(np.float32)).numpy()
    assert np.abs(logits).max() > 1


def test_decision_function_is_logit_difference_and_matches_proba():
    X, y = make_classification(n_samples=120, n_features=5, random_state=0)
    probe = ProbeClassifier(random_state=0, device="cpu").fit(X, y)
    logits = probe.net_.forward(X.astype(np.float32)).numpy().astype(np.float64)
    decision = probe.decision_function(X)
    assert decision.shape == (120,)
    assert_allclose(decision, logits[:, 1] - logits[:, 0])
    assert_allclose(probe.predict_proba(X)[:, 1], 1 / (1 + np.exp(-decision)))
    assert_array_equal(probe.predict(X), (decision > 0).astype(int))
    assert_allclose(np.exp(probe.predict_log_proba(X)), probe.predict_proba(X))


# The lesson's defect 10: batches never shuffled, width hard-coded ----------------


def test_batches_are_shuffled_every_epoch():
    y = np.repeat([0, 1], 100)
    X = np.random.RandomState(0).normal(size=(200, 3)) + y[:, None]
    probe = ProbeClassifier((4,), batch_size=20, max_epochs=1, random_state=0)
    with pytest.warns(ConvergenceWarning):  # one epoch, on purpose
        probe.fit(X, y)
    net = probe.net_
    assert net.train_split is None  # every sample is used for training
    loader = net.get_iterator(net.get_dataset(X.astype(np.float32), y), training=True)
    first_batches = [next(iter(loader))[1].numpy() for _ in range(2)]
    # Sorted labels: an unshuffled first batch would be all zeros.
    assert set(first_batches[0]) == {0, 1}
    assert not np.array_equal(first_batches[0], first_batches[1])


def test_training_on_label_sorted_data_is_not_biased_to_last_class():
    """Unshuffled, the last run of one-class batches drags the bias that way."""
    from skorch import NeuralNetClassifier

    settings = dict(max_epochs=2, batch_size=10)
    shuffled, unshuffled = [], []
    for seed in range(3):
        rng = np.random.RandomState(seed)
        y = np.repeat([0, 1], 300)  # sorted by label, as in the lesson's loop
        X = rng.normal(size=(600, 5))
        X[:, 0] += 0.8 * (2 * y - 1)
        probe = ProbeClassifier((4,), random_state=seed, device="cpu", **settings)
        with pytest.warns(ConvergenceWarning):  # two epochs, on purpose
            shuffled.append(probe.fit(X, y).predict(X).mean())

        X32 = X.astype(np.float32)
        torch.manual_seed(seed)
        reference = NeuralNetClassifier(
            torch.nn.Linear,  # the lesson's linear probe, unshuffled
            module__in_features=5,
            module__out_features=2,
            criterion=torch.nn.CrossEntropyLoss,
            optimizer=torch.optim.Adam,
            lr=0.1,
            iterator_train__shuffle=False,
            train_split=None,
            verbose=0,
            **settings,
        ).fit(X32, y)
        unshuffled.append(reference.predict(X32).mean())
    # The reference shows the data exposes the defect; the probe avoids it.
    assert np.mean(unshuffled) > 0.65
    assert 0.4 < np.mean(shuffled) < 0.6


@pytest.mark.parametrize("n_features", [5, 384])
@pytest.mark.parametrize("hidden", [(), (768,)])
def test_any_input_width(n_features, hidden):
    X, y = make_classification(
        n_samples=80,
        n_features=n_features,
        n_informative=5,
        n_redundant=0,
        random_state=0,
    )
    probe = ProbeClassifier(hidden, random_state=0, device="cpu")
    probe.fit(X, y)
    first = next(iter(probe.net_.module_.linear_layers().values()))
    assert first.in_features == n_features == probe.n_features_in_
    assert probe.predict_proba(X).shape == (80, 2)


def test_mlp_learns_what_a_linear_probe_cannot():
    X, y = make_circles(n_samples=300, factor=0.3, noise=0.05, random_state=0)
    linear = ProbeClassifier(random_state=0, device="cpu").fit(X, y)
    mlp = ProbeClassifier((16,), random_state=0, device="cpu").fit(X, y)
    assert linear.score(X, y) < 0.75
    assert mlp.score(X, y) > 0.95
    layers = mlp.net_.module_.linear_layers()
    assert list(layers) == ["hidden.0", "output"]
    assert layers["hidden.0"].out_features == 16
    assert layers["output"].out_features == 1  # two classes: one logit row
    # An int means one hidden layer of that width.
    same = ProbeClassifier(16, random_state=0, device="cpu").fit(X, y)
    assert_array_equal(same.predict_proba(X), mlp.predict_proba(X))


# Labels, probabilities, scorers -------------------------------------------------


def test_string_labels_and_three_classes(blobs3):
    X, y = blobs3
    probe = ProbeClassifier(random_state=0, device="cpu").fit(X, y)
    assert_array_equal(probe.classes_, ["cat", "dog", "eel"])
    pred = probe.predict(X)
    assert pred.dtype == y.dtype
    assert np.mean(pred == y) > 0.95
    proba = probe.predict_proba(X)
    assert proba.shape == (150, 3)
    assert proba.dtype == np.float64
    assert_allclose(proba.sum(axis=1), 1.0, rtol=0, atol=1e-12)
    decision = probe.decision_function(X)
    assert decision.shape == (150, 3)
    assert_array_equal(probe.classes_[decision.argmax(axis=1)], pred)


def test_roc_auc_scorers_work(blobs3):
    X, y = make_classification(
        n_samples=150, n_features=8, class_sep=2.0, random_state=0
    )
    probe = ProbeClassifier(random_state=0, device="cpu")
    assert cross_val_score(probe, X, y, cv=3, scoring="roc_auc").mean() > 0.9
    X3, y3 = blobs3
    assert cross_val_score(probe, X3, y3, cv=3, scoring="roc_auc_ovr").mean() > 0.95


def test_standardize_handles_constant_and_huge_features():
    X, y = make_classification(n_samples=200, n_features=6, random_state=0)
    X[:, 0] = 3.0  # constant
    X[:, 1] *= 1000.0  # an outlier dimension, as in transformer hidden states
    probe = ProbeClassifier(random_state=0, device="cpu").fit(X, y)
    assert np.isfinite(probe.predict_proba(X)).all()
    module = probe.net_.module_
    assert_allclose(module.mean.numpy(), X.mean(axis=0), rtol=1e-5)
    assert module.scale[0].item() == 1.0
    assert probe.score(X, y) > 0.85
    raw = ProbeClassifier(standardize=False, random_state=0, device="cpu").fit(X, y)
    assert_array_equal(raw.net_.module_.scale.numpy(), np.ones(6))


@pytest.mark.parametrize(
    "n_samples, batch_size, expected",
    [(40, "auto", 32), (400, "auto", 100), (800, "auto", 200), (3000, "auto", 256)]
    + [(800, 128, 128), (40, 64, 64)],
)
def test_auto_batch_size_gives_small_data_four_steps_per_epoch(
    n_samples, batch_size, expected
):
    X, y = make_classification(n_samples=n_samples, n_features=4, random_state=0)
    probe = ProbeClassifier((4,), batch_size=batch_size, max_epochs=1, device="cpu")
    with pytest.warns(ConvergenceWarning, match="Raise max_epochs"):
        probe.fit(X, y)
    assert probe.batch_size_ == expected
    loader = probe.net_.get_iterator(
        probe.net_.get_dataset(X.astype(np.float32), y), training=True
    )
    assert max(len(batch_y) for _, batch_y in loader) == min(expected, n_samples)


# The penalty: LogisticRegression's, per unit of fan-in ---------------------------


def _logistic_case(n_samples, n_features, n_classes, separable, seed=0):
    rng = np.random.RandomState(seed)
    centres = rng.normal(size=(n_classes, n_features))
    y = np.arange(n_samples) % n_classes
    spread = 0.3 if separable else 3.0
    X = centres[y] * 3 + spread * rng.normal(size=(n_samples, n_features))
    X *= rng.uniform(0.1, 100, size=n_features)  # unequal scales, as hidden states
    return X, y


@pytest.mark.parametrize(
    "n_samples, n_features, n_classes, separable",
    [
        (30, 2, 2, True),
        (30, 1024, 3, False),
        (200, 10, 2, False),
        (200, 50, 4, True),
        (1000, 384, 2, False),
        (5000, 1024, 3, False),
    ],
)
@pytest.mark.parametrize("C", [0.1, 1.0, 10.0])
def test_linear_probe_is_logistic_regression_with_c_over_width(
    n_samples, n_features, n_classes, separable, C
):
    """The linear probe on d features is LogisticRegression(C / d) on
    standardised features at LogisticRegression's own stopping rule (gtol = tol
    / 10), with two classes as with more: its default training used to stop
    after 30 epochs of Adam (test accuracy 0.86 where the optimum gets 0.96),
    and two symmetric logit rows sharing the penalty made a binary probe
    LogisticRegression(2 C / d). It is as near the exact optimum as that rule
    brings LogisticRegression: within 1e-3 where LogisticRegression's default
    is (17 of these 18 cases), and a tenfold lower tol reaches it where it is
    not (200 x 10, C=10: 2.5e-3 at the default)."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import StandardScaler

    X, y = _logistic_case(n_samples, n_features, n_classes, separable)
    probe = ProbeClassifier(C=C, random_state=0, device="cpu").fit(X, y)
    scaled = StandardScaler().fit_transform(X)
    same_rule = LogisticRegression(C=C / n_features, tol=probe.tol / 10)
    same_rule.fit(scaled, y)
    assert_allclose(probe.predict_proba(X), same_rule.predict_proba(scaled), atol=1e-3)
    assert probe.n_iter_ < 100
    exact = LogisticRegression(C=C / n_features, tol=1e-10, max_iter=10_000)
    optimum = exact.fit(scaled, y).predict_proba(scaled)
    if np.abs(same_rule.predict_proba(scaled) - optimum).max() > 1e-3:
        probe = ProbeClassifier(C=C, tol=probe.tol / 10, device="cpu").fit(X, y)
    assert_allclose(probe.predict_proba(X), optimum, atol=1e-3)


def test_a_linear_fit_costs_what_the_pipeline_it_equals_costs():
    """The probe's solve is StandardScaler + LogisticRegression(C/d)'s at
    LogisticRegression's default tol (the probe's gtol = tol / 10 = 1e-4): the
    same L-BFGS iterations on the same data, the same probabilities (to 1e-6;
    2e-7 measured)."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    rng = np.random.default_rng(0)
    n, d, k = 1650, 96, 7
    X = rng.normal(size=(n, d)) @ rng.normal(size=(d, d)) / np.sqrt(d) + 0.5
    y = np.argmax(X @ rng.normal(size=(d, k)) / 3 + rng.gumbel(size=(n, k)), axis=1)
    probe = ProbeClassifier(random_state=0, device="cpu").fit(X, y)
    pipeline = make_pipeline(StandardScaler(), LogisticRegression(C=1.0 / d))
    pipeline.fit(X, y)
    assert probe.n_iter_ == pipeline[-1].n_iter_[0]
    assert_allclose(probe.predict_proba(X), pipeline.predict_proba(X), atol=1e-6)


def test_the_issue_case_reaches_the_optimum():
    """300 training samples of 10 features: 0.86 test accuracy after the old
    30 epochs of Adam, 0.96 at the optimum (StandardScaler +
    LogisticRegression(C=0.1))."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    X = np.random.RandomState(0).randn(400, 10)
    y = X[:, 0] + 0.5 * X[:, 1] > 0
    probe = ProbeClassifier(random_state=0).fit(X[:300], y[:300])
    reference = make_pipeline(StandardScaler(), LogisticRegression(C=0.1))
    reference.fit(X[:300], y[:300])
    assert probe.score(X[300:], y[300:]) == reference.score(X[300:], y[300:]) == 0.96


@pytest.mark.parametrize("hidden", [(), (8,)])
def test_hitting_max_epochs_warns_and_names_the_fix(hidden):
    X, y = make_classification(n_samples=200, n_features=12, random_state=0)
    probe = ProbeClassifier(hidden, max_epochs=2, random_state=0, device="cpu")
    with pytest.warns(ConvergenceWarning, match="Raise max_epochs"):
        probe.fit(X, y)
    assert probe.n_iter_ == 2
    enough = ProbeClassifier(hidden, random_state=0, device="cpu").fit(X, y)
    assert 2 < enough.n_iter_ < enough.max_epochs


def test_mlp_stops_when_the_objective_levels_off():
    X, y = make_classification(n_samples=300, n_features=12, random_state=0)
    probe = ProbeClassifier((16,), random_state=0, device="cpu").fit(X, y)
    curve = np.array(probe.loss_curve_)
    assert len(curve) == probe.n_iter_ < probe.max_epochs
    # MLPClassifier's rule: no improvement of tol over the best for the last
    # n_iter_no_change epochs, and one before them.
    best_before = curve[: -probe.n_iter_no_change].min()
    assert (curve[-probe.n_iter_no_change :] > best_before - probe.tol).all()
    assert curve[-1] < curve[0]
    # The recorded loss is the objective per sample: cross-entropy + penalty / n.
    module = probe.net_.module_
    logits = probe.net_.forward(X.astype(np.float32), training=False)
    ce = torch.nn.functional.cross_entropy(logits, torch.as_tensor(y)).item()
    objective = ce + module.penalty().item() / len(X)
    assert objective == pytest.approx(curve[-1], rel=0.05)


def test_penalty_by_fan_in_towards_initial_hidden_weights():
    from sklearn_probe.probe._module import HIDDEN_PRIOR_WIDTH

    X, y = make_classification(n_samples=200, n_features=12, random_state=0)
    probe = ProbeClassifier((8, 4), C=2.0, random_state=0, device="cpu")
    module = probe.fit(X, y).net_.module_
    layers = module.linear_layers()
    assert list(layers) == ["hidden.0", "hidden.1", "output"]
    assert module.penalty_weight == pytest.approx(1 / (2.0 * 200))
    expected = (
        sum(
            fan_in * np.sum((W - W0) ** 2) / (2 * HIDDEN_PRIOR_WIDTH)
            for fan_in, W, W0 in (
                (layer.in_features, layer.weight.detach().numpy(), layer.prior.numpy())
                for layer in module.hidden
            )
        )
        + 4 * np.sum(module.output.weight.detach().numpy() ** 2) / 2
    )
    assert module.penalty().item() == pytest.approx(expected, rel=1e-5)
    # He initialisation: the prior means have variance 2 / fan_in.
    assert np.var(layers["hidden.0"].prior.numpy()) == pytest.approx(2 / 12, rel=0.3)
    unpenalised = ProbeClassifier((8,), C=np.inf, random_state=0, device="cpu")
    assert unpenalised.fit(X, y).net_.module_.penalty_weight == 0.0


def test_a_probe_fitted_on_a_handful_of_samples_is_not_overconfident():
    """The first blocks of an MDL online code train on a few samples. With a
    penalty on the mean loss (weight_decay=0.1) such a probe gave 0.99 to
    labels that are pure noise, costing many bits per label."""
    rng = np.random.RandomState(0)
    X = rng.normal(size=(406, 384))
    y = rng.randint(2, size=406)
    probe = ProbeClassifier(random_state=0, device="cpu").fit(X[:6], y[:6])
    proba = probe.predict_proba(X[6:])
    assert proba.max() < 0.8
    assert np.mean(-np.log2(proba[np.arange(400), y[6:]])) < 1.1


def test_degenerate_flags_a_probe_that_learned_nothing():
    """A probe that predicts one class for every training sample (the MLPs on
    300 snippets did) is flagged; one that learned its data is not."""
    rng = np.random.RandomState(0)
    X = rng.normal(size=(40, 50))
    y = np.array([0] * 28 + [1] * 12)  # noise labels, majority rate 0.7
    constant = ProbeClassifier(C=1e-3, random_state=0, device="cpu").fit(X, y)
    assert len(np.unique(constant.predict(X))) == 1
    assert constant.degenerate_ is True
    X_sep, y_sep = _separable()
    learned = ProbeClassifier(random_state=0, device="cpu").fit(X_sep, y_sep)
    assert learned.degenerate_ is False


# Randomness --------------------------------------------------------------------


def test_same_seed_same_numbers_different_seed_different_numbers():
    X, y = make_classification(n_samples=100, n_features=5, random_state=0)
    a = ProbeClassifier((8,), random_state=3, device="cpu").fit(X, y)
    b = ProbeClassifier((8,), random_state=3, device="cpu").fit(X, y)
    c = ProbeClassifier((8,), random_state=4, device="cpu").fit(X, y)
    assert_array_equal(a.predict_proba(X), b.predict_proba(X))
    assert_array_equal(a.loss_curve_, b.loss_curve_)
    assert not np.array_equal(a.predict_proba(X), c.predict_proba(X))
    rs = ProbeClassifier(random_state=np.random.RandomState(3), device="cpu")
    assert rs.fit(X, y).predict_proba(X).shape == (100, 2)


def test_shuffling_is_seeded_too():
    """Same initial weights, different batch order: the seed covers both."""
    X, y = make_classification(n_samples=100, n_features=5, random_state=0)
    probe = ProbeClassifier((4,), batch_size=10, tol=1e-2, device="cpu")
    runs = [clone(probe).set_params(random_state=1).fit(X, y) for _ in range(2)]
    assert_array_equal(runs[0].loss_curve_, runs[1].loss_curve_)


def test_fit_leaves_global_random_states_alone():
    X, y = make_classification(n_samples=60, n_features=4, random_state=0)
    torch.manual_seed(123)
    np.random.seed(7)  # noqa: NPY002 (the global RNG is under test)
    torch_state = torch.get_rng_state()
    numpy_state = np.random.get_state()[1].copy()  # noqa: NPY002
    ProbeClassifier((4,), tol=1e-2, random_state=0, device="cpu").fit(X, y)
    assert torch.equal(torch.get_rng_state(), torch_state)
    assert_array_equal(np.random.get_state()[1], numpy_state)  # noqa: NPY002


def test_random_state_none_draws_from_numpy_global_rng():
    X, y = make_classification(n_samples=60, n_features=4, random_state=0)
    probe = ProbeClassifier((4,), tol=1e-2, device="cpu")
    np.random.seed(0)  # noqa: NPY002 (the global RNG is under test)
    first = clone(probe).fit(X, y).predict_proba(X)
    second = clone(probe).fit(X, y).predict_proba(X)
    np.random.seed(0)  # noqa: NPY002 (the global RNG is under test)
    again = clone(probe).fit(X, y).predict_proba(X)
    assert_array_equal(first, again)
    assert not np.array_equal(first, second)


# Persistence, devices, imports -------------------------------------------------


def test_pickle_round_trip(blobs3):
    X, y = blobs3
    probe = ProbeClassifier((8,), random_state=0, device="cpu").fit(X, y)
    restored = pickle.loads(pickle.dumps(probe))
    assert_array_equal(restored.predict_proba(X), probe.predict_proba(X))
    assert_array_equal(restored.classes_, probe.classes_)
    assert restored.device_ == "cpu"


def test_a_linear_fit_builds_no_net_until_asked(blobs3, monkeypatch):
    """The linear solve is LogisticRegression's alone: no skorch net is
    constructed in fit (a fixed cost per fit), only when ``net_`` is read,
    holding the same solution."""
    from sklearn_probe.probe import _classifier

    X, y = blobs3

    def refuse(*args, **kwargs):
        raise AssertionError("fit built a skorch net")

    monkeypatch.setattr(_classifier, "build_net", refuse)
    probe = ProbeClassifier(random_state=0, device="cpu").fit(X, y)
    proba = probe.predict_proba(X)
    monkeypatch.undo()
    logits = probe.net_.forward(X.astype(np.float32), training=False).numpy()
    assert_allclose(softmax(logits, axis=1), proba, atol=1e-6)
    # Once built, the net is what predicts.
    assert_allclose(probe.predict_proba(X), proba, atol=1e-6)


@pytest.mark.parametrize("hidden", [(), (8,)])
def test_a_pickled_probe_holds_numpy_parameters_not_torch(blobs3, hidden):
    X, y = blobs3
    probe = ProbeClassifier(hidden, random_state=0, device="cpu").fit(X, y)
    assert probe.net_.module_ is not None  # built, for the linear probe too
    data = pickle.dumps(probe)
    assert b"torch" not in data and b"skorch" not in data
    restored = pickle.loads(data)
    assert "_net" not in vars(restored)  # built only when asked
    assert_allclose(restored.predict_proba(X), probe.predict_proba(X), atol=1e-6)
    width = hidden[0] if hidden else X.shape[1]
    assert restored.net_.module_.output.weight.shape == (3, width)
    # The original keeps its net and history; a deep copy too.
    assert len(probe.net_.history) == (probe.n_iter_ if hidden else 0)
    assert len(copy.deepcopy(probe).net_.history) == len(probe.net_.history)


def test_an_unfitted_probe_has_no_net():
    with pytest.raises(AttributeError, match="not fitted"):
        _ = ProbeClassifier().net_


def test_device_auto():
    X, y = make_classification(n_samples=40, n_features=4, random_state=0)
    probe = ProbeClassifier().fit(X, y)
    expected = "cuda" if torch.cuda.is_available() else "cpu"
    if not torch.cuda.is_available() and torch.backends.mps.is_available():
        expected = "mps"
    assert probe.device_ == expected
    assert next(probe.net_.module_.parameters()).device.type == expected


def test_import_does_not_import_torch():
    code = "import sys, sklearn_probe; print('torch' in sys.modules)"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "False"


# Errors -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "params, message",
    [
        (
            {"max_epochs": 0},
            "The 'max_epochs' parameter of ProbeClassifier must be an int in the "
            "range [1, inf). Got 0 instead.",
        ),
        ({"max_epochs": 2.5}, "The 'max_epochs' parameter of ProbeClassifier"),
        ({"lr": 0.0}, "The 'lr' parameter of ProbeClassifier must be a float in"),
        ({"lr": -1}, "The 'lr' parameter of ProbeClassifier"),
        ({"batch_size": 0}, "The 'batch_size' parameter of ProbeClassifier"),
        ({"batch_size": "big"}, "The 'batch_size' parameter of ProbeClassifier"),
        ({"C": 0.0}, "The 'C' parameter of ProbeClassifier must be a float in"),
        ({"C": -1}, "The 'C' parameter of ProbeClassifier"),
        ({"standardize": "yes"}, "The 'standardize' parameter of ProbeClassifier"),
        ({"random_state": "x"}, "The 'random_state' parameter of ProbeClassifier"),
        ({"hidden_layer_sizes": 0}, "The 'hidden_layer_sizes' parameter"),
        (
            {"hidden_layer_sizes": (16, 0)},
            "The 'hidden_layer_sizes' parameter of ProbeClassifier must be a tuple "
            "of positive ints, e.g. () for a linear probe or (768,) for one hidden "
            "layer. Got (16, 0) instead.",
        ),
        ({"hidden_layer_sizes": (16, "a")}, "tuple of positive ints"),
        ({"hidden_layer_sizes": (2.5,)}, "tuple of positive ints"),
        ({"device": 3}, "The 'device' parameter of ProbeClassifier"),
        ({"device": "gpu"}, "device='gpu' is not a torch device"),
    ],
)
def test_bad_parameters_raise_clear_errors(params, message):
    X, y = make_classification(n_samples=20, n_features=4, random_state=0)
    with pytest.raises(ValueError, match=re.escape(message)):
        ProbeClassifier(**params).fit(X, y)


@pytest.mark.skipif(torch.cuda.is_available(), reason="needs a machine without CUDA")
def test_cuda_without_cuda_says_so():
    X, y = make_classification(n_samples=20, n_features=4, random_state=0)
    with pytest.raises(ValueError, match="torch sees no CUDA device"):
        ProbeClassifier(device="cuda").fit(X, y)


def test_data_errors():
    X, y = make_classification(n_samples=20, n_features=4, random_state=0)
    with pytest.raises(ValueError, match="only one class"):
        ProbeClassifier().fit(X, np.zeros(20))
    with pytest.raises(ValueError, match="Unknown label type"):
        ProbeClassifier().fit(X, np.linspace(0, 1, 20))
    with pytest.raises(NotFittedError):
        ProbeClassifier().predict(X)
    probe = ProbeClassifier(device="cpu").fit(X, y)
    with pytest.raises(ValueError, match="X has 3 features, but ProbeClassifier is"):
        probe.predict(X[:, :3])
