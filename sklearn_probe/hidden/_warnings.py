"""The engine's warnings, and how they point at the caller's line."""

import os
import warnings


class TruncationWarning(UserWarning):
    """Some texts were longer than ``max_length`` tokens and were cut."""


class PoolingWarning(UserWarning):
    """The pooling asked for cannot summarise a text with this model.

    ``pooling="cls"`` on a causal (decoder) model takes the first token's
    vector, which has seen nothing of the text after that token.
    """


def warn_caller(message, category):
    """Warn, pointing at the caller's line: the first frame outside this package,
    scikit-learn and joblib (whose wrappers, pipelines, searches and parallel
    loops may stand between), as ``skip_file_prefixes`` does from Python 3.12."""
    import sys

    import joblib
    import sklearn

    ours = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    skip = (ours + os.sep,) + tuple(
        os.path.dirname(package.__file__) + os.sep for package in (sklearn, joblib)
    )
    frame, level = sys._getframe(1), 1
    while frame is not None and frame.f_code.co_filename.startswith(skip):
        frame, level = frame.f_back, level + 1
    warnings.warn(message, category, stacklevel=level + 1)


def warn_truncated(truncated, n_texts, shortened, max_length, limit, tokens):
    """The :class:`TruncationWarning` of ``truncated`` of ``n_texts`` texts
    cut to ``max_length`` tokens (the model takes ``limit``, or None), and of
    the ``shortened`` ones among them that lost some of their selected
    ``tokens``."""
    lost = ""
    if shortened:
        lost = (
            f" {shortened} of them lost some of their selected tokens "
            f"(tokens={tokens!r}), and their vectors pool only the selected "
            "tokens that fit;"
        )
    model_limit = f" (up to {limit} for this model)" if limit else ""
    warn_caller(
        f"{truncated} of {n_texts} texts were longer than max_length="
        f"{max_length} tokens and were truncated;{lost} raise "
        f"max_length{model_limit} to keep them whole.",
        TruncationWarning,
    )
