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


def check_texts(X, *, estimator_name="HiddenStateTransformer", conversations=False):
    """Return ``X`` as a list of ``str``, or raise a clear error.

    Accepts a list, tuple, 1-D numpy array, pandas Series or any other iterable
    (read once) of strings; an empty string is a valid text. A bare string, a
    2-D input, a non-string element, a string that is not valid Unicode (a lone
    surrogate) or an empty input is an error that names the element and says
    what would work. With ``conversations=True``, ``X`` may instead hold
    conversations (every element a list of ``{"role": str, "content": str}``
    messages), returned as lists of such dicts.
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
    if conversations and not isinstance(texts[0], str):
        return [_check_conversation(c, i, estimator_name) for i, c in enumerate(texts)]
    for i, text in enumerate(texts):
        if conversations and isinstance(text, list | tuple):
            raise TypeError(
                f"{estimator_name} expects X to hold texts or conversations, not "
                f"both; element {i} is a conversation among texts. Pass one kind."
            )
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


def _check_conversation(conversation, i, estimator_name):
    """Element ``i`` of X as a list of ``{"role", "content"}`` dicts, or an
    error naming what is wrong with it."""
    form = (
        "a list of messages, each a dict {'role': str, 'content': str}, e.g. "
        "[{'role': 'user', 'content': 'Hi'}, {'role': 'assistant', 'content': "
        "'Hello'}]"
    )
    if isinstance(conversation, str):
        raise TypeError(
            f"{estimator_name} expects X to hold texts or conversations, not both; "
            f"element {i} is a str ({conversation!r:.40}) among conversations. "
            "Pass one kind."
        )
    if isinstance(conversation, dict) or not isinstance(
        conversation, list | tuple | np.ndarray
    ):
        raise TypeError(
            f"{estimator_name} expects every element of X to be a str or a "
            f"conversation ({form}); element {i} is {type(conversation).__name__} "
            f"({conversation!r:.40})."
        )
    if len(conversation) == 0:
        raise ValueError(
            f"{estimator_name}: conversation {i} has no message. A conversation "
            f"is {form}."
        )
    messages = []
    for j, message in enumerate(conversation):
        if not isinstance(message, dict) or not {"role", "content"} <= message.keys():
            raise ValueError(
                f"{estimator_name}: message {j} of conversation {i} is "
                f"{message!r:.60}; a conversation is {form}."
            )
        for name in ("role", "content"):
            if not isinstance(message[name], str):
                raise TypeError(
                    f"{estimator_name}: the {name!r} of message {j} of "
                    f"conversation {i} is {type(message[name]).__name__} "
                    f"({message[name]!r:.40}); it must be a str."
                )
        messages.append(dict(message))
    return messages


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
