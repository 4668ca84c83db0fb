"""Single neurons: which units of a layer carry the property?

:class:`NeuronSelector` ranks the units (dimensions) of a layer's vectors by
their weight in an elastic-net logistic probe on standardised vectors, as the
linguistic correlation analysis of NeuroX (Dalvi et al. 2019) does; it is a
scikit-learn selector (``get_support``, ``transform``), so it sits in a
``Pipeline`` before any probe. :func:`neuron_curve` scores a probe on the
top-k, the bottom-k and random sets of k units (the control of the same size)
on the same folds, the ranking refitted inside each training fold so that the
held-out texts never choose the units they are scored on.
"""

import numbers

import numpy as np
import pandas as pd
import sklearn
from sklearn.base import BaseEstimator, clone
from sklearn.feature_selection import SelectorMixin
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, check_cv
from sklearn.preprocessing import StandardScaler
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval
from sklearn.utils.fixes import parse_version
from sklearn.utils.validation import check_is_fitted, validate_data

# scikit-learn 1.8 reads l1_ratio alone; before, it needed penalty="elasticnet".
_NEEDS_PENALTY = parse_version(sklearn.__version__) < parse_version("1.8")


def elastic_net_probe(
    *, l1_ratio=0.5, C=1.0, max_iter=2000, tol=1e-4, random_state=None
):
    """``LogisticRegression`` with an elastic-net penalty (saga solver)."""
    extra = {"penalty": "elasticnet"} if _NEEDS_PENALTY else {}
    return LogisticRegression(
        solver="saga",
        l1_ratio=l1_ratio,
        C=C,
        max_iter=max_iter,
        tol=tol,
        random_state=random_state,
        **extra,
    )


class NeuronSelector(SelectorMixin, BaseEstimator):
    """Keep the ``n_neurons`` units with the largest elastic-net probe weights.

    Parameters
    ----------
    n_neurons : int, default=50
        How many units ``get_support`` keeps (all are ranked).
    l1_ratio : float in [0, 1], default=0.5
        Mix of the L1 (sparsity) and L2 (grouping of correlated units) penalty.
    C : float, default=1.0
        Inverse strength of the penalty.
    max_iter : int, default=2000
        Most epochs of the saga solver.
    tol : float, default=1e-4
        The solver's stopping tolerance.
    random_state : int, RandomState instance or None, default=None
        Seeds the saga solver's order of samples.

    Attributes
    ----------
    coef_ : ndarray of shape (n_classes or 1, n_features_in_)
        The probe's weights on standardised units.
    importance_ : ndarray of shape (n_features_in_,)
        Sum over classes of the weights' magnitudes.
    ranking_ : ndarray of shape (n_features_in_,)
        Unit indices from the most to the least important.
    class_rankings_ : dict
        For each class, the units ordered by the magnitude of that class's
        weight (two classes share the one weight row).
    classes_ : ndarray
    n_iter_ : int
        Epochs the saga solver ran.
    n_features_in_ : int

    Examples
    --------
    >>> from sklearn.datasets import make_classification
    >>> from sklearn_probe.causal import NeuronSelector
    >>> X, y = make_classification(n_samples=300, n_features=40, n_informative=3,
    ...                            n_redundant=0, shuffle=False, random_state=0)
    >>> selector = NeuronSelector(n_neurons=3, random_state=0).fit(X, y)
    >>> sorted(selector.ranking_[:3].tolist())
    [0, 1, 2]
    """

    _parameter_constraints = {
        "n_neurons": [Interval(numbers.Integral, 1, None, closed="left")],
        "l1_ratio": [Interval(numbers.Real, 0, 1, closed="both")],
        "C": [Interval(numbers.Real, 0, None, closed="neither")],
        "max_iter": [Interval(numbers.Integral, 1, None, closed="left")],
        "tol": [Interval(numbers.Real, 0, None, closed="left")],
        "random_state": ["random_state"],
    }

    def __init__(
        self,
        n_neurons=50,
        *,
        l1_ratio=0.5,
        C=1.0,
        max_iter=2000,
        tol=1e-4,
        random_state=None,
    ):
        self.n_neurons = n_neurons
        self.l1_ratio = l1_ratio
        self.C = C
        self.max_iter = max_iter
        self.tol = tol
        self.random_state = random_state

    def fit(self, X, y):
        """Fit the elastic-net probe and rank the units.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_units)
            The vectors.
        y : array-like of shape (n_samples,)
            Class labels.

        Returns
        -------
        self : NeuronSelector
        """
        self._validate_params()
        X, y = validate_data(self, X, y)
        probe = elastic_net_probe(
            l1_ratio=self.l1_ratio,
            C=self.C,
            max_iter=self.max_iter,
            tol=self.tol,
            random_state=self.random_state,
        ).fit(StandardScaler().fit_transform(X), y)
        self.classes_ = probe.classes_
        self.coef_ = probe.coef_
        self.n_iter_ = int(np.max(probe.n_iter_))
        self.importance_ = np.abs(self.coef_).sum(axis=0)
        self.ranking_ = _order(self.importance_)
        rows = self.coef_ if len(self.classes_) > 2 else self.coef_[[0, 0]]
        self.class_rankings_ = {
            c: _order(np.abs(row)) for c, row in zip(self.classes_, rows, strict=True)
        }
        return self

    def _get_support_mask(self):
        check_is_fitted(self)
        mask = np.zeros(self.n_features_in_, dtype=bool)
        mask[self.ranking_[: self.n_neurons]] = True
        return mask


def _order(importance):
    """Indices by decreasing importance, ties by index (a stable order)."""
    return np.argsort(-importance, kind="stable")


def neuron_curve(probe, X, y, ks, *, selector=None, cv=5, n_random=5, random_state=0):
    """Scores of ``probe`` on the top-k, bottom-k and random k units, per k.

    The units are ranked by ``selector`` (default :class:`NeuronSelector`)
    inside each training fold; the random sets (``n_random`` per k and fold)
    are the control of the same size.

    Parameters
    ----------
    probe : classifier
        Refitted on each fold's chosen units.
    X : array-like of shape (n_samples, n_units)
        The vectors.
    y : array-like of shape (n_samples,)
        Class labels.
    ks : iterable of int
        Sizes of the unit sets.
    selector : estimator with ``ranking_``, default=None
        Ranks the units; None is ``NeuronSelector(random_state=random_state)``.
    cv : int or splitter, default=5
        Stratified for classes when an int.
    n_random : int, default=5
        Random sets per k and fold.
    random_state : int, default=0
        Seeds the folds' shuffle (when ``cv`` is an int) and the random sets.

    Returns
    -------
    pandas.DataFrame
        One row per k: ``top``, ``bottom``, ``random_mean``, ``random_low``,
        ``random_high`` (the random sets' mean, and the lowest and highest of
        their fold means), each a mean over folds.
    """
    X, y = np.asarray(X), np.asarray(y)
    ks = [int(k) for k in ks]
    if not ks or min(ks) < 1 or max(ks) > X.shape[1]:
        raise ValueError(
            f"ks must be sizes between 1 and the {X.shape[1]} units; got {ks}."
        )
    selector = (
        NeuronSelector(random_state=random_state) if selector is None else selector
    )
    if isinstance(cv, numbers.Integral):
        cv = StratifiedKFold(int(cv), shuffle=True, random_state=random_state)
    splitter = check_cv(cv, y, classifier=True)
    rng = check_random_state(random_state)
    scores = {k: {"top": [], "bottom": [], "random": []} for k in ks}
    for train, test in splitter.split(X, y):
        ranking = clone(selector).fit(X[train], y[train]).ranking_
        for k in ks:
            sets = {"top": [ranking[:k]], "bottom": [ranking[-k:]]}
            sets["random"] = [
                rng.choice(X.shape[1], k, replace=False) for _ in range(n_random)
            ]
            for kind, unit_sets in sets.items():
                scores[k][kind].append(
                    [_score(probe, X, y, train, test, units) for units in unit_sets]
                )
    return pd.DataFrame([_curve_row(k, s) for k, s in scores.items()])


def _score(probe, X, y, train, test, units):
    fitted = clone(probe).fit(X[np.ix_(train, units)], y[train])
    return fitted.score(X[np.ix_(test, units)], y[test])


def _curve_row(k, scores):
    random = np.asarray(scores["random"])  # (folds, n_random)
    by_draw = random.mean(axis=0)
    return {
        "k": k,
        "top": float(np.mean(scores["top"])),
        "bottom": float(np.mean(scores["bottom"])),
        "random_mean": float(by_draw.mean()),
        "random_low": float(by_draw.min()),
        "random_high": float(by_draw.max()),
    }
