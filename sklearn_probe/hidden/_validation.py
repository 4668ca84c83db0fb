"""Checks on raw-text input, with scikit-learn's wording where it has one."""

import numpy as np


class _TorchDeviceCheck(type):
    def __instancecheck__(cls, obj):
        kind = type(obj)
        return kind.__module__ == "torch" and kind.__name__ == "device"


class TorchDevice(metaclass=_TorchDeviceCheck):
    """``isinstance(x, TorchDevice)`` is true of a ``torch.device``, checked
    without importing torch (imported lazily): a parameter constraint."""


# scikit-learn's messages name the type as "torch.device".
TorchDevice.__module__, TorchDevice.__qualname__ = "torch", "device"


def check_texts(X, *, estimator_name="HiddenStateTransformer"):
    """Return ``X`` as a list of ``str``, or raise a clear error.

    Accepts a list, tuple, 1-D numpy array, pandas Series or any other iterable
    (read once) of strings; an empty string is a valid text. A bare string, a
    2-D input, a non-string element, a string that is not valid Unicode (a lone
    surrogate) or an empty input is an error that names the element and says
    what would work.
    """
    if isinstance(X, str | bytes):
        raise ValueError(
            "Iterable over raw text documents expected, string object received."
        )
    if hasattr(X, "columns"):  # a DataFrame
        raise ValueError(
            f"{estimator_name} expects a 1-D sequence of texts; got a DataFrame "
            f"with columns {list(X.columns)}. Pass one column, e.g. df['text']."
        )
    if isinstance(X, np.ndarray) and X.ndim != 1:
        if X.ndim == 2 and X.shape[1] == 1:
            hint = " Flatten a single column with X.ravel()."
        else:
            hint = ""
        raise ValueError(
            f"{estimator_name} expects a 1-D sequence of texts; got an array of "
            f"shape {X.shape}.{hint}"
        )
    try:
        texts = list(X)
    except TypeError:
        raise TypeError(
            f"{estimator_name} expects a list, tuple, numpy array or pandas Series "
            f"of str; got {type(X).__name__}."
        ) from None
    if not texts:
        raise ValueError(
            f"{estimator_name} needs at least one text; got an empty "
            f"{type(X).__name__}."
        )
    for i, text in enumerate(texts):
        if not isinstance(text, str):
            raise TypeError(
                f"{estimator_name} expects every element of X to be a str; element "
                f"{i} is {type(text).__name__} ({text!r:.40}). Convert or drop "
                "non-text entries (missing values included) first."
            )
        try:
            text.encode("utf-8")
        except UnicodeEncodeError as exc:
            raise ValueError(
                f"{estimator_name} expects valid Unicode text; element {i} holds a "
                f"lone surrogate {text[exc.start]!r} at position {exc.start} "
                f"({text!r:.40}), which no tokenizer can encode. It is typical of "
                "bytes decoded with errors='surrogateescape': decode them with "
                "their real encoding, or replace what cannot be read, e.g. "
                "text.encode('utf-8', 'replace').decode('utf-8')."
            ) from None
    return [str(t) for t in texts]


def resolve_layers(layer, n_layers, *, name, model):
    """Non-negative indices of the hidden states that ``layer`` asks for, in order.

    ``layer`` is ``"all"``, an int in ``[-n_layers, n_layers - 1]`` or a sequence
    of such ints; anything else is a ``ValueError`` that names the valid range.
    ``name`` is the parameter's name in the message.
    """
    import numbers
    import os

    valid = (
        f"Model {os.fspath(model)!r} has {n_layers} hidden states: use an int in "
        f"[{-n_layers}, {n_layers - 1}] (0 is the embedding output, {n_layers - 1} "
        "the last layer), a list of such ints, or 'all'."
    )
    if isinstance(layer, str):
        if layer != "all":
            raise ValueError(f"{name}={layer!r} is not understood. {valid}")
        return list(range(n_layers))
    requested = [layer] if isinstance(layer, numbers.Integral) else list(layer)
    if not requested:
        raise ValueError(f"{name}=[] selects no hidden state. {valid}")
    out = []
    for value in requested:
        if isinstance(value, bool) or not isinstance(value, numbers.Integral):
            raise ValueError(
                f"{name}={layer!r} contains {value!r}, not an int. {valid}"
            )
        if not -n_layers <= value < n_layers:
            raise ValueError(f"layer {value} is out of range. {valid}")
        out.append(int(value) % n_layers)
    return out
