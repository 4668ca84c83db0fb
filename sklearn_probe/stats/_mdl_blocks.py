"""Where the online code's blocks end (:func:`sklearn_probe.stats.online_code_length`):
fractions of the examples, or, with groups, the nearest ends of whole groups."""

import numpy as np
from sklearn.utils import check_random_state


def _block_ends(portions, n_samples):
    """Block ends ``t_i`` from fractions of ``n_samples`` (see online_code_length)."""
    portions = np.asarray(portions, dtype=float)
    if (
        portions.ndim != 1
        or portions.size == 0
        or not np.all(np.isfinite(portions))
        or np.any(portions <= 0)
        or np.any(np.diff(portions) <= 0)
        or portions[-1] != 1.0
    ):
        raise ValueError(
            "The 'portions' parameter of online_code_length must be a strictly "
            "increasing sequence of fractions in (0, 1] that ends with 1.0. Got "
            f"{portions.tolist()!r} instead."
        )
    # Round half up (np.round rounds half to even), then keep at least two
    # examples in the first block; blocks that rounding empties are merged.
    ends = np.floor(portions * n_samples + 0.5).astype(int)
    ends = np.clip(ends, 2, n_samples)
    return tuple(int(t) for t in np.unique(ends))


def _grouped_order(groups, n_samples, shuffle, random_state):
    """The order of the examples, whole groups in turn (shuffled as groups,
    each group's examples in their given order), and the allowed block ends:
    the positions where one group ends and the next begins."""
    groups = np.asarray(groups)
    if groups.shape != (n_samples,):
        raise ValueError(
            f"online_code_length expects one group per example: groups has shape "
            f"{groups.shape}, y has {n_samples} examples."
        )
    names, first, index = np.unique(groups, return_index=True, return_inverse=True)
    rank = np.argsort(np.argsort(first))  # groups in order of first appearance
    if shuffle:
        rank = check_random_state(random_state).permutation(len(names))[rank]
    order = np.argsort(rank[index], kind="stable")
    boundaries = np.cumsum(np.bincount(rank[index]))
    return order, boundaries


def _snap(ends, boundaries):
    """Each block end moved to the nearest group boundary (the lower one on a
    tie), with at least two examples in the first block; merged ends dropped."""
    allowed = boundaries[boundaries >= 2]
    if len(allowed) < 2:
        raise ValueError(
            "online_code_length with groups needs at least two groups beyond a "
            "first block of two examples; got "
            f"{len(boundaries)} group(s) of {int(boundaries[-1])} examples."
        )
    ends = np.asarray(ends)
    at = np.clip(np.searchsorted(allowed, ends), 1, len(allowed) - 1)
    lower, upper = allowed[at - 1], allowed[at]
    snapped = np.where(ends - lower <= upper - ends, lower, upper)
    snapped = np.where(ends <= allowed[0], allowed[0], snapped)
    return tuple(int(t) for t in np.unique(np.append(snapped, allowed[-1])))
