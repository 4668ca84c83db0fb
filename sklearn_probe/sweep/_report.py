"""A sweep's results on disk: scores.csv, results.json, pictures, report.md, pipeline.

Everything is drawn from :attr:`LayerSweepResult.scores`, so a column added there
(a baseline, a confidence interval) reaches the CSV and the JSON at once.
"""

import datetime
import json
import logging
import platform
from importlib import metadata
from pathlib import Path

from .._names import jsonable
from ._text import (
    _cv_text,
    markdown_table,
    reading_lines,
    summary_lines,
    summary_table,
)

logger = logging.getLogger(__name__)

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


def write_report(
    result,
    out_dir,
    *,
    texts=None,
    labels=None,
    label_names=None,
    plot_layers=None,
    projection="auto",
    max_plot_samples=1000,
    dataset=None,
    command=None,
    save_pipeline=True,
    dpi=150,
):
    """Write a sweep's results to ``out_dir`` (created if needed).

    Files: ``scores.csv``; ``results.json`` (settings, versions, per-layer
    scores, best layer, held-out score, timings); ``layer_scores.png`` and
    ``.svg``; ``tsne_layers.png`` and ``.svg`` (only with ``texts`` and
    ``labels``); ``report.md`` showing all of it; ``best_pipeline.joblib`` (the
    refitted best pipeline, without model weights).

    Parameters
    ----------
    result : LayerSweepResult
    out_dir : str or path-like
    texts, labels : sequences, default=None
        Texts for the embeddings picture (the training texts are cached).
    label_names : mapping, default=None
        Display name per label.
    plot_layers : list of int, default=None
        Panels of the embeddings picture; None: first, middle, best, last.
    projection : {"auto", "tsne", "pca"}, default="auto"
    max_plot_samples : int, default=1000
        Points per panel at most.
    dataset : dict, default=None
        What the data were (name, columns, split, ...), stored in the JSON and
        shown in the report.
    command : str, default=None
        The command line that made the result, shown in the report.
    save_pipeline : bool, default=True
    dpi : int, default=150
        Resolution of the PNG files.

    Returns
    -------
    dict
        ``name -> Path`` of every file written.
    """
    import matplotlib.pyplot as plt

    from ..plotting import LayerEmbeddingsDisplay, LayerScoresDisplay

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written = {}

    path = out / "scores.csv"
    result.scores.to_csv(path, index=False)
    written["scores.csv"] = path

    display = LayerScoresDisplay.from_sweep(result)
    written.update(_save_figure(display.figure_, out / "layer_scores", dpi))
    plt.close(display.figure_)

    tsne_method = None
    if texts is not None and labels is not None:
        display = LayerEmbeddingsDisplay.from_sweep(
            result,
            texts,
            labels,
            layers=plot_layers,
            method=projection,
            max_samples=max_plot_samples,
            label_names=label_names,
            random_state=result.settings.get("random_state", 0),
        )
        tsne_method = display.method
        written.update(_save_figure(display.figure_, out / "tsne_layers", dpi))
        plt.close(display.figure_)

    if save_pipeline:
        import joblib

        path = out / "best_pipeline.joblib"
        joblib.dump(result.best_pipeline, path)
        written["best_pipeline.joblib"] = path

    payload = {
        "created": datetime.datetime.now(datetime.timezone.utc).isoformat(
            timespec="seconds"
        ),
        "command": command,
        "dataset": dataset,
        **result.to_dict(),
        "versions": package_versions(),
        "files": sorted([*written, "results.json", "report.md"]),
    }
    path = out / "results.json"
    path.write_text(json.dumps(jsonable(payload), indent=2, allow_nan=False) + "\n")
    written["results.json"] = path

    path = out / "report.md"
    path.write_text(
        _markdown(result, written, dataset, command, tsne_method, payload["versions"])
    )
    written["report.md"] = path
    logger.info("Wrote %s to %s", ", ".join(sorted(written)), out)
    return written


def _save_figure(fig, stem, dpi):
    written = {}
    for fmt in FIGURE_FORMATS:
        path = stem.with_suffix(f".{fmt}")
        fig.savefig(path, dpi=dpi, metadata=_figure_metadata(fmt))
        written[path.name] = path
    return written


def _figure_metadata(fmt):
    # Reproducible files: no creation date in the metadata.
    if fmt == "svg":
        return {"Date": None}
    if fmt == "png":
        return {"Software": None}
    return None


def _markdown(result, written, dataset, command, tsne_method, versions):
    s = result.settings
    name = result.score_name
    data_name = (dataset or {}).get("name", "texts")
    lines = [
        f"# Which layer of `{s['model']}` knows the labels of {data_name}?",
        "",
        f"A {_describe_probe_setting(s)} probe was trained on the "
        f"{_pooling_text(s)} hidden states of every layer and scored by "
        f"{_cv_text(result).replace(' CV', '')} stratified cross-validation on "
        f"{result.n_train} training texts.",
        "",
    ]
    lines += [
        f"**{line}**" if i == 0 else line
        for i, line in enumerate(summary_lines(result))
    ]
    reading = reading_lines(result)
    if reading:
        lines += ["", "## What the baselines say", "", *[f"- {x}" for x in reading]]
    lines += ["", "![Probe score by layer](layer_scores.png)", ""]
    if "tsne_layers.png" in written:
        lines += [
            f"![{tsne_method} of the pooled vectors of several layers]"
            "(tsne_layers.png)",
            "",
        ]
    lines += [
        "## Scores",
        "",
        f"`CV {name}`: mean over the validation folds, `± sd` their standard "
        "deviation, `train`: mean over the training folds, `fit s`: seconds per "
        "fit. `*` marks the best (the highest mean CV score)."
        + _column_notes(result.scores),
        "",
        markdown_table(summary_table(result)),
        "",
        "Every fold's score is in `scores.csv`; settings, versions and timings "
        "in `results.json`.",
        "",
        "## Try sentences of your own",
        "",
        "```sh",
        f"sklearn-probe predict --pipeline {_quote(written_path(written))} "
        '"A masterpiece." "Two hours I will never get back."',
        "```",
        "",
        "## Settings",
        "",
    ]
    settings = {
        "model": s["model"],
        "hidden states": f"{s['n_layers']} (width {s['hidden_size']})",
        "layers swept": _compact(s["layers"]),
        "pooling": s["pooling"],
        "probe": s["probe"],
        "max_length": s["max_length"],
        "folds": s["cv_splitter"],
        "scoring": s["scoring"],
        "classes": ", ".join(f"{k}: {v}" for k, v in s["class_counts"].items()),
        "held-out texts": result.n_test,
        "device": s["device"],
        "random_state": s["random_state"],
    }
    if dataset:
        settings = {"dataset": _describe_dataset(dataset), **settings}
    if command:
        settings["command"] = f"`{command}`"
    settings["versions"] = ", ".join(
        f"{k} {v}" for k, v in versions.items() if k != "platform"
    )
    lines += [f"- **{k}**: {v}" for k, v in settings.items()]
    return "\n".join(lines) + "\n"


def _column_notes(frame):
    notes = []
    if "ci_low" in frame:
        notes.append(
            " `95% CI`: confidence interval of the mean (Nadeau & Bengio's "
            "corrected resampled t); `vs best`: difference from the best row on "
            "the same folds, `*` when significantly worse (Holm-adjusted p < "
            "0.05)."
        )
    if "control_mean" in frame:
        notes.append(
            " `control`: the same probe fitted on labels permuted inside each "
            "training fold, scored on the true labels; `selectivity`: CV score "
            "minus control."
        )
    if "random_weights_mean" in frame:
        notes.append(
            " `random w.`: CV score of the same architecture with random weights."
        )
    if "mdl_compression" in frame:
        notes.append(
            " `MDL compr.`: uniform / online code length of the training labels "
            "(Voita & Titov); 1 means nothing learnable."
        )
    return "".join(notes)


def written_path(written):
    path = written.get("best_pipeline.joblib")
    return str(path) if path is not None else "best_pipeline.joblib"


def _quote(text):
    import shlex

    return shlex.quote(text)


def _describe_probe_setting(settings):
    probe = settings["probe"]
    return probe if isinstance(probe, str) else "/".join(map(str, probe))


def _pooling_text(settings):
    pooling = settings["pooling"]
    if isinstance(pooling, str):
        return f"{pooling}-pooled"
    return "/".join(pooling) + "-pooled"


def _describe_dataset(dataset):
    parts = [str(dataset.get("name"))]
    for key in ("split", "text_column", "label_column", "n_samples"):
        if dataset.get(key) is not None:
            parts.append(f"{key}={dataset[key]}")
    return ", ".join(parts)


def _compact(layers):
    layers = list(layers)
    if layers and layers == list(range(layers[0], layers[-1] + 1)) and len(layers) > 2:
        return f"{layers[0]}-{layers[-1]}"
    return ", ".join(map(str, layers))
