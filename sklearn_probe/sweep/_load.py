"""A report folder read back into a :class:`LayerSweepResult`.

``results.json`` (written by :func:`~sklearn_probe.report.write_report`)
holds the scores table, the settings, the data sizes, the best row and the
timings; ``best_pipeline.skops``, when there, the refitted best pipeline.
:func:`load_result` rebuilds the result from them, so a sweep can be redrawn,
reported or compared (:func:`~sklearn_probe.compare_sweeps`) without running
anything again.
"""

import json
from pathlib import Path

import numpy as np
import pandas as pd


def load_result(cls, folder, *, pipeline=True):
    """The result saved in ``folder``; see :meth:`LayerSweepResult.load`."""
    folder = Path(folder).expanduser()
    path = folder / "results.json"
    if not path.is_file():
        raise FileNotFoundError(
            f"{str(folder)!r} holds no results.json: not a report folder written "
            "by layer_sweep's save_report or 'sklearn-probe sweep'."
        )
    data = json.loads(path.read_text())
    missing = [k for k in ("param_columns", "best") if k not in data]
    if missing or "index" not in data["best"]:
        raise ValueError(
            f"{str(path)!r} was written by an older version of sklearn-probe (no "
            "'param_columns' or best 'index'): run the sweep again to reload it."
        )
    scores = _scores_frame(data["scores"], data["param_columns"])
    settings = data["settings"]
    best_pipeline = None
    if pipeline and (folder / "best_pipeline.skops").is_file():
        from .. import load_pipeline

        best_pipeline = load_pipeline(folder / "best_pipeline.skops")
    best_index = int(data["best"]["index"])
    return cls(
        scores=scores,
        param_columns=data["param_columns"],
        best_index=best_index,
        best_params=data["best"]["params"],
        best_pipeline=best_pipeline,
        test_score=data["test_score"],
        # Absent from a folder written before the interval was kept.
        test_score_ci=data.get("test_score_ci"),
        chance_score=data["chance_score"],
        scoring=data["scoring"],
        n_splits=data["n_splits"],
        n_repeats=data["n_repeats"],
        n_layers=settings["n_layers"],
        layers=settings["layers"],
        classes=_classes(data["data"]["classes"]),
        n_train=data["data"]["n_train"],
        n_test=data["data"]["n_test"],
        settings=settings,
        timings=data["timings_s"],
        cv_results={},
    )


def _classes(values):
    """The classes as an array, or None for a regression (JSON null)."""
    return None if values is None else np.asarray(values)


def _scores_frame(records, param_columns):
    """The scores DataFrame from its JSON records: NaN where JSON has null, and
    tuples (a probe's ``hidden_layer_sizes``) where it has lists."""
    frame = pd.DataFrame.from_records(records)
    for column in frame.columns:
        values = frame[column]
        if values.dtype == object and column not in param_columns:
            if values.isna().any() and values.dropna().map(np.isreal).all():
                frame[column] = values.astype(float)
        elif values.dtype == object:
            frame[column] = values.map(lambda v: tuple(v) if isinstance(v, list) else v)
    return frame
