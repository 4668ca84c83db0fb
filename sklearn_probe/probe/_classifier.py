"""ProbeClassifier: a linear or MLP probe trained with torch, as a scikit-learn
classifier.

The lesson's probe ended in a Sigmoid and trained with ``CrossEntropyLoss``, never
shuffled its batches and hard-coded a width of 768. This one outputs raw logits,
shuffles every epoch, takes its width from the data, and is seeded without
touching the caller's global torch random state.
"""

import numpy as np
from scipy.special import softmax
from sklearn.base import ClassifierMixin, _fit_context
from sklearn.preprocessing import LabelEncoder
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import validate_data

from ._base import _BaseProbe
from ._training import build_net, fit_adam, fit_lbfgs


class ProbeClassifier(ClassifierMixin, _BaseProbe):
    """Linear or MLP probe on fixed feature vectors, trained to its optimum.

    A scikit-learn classifier around a skorch ``NeuralNetClassifier``: the
    torch module maps standardised inputs through
    ``hidden_layer_sizes`` (ReLU between layers) to one raw logit per class.
    Training minimises the summed cross-entropy plus an L2 penalty (``C``) on
    all the training data (no internal validation split), until a tolerance on
    that objective says it has converged; ``max_epochs`` only bounds it, and a
    ``ConvergenceWarning`` says when the bound was hit.

    - A linear probe (the default) is convex: it is solved by L-BFGS
      (scikit-learn's ``LogisticRegression`` on the standardised features, at
      its default stopping rule: see ``tol``), and predicted from in numpy: a
      fit costs what ``LogisticRegression``'s does, and the skorch net holding
      the solution is built only when ``net_`` is read.
    - An MLP probe is trained with Adam on mini-batches shuffled every epoch,
      stopping when the training objective has not improved by ``tol`` for
      ``n_iter_no_change`` epochs (``MLPClassifier``'s rule).

    Parameters
    ----------
    hidden_layer_sizes : tuple of int, default=()
        Widths of the hidden layers. ``()`` is a linear probe (multinomial
        logistic regression); ``(768,)`` is the lesson's one-hidden-layer MLP.
        An int ``n`` means ``(n,)``.
    max_epochs : int, default=200
        Upper bound on the training: L-BFGS iterations of a linear probe (each
        a pass over the data; 4-18 sufficed on 30 to 10,000 samples of 2 to
        1,024 features), Adam epochs of an MLP.
    tol : float, default=1e-3
        Tolerance on the training objective (mean cross-entropy plus penalty
        / n_samples). A linear probe stops when every entry of the
        objective's gradient is below ``tol / 10`` (L-BFGS's ``gtol``): with
        the default, 1e-4, ``LogisticRegression``'s own default stopping
        rule, so the probe is that pipeline's solve, iteration for iteration.
        Its predicted probabilities are then as near the exact optimum's as
        that pipeline's: about 3e-4 on 800 to 5,000 samples of 384 and 768
        features with two and seven classes, but 1.6e-3 on hard many-class
        data (10,000 x 384, 17 classes) and 2.5e-3 on a weakly penalised
        problem (200 x 10, ``C=10``); lower ``tol`` to come closer (``1e-4``:
        within 1e-4 on all of these). An MLP stops when the objective has
        not improved by ``tol`` for ``n_iter_no_change`` consecutive epochs
        (``MLPClassifier``'s rule; its ``1e-4`` kept a (256,) probe on 240
        snippets training for 82-142 epochs for no better a score).
    n_iter_no_change : int, default=10
        Epochs without an improvement of ``tol`` after which an MLP stops.
    lr : float, default=1.0
        Adam's learning rate of an MLP probe, per input of a layer: a layer
        with ``fan_in`` inputs steps at ``lr / fan_in``, so one step moves
        its outputs by about the same amount whatever its width (0.0026 for
        MiniLM's 384 features). Constant: training stops when the objective
        levels off (why this default: the design notes).
    batch_size : int or "auto", default="auto"
        Samples per training mini-batch of an MLP. ``"auto"`` is ``min(256,
        max(32, n_samples // 4))``: batches of 256 on a few thousand samples,
        and at least four steps per epoch on small data. The size used is
        ``batch_size_``.
    C : float, default=1.0
        Inverse strength of the L2 penalty on the weights (not the biases),
        against the summed loss as in scikit-learn. The output layer
        (``fan_in`` inputs) costs ``fan_in * ||W||^2 / (2 C)``, a Gaussian
        prior of variance ``C / fan_in`` (the scale at which a layer's
        outputs stay the size of its inputs). For a linear probe on ``d``
        standardised features this is ``LogisticRegression(C=C / d)`` on
        those features, with two classes as with more: with two classes the
        output layer is one row of weights, the logit of ``classes_[1]``
        against ``classes_[0]``, as in ``LogisticRegression``. Hidden layers
        start from He initialisation and are pulled towards their initial
        weights, not towards 0, by ``fan_in * ||W - W_init||^2 / (20 C)``:
        a penalty towards 0 on every layer makes the constant probe the
        optimum on small data (a (768,) probe on 300 snippets predicted the
        majority class for every training sample). ``np.inf`` turns the
        penalty off.
    standardize : bool, default=True
        Scale every feature inside the probe with the training mean and
        standard deviation (constant features are only centred), so one
        learning rate and one penalty suit every dimension whatever the scale
        of the hidden states. Standardised features with a matching penalty
        beat raw ones on MiniLM's layers (``LogisticRegression``: 0.744 at
        best standardised vs 0.738 at best raw, over ``C``). The statistics
        are buffers of the torch module, so ``net_.module_`` alone maps raw
        vectors to logits.
    random_state : int, RandomState instance or None, default=None
        Seeds the weight initialisation and the shuffling of batches. An int
        gives identical results on every fit; ``None`` draws the seeds from
        numpy's global random state, like scikit-learn's estimators. The
        global torch random state of the caller is left as it was.
    device : str, default="auto"
        Torch device that trains an MLP probe and holds the module:
        ``"auto"`` picks CUDA (then Apple MPS) when available and the CPU
        otherwise; or any torch device string such as ``"cpu"`` or
        ``"cuda:1"``. A linear probe is solved on the CPU (a few L-BFGS
        iterations in float32, as ``LogisticRegression`` solves on a
        ``StandardScaler``'s float32 output) and its net, when ``net_`` is
        read, built there.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        Class labels seen in :meth:`fit`, sorted.
    n_features_in_ : int
        Number of features seen in :meth:`fit`.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Names of features seen in :meth:`fit`. Defined only when `X` has
        feature names that are all strings.
    net_ : skorch.NeuralNetClassifier
        The trained network (``PenalisedNet``, which adds the penalty to the
        loss). It sees labels encoded as ``0..n_classes-1``;
        ``net_.module_`` is the torch module and ``net_.history`` the training
        history (empty for a linear probe, whose net is built from its
        solution when ``net_`` is first read, and for a probe that was
        pickled or saved: only the module's parameters are saved).
    device_ : str
        The device the network was trained on.
    batch_size_ : int
        Samples per training mini-batch: ``batch_size``, or the size that
        ``"auto"`` chose.
    degenerate_ : bool
        Whether the probe learned nothing: it predicts one class for every
        training sample, or its training accuracy is no better than the most
        frequent class's rate. Its scores are then those of a constant, not
        evidence about the features: raise ``C`` or use more data. (Not a
        warning: permuted-label controls and random-weight baselines learn
        nothing by design.)
    n_iter_ : int
        L-BFGS iterations (linear probe) or Adam epochs (MLP) used; equal to
        ``max_epochs`` when the bound stopped the training.
    loss_curve_ : list of float
        Training objective per sample (mean cross-entropy plus penalty /
        n_samples) after every Adam epoch of an MLP; for a linear probe, one
        value, the objective at the solution.

    See Also
    --------
    sklearn.linear_model.LogisticRegression : The usual linear probe.
    sklearn.neural_network.MLPClassifier : A numpy MLP without torch.

    Examples
    --------
    >>> from sklearn.datasets import make_classification
    >>> from sklearn_probe import ProbeClassifier
    >>> X, y = make_classification(n_samples=200, n_features=20, random_state=0)
    >>> probe = ProbeClassifier(random_state=0, device="cpu").fit(X, y)
    >>> probe.predict_proba(X[:2]).shape
    (2, 2)
    >>> bool(probe.score(X, y) > 0.9)
    True
    """

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y):
        """Train the probe.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Feature vectors, e.g. pooled hidden states of one layer.
        y : array-like of shape (n_samples,)
            Class labels (ints, strings, ...); at least two classes.

        Returns
        -------
        self : ProbeClassifier
            The fitted probe.
        """
        X, y_encoded = self._encode(X, y)
        sizes, mean, scale = self._prepare(X)
        self._start_fit(X)
        if sizes:
            self._net = build_net(
                self, X.shape[1], sizes, mean, scale, len(X), len(self.classes_)
            )
            fit_adam(self, X, y_encoded)
            predicted = np.argmax(self._outputs(X), axis=1)
        else:
            predicted = fit_lbfgs(self, X, y_encoded, mean, scale)
        self._check_degenerate(predicted, y_encoded)
        return self

    def _encode(self, X, y):
        """Validated float32 ``X`` and ``y`` encoded as ``0..n_classes-1``;
        sets ``classes_`` (and ``n_features_in_``)."""
        X, y = validate_data(self, X, y, dtype=np.float32)
        check_classification_targets(y)
        encoder = LabelEncoder()
        y_encoded = encoder.fit_transform(y).astype(np.int64)
        self.classes_ = encoder.classes_
        if len(self.classes_) < 2:
            raise ValueError(
                "ProbeClassifier needs samples of at least 2 classes in the data, "
                f"but the data contains only one class: {self.classes_[0]!r}."
            )
        return X, y_encoded

    def _start_linear_fit(self, X, y):
        """The steps of :meth:`fit` before a linear probe's solve, for a
        solution found elsewhere (``_batched``): the encoded ``y``."""
        X, y_encoded = self._encode(X, y)
        self._prepare(X, statistics=False)
        self._start_fit(X)
        return y_encoded

    def _check_degenerate(self, predicted, y_encoded):
        """Set ``degenerate_``: does the probe learn nothing from its data
        (``predicted``: the encoded class it predicts for every training
        sample)?"""
        accuracy = np.mean(predicted == y_encoded)
        majority = np.bincount(y_encoded).max() / len(y_encoded)
        one_class = len(np.unique(predicted)) == 1
        self.degenerate_ = bool(one_class or accuracy <= majority)

    def _expand_outputs(self, z):
        """Two classes: the logits ``(-z/2, z/2)`` of the module's one output."""
        if z.shape[1] == 1 and len(self.classes_) == 2:
            return np.hstack([-z / 2, z / 2])
        return z

    def _logits(self, X):
        """Raw logits for ``X`` as float64, shape (n_samples, n_classes)."""
        return self._forward(X)

    def decision_function(self, X):
        """Confidence scores: logit differences or logits.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Feature vectors.

        Returns
        -------
        scores : ndarray of shape (n_samples,) or (n_samples, n_classes)
            For two classes, ``logit[1] - logit[0]`` (positive means
            ``classes_[1]``); otherwise the logits of every class.
        """
        logits = self._logits(X)
        if logits.shape[1] == 2:
            return logits[:, 1] - logits[:, 0]
        return logits

    def predict_proba(self, X):
        """Class probabilities: the softmax of the logits, in float64.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Feature vectors.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            Probabilities of the classes in the order of ``classes_``; every
            row sums to 1.
        """
        return softmax(self._logits(X), axis=1)

    def predict_log_proba(self, X):
        """Logarithm of the class probabilities (log-softmax of the logits).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Feature vectors.

        Returns
        -------
        log_proba : ndarray of shape (n_samples, n_classes)
            Log-probabilities of the classes in the order of ``classes_``.
        """
        from scipy.special import log_softmax

        return log_softmax(self._logits(X), axis=1)

    def predict(self, X):
        """Most probable class of every sample.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Feature vectors.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
            Labels from ``classes_``.
        """
        logits = self._logits(X)
        return self.classes_[np.argmax(logits, axis=1)]
