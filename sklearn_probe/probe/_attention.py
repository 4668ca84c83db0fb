"""A probe that pools for itself: :class:`AttentionProbe`.

Mean pooling gives every token of a text the same weight, so evidence that
sits in a few tokens of a long text is diluted by all the others. An attention
probe learns a query vector ``q``; each token's state ``h_t`` gets the weight
``softmax_t(h_t · q)`` over the text's tokens, and a linear (or MLP) head reads
the weighted sum. With ``q = 0`` the weights are uniform: training starts from
mean pooling and moves away from it only where that lowers the loss.

Its ``X`` is one text per item: an array of shape ``(n_tokens, n_features)``
per text (a list, or an object array, of any lengths), a 3-D array
``(n_texts, n_tokens, n_features)``, or a 2-D array (one token per text, where
the probe is an ordinary linear classifier: what scikit-learn's common checks
feed it).

Training reads each token's state twice per evaluation of the loss (for a
linear head: the scores and the head's logits of every token in one product
with ``[q | W^T]``, and the gradient back in one more), over the tokens of all
texts end to end rather than padded to the longest. It runs the same L-BFGS
as a padded formulation would: the same iterations, probabilities equal to
float32 rounding (within 1e-5 on the benchmark's texts; the user guide's page
gives the figures).
"""

import numbers
import warnings

import numpy as np
from scipy.sparse import csr_matrix, issparse
from scipy.special import softmax
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.exceptions import ConvergenceWarning
from sklearn.preprocessing import LabelEncoder
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, validate_data

from ._attention_module import attention_module

_MAX_SEED = np.iinfo(np.int32).max


class AttentionProbe(ClassifierMixin, BaseEstimator):
    """Classify texts from their token states, pooled by learned attention.

    Parameters
    ----------
    hidden_layer_sizes : tuple of int, default=()
        Sizes of the head's hidden layers; ``()`` is a linear head.
    C : float, default=1.0
        Inverse strength of the L2 penalty on the query and the head, scaled
        as :class:`ProbeClassifier`'s (``n_features * ||W||² / (2 C)`` over
        the summed loss).
    max_iter : int, default=500
        Most iterations of full-batch L-BFGS (a ``ConvergenceWarning`` when
        reached).
    tol : float, default=1e-6
        L-BFGS stops when the loss or the gradient changes less than ``tol``.
    batch_size : int, default=256
        Texts per batch when predicting (the states of one batch at a time);
        training holds the states of every training token once, text after
        text, without padding.
    random_state : int, RandomState instance or None, default=None
        Seeds the head's initialisation.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
    n_features_in_ : int
        Width of a token state.
    n_iter_ : int
        L-BFGS iterations run.
    loss_ : float
        The penalised training loss at the end.
    query_ : ndarray of shape (n_features_in_,)
        The learned query on standardised token states.
    coefs_, intercepts_ : list of ndarray
        The head's layers (``hidden @ coefs_[i] + intercepts_[i]``, ReLU
        between them).
    mean_, scale_ : ndarray of shape (n_features_in_,)
        The standardisation of the token states.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_probe import AttentionProbe
    >>> rng = np.random.default_rng(0)
    >>> texts = [rng.normal(size=(rng.integers(20, 40), 8)) for _ in range(200)]
    >>> y = np.arange(200) % 2
    >>> for tokens, label in zip(texts, y):
    ...     tokens[0, 0] += 6 * label   # the evidence: one token of each text
    >>> probe = AttentionProbe(random_state=0).fit(texts[:150], y[:150])
    >>> float(probe.score(texts[150:], y[150:])) > 0.9
    True
    """

    _parameter_constraints = {
        "hidden_layer_sizes": ["array-like"],
        "C": [Interval(numbers.Real, 0, None, closed="neither")],
        "max_iter": [Interval(numbers.Integral, 1, None, closed="left")],
        "tol": [Interval(numbers.Real, 0, None, closed="neither")],
        "batch_size": [Interval(numbers.Integral, 1, None, closed="left")],
        "random_state": ["random_state"],
    }

    def __init__(
        self,
        hidden_layer_sizes=(),
        *,
        C=1.0,
        max_iter=500,
        tol=1e-6,
        batch_size=256,
        random_state=None,
    ):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.C = C
        self.max_iter = max_iter
        self.tol = tol
        self.batch_size = batch_size
        self.random_state = random_state

    def fit(self, X, y):
        """Fit the query and the head on token states ``X`` and labels ``y``.

        Parameters
        ----------
        X : list of arrays of shape (n_tokens, n_features), 3-D or 2-D array
            Each text's token states (see the class docstring).
        y : array-like of shape (n_texts,)
            Class labels.

        Returns
        -------
        self : AttentionProbe
        """
        self._validate_params()
        texts, y = self._check_texts(X, y, reset=True)
        check_classification_targets(y)
        encoder = LabelEncoder()
        y_encoded = encoder.fit_transform(y)
        self.classes_ = encoder.classes_
        if len(self.classes_) < 2:
            raise ValueError(
                "AttentionProbe needs samples of at least 2 classes; got 1 class "
                f"({self.classes_[0]!r})."
            )
        tokens = np.concatenate(texts)
        self.mean_ = tokens.mean(axis=0)
        scale = tokens.std(axis=0)
        self.scale_ = np.where(scale > 1e-12, scale, 1.0)
        # Standardised in place: the training states, text after text.
        tokens -= self.mean_
        tokens /= self.scale_
        lengths = np.fromiter((len(t) for t in texts), np.int64, len(texts))
        self._train(tokens, np.repeat(np.arange(len(texts)), lengths), y_encoded)
        return self

    def decision_function(self, X):
        """Logits of the classes.

        Parameters
        ----------
        X : list of arrays of shape (n_tokens, n_features), 3-D or 2-D array
            Each text's token states (see the class docstring).

        Returns
        -------
        ndarray of shape (n_texts,) for two classes, else (n_texts, n_classes)
        """
        logits = self._logits(X)
        return logits[:, 1] - logits[:, 0] if len(self.classes_) == 2 else logits

    def predict_proba(self, X):
        """Class probabilities.

        Parameters
        ----------
        X : list of arrays of shape (n_tokens, n_features), 3-D or 2-D array
            Each text's token states (see the class docstring).

        Returns
        -------
        ndarray of shape (n_texts, n_classes)
        """
        return softmax(self._logits(X), axis=1)

    def predict(self, X):
        """The most probable class of each text.

        Parameters
        ----------
        X : list of arrays of shape (n_tokens, n_features), 3-D or 2-D array
            Each text's token states (see the class docstring).

        Returns
        -------
        ndarray of shape (n_texts,)
        """
        logits = self._logits(X)
        return self.classes_[np.argmax(logits, axis=1)]

    def attention_weights(self, X):
        """Each text's attention weights over its tokens (each sums to 1).

        Parameters
        ----------
        X : list of arrays of shape (n_tokens, n_features), 3-D or 2-D array
            Each text's token states (see the class docstring).

        Returns
        -------
        list of ndarray of shape (n_tokens,)
        """
        out = []
        for starts, _, weights in self._attended(X):
            out += np.split(weights, starts[1:])
        return out

    # -- steps -----------------------------------------------------------------

    def _check_texts(self, X, y=None, *, reset):
        """A list of float32 arrays (n_tokens, n_features), one per text."""
        if not _ragged(X):
            args = (X,) if y is None else (X, y)
            checked = validate_data(self, *args, reset=reset, dtype=np.float32)
            X, y = (checked, y) if y is None else checked
            return [row[None, :] for row in X], y
        texts = [np.asarray(t, dtype=np.float32) for t in X]
        widths = {t.shape[-1] if t.ndim == 2 else None for t in texts}
        if not texts or None in widths or len(widths) != 1:
            raise ValueError(
                "AttentionProbe takes one array of token states per text, each "
                "of shape (n_tokens, n_features) with the same n_features; got "
                f"{len(texts)} texts with shapes "
                f"{sorted({t.shape for t in texts}, key=str)[:3]}."
            )
        empty = [i for i, t in enumerate(texts) if len(t) == 0]
        if empty:
            raise ValueError(f"Text {empty[0]} has no token states.")
        if not all(np.isfinite(t).all() for t in texts):
            raise ValueError("Token states contain NaN or infinity.")
        width = widths.pop()
        if reset:
            self.n_features_in_ = width
        elif width != self.n_features_in_:
            raise ValueError(
                f"X has {width} features, but AttentionProbe is expecting "
                f"{self.n_features_in_} features as input."
            )
        if y is not None:
            y = np.asarray(y)
            if len(y) != len(texts):
                raise ValueError(f"{len(texts)} texts but {len(y)} labels.")
        return texts, y

    def _train(self, tokens, segments, y):
        """Full-batch L-BFGS on the penalised cross-entropy, from mean pooling,
        over the standardised states of every training token (no padding:
        row ``i`` belongs to text ``segments[i]``)."""
        import torch

        rng = check_random_state(self.random_state)
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(int(rng.randint(_MAX_SEED)))
            self.module_ = attention_module(
                self.n_features_in_, tuple(self.hidden_layer_sizes), len(self.classes_)
            )
        n_texts = len(y)
        tokens, segments = torch.from_numpy(tokens), torch.from_numpy(segments)
        targets = torch.from_numpy(y.astype(np.int64))
        penalty = self.n_features_in_ / (2 * self.C * n_texts)
        weights = [p for n, p in self.module_.named_parameters() if "bias" not in n]
        optimizer = torch.optim.LBFGS(
            self.module_.parameters(),
            max_iter=self.max_iter,
            tolerance_change=self.tol,
            tolerance_grad=self.tol,
            history_size=20,
            line_search_fn="strong_wolfe",
        )

        def objective():
            logits = self.module_(tokens, segments, n_texts)
            loss = torch.nn.functional.cross_entropy(logits, targets)
            return loss + penalty * sum((w**2).sum() for w in weights)

        def closure():
            optimizer.zero_grad()
            loss = objective()
            loss.backward()
            return loss

        optimizer.step(closure)  # returns the loss at the start
        with torch.no_grad():
            self.loss_ = float(objective())
        self.n_iter_ = int(optimizer.state[optimizer._params[0]]["n_iter"])
        if self.n_iter_ >= self.max_iter:
            warnings.warn(
                f"AttentionProbe stopped after max_iter={self.max_iter} L-BFGS "
                "iterations before its tolerance: raise max_iter (or tol).",
                ConvergenceWarning,
                stacklevel=3,
            )
        self._keep_weights()

    def _keep_weights(self):
        """The trained query and head as numpy arrays (pickles without torch)."""
        module = self.module_
        del self.module_
        self.query_ = module.query.detach().numpy().astype(np.float64)
        linears = [m for m in module.head if hasattr(m, "weight")]
        self.coefs_ = [m.weight.detach().numpy().T.astype(np.float64) for m in linears]
        self.intercepts_ = [m.bias.detach().numpy().astype(np.float64) for m in linears]

    def _attended(self, X):
        """Per batch of ``X``'s texts: where each text starts among the rows,
        the standardised states of their tokens (text after text, no
        padding) and each token's attention weight (a softmax per text)."""
        check_is_fitted(self)
        texts, _ = self._check_texts(X, reset=False)
        for batch in _batches(len(texts), self.batch_size):
            lengths = np.fromiter((len(texts[i]) for i in batch), np.int64, len(batch))
            starts = np.concatenate([[0], np.cumsum(lengths)[:-1]])
            tokens = np.concatenate([texts[i] for i in batch])
            tokens -= self.mean_
            tokens /= self.scale_
            scores = tokens @ self.query_
            scores -= np.repeat(np.maximum.reduceat(scores, starts), lengths)
            weights = np.exp(scores)
            weights /= np.repeat(np.add.reduceat(weights, starts), lengths)
            yield starts, tokens, weights

    def _logits(self, X):
        parts = []
        for starts, tokens, weights in self._attended(X):
            # Each text's weighted sum of its states: a sparse product, one
            # pass over the states.
            rows = csr_matrix(
                (weights, np.arange(len(tokens)), np.append(starts, len(tokens))),
                shape=(len(starts), len(tokens)),
            )
            hidden = rows @ tokens
            for k, (coef, intercept) in enumerate(
                zip(self.coefs_, self.intercepts_, strict=True)
            ):
                hidden = hidden @ coef + intercept
                if k < len(self.coefs_) - 1:
                    hidden = np.maximum(hidden, 0)
            parts.append(hidden)
        return np.concatenate(parts)


def _ragged(X):
    """Texts of token states (3-D, or items of 2-D arrays), not one row each."""
    if issparse(X):
        return False  # validate_data says that sparse input is not supported
    if isinstance(X, np.ndarray) and X.dtype != object:
        return X.ndim == 3
    if not isinstance(X, list | tuple) and not (
        isinstance(X, np.ndarray) and X.ndim == 1
    ):
        return False  # an array-like of rows: validate_data reads it
    return len(X) > 0 and all(np.ndim(t) == 2 for t in X)


def _batches(n, size):
    return [np.arange(i, min(i + size, n)) for i in range(0, n, size)]
