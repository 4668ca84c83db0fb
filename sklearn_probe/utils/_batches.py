"""Batches of texts of one token length: no padding, so every position is
exact (the last position is every text's last token)."""

import numpy as np


def same_length_batches(lengths, batch_size):
    """Indices into ``lengths`` in batches of at most ``batch_size`` texts of
    one token length, shortest length first."""
    lengths = np.asarray(lengths)
    for length in np.unique(lengths):
        rows = np.flatnonzero(lengths == length)
        for start in range(0, len(rows), batch_size):
            yield rows[start : start + batch_size]
