"""Chance: the best score of guessing without the texts, on the same folds.

A no-information guesser sees the training labels and nothing else. Which one
scores best depends on the scoring: for accuracy always the majority class,
for macro-averaged F1 guessing at the class rates (0.33 on three balanced
classes, where the majority class scores 0.17), for R^2 the training mean or
median. :func:`chance_level` scores every guesser of the task
(:attr:`TaskSpec.guessers`) on the sweep's folds with its scoring and keeps
the best, named in ``settings["chance"]``.
"""

import warnings

import numpy as np

#: Draws of a random guesser (``stratified``, ``uniform``) averaged per fold.
N_DRAWS = 10


def chance_level(task, y, splits, scoring):
    """The chance score and what gave it.

    Returns
    -------
    score : float
        For accuracy the majority-class rate (not a cross-validated score: on
        balanced stratified folds a training fold's majority is its validation
        fold's minority). Otherwise the best mean cross-validated score, on
        ``splits``, of the task's guessers (``DummyClassifier`` ``prior``,
        ``stratified``, ``uniform``; ``DummyRegressor`` ``mean``, ``median``).
        A random guesser's score is its mean over ``N_DRAWS`` seeds, and it is
        kept only when it beats the best deterministic guesser by more than
        twice its standard error over the draws (for ROC AUC or balanced
        accuracy every guesser expects the same score, and the deterministic
        one's is exact).
    info : dict
        ``guesser`` (the strategy kept), ``estimator`` (its repr) and
        ``scores`` (every guesser's score), JSON-ready.
    """
    if task.is_classifier and scoring in (None, "accuracy"):
        best, scores = "prior", {"prior": _majority_rate(y)}
    else:
        best, scores = _best_guesser(task, y, splits, scoring)
    return scores[best], {
        "guesser": best,
        "estimator": repr(task.guesser(best)),
        "scores": scores,
    }


def _majority_rate(y):
    return float(np.unique(y, return_counts=True)[1].max() / len(y))


def _best_guesser(task, y, splits, scoring):
    from sklearn.model_selection import cross_val_score

    X = np.zeros((len(y), 1))
    scores, noise = {}, {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # ill-defined scores of a guess
        for strategy, _ in task.guessers:
            random = "random_state" in task.guesser(strategy).get_params()
            draws = [
                cross_val_score(
                    task.guesser(strategy, seed), X, y, cv=splits, scoring=scoring
                ).mean()
                for seed in range(N_DRAWS if random else 1)
            ]
            scores[strategy] = float(np.mean(draws))
            noise[strategy] = float(np.std(draws) / np.sqrt(len(draws)))
    # Deterministic guessers first (noise 0), the best of them; a random one
    # then has to beat it by more than its noise.
    best = None
    for strategy in sorted(scores, key=lambda s: noise[s] > 0):
        if best is None or scores[strategy] > scores[best] + 2 * noise[strategy]:
            best = strategy
    return best, scores
