"""Checks on raw-text input, with scikit-learn's wording where it has one."""

import numpy as np


def check_texts(X, *, estimator_name="HiddenStateTransformer"):
    """Return ``X`` as a list of ``str``, or raise a clear error.

    Accepts a list, tuple, 1-D numpy array or pandas Series of strings (an empty
    string is a valid text). A bare string, a 2-D input, a non-string element or
    an empty input is an error that says what was received and what would work.
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
    return [str(t) for t in texts]
