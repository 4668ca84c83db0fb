"""ConceptEraser: LEACE against the concept-erasure package, and its promise."""

import numpy as np
import pytest
from sklearn.dummy import DummyClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.utils.estimator_checks import check_estimator

from sklearn_probe.causal import ConceptEraser


def _data(n_classes=3, n=300, d=16, seed=0):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, n_classes, n)
    mixing = rng.normal(size=(d, d))
    X = rng.normal(size=(n, d)) @ mixing + 1.5 * np.eye(n_classes, d)[y]
    return X, y


@pytest.mark.parametrize("method", ["leace", "orth"])
@pytest.mark.parametrize("n_classes", [2, 4, None])
def test_equals_the_concept_erasure_package(method, n_classes):
    torch = pytest.importorskip("torch")
    reference = pytest.importorskip("concept_erasure")
    X, y = _data(n_classes or 2)
    if n_classes is None:  # a continuous concept
        y = X[:, 0] * 0.5 + np.random.default_rng(1).normal(size=len(X))
        Z = y[:, None]
    elif n_classes == 2:
        Z = y[:, None].astype(float)
    else:
        Z = np.eye(n_classes)[y]
    fitter = reference.LeaceFitter.fit(
        torch.from_numpy(X),
        torch.from_numpy(Z),
        method=method,
        shrinkage=False,
        constrain_cov_trace=False,
    )
    expected = fitter.eraser(torch.from_numpy(X)).numpy()
    erased = ConceptEraser(method=method).fit(X, y).transform(X)
    np.testing.assert_allclose(erased, expected, atol=1e-4)


def test_after_erasure_every_class_has_the_same_mean():
    X, y = _data(4)
    erased = ConceptEraser().fit(X, y).transform(X)
    means = np.array([erased[y == c].mean(axis=0) for c in range(4)])
    np.testing.assert_allclose(means - erased.mean(axis=0), 0, atol=1e-9)
    # ... while before, they differ.
    before = np.array([X[y == c].mean(axis=0) for c in range(4)])
    assert np.abs(before - X.mean(axis=0)).max() > 0.5


def test_a_probe_after_erasure_scores_at_chance_on_held_out_folds():
    X, y = _data(3, n=600)
    cv = StratifiedKFold(5, shuffle=True, random_state=0)
    probe = LogisticRegression(max_iter=1000)
    before = cross_val_score(probe, X, y, cv=cv).mean()
    after = cross_val_score(make_pipeline(ConceptEraser(), probe), X, y, cv=cv).mean()
    chance = cross_val_score(DummyClassifier(), X, y, cv=cv).mean()
    assert before > chance + 0.2
    assert after < chance + 0.05


def test_leace_moves_the_vectors_less_than_the_orthogonal_projection():
    X, y = _data(3)
    change = {
        m: np.mean(np.sum((ConceptEraser(method=m).fit(X, y).transform(X) - X) ** 2, 1))
        for m in ("leace", "orth")
    }
    assert change["leace"] < change["orth"]


def test_rank_is_at_most_classes_minus_one_and_bad_targets_are_refused():
    X, y = _data(4)
    assert ConceptEraser().fit(X, y).rank_ == 3
    with pytest.raises(ValueError, match="erases classes"):
        ConceptEraser().fit(X, np.c_[y, y] % 2 == 0)
    with pytest.raises(ValueError, match="method"):
        ConceptEraser(method="inlp").fit(X, y)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.SkipTestWarning")
def test_passes_scikit_learn_estimator_checks():
    check_estimator(ConceptEraser())


@pytest.mark.slow
def test_minilm_sentiment_is_erased_to_chance():
    """Real vectors: MiniLM layer 4 on Rotten Tomatoes, the package's probe."""
    from sklearn_probe import HiddenStateTransformer, ProbeClassifier
    from sklearn_probe.datasets import load_rotten_tomatoes

    data = load_rotten_tomatoes(n_samples=400, random_state=0)
    X = HiddenStateTransformer(model="minilm", layer=4).fit_transform(data["text"])
    y = np.asarray(data["label"])
    cv = StratifiedKFold(5, shuffle=True, random_state=0)
    probe = ProbeClassifier()
    before = cross_val_score(probe, X, y, cv=cv).mean()
    after = cross_val_score(make_pipeline(ConceptEraser(), probe), X, y, cv=cv).mean()
    chance = cross_val_score(DummyClassifier(), X, y, cv=cv).mean()
    assert before > chance + 0.1
    assert abs(after - chance) <= 0.02
