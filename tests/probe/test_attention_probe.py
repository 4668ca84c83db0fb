"""AttentionProbe: the evidence in a few tokens of long texts, found."""

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV, StratifiedKFold, cross_val_score
from sklearn.utils.estimator_checks import check_estimator

from sklearn_probe import AttentionProbe, ProbeClassifier
from sklearn_probe.baselines import ControlTask


def few_token_texts(n=300, width=16, seed=0):
    """Texts of 60-100 noise tokens; two tokens per text carry a marker
    (dimension 0) and the label (the sign of dimension 1): exact labels."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, n)
    texts, where = [], []
    for label in y:
        tokens = rng.normal(size=(rng.integers(60, 101), width)).astype(np.float32)
        at = rng.choice(len(tokens), 2, replace=False)
        tokens[at, 0] += 4.0
        tokens[at, 1] += 2.0 if label else -2.0
        texts.append(tokens)
        where.append(at)
    return texts, y, where


def test_beats_mean_pooling_on_evidence_in_a_few_tokens():
    texts, y, _ = few_token_texts()
    cv = StratifiedKFold(5, shuffle=True, random_state=0)
    mean_pooled = np.stack([t.mean(axis=0) for t in texts])
    attention = cross_val_score(AttentionProbe(random_state=0), texts, y, cv=cv)
    linear = cross_val_score(ProbeClassifier(random_state=0), mean_pooled, y, cv=cv)
    control = cross_val_score(
        ControlTask(AttentionProbe(random_state=0), random_state=0), texts, y, cv=cv
    )
    assert attention.mean() > 0.95
    assert attention.mean() > linear.mean() + 0.15
    assert control.mean() < 0.65


def test_attention_weights_sit_on_the_evidence_tokens():
    texts, y, where = few_token_texts(n=200)
    probe = AttentionProbe(random_state=0).fit(texts, y)
    weights = probe.attention_weights(texts)
    for w, t in zip(weights, texts, strict=True):
        assert len(w) == len(t)
        assert w.sum() == pytest.approx(1, abs=1e-5)
    on_evidence = np.mean([w[at].sum() for w, at in zip(weights, where, strict=True)])
    assert on_evidence > 0.5  # uniform weights would give about 0.025


def test_three_d_input_equals_the_list_of_texts():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 5, 4)).astype(np.float32)
    y = (X[:, 0, 0] > 0).astype(int)
    a = AttentionProbe(random_state=0).fit(X, y).predict_proba(X)
    b = AttentionProbe(random_state=0).fit(list(X), y).predict_proba(list(X))
    np.testing.assert_allclose(a, b, atol=1e-6)


def test_runs_in_a_grid_search_and_clones():
    texts, y, _ = few_token_texts(n=120)
    search = GridSearchCV(AttentionProbe(random_state=0), {"C": [0.1, 1.0]}, cv=3)
    search.fit(texts, y)
    assert search.best_score_ > 0.8
    assert clone(search.best_estimator_).get_params()["C"] in (0.1, 1.0)


def test_bad_texts_are_refused_with_the_reason():
    probe = AttentionProbe()
    with pytest.raises(ValueError, match="same n_features"):
        probe.fit([np.zeros((3, 4)), np.zeros((3, 5))], [0, 1])
    with pytest.raises(ValueError, match="Text 1 has no token states"):
        probe.fit([np.ones((3, 4)), np.zeros((0, 4))], [0, 1])
    fitted = AttentionProbe().fit([np.ones((3, 4)), -np.ones((2, 4))], [0, 1])
    with pytest.raises(ValueError, match="expecting 4 features"):
        fitted.predict([np.ones((3, 6))])


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.SkipTestWarning")
def test_passes_scikit_learn_estimator_checks():
    check_estimator(AttentionProbe(random_state=0))


def _padded_objective(probe, texts, y):
    """The penalised loss and the probabilities of ``probe``'s fitted query
    and head, computed with numpy on the texts padded to the longest one."""
    longest = max(len(t) for t in texts)
    states = np.zeros((len(texts), longest, probe.n_features_in_))
    mask = np.zeros((len(texts), longest), bool)
    for i, t in enumerate(texts):
        states[i, : len(t)] = (t - probe.mean_) / probe.scale_
        mask[i, : len(t)] = True
    scores = np.where(mask, states @ probe.query_, -np.inf)
    weights = np.exp(scores - scores.max(axis=1, keepdims=True))
    weights /= weights.sum(axis=1, keepdims=True)
    hidden = np.einsum("bt,btd->bd", weights, states)
    for k, coef in enumerate(probe.coefs_):
        hidden = hidden @ coef + probe.intercepts_[k]
        hidden = np.maximum(hidden, 0) if k < len(probe.coefs_) - 1 else hidden
    logits = hidden - hidden.max(axis=1, keepdims=True)
    log_proba = logits - np.log(np.exp(logits).sum(axis=1, keepdims=True))
    cross_entropy = -log_proba[np.arange(len(y)), y].mean()
    squares = (probe.query_**2).sum() + sum((c**2).sum() for c in probe.coefs_)
    penalty = probe.n_features_in_ / (2 * probe.C * len(texts)) * squares
    return cross_entropy + penalty, np.exp(log_proba)


@pytest.mark.parametrize("sizes", [(), (8,)])
def test_loss_and_probabilities_are_those_of_the_padded_objective(sizes):
    # Training runs on the tokens of all texts packed end to end (no padding);
    # the loss it reports (at the end of training, not at its start) and its
    # probabilities are those of the padded formulation, computed here
    # independently in float64.
    texts, y, _ = few_token_texts(n=80, width=6, seed=1)
    probe = AttentionProbe(sizes, C=0.5, random_state=0).fit(texts, y)
    loss, proba = _padded_objective(probe, texts, y)
    assert probe.loss_ == pytest.approx(loss, rel=1e-5)
    np.testing.assert_allclose(probe.predict_proba(texts), proba, atol=1e-10)
    weights = probe.attention_weights(texts)
    assert [len(w) for w in weights] == [len(t) for t in texts]
