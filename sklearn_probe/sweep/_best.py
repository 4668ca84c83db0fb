"""What a sweep's result does with its best pipeline: predict, score, vectors.

:class:`BestPipelineMethods` is the part of
:class:`~sklearn_probe.LayerSweepResult` that runs its refitted
``best_pipeline`` (and, for ``hidden_states``, its ``hidden`` step at other
layers) on new texts.
"""

from sklearn.base import clone

from ..hidden import TOKENS, check_texts


class BestPipelineMethods:
    """``predict``, ``predict_proba``, ``score`` and ``hidden_states`` of a
    result that has ``best_pipeline``, ``scoring``, ``layers`` and
    ``unit_spec``."""

    def predict(self, texts):
        """Predict the labels of ``texts`` with the best pipeline.

        Parameters
        ----------
        texts : sequence of str
            Raw texts.

        Returns
        -------
        ndarray of shape (n_texts,)
            One label per text, from ``classes``.
        """
        return self.best_pipeline.predict(texts)

    def predict_proba(self, texts):
        """Predict the class probabilities of ``texts`` with the best pipeline.

        Parameters
        ----------
        texts : sequence of str
            The texts to classify, raw.

        Returns
        -------
        ndarray of shape (n_texts, n_classes)
            Columns in the order of ``classes``; each row sums to 1.
        """
        return self.best_pipeline.predict_proba(texts)

    def score(self, texts, labels):
        """Score the best pipeline on ``texts`` with the sweep's scoring.

        Parameters
        ----------
        texts : sequence of str
            Raw texts.
        labels : array-like of shape (n_texts,)
            Their true labels.

        Returns
        -------
        float
            The score named by ``score_name`` (accuracy by default).
        """
        from sklearn.metrics import check_scoring

        from ..metrics import resolve_scoring

        scorer = check_scoring(
            self.best_pipeline, scoring=resolve_scoring(self.scoring)
        )
        if self.unit_spec.raw_texts:
            texts = check_texts(texts)  # word samples: the transformer checks
        return float(scorer(self.best_pipeline, texts, labels))

    def hidden_states(self, texts, layers=None):
        """Pooled vectors of ``texts`` at ``layers``, as the best pipeline pools them.

        Parameters
        ----------
        texts : sequence of str
            Raw texts (or conversations, for a sweep of conversations).
        layers : list of int, default=None
            Layers to return; None gives every swept layer.

        Returns
        -------
        ndarray of shape (n_texts, len(layers), width)
            Served from the cache for texts the sweep has seen. A probe that
            pools for itself (``pooling="tokens"``) has no pooled vectors:
            its texts' mean over tokens is returned.
        """
        layers = self.layers if layers is None else [int(x) for x in layers]
        hidden = clone(self.best_pipeline.named_steps["hidden"])
        hidden.set_params(layer=layers)
        if hidden.get_params().get("pooling") == TOKENS:
            hidden.set_params(pooling="mean")
        unit = self.unit_spec
        if unit.raw_texts:
            hidden.set_params(verbose=0)
            texts = check_texts(texts, conversations=True)
        vectors = unit.fitted(hidden, texts).transform(texts)
        return vectors.reshape(len(texts), len(layers), -1)
