"""What every report folder holds besides its words: the versions that shaped
the numbers, reproducible picture files and the JSON.

Shared by a sweep's report (:mod:`._report`) and a comparison's
(:mod:`._compare_report`).
"""

import datetime
import json
import platform
from importlib import metadata

from ..utils._names import jsonable

PACKAGES = (
    "sklearn-probe",
    "scikit-learn",
    "torch",
    "transformers",
    "tokenizers",
    "skorch",
    "numpy",
    "pandas",
    "matplotlib",
    "datasets",
)

FIGURE_FORMATS = ("png", "svg")


def package_versions():
    """Versions of Python, the platform and the packages that shape the numbers."""
    versions = {"python": platform.python_version(), "platform": platform.platform()}
    for name in PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            pass
    return versions


def now():
    """The time a report is written, UTC, to the second."""
    return datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")


def write_json(path, payload):
    """``payload`` as indented JSON (no NaN: JSON has none)."""
    path.write_text(json.dumps(jsonable(payload), indent=2, allow_nan=False) + "\n")


def save_figure(fig, stem, dpi):
    """``fig`` as ``stem.png`` and ``stem.svg``; their names."""
    names = []
    for fmt in FIGURE_FORMATS:
        path = stem.with_suffix(f".{fmt}")
        fig.savefig(path, dpi=dpi, metadata=_figure_metadata(fmt))
        names.append(path.name)
    return names


def _figure_metadata(fmt):
    # Reproducible files: no creation date in the metadata.
    if fmt == "svg":
        return {"Date": None}
    if fmt == "png":
        return {"Software": None}
    return None
