"""The torch module behind :class:`~sklearn_probe.ProbeClassifier` and
:class:`~sklearn_probe.ProbeRegressor`, and their penalised skorch nets.

Imported only when a probe is fitted, so ``import sklearn_probe`` does not import
torch.
"""

import numpy as np
import torch
from skorch import NeuralNetClassifier, NeuralNetRegressor
from torch import nn

# How much wider the prior of a hidden weight (around its initial value) is than
# that of an output weight (around 0). Measured on mean-pooled MiniLM layers (300
# Rotten Tomatoes snippets; 60 topic sentences), Adam at a flat 3e-3: a (256,)
# probe reached CV accuracy 0.693 and 0.933 with 1, 0.737 and 0.983 with 10 (the
# linear probe: 0.757 and 0.983); 100 overfitted (train 0.999) without a gain.
HIDDEN_PRIOR_WIDTH = 10.0


class ProbeModule(nn.Module):
    """Standardise, then ``Linear`` + ``ReLU`` hidden layers, then one output layer.

    The layers have names: ``hidden`` (a ``ModuleList``, one ``Linear`` per
    hidden layer) and ``output``; :meth:`linear_layers` lists them for the
    penalty.

    Parameters
    ----------
    n_features : int
        Width of the input vectors.
    n_classes : int or None
        Number of classes. The module returns one raw logit per class (no
        softmax, no sigmoid; ``torch.nn.CrossEntropyLoss`` expects logits).
        With two classes the output layer has a single row ``w``, the logit
        of class 1 against class 0 as in ``LogisticRegression``, and the
        logits are ``(-z/2, z/2)`` with ``z = w.h + b``. None: a regressor's
        module, with one output column, the (standardised) prediction.
    hidden_layer_sizes : tuple of int, default=()
        Widths of the hidden layers; ``()`` is a linear probe.
    mean, scale : array-like of shape (n_features,), default=None
        Inputs are mapped to ``(x - mean) / scale`` before the first layer. They
        are buffers, not parameters: saved with the module, never trained.
        ``None`` means no shift (zeros) or no scaling (ones).
    penalty_weight : float, default=0.0
        Factor of :meth:`penalty` in the training loss (``1 / (C n_samples)``
        for a probe trained on the mean loss); 0 turns the penalty off.

    Notes
    -----
    Hidden layers start from He initialisation (weights of variance
    ``2 / fan_in``, zero biases), so every hidden unit of standardised inputs
    has a second moment of about 1, as a standardised feature has. Their
    initial weights are kept as the buffer ``prior`` of each layer: the
    penalty pulls hidden weights towards them, not towards 0. The output layer
    starts at 0 (every class equally likely) and is penalised towards 0.
    """

    def __init__(
        self,
        n_features,
        n_classes,
        hidden_layer_sizes=(),
        mean=None,
        scale=None,
        penalty_weight=0.0,
    ):
        super().__init__()
        mean = np.zeros(n_features) if mean is None else np.asarray(mean)
        scale = np.ones(n_features) if scale is None else np.asarray(scale)
        self.register_buffer("mean", torch.as_tensor(mean, dtype=torch.float32))
        self.register_buffer("scale", torch.as_tensor(scale, dtype=torch.float32))
        self.penalty_weight = float(penalty_weight)
        widths = (n_features, *hidden_layer_sizes)
        self.hidden = nn.ModuleList(
            nn.Linear(a, b) for a, b in zip(widths, widths[1:], strict=False)
        )
        for layer in self.hidden:
            nn.init.kaiming_normal_(layer.weight, nonlinearity="relu")
            nn.init.zeros_(layer.bias)
            layer.register_buffer("prior", layer.weight.detach().clone())
        self.binary = n_classes == 2
        n_outputs = 1 if self.binary or n_classes is None else n_classes
        self.output = nn.Linear(widths[-1], n_outputs)
        nn.init.zeros_(self.output.weight)
        nn.init.zeros_(self.output.bias)

    def linear_layers(self):
        """The ``Linear`` layers by name: ``hidden.0``, ..., ``output``."""
        layers = {f"hidden.{i}": layer for i, layer in enumerate(self.hidden)}
        layers["output"] = self.output
        return layers

    def penalty(self):
        """``fan_in * ||W||^2 / 2`` for the output layer plus ``fan_in * ||W -
        prior||^2 / (2 * HIDDEN_PRIOR_WIDTH)`` for every hidden layer (biases
        are free).

        With ``penalty / C`` on the summed loss this is a Gaussian prior of
        variance ``C / fan_in`` per output weight around 0, and of variance
        ``HIDDEN_PRIOR_WIDTH * C / fan_in`` per hidden weight around its
        initial value.
        """
        total = 0.0
        for layer in self.linear_layers().values():
            prior = getattr(layer, "prior", None)
            shift = layer.weight if prior is None else layer.weight - prior
            width = 1.0 if prior is None else HIDDEN_PRIOR_WIDTH
            total = total + layer.in_features * shift.pow(2).sum() / (2 * width)
        return total

    def features(self, X):
        """The last hidden layer's activations (the standardised inputs for a
        linear probe)."""
        X = (X - self.mean) / self.scale
        for layer in self.hidden:
            X = torch.relu(layer(X))
        return X

    def forward(self, X):
        logits = self.output(self.features(X))
        if self.binary:
            return torch.cat([-logits / 2, logits / 2], dim=1)
        return logits


class HalfSquaredError(nn.MSELoss):
    """Half the mean squared error: ``mean((y_pred - y) ** 2) / 2``.

    The negative log-likelihood per sample, up to a constant, of a Gaussian of
    unit variance around the prediction: with standardised targets, the
    regression counterpart of the cross-entropy.
    """

    def forward(self, input, target):
        return super().forward(input, target) / 2


class _Penalised:
    """The module's penalty added to a skorch net's loss.

    The training loss of a batch is its mean loss (cross-entropy, or half the
    squared error) plus ``module_.penalty_weight * module_.penalty()``, so
    ``history``'s ``train_loss`` is the training objective per sample that
    early stopping watches.
    """

    def get_loss(self, y_pred, y_true, X=None, training=False):
        loss = super().get_loss(y_pred, y_true, X=X, training=training)
        weight = self.module_.penalty_weight
        return loss + weight * self.module_.penalty() if weight else loss


class PenalisedNet(_Penalised, NeuralNetClassifier):
    """skorch's ``NeuralNetClassifier`` with the module's penalty in the loss."""


class PenalisedRegressorNet(_Penalised, NeuralNetRegressor):
    """skorch's ``NeuralNetRegressor`` with the module's penalty in the loss."""
