"""One stratified subsampler, for every place that draws a subset of labelled rows."""

import numpy as np


def stratified_subset(labels, n_samples, random_state):
    """Indices of ``n_samples`` rows drawn without replacement, in random order.

    Each class keeps its share of ``labels`` (rounded so the counts add up to
    ``n_samples``, as :func:`sklearn.utils.resample` does with ``stratify``);
    a class with a single row is no obstacle. With ``n_samples`` at or above
    ``len(labels)`` every index is returned, shuffled.
    """
    from sklearn.utils import resample

    labels = np.asarray(labels)
    n_samples = min(int(n_samples), len(labels))
    return resample(
        np.arange(len(labels)),
        replace=False,
        n_samples=n_samples,
        random_state=random_state,
        stratify=labels,
    )
