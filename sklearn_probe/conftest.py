"""The docstrings' examples run under pytest (``--doctest-modules``): they never
write to the user's default store of pooled vectors."""

import os

os.environ["SKLEARN_PROBE_CACHE_DIR"] = "off"
