"""The text-only baselines: a scikit-learn pipeline on the raw texts.

They read the texts without the model, so they say how much the model adds
over the text itself: ``"bag_of_words"`` (:func:`bag_of_words_pipeline`) and
``"length"`` (:func:`length_pipeline`). Each is fitted on each training fold
only and scored on the sweep's folds with its scoring; it has no layer.
"""

import numpy as np


def bag_of_words_pipeline(model):
    """``TfidfVectorizer()`` then ``model`` (scikit-learn's defaults)."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.pipeline import make_pipeline

    return make_pipeline(TfidfVectorizer(), model)


def length_pipeline(model):
    """The number of characters and of whitespace-separated words of each text,
    standardised, then ``model``."""
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import FunctionTransformer, StandardScaler

    return make_pipeline(FunctionTransformer(text_lengths), StandardScaler(), model)


def text_lengths(texts):
    """Characters and whitespace-separated words of each text, shape (n, 2)."""
    return np.array([[len(t), len(t.split())] for t in texts], dtype=float)
