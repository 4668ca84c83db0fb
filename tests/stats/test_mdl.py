"""MDL probing: online code length against hand-computed bits, and as a scorer.

The hand-computed cases use ``DummyClassifier(strategy="prior")``, whose
``predict_proba`` is the class frequencies of its training labels, whatever X is,
and ``shuffle=False``, so every number below is plain arithmetic on the label
sequence.
"""

import math

import numpy as np
import pytest
from sklearn.datasets import make_classification
from sklearn.dummy import DummyClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, StratifiedKFold

from sklearn_probe.stats import (
    DEFAULT_PORTIONS,
    PROBA_FLOOR,
    make_mdl_scorer,
    mdl_scorer,
    online_code_length,
)

pytestmark = pytest.mark.usefixtures("one_blas_thread")


PRIOR = DummyClassifier(strategy="prior")


def test_hand_computed_binary():
    # y = 0 1 | 1 1 | 0 1 1 0, blocks end at 0.25, 0.5, 1.0 of n = 8: 2, 4, 8.
    y = [0, 1, 1, 1, 0, 1, 1, 0]
    X = np.zeros((8, 1))
    result = online_code_length(PRIOR, X, y, portions=(0.25, 0.5, 1.0), shuffle=False)
    # Block 1, uniform: 2 labels * log2(2) = 2 bits.
    # Block 2, model on [0, 1] -> p(0) = p(1) = 1/2; labels 1, 1: 2 * 1 = 2 bits.
    # Block 3, model on [0, 1, 1, 1] -> p(0) = 1/4, p(1) = 3/4; labels 0 1 1 0:
    #   2 * log2(4) + 2 * log2(4/3) = 4 + 2 * 0.41503749927884376 bits.
    block3 = 4 + 2 * 0.41503749927884376
    assert result.block_ends == (2, 4, 8)
    np.testing.assert_allclose(
        result.block_code_lengths_bits, [2.0, 2.0, block3], rtol=0, atol=1e-9
    )
    assert result.code_length_bits == pytest.approx(8.830074998557688, abs=1e-9)
    assert result.uniform_code_length_bits == 8.0
    assert result.compression == pytest.approx(8 / 8.830074998557688, abs=1e-9)
    assert result.block_uniform == (True, False, False)
    assert result.n_samples == 8 and result.n_classes == 2


def test_hand_computed_three_classes_with_unseen_class_floor():
    # y = 0 1 | 0 1 | 2 2 with K = 3, blocks end at 2, 4, 6.
    y = ["a", "b", "a", "b", "c", "c"]
    X = np.zeros((6, 1))
    result = online_code_length(
        PRIOR, X, y, portions=(1 / 3, 2 / 3, 1.0), shuffle=False
    )
    # Block 1, uniform: 2 * log2(3) = 3.1699250014423126 bits.
    # Block 2, model on [a, b] -> 1/2 each; labels a, b: 2 bits.
    # Block 3, model on [a, b, a, b] never saw "c": probability 0, floored at
    #   1e-12, so 2 * -log2(1e-12) = 2 * 12 * log2(10) = 79.72627427729961 bits.
    assert PROBA_FLOOR == 1e-12
    expected = [3.1699250014423126, 2.0, 79.72627427729961]
    np.testing.assert_allclose(
        result.block_code_lengths_bits, expected, rtol=0, atol=1e-9
    )
    assert result.uniform_code_length_bits == pytest.approx(6 * 1.584962500721156)
    assert list(result.classes) == ["a", "b", "c"]


def test_single_class_prefix_is_coded_uniformly():
    # y = 1 1 | 1 0 | 0 0 1 1: the first four examples are not enough to fit a
    # discriminative model for block 2 (one class), so block 2 is uniform too.
    # Block 3: model on [1, 1, 1, 0] -> p(1) = 3/4, p(0) = 1/4; labels 0 0 1 1:
    #   2 * 2 + 2 * log2(4/3).
    y = [1, 1, 1, 0, 0, 0, 1, 1]
    X = np.arange(8.0).reshape(-1, 1)
    for estimator in (PRIOR, LogisticRegression()):
        result = online_code_length(
            estimator, X, y, portions=(0.25, 0.5, 1.0), shuffle=False
        )
        assert result.block_uniform == (True, True, False)
        assert result.block_code_lengths_bits[:2] == (2.0, 2.0)
    prior = online_code_length(PRIOR, X, y, portions=(0.25, 0.5, 1.0), shuffle=False)
    assert prior.block_code_lengths_bits[2] == pytest.approx(
        4 + 2 * math.log2(4 / 3), abs=1e-9
    )


def test_shuffle_is_a_seeded_permutation():
    rng = np.random.RandomState(0)
    y = rng.randint(0, 3, size=50)
    X = rng.normal(size=(50, 2))
    portions = (0.1, 0.3, 1.0)
    shuffled = online_code_length(PRIOR, X, y, portions=portions, random_state=4)
    order = np.random.RandomState(4).permutation(50)
    by_hand = online_code_length(
        PRIOR, X[order], y[order], portions=portions, shuffle=False
    )
    assert shuffled.code_length_bits == pytest.approx(by_hand.code_length_bits)
    again = online_code_length(PRIOR, X, y, portions=portions, random_state=4)
    assert again == shuffled


def test_block_ends_rounding_merging_and_minimum():
    y = [0, 1] * 50
    X = np.zeros((100, 1))
    result = online_code_length(PRIOR, X, y)
    # 0.1% .. 1.6% of 100 round to 0, 0, 0, 1, 2 -> all at least 2, merged.
    assert result.block_ends == (2, 3, 6, 13, 25, 50, 100)
    assert len(DEFAULT_PORTIONS) == 11
    assert sum(result.block_code_lengths_bits) == pytest.approx(result.code_length_bits)
    tiny = online_code_length(PRIOR, [[0.0], [1.0]], [0, 1])
    assert tiny.block_ends == (2,)
    assert tiny.code_length_bits == 2.0 and tiny.compression == 1.0


@pytest.mark.parametrize("k", [2, 3, 5])
def test_uniform_code_length_is_n_log2_k(k):
    n = 60
    y = np.arange(n) % k
    X = np.zeros((n, 1))
    result = online_code_length(PRIOR, X, y)
    assert result.uniform_code_length_bits == pytest.approx(n * math.log2(k))
    assert result.n_classes == k


@pytest.fixture(scope="module")
def learnable():
    return make_classification(
        n_samples=600,
        n_features=8,
        n_informative=4,
        class_sep=2.5,
        flip_y=0.0,
        random_state=0,
    )


def test_learnable_data_compresses_random_labels_do_not(learnable):
    X, y = learnable
    real = online_code_length(LogisticRegression(), X, y)
    random_y = np.random.RandomState(0).permutation(y)
    control = online_code_length(LogisticRegression(), X, random_y)
    assert real.compression > 1.5
    assert control.compression < 1.05
    assert real.code_length_bits < control.code_length_bits


def test_works_with_lists_and_string_labels(learnable):
    X, y = learnable
    labels = np.where(y == 1, "pos", "neg")
    as_list = online_code_length(LogisticRegression(), X.tolist(), labels.tolist())
    as_array = online_code_length(LogisticRegression(), X, labels)
    assert as_list.code_length_bits == pytest.approx(as_array.code_length_bits)


def test_scorer_in_grid_search(learnable):
    X, y = learnable
    cv = StratifiedKFold(n_splits=3, shuffle=True, random_state=0)
    search = GridSearchCV(
        LogisticRegression(),
        {"C": [0.01, 1.0]},
        scoring={"accuracy": "accuracy", "mdl_compression": mdl_scorer},
        refit="accuracy",
        cv=cv,
    ).fit(X, y)
    compression = search.cv_results_["mean_test_mdl_compression"]
    assert np.all(compression > 1.2)
    # It is computed on the test fold alone, from clones of the estimator.
    train, test = next(cv.split(X, y))
    fitted = LogisticRegression(C=0.01).fit(X[train], y[train])
    assert search.cv_results_["split0_test_mdl_compression"][0] == pytest.approx(
        online_code_length(LogisticRegression(C=0.01), X[test], y[test]).compression
    )
    assert mdl_scorer(fitted, X[test], y[test]) == pytest.approx(
        search.cv_results_["split0_test_mdl_compression"][0]
    )


def test_make_mdl_scorer_settings(learnable):
    X, y = learnable
    scorer = make_mdl_scorer(portions=(0.1, 0.5, 1.0), random_state=3)
    expected = online_code_length(
        LogisticRegression(), X, y, portions=(0.1, 0.5, 1.0), random_state=3
    ).compression
    assert scorer(LogisticRegression(), X, y) == pytest.approx(expected)


@pytest.mark.parametrize(
    "portions",
    [(0.5, 0.9), (0.5, 0.25, 1.0), (0.0, 1.0), (0.5, 0.5, 1.0), (), (0.5, 1.5)],
)
def test_invalid_portions(portions):
    with pytest.raises(ValueError, match="'portions' parameter"):
        online_code_length(PRIOR, np.zeros((10, 1)), [0, 1] * 5, portions=portions)
    with pytest.raises(ValueError, match="'portions' parameter"):
        make_mdl_scorer(portions=portions)


def test_sklearn_probe_mdl_is_the_same_api():
    """``sklearn_probe.mdl`` stays importable: the same objects as
    ``sklearn_probe.stats``'s."""
    import sklearn_probe.mdl
    import sklearn_probe.stats

    for name in sklearn_probe.mdl.__all__:
        assert getattr(sklearn_probe.mdl, name) is getattr(sklearn_probe.stats, name)


def test_parameters_are_checked_before_any_fit():
    """scikit-learn's parameter validation: an estimator without
    ``predict_proba`` is refused by name before any block is coded (it used
    to fail inside the first fitted block)."""
    from sklearn.svm import LinearSVC

    X = np.zeros((8, 1))
    y = [0, 1] * 4
    with pytest.raises(ValueError, match="'estimator' parameter.*predict_proba"):
        online_code_length(LinearSVC(), X, y, shuffle=False)
    with pytest.raises(ValueError, match="'shuffle' parameter"):
        online_code_length(PRIOR, X, y, shuffle="yes")
    with pytest.raises(ValueError, match="'y' parameter"):
        online_code_length(PRIOR, X, None)


def test_other_errors():
    X = np.zeros((4, 1))
    with pytest.raises(ValueError, match="at least 2 classes"):
        online_code_length(PRIOR, X, [1, 1, 1, 1])
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        online_code_length(PRIOR, X, [0, 1, 0])
    with pytest.raises(ValueError, match="proba_floor"):
        online_code_length(PRIOR, X, [0, 1, 0, 1], proba_floor=0)
    with pytest.raises(ValueError, match="Unknown label type"):
        online_code_length(PRIOR, X, [0.1, 0.2, 0.3, 0.4])
    with pytest.raises(ValueError, match="infinity"):
        online_code_length(PRIOR, X, [0, 1, 0, np.inf])


class GroupRecorder(DummyClassifier):
    """The prior, recording the groups (column 0 of X) of what each clone is
    fitted on and what it codes."""

    seen = []

    def fit(self, X, y):
        GroupRecorder.seen.append(("fit", set(np.asarray(X)[:, 0])))
        return super().fit(X, y)

    def predict_proba(self, X):
        GroupRecorder.seen.append(("code", set(np.asarray(X)[:, 0])))
        return super().predict_proba(X)


def _sentences(seed=0, n=60):
    """Word-like data: ``n`` groups of 1 to 12 examples; column 0 is the group."""
    rng = np.random.default_rng(seed)
    groups = np.repeat(np.arange(n), rng.integers(1, 13, size=n))
    X = np.column_stack([groups, rng.normal(size=len(groups))])
    return X, rng.integers(0, 2, size=len(groups)), groups


def _blocks_split_a_group(X, y, **kwargs):
    GroupRecorder.seen = []
    online_code_length(GroupRecorder(strategy="prior"), X, y, **kwargs)
    calls = GroupRecorder.seen
    assert [c[0] for c in calls] == ["fit", "code"] * (len(calls) // 2)
    return any(calls[i][1] & calls[i + 1][1] for i in range(0, len(calls), 2))


@pytest.mark.parametrize("seed", range(4))
def test_grouped_blocks_never_split_a_group(seed):
    X, y, groups = _sentences(seed)
    assert not _blocks_split_a_group(X, y, groups=groups, random_state=seed)
    # Blocks cut at fractions of the examples do split them.
    assert _blocks_split_a_group(X, y, random_state=seed)


def test_grouped_blocks_end_at_the_nearest_group_ends():
    X, y, groups = _sentences(1)
    n = len(y)
    result = online_code_length(PRIOR, X, y, groups=groups, shuffle=False)
    boundaries = np.cumsum(np.bincount(groups))
    assert set(result.block_ends) <= set(boundaries.tolist())
    # Each end is the group end nearest the ungrouped one (ties: the lower).
    for end in online_code_length(PRIOR, X, y, shuffle=False).block_ends:
        allowed = boundaries[boundaries >= 2]
        nearest = allowed[np.argmin(np.abs(allowed - end))]
        assert nearest in result.block_ends
    # The same code as ungrouped blocks cut at those ends.
    by_hand = online_code_length(
        PRIOR, X, y, portions=np.array(result.block_ends) / n, shuffle=False
    )
    assert result.code_length_bits == pytest.approx(by_hand.code_length_bits)
    with pytest.raises(ValueError, match="one group per example"):
        online_code_length(PRIOR, X, y, groups=groups[:-1])
