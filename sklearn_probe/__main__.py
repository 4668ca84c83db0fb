"""``python -m sklearn_probe``: the ``sklearn-probe`` command."""

import sys

from .cli import run

if __name__ == "__main__":
    sys.exit(run())
