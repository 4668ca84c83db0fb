"""Benchmarks: not part of ``make test``. Run with ``make bench`` (pytest -s).

Every benchmark prints the figure that matters as a ratio of two timings taken
in the same run, so that it holds on a shared, noisy machine; no benchmark
asserts an absolute time. ``BENCH_QUICK=1 make bench`` runs small sizes.
"""

import os
import sys

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
