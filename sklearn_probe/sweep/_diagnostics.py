"""What a layer sweep's mean scores alone do not show.

- Probes that learned nothing (:func:`_degenerate_folds`): in a fold, the
  fitted probe predicted one class for every one of its training texts (a
  regression probe: a constant), or scored no better than chance on them. The
  search says whether each fold's probe predicts a constant on its training
  texts (:func:`_search_scoring`, one more entry of a multi-metric search that
  reuses the predictions the score needs).
- Ties with the best row (:func:`_tied_with_best`).
- The best candidate's cross-validated predictions (:func:`_best_predictions`),
  from which the report draws per-class precision and recall and a confusion
  matrix.
- A text of each class (a regression: of the smallest, a middle and the
  largest target) from the user's own data (:func:`_example_texts`), for the
  "try it" command.
"""

import numpy as np
from sklearn.base import clone
from sklearn.metrics import check_scoring, make_scorer
from sklearn.model_selection import cross_val_predict

from ..utils._names import CV
from ._kinds import task_spec
from ._search import _single_torch_thread

#: The key of the search's own score in its multi-metric scoring: the
#: ``cv_results_`` keys stay ``mean_test_score``, ``split0_train_score``, ...
SCORE = "score"
CONSTANT = "constant_predictions"

#: Two mean scores equal when rounded to this many decimals (as printed) tie.
TIE_DECIMALS = 3


def _constant_predictions(y_true, y_pred, task):
    """1 when the predictions are constant, else 0: one class, or for a
    regression a standard deviation at most ``CONSTANT_SPREAD`` of the
    targets' (:meth:`TaskSpec.constant_predictions`)."""
    return float(task.constant_predictions(y_true, y_pred))


def _search_scoring(estimator, scoring, task):
    """The search's scoring: the sweep's score, and whether each fold's probe
    predicts a constant (on its training texts with ``return_train_score``).
    ``task``: a :class:`TaskSpec` or its name."""
    constant = make_scorer(
        _constant_predictions,
        response_method="predict",
        task=task_spec(task),
    )
    return {SCORE: check_scoring(estimator, scoring=scoring), CONSTANT: constant}


def _degenerate_folds(cv_results, n_folds, chance_score):
    """Per candidate, the folds whose probe learned nothing.

    A fold's probe learned nothing when it predicts one class (a constant) for
    every text it was trained on, or when its training score is at most
    ``chance_score`` (the score of guessing without the texts).
    """
    counts = np.zeros(len(cv_results[f"mean_test_{SCORE}"]), dtype=int)
    for k in range(n_folds):
        one_class = np.asarray(cv_results[f"split{k}_train_{CONSTANT}"]) > 0
        at_chance = np.asarray(cv_results[f"split{k}_train_{SCORE}"]) <= chance_score
        counts += one_class | at_chance
    return counts


def _tied_with_best(scores, best_index, n_folds):
    """Whether each row ties with the best row: within fold noise, or equal as
    printed.

    Within fold noise: the mean over folds of the paired differences
    ``best - row`` (the rows share their folds) is at most their standard error
    (sample standard deviation / sqrt(number of folds)), i.e. the difference is
    within one standard error of zero. Equal as printed: the two mean scores
    round to the same value at ``TIE_DECIMALS`` decimals (at a ceiling such as
    1.000 the folds agree and the standard error is 0). The best row ties with
    itself.
    """
    folds = scores[[f"{CV}_fold{k}" for k in range(n_folds)]].to_numpy(float)
    diff = folds[scores.index.get_loc(best_index)] - folds
    standard_error = diff.std(axis=1, ddof=1) / np.sqrt(n_folds)
    means = scores[f"{CV}_mean"].to_numpy(float)
    printed = np.round(means, TIE_DECIMALS) == np.round(
        means[scores.index.get_loc(best_index)], TIE_DECIMALS
    )
    return (diff.mean(axis=1) <= standard_error) | printed


def _best_predictions(pipe, best_params, inputs, search=None):
    """Cross-validated predictions of the best candidate on the training texts.

    On the first ``n_splits`` folds of the search (the first repeat, one
    prediction per text): those the search kept (``keep_predictions``), else
    the probe refitted on each training fold from the cached vectors, with no
    forward pass. None when those folds do not hold every text exactly once (a
    splitter such as ``ShuffleSplit``).
    """
    splits = inputs.splits[: inputs.n_splits]
    held_out = np.sort(np.concatenate([test for _, test in splits]))
    if not np.array_equal(held_out, np.arange(len(inputs.texts))):
        return None
    kept = None if search is None else search.best_cv_predictions(inputs.n_splits)
    if kept is not None:
        return kept
    estimator = clone(pipe).set_params(**best_params)
    with _single_torch_thread():
        return cross_val_predict(estimator, inputs.texts, inputs.y, cv=splits)


def _example_texts(texts, y, classes):
    """One text per class, for trying the saved pipeline.

    The shortest text of the class with at least three words (else its
    shortest), so that the command that shows it stays short. ``classes``
    None (a regression): the texts of the smallest, the median and the
    largest target. Conversations are compared by their readable line.
    """
    from ..utils._conversations import readable

    texts = list(texts)
    shown = [readable(t) for t in texts]  # conversations: their line
    y = np.asarray(y)
    if classes is None:
        order = np.argsort(y, kind="stable")
        picks = dict.fromkeys(order[[0, len(order) // 2, -1]].tolist())
        return [texts[i] for i in picks]
    examples = []
    for label in classes:
        members = np.flatnonzero(y == label).tolist()
        if not members:
            continue
        wordy = [i for i in members if len(shown[i].split()) >= 3] or members
        examples.append(texts[min(wordy, key=lambda i: len(shown[i]))])
    return examples
