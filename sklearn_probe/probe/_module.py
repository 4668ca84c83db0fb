"""The torch module behind :class:`~sklearn_probe.ProbeClassifier`.

Imported only when a probe is fitted, so ``import sklearn_probe`` does not import
torch.
"""

import numpy as np
import torch
from torch import nn


class ProbeModule(nn.Module):
    """Standardise, then a stack of ``Linear`` + ``ReLU`` layers ending in logits.

    Parameters
    ----------
    n_features : int
        Width of the input vectors.
    n_classes : int
        Number of outputs: one raw logit per class (no softmax, no sigmoid;
        ``torch.nn.CrossEntropyLoss`` expects logits).
    hidden_layer_sizes : tuple of int, default=()
        Widths of the hidden layers; ``()`` is a linear probe.
    mean, scale : array-like of shape (n_features,), default=None
        Inputs are mapped to ``(x - mean) / scale`` before the first layer. They
        are buffers, not parameters: saved with the module, never trained.
        ``None`` means no shift (zeros) or no scaling (ones).
    """

    def __init__(
        self, n_features, n_classes, hidden_layer_sizes=(), mean=None, scale=None
    ):
        super().__init__()
        mean = np.zeros(n_features) if mean is None else np.asarray(mean)
        scale = np.ones(n_features) if scale is None else np.asarray(scale)
        self.register_buffer("mean", torch.as_tensor(mean, dtype=torch.float32))
        self.register_buffer("scale", torch.as_tensor(scale, dtype=torch.float32))
        layers = []
        width = n_features
        for size in hidden_layer_sizes:
            layers += [nn.Linear(width, size), nn.ReLU()]
            width = size
        layers.append(nn.Linear(width, n_classes))
        self.layers = nn.Sequential(*layers)

    def forward(self, X):
        return self.layers((X - self.mean) / self.scale)
