"""Saving and loading fitted pipelines: skops by default, pickle only when asked.

A pipeline is saved with :func:`save_pipeline` as a skops file (``.skops``):
a zip of JSON and numpy arrays that loads without running code, where every
type to be built must be trusted first. :func:`load_pipeline` trusts
scikit-learn's and skops' own types (skops' defaults) and this package's
estimators, and refuses a file that names any other type, before building
anything. A pickle (``.joblib``, ``.pkl``) can run any code while it loads: it
is read only with ``allow_pickle=True`` (``--allow-pickle``), for files you
made or trust.

A loaded pipeline never runs code that a model ships by itself: a file whose
transformer says ``trust_remote_code=True`` is refused unless the caller
passes ``trust_remote_code=True`` too (``--trust-remote-code``).

What is saved: ``{"format": FORMAT, "sklearn_probe_version": ...,
"pipeline": ...}``. A pipeline holds no model weights (the transformer
reloads its model by name or folder); a :class:`~sklearn_probe.ProbeClassifier` (or
:class:`~sklearn_probe.ProbeRegressor`) saves itself: its state holds its torch
module's parameters as numpy arrays (``__getstate__``), from which it builds
its net when asked (see :mod:`sklearn_probe.probe._base`). Loading a file
saved by another version of the package warns
(:class:`InconsistentVersionWarning`).
"""

import os
import warnings
from pathlib import Path

__all__ = [
    "FORMAT",
    "InconsistentVersionWarning",
    "load_pipeline",
    "save_pipeline",
]

FORMAT = "sklearn-probe pipeline"
SKOPS_SUFFIXES = (".skops",)
PICKLE_SUFFIXES = (".joblib", ".pkl", ".pickle")


class InconsistentVersionWarning(UserWarning):
    """A saved pipeline was written by another version of sklearn-probe."""


def save_pipeline(pipeline, path):
    """Save a fitted pipeline to ``path``: skops for ``.skops``, else joblib.

    Parameters
    ----------
    pipeline : object
        The fitted pipeline (or estimator) to save.
    path : str or path-like
        A ``.skops`` file (loads without running code), or a ``.joblib`` file.

    Returns
    -------
    pathlib.Path
        Where the pipeline was saved.
    """
    from . import __version__

    path = Path(path)
    payload = {
        "format": FORMAT,
        "sklearn_probe_version": __version__,
        "pipeline": pipeline,
    }
    if path.suffix in SKOPS_SUFFIXES:
        import skops.io

        skops.io.dump(payload, path)
    else:
        import joblib

        joblib.dump(payload, path)
    return path


def load_pipeline(path, *, allow_pickle=False, trust_remote_code=False):
    """Load a pipeline saved by :func:`save_pipeline` (or ``sklearn-probe sweep``).

    Parameters
    ----------
    path : str or path-like
        A ``.skops`` file, or with ``allow_pickle=True`` a ``.joblib``/``.pkl``
        file.
    allow_pickle : bool, default=False
        Read a pickle. Loading a pickle runs whatever code it holds: only for
        files you made or trust.
    trust_remote_code : bool, default=False
        Accept a pipeline whose transformer runs the Python code that its
        model's folder or hub repository ships (``auto_map``), as saved with
        ``trust_remote_code=True``. A saved file cannot turn that on by
        itself: without this, such a file is refused.

    Returns
    -------
    object
        The fitted pipeline.

    Raises
    ------
    ValueError
        A pickle without ``allow_pickle``, a skops file naming types that are
        not trusted (listed in the message; nothing is built), a file that
        holds no pipeline saved by :func:`save_pipeline`, or a pipeline that
        would run a model's own code without ``trust_remote_code``.
    """
    path = Path(os.path.expanduser(path))
    if path.suffix in PICKLE_SUFFIXES or path.suffix not in SKOPS_SUFFIXES:
        if not allow_pickle:
            raise ValueError(
                f"{str(path)!r} is not a .skops file: it would be read as a "
                "pickle, and loading a pickle runs any code it holds. Load it only "
                "if you made it or trust it: allow_pickle=True (--allow-pickle); "
                "or save the fitted pipeline with sklearn_probe.save_pipeline("
                "pipeline, 'pipeline.skops'), which loads without running code."
            )
        import joblib

        payload = joblib.load(path)
    else:
        payload = _load_skops(path)
    pipeline = _unwrap(payload, path)
    if not trust_remote_code:
        _refuse_remote_code(pipeline, path)
    return pipeline


def _refuse_remote_code(pipeline, path):
    """A ValueError when a step of ``pipeline`` says ``trust_remote_code=True``:
    the file alone must not make this process import a model's own code."""
    get_params = getattr(pipeline, "get_params", None)
    params = get_params(deep=True) if callable(get_params) else {}
    steps = sorted(
        name
        for name, value in params.items()
        if name.rsplit("__", 1)[-1] == "trust_remote_code" and value is True
    )
    if steps:
        raise ValueError(
            f"{str(path)!r} holds a transformer saved with trust_remote_code=True "
            f"({', '.join(steps)}): predicting with it would run the Python code "
            "that its model ships. A saved file cannot allow that by itself; "
            "nothing was run. If you have read that code and trust it, load the "
            "file with load_pipeline(..., trust_remote_code=True) "
            "(sklearn-probe predict --trust-remote-code)."
        )


def _load_skops(path):
    import skops.io

    untrusted = skops.io.get_untrusted_types(file=path)
    trusted = _trusted_types()
    refused = sorted(set(untrusted) - trusted)
    if refused:
        raise ValueError(
            f"{str(path)!r} would build types that are not trusted: "
            f"{', '.join(refused)}. A pipeline saved by sklearn-probe holds "
            "none; nothing was loaded."
        )
    return skops.io.load(path, trusted=[t for t in untrusted if t in trusted])


def _trusted_types():
    """This package's estimators, which a skops file of a pipeline may build."""
    from . import (
        AttentionProbe,
        HiddenStateTransformer,
        ProbeClassifier,
        ProbeRegressor,
        WordHiddenStateTransformer,
    )

    return {
        f"{cls.__module__}.{cls.__qualname__}"
        for cls in (
            AttentionProbe,
            HiddenStateTransformer,
            WordHiddenStateTransformer,
            ProbeClassifier,
            ProbeRegressor,
        )
    }


def _unwrap(payload, path):
    from . import __version__

    if not (isinstance(payload, dict) and payload.get("format") == FORMAT):
        raise ValueError(
            f"{str(path)!r} holds a {type(payload).__name__}, not a pipeline saved "
            "by sklearn-probe's save_pipeline (a file written by joblib.dump or "
            "skops.io.dump lacks its format and version). Save the fitted "
            "pipeline with sklearn_probe.save_pipeline(pipeline, "
            "'pipeline.skops'), which loads without running code."
        )
    saved = payload.get("sklearn_probe_version")
    if saved != __version__:
        warnings.warn(
            f"{str(path)!r} was saved by sklearn-probe {saved}, and this is "
            f"{__version__}: its predictions may differ or fail. Run the sweep "
            "again to save a pipeline for this version.",
            InconsistentVersionWarning,
            stacklevel=3,
        )
    return payload["pipeline"]
