"""Linear concept erasure: :class:`ConceptEraser` (LEACE, Belrose et al. 2023).

After erasure no linear classifier can predict the concept from the vectors
better than a constant guess (on the data the eraser was fitted on), and among
all affine maps with that property LEACE moves the vectors least in mean
squared distance.

The closed form, with ``X`` centred, ``Z`` the concept (one-hot classes or
numbers) centred, ``Σ_XX`` and ``Σ_XZ`` their covariances, ``W = Σ_XX^{-1/2}``
(a pseudo-inverse square root) and ``U`` the left singular vectors of
``W Σ_XZ`` whose singular values pass ``tol``::

    r(x) = x - W⁺ U Uᵀ W (x - mean(X))

``method="orth"`` drops the whitening (``W = I``): the orthogonal projection
out of the cross-covariance's column space, which also erases but moves the
vectors more. Computed in float64 with numpy, so the eraser runs without torch;
it equals the ``concept-erasure`` package's ``LeaceFitter`` (without shrinkage
or the trace constraint), which the tests check.
"""

import numbers

import numpy as np
from sklearn.base import BaseEstimator, OneToOneFeatureMixin, TransformerMixin
from sklearn.preprocessing import LabelBinarizer
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.multiclass import type_of_target
from sklearn.utils.validation import check_is_fitted, validate_data


class ConceptEraser(OneToOneFeatureMixin, TransformerMixin, BaseEstimator):
    """Remove a concept from vectors so that no linear probe can read it.

    Fitted on vectors and the concept's labels (classes, or numbers for a
    continuous concept); ``transform`` applies the least-squares optimal
    linear erasure (LEACE) to any vectors of the same width.

    Parameters
    ----------
    method : {"leace", "orth"}, default="leace"
        ``"leace"``: the least-squares optimal eraser. ``"orth"``: the
        orthogonal projection out of the directions that covary with the
        concept (simpler, moves the vectors more).
    tol : float, default=0.01
        Singular values of the whitened cross-covariance at or below ``tol``
        are treated as zero (their directions are left alone).

    Attributes
    ----------
    mean_ : ndarray of shape (n_features,)
        The vectors' mean; erasure keeps it.
    proj_left_ : ndarray of shape (n_features, rank_)
    proj_right_ : ndarray of shape (rank_, n_features)
        The erasure is ``x - (x - mean_) @ proj_right_.T @ proj_left_.T``.
    rank_ : int
        Number of directions erased (at most the number of classes minus one).
    n_features_in_ : int

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklearn.model_selection import cross_val_score
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn_probe.causal import ConceptEraser
    >>> rng = np.random.default_rng(0)
    >>> y = np.repeat([0, 1], 200)
    >>> X = rng.normal(size=(400, 20)) + 2 * y[:, None] * (np.arange(20) == 3)
    >>> probe = LogisticRegression()
    >>> float(cross_val_score(probe, X, y).mean()) > 0.8
    True
    >>> erased = cross_val_score(make_pipeline(ConceptEraser(), probe), X, y)
    >>> float(erased.mean()) < 0.6
    True
    """

    _parameter_constraints = {
        "method": [StrOptions({"leace", "orth"})],
        "tol": [Interval(numbers.Real, 0, None, closed="neither")],
    }

    def __init__(self, method="leace", *, tol=0.01):
        self.method = method
        self.tol = tol

    def fit(self, X, y):
        """Fit the eraser of the concept ``y`` on the vectors ``X``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            The vectors (e.g. one layer's hidden states).
        y : array-like of shape (n_samples,) or (n_samples, n_targets)
            The concept: class labels, or numbers.

        Returns
        -------
        self : ConceptEraser
        """
        self._validate_params()
        X, y = validate_data(self, X, y, dtype=np.float64, multi_output=True)
        if X.shape[0] < 2:
            raise ValueError(
                "ConceptEraser needs at least 2 samples to fit; got "
                f"n_samples={X.shape[0]}."
            )
        Z = _concept_matrix(y)
        self.mean_ = X.mean(axis=0)
        Xc, Zc = X - self.mean_, Z - Z.mean(axis=0)
        n = X.shape[0]
        sigma_xz = Xc.T @ Zc / (n - 1)
        if self.method == "leace":
            whiten, unwhiten = _whitening(Xc.T @ Xc / (n - 1))
        else:
            whiten = unwhiten = np.eye(X.shape[1])
        u, s, _ = np.linalg.svd(whiten @ sigma_xz, full_matrices=False)
        u = u[:, s > self.tol]
        self.proj_left_ = unwhiten @ u
        self.proj_right_ = u.T @ whiten
        self.rank_ = u.shape[1]
        return self

    def transform(self, X):
        """The vectors with the concept erased.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Vectors of the width the eraser was fitted on.

        Returns
        -------
        ndarray of shape (n_samples, n_features)
        """
        check_is_fitted(self)
        X = validate_data(self, X, dtype=np.float64, reset=False)
        return X - ((X - self.mean_) @ self.proj_right_.T) @ self.proj_left_.T

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.required = True
        return tags


def _concept_matrix(y):
    """One column per class (one for two classes), or the numbers themselves."""
    kind = type_of_target(y, input_name="y", raise_unknown=True)
    if kind in ("continuous", "continuous-multioutput"):
        return np.asarray(y, dtype=np.float64).reshape(len(y), -1)
    if kind not in ("binary", "multiclass"):
        raise ValueError(
            f"ConceptEraser erases classes (one label per sample) or numbers; got "
            f"targets of type {kind!r} (Unknown label type)."
        )
    return LabelBinarizer().fit_transform(y).astype(np.float64)


def _whitening(sigma):
    """``Σ^{-1/2}`` and ``Σ^{1/2}`` on the covariance's support (as ``pinv``)."""
    values, vectors = np.linalg.eigh((sigma + sigma.T) / 2)
    keep = values > values[-1] * sigma.shape[0] * np.finfo(values.dtype).eps
    values = np.clip(values, 0, None)
    inv_root = np.where(keep, 1 / np.sqrt(np.where(keep, values, 1)), 0)
    root = np.where(keep, np.sqrt(values), 0)
    return (vectors * inv_root) @ vectors.T, (vectors * root) @ vectors.T
