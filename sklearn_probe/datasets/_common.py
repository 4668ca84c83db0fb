"""Checks shared by the loaders."""

import numpy as np


def check_positive_int(value, name):
    """``value`` as an int >= 1, or a ValueError naming the parameter ``name``."""
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 1:
        shown = value.item() if isinstance(value, np.generic) else value
        raise ValueError(
            f"The '{name}' parameter must be a positive int. Got {shown!r} instead."
        )
    return int(value)
