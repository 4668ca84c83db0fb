"""NeuronSelector against an elastic-net LogisticRegression fitted on its own."""

import numpy as np
import pytest
from scipy.stats import spearmanr
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.estimator_checks import check_estimator

from sklearn_probe.causal import NeuronSelector, neuron_curve


def _data(n_classes=2, seed=0):
    return make_classification(
        n_samples=400,
        n_features=120,
        n_informative=10,
        n_redundant=0,
        n_classes=n_classes,
        random_state=seed,
    )


@pytest.mark.parametrize("n_classes", [2, 3])
def test_ranking_agrees_with_an_independent_elastic_net(n_classes):
    X, y = _data(n_classes)
    selector = NeuronSelector(random_state=0).fit(X, y)
    reference = make_pipeline(
        StandardScaler(),
        LogisticRegression(solver="saga", l1_ratio=0.5, max_iter=2000, random_state=1),
    ).fit(X, y)
    weights = np.abs(reference[-1].coef_).sum(axis=0)
    top = selector.ranking_[:50]
    rho = spearmanr(selector.importance_[top], weights[top]).statistic
    assert rho > 0.95
    # Ten informative units: the top ten are found.
    assert len(set(selector.ranking_[:10]) & set(np.argsort(-weights)[:10])) >= 9


def test_get_support_keeps_the_top_units_and_works_in_a_pipeline():
    X, y = _data()
    selector = NeuronSelector(n_neurons=8, random_state=0).fit(X, y)
    support = np.flatnonzero(selector.get_support())
    assert sorted(support) == sorted(selector.ranking_[:8])
    pipe = make_pipeline(
        NeuronSelector(n_neurons=8, random_state=0), LogisticRegression()
    )
    random_units = np.random.default_rng(0).choice(X.shape[1], 8, replace=False)
    random_score = (
        LogisticRegression().fit(X[:, random_units], y).score(X[:, random_units], y)
    )
    assert pipe.fit(X, y).score(X, y) > random_score + 0.1
    assert pipe[0].transform(X).shape == (len(X), 8)


def test_per_class_rankings_follow_each_class_weight_row():
    X, y = _data(3)
    selector = NeuronSelector(random_state=0).fit(X, y)
    for c, row in zip(selector.classes_, selector.coef_, strict=True):
        first = selector.class_rankings_[c][0]
        assert abs(row[first]) == pytest.approx(np.abs(row).max())


def test_top_k_units_beat_random_k_and_bottom_k():
    X, y = _data()
    curve = neuron_curve(LogisticRegression(), X, y, ks=[2, 5, 10], n_random=3)
    assert list(curve["k"]) == [2, 5, 10]
    assert (curve["top"] > curve["random_high"]).all()
    assert (curve["top"] > curve["bottom"]).all()
    assert (curve["random_low"] <= curve["random_mean"]).all()


def test_bad_sizes_are_refused_with_the_range():
    X, y = _data()
    with pytest.raises(ValueError, match="between 1 and the 120 units"):
        neuron_curve(LogisticRegression(), X, y, ks=[0, 500])


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.SkipTestWarning")
@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_passes_scikit_learn_estimator_checks():
    check_estimator(NeuronSelector(n_neurons=1, random_state=0))


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_eraser_and_selector_run_in_a_grid_search():
    from sklearn.model_selection import GridSearchCV
    from sklearn.pipeline import Pipeline

    from sklearn_probe.causal import ConceptEraser

    X, y = _data()
    pipe = Pipeline(
        [
            ("erase", "passthrough"),
            ("units", NeuronSelector(random_state=0)),
            ("probe", LogisticRegression()),
        ]
    )
    grid = {"erase": ["passthrough", ConceptEraser()], "units__n_neurons": [5, 20]}
    search = GridSearchCV(pipe, grid, cv=3).fit(X, y)
    scores = {
        (type(p["erase"]).__name__, p["units__n_neurons"]): s
        for p, s in zip(
            search.cv_results_["params"],
            search.cv_results_["mean_test_score"],
            strict=True,
        )
    }
    assert scores[("str", 20)] > 0.6
    # Erased before the units are chosen: no units bring the classes back.
    assert abs(scores[("ConceptEraser", 20)] - 0.5) < 0.05
    assert abs(scores[("ConceptEraser", 5)] - 0.5) < 0.05
    assert search.best_params_["erase"] == "passthrough"
