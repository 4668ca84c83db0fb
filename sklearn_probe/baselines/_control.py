"""ControlTask: a classifier or regressor fitted on permuted labels, and
selectivity."""

import numbers

import joblib
import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, MetaEstimatorMixin, clone, is_classifier
from sklearn.utils import assert_all_finite, check_random_state, get_tags
from sklearn.utils.metaestimators import available_if
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import (
    check_consistent_length,
    check_is_fitted,
    column_or_1d,
)


def _estimator_has(attr):
    """Check the fitted estimator if there is one, else the unfitted one."""

    def check(self):
        if hasattr(self, "estimator_"):
            return hasattr(self.estimator_, attr)
        return hasattr(self.estimator, attr)

    return check


class ControlTask(MetaEstimatorMixin, BaseEstimator):
    """Fit an estimator on randomly permuted labels: the permuted-label control.

    ``fit(X, y)`` clones ``estimator`` and fits the clone on ``X`` with ``y``
    shuffled by ``random_state``. Prediction and scoring delegate to that
    clone. The permutation keeps the label distribution (each class keeps its
    count; a continuous target keeps its values) but breaks every link between
    an example and its label, so no representation can help: a held-out score
    above chance measures nothing but the label prior and the evaluation noise.

    The control is a classifier when ``estimator`` is one and a regressor
    when ``estimator`` is one (scikit-learn's ``is_classifier`` and
    ``is_regressor`` follow it): with a regressor such as
    :class:`~sklearn_probe.ProbeRegressor` it is the permuted-target control
    of a continuous property, scored by R^2 like the regressor.

    Inside cross-validation (``cross_val_score``, ``GridSearchCV``) ``fit`` sees
    only the training fold, so labels are permuted *within each training fold*;
    scoring uses the test fold's true labels. Used as the last step of a
    pipeline over cached hidden states, the control costs one more probe fit per
    fold and no forward pass.

    Parameters
    ----------
    estimator : estimator object
        The classifier or regressor (or pipeline ending in one) to fit on
        permuted labels. It is cloned in ``fit``; the object passed is never
        fitted.
    random_state : int, RandomState instance or None, default=None
        Seeds the permutation. With an int, every fit's permutation is drawn
        from that int and a hash of the training data (``X`` and ``y``): the
        same data always gets the same permutation, and every training fold
        of a cross-validation (every repeat too) gets a different one, so
        averaging over folds and repeats averages over permutations. A
        ``RandomState`` instance or ``None`` draws a fresh permutation from it
        on every fit. The estimator's own ``random_state`` is left as it is.

    Attributes
    ----------
    estimator_ : estimator object
        The clone of ``estimator`` fitted on the permuted labels.
    classes_ : ndarray of shape (n_classes,)
        The class labels (from ``estimator_``; classifiers only).
    permutation_ : ndarray of shape (n_samples,)
        Row ``i`` of ``X`` was fitted with label ``y[permutation_[i]]``.

    See Also
    --------
    selectivity : Real score minus control score.
    WordTypeControl : Hewitt & Liang's control for token-level labels.

    Notes
    -----
    Keyword arguments to ``fit`` (e.g. ``sample_weight``) are passed to the
    estimator unchanged: they stay with their rows of ``X``, not with the
    permuted labels.

    A control's score varies far more from fold to fold than the real probe's,
    most of all on well-separated features: a classifier fitted to permuted
    labels is a random decision rule, and whole clusters of the test fold fall
    on one side of it (on two tight synthetic clusters, single 5-fold scores
    ranged from 0.15 to 0.75 around a mean of 0.5). Report the mean over
    repeated cross-validation (``sklearn_probe.stats.repeated_cv_scores``)
    rather than one split.

    References
    ----------
    .. [1] J. Hewitt and P. Liang, "Designing and Interpreting Probes with
       Control Tasks", EMNLP 2019.

    Examples
    --------
    >>> from sklearn.datasets import make_classification
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklearn.model_selection import cross_val_score
    >>> X, y = make_classification(n_samples=200, class_sep=3, random_state=0)
    >>> real = cross_val_score(LogisticRegression(), X, y).mean()
    >>> control = cross_val_score(
    ...     ControlTask(LogisticRegression(), random_state=0), X, y
    ... ).mean()
    >>> bool(real > 0.9), bool(abs(control - 0.5) < 0.15)
    (True, True)
    """

    _required_parameters = ["estimator"]

    def __init__(self, estimator, *, random_state=None):
        self.estimator = estimator
        self.random_state = random_state

    def fit(self, X, y, **fit_params):
        """Fit a clone of ``estimator`` on ``X`` and a random permutation of ``y``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features) or sequence of str
            Whatever ``estimator`` accepts (numbers, or texts for a pipeline
            that starts with ``HiddenStateTransformer``).
        y : array-like of shape (n_samples,)
            Class labels (or a regressor's targets). They are permuted before
            fitting.
        **fit_params : dict
            Passed to ``estimator.fit`` unchanged.

        Returns
        -------
        self : ControlTask
            The fitted control.
        """
        if y is None:
            raise ValueError(
                "ControlTask requires y to be passed, but the target y is None."
            )
        y = column_or_1d(y, warn=True)
        assert_all_finite(y, input_name="y")
        if is_classifier(self.estimator):
            check_classification_targets(y)
        check_consistent_length(X, y)
        self.permutation_ = self._rng(X, y).permutation(y.shape[0])
        self.estimator_ = clone(self.estimator)
        self.estimator_.fit(X, y[self.permutation_], **fit_params)
        return self

    def _rng(self, X, y):
        """The permutation's random state: for an int ``random_state``, seeded
        by it and by the training rows, so folds differ and refits agree."""
        if not isinstance(self.random_state, numbers.Integral):
            return check_random_state(self.random_state)
        # md5 of the values, whatever holds them (list, DataFrame, array).
        rows = X if sp.issparse(X) else _as_rows(X)
        digest = int(joblib.hash((rows, y)), 16)
        seed = np.random.SeedSequence([int(self.random_state), digest])
        return np.random.RandomState(seed.generate_state(4))

    @property
    def classes_(self):
        """Class labels of the fitted estimator."""
        check_is_fitted(self)
        return self.estimator_.classes_

    @property
    def n_features_in_(self):
        """Number of features seen in ``fit`` (from the fitted estimator)."""
        check_is_fitted(self)
        return self.estimator_.n_features_in_

    @property
    def feature_names_in_(self):
        """Feature names seen in ``fit`` (from the fitted estimator)."""
        check_is_fitted(self)
        return self.estimator_.feature_names_in_

    def predict(self, X):
        """Predict with the estimator fitted on permuted labels.

        Parameters
        ----------
        X : array-like or sequence of str
            Input accepted by ``estimator``.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
            Predicted labels.
        """
        check_is_fitted(self)
        return self.estimator_.predict(X)

    @available_if(_estimator_has("predict_proba"))
    def predict_proba(self, X):
        """Class probabilities from the estimator fitted on permuted labels.

        Parameters
        ----------
        X : array-like or sequence of str
            Input accepted by ``estimator``.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            Columns follow ``classes_``.
        """
        check_is_fitted(self)
        return self.estimator_.predict_proba(X)

    @available_if(_estimator_has("predict_log_proba"))
    def predict_log_proba(self, X):
        """Log class probabilities from the estimator fitted on permuted labels.

        Parameters
        ----------
        X : array-like or sequence of str
            Input accepted by ``estimator``.

        Returns
        -------
        log_proba : ndarray of shape (n_samples, n_classes)
            Columns follow ``classes_``.
        """
        check_is_fitted(self)
        return self.estimator_.predict_log_proba(X)

    @available_if(_estimator_has("decision_function"))
    def decision_function(self, X):
        """Decision function of the estimator fitted on permuted labels.

        Parameters
        ----------
        X : array-like or sequence of str
            Input accepted by ``estimator``.

        Returns
        -------
        scores : ndarray of shape (n_samples,) or (n_samples, n_classes)
            As returned by ``estimator.decision_function``.
        """
        check_is_fitted(self)
        return self.estimator_.decision_function(X)

    def score(self, X, y, sample_weight=None):
        """The fitted estimator's own score on ``X`` and the true ``y``.

        Accuracy for a classifier, R^2 for a regressor (``estimator.score``).

        Parameters
        ----------
        X : array-like or sequence of str
            Input accepted by ``estimator``.
        y : array-like of shape (n_samples,)
            True labels or targets (not permuted).
        sample_weight : array-like of shape (n_samples,), default=None
            Sample weights, passed on when given.

        Returns
        -------
        score : float
            ``estimator_.score(X, y)``.
        """
        check_is_fitted(self)
        if sample_weight is None:
            return self.estimator_.score(X, y)
        return self.estimator_.score(X, y, sample_weight=sample_weight)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        inner = get_tags(self.estimator)
        # A classifier's control is a classifier, a regressor's a regressor.
        tags.estimator_type = inner.estimator_type
        tags.classifier_tags = inner.classifier_tags
        tags.regressor_tags = inner.regressor_tags
        tags.target_tags.required = True
        tags.input_tags.sparse = inner.input_tags.sparse
        tags.input_tags.allow_nan = inner.input_tags.allow_nan
        tags.input_tags.string = inner.input_tags.string
        tags.input_tags.two_d_array = inner.input_tags.two_d_array
        tags.input_tags.pairwise = inner.input_tags.pairwise
        return tags


def selectivity(score, control_score):
    """Selectivity: the probe's score minus its control score.

    Hewitt & Liang (2019) call a probe *selective* when it scores high on the
    real task and low on the control task; the difference is the part of the
    score the probe could not have reached without the representation encoding
    the property.

    Parameters
    ----------
    score : float or array-like
        Scores of the probe on the real labels (e.g. one per layer).
    control_score : float or array-like
        Scores of the same probe, same features, same folds, on control labels.

    Returns
    -------
    selectivity : float or ndarray
        ``score - control_score`` (elementwise; a pandas Series stays a Series).
    """
    return score - control_score


def control_search(pipe, candidates, texts, y, *, unit, random_state):
    """The control baseline's search: for texts, the sweep's candidates with
    each probe wrapped in :class:`ControlTask` (labels permuted inside each
    training fold); for words, the sweep's own search on Hewitt & Liang's
    word-type control labels (:class:`WordTypeControl`)."""
    if unit.has_word_types:
        from ._word_type import WordTypeControl

        control = WordTypeControl(random_state=random_state)
        return pipe, candidates, control.fit_control_labels(texts, y)
    estimator = clone(pipe).set_params(
        probe=ControlTask(clone(pipe.named_steps["probe"]))
    )
    return estimator, [_control_candidate(c, random_state) for c in candidates], y


def _control_candidate(candidate, random_state):
    """The candidate with its probe wrapped in ControlTask (same parameters)."""
    out = {}
    for key, values in candidate.items():
        if key == "probe":
            out[key] = [ControlTask(v, random_state=random_state) for v in values]
        elif key.startswith("probe__"):
            out["probe__estimator__" + key[len("probe__") :]] = values
        else:
            out[key] = values
    return out


def _as_rows(X):
    """``X`` as one array, or as it is when its rows differ in shape (the
    token states of texts of different lengths)."""
    try:
        return np.asarray(X)
    except ValueError:
        return list(X)
