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

import numpy as np

from .._names import describe_sizes, format_param, jsonable

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


def summary_table(result, *, float_format="{:.3f}"):
    """The scores as a person reads them: one row per candidate, best marked.

    Returns a DataFrame of strings with the columns ``layer``, the other swept
    parameters, ``CV <score>``, ``± sd``, ``train``, ``fit s`` (seconds per fold)
    and ``best`` (``*`` on the best row). Baselines, MDL and repeated CV add
    ``95% CI``, ``vs best`` (difference from the best, ``*`` when significantly
    worse), ``control``, ``selectivity``, ``random w.`` and ``MDL compr.``
    before ``fit s``.
    """
    import pandas as pd

    frame = result.scores
    name = result.score_name
    table = pd.DataFrame({"layer": frame["layer"].astype(int)})
    for column in result.param_columns:
        table[column] = frame[column].map(_short)
    table[f"CV {name}"] = frame["cv_score_mean"].map(float_format.format)
    table["± sd"] = frame["cv_score_std"].map(float_format.format)
    if "train_score_mean" in frame:
        table["train"] = frame["train_score_mean"].map(float_format.format)
    if "ci_low" in frame:
        table["95% CI"] = [
            f"{float_format.format(lo)}-{float_format.format(hi)}"
            for lo, hi in zip(frame["ci_low"], frame["ci_high"], strict=True)
        ]
        table["vs best"] = [
            "" if i == result.best_index else f"{d:+.3f}" + ("*" if worse else "")
            for i, d, worse in zip(
                frame.index,
                frame["diff_vs_best"],
                frame["significantly_worse"],
                strict=True,
            )
        ]
    if "control_mean" in frame:
        table["control"] = frame["control_mean"].map(float_format.format)
        table["selectivity"] = frame["selectivity"].map(float_format.format)
    if "random_weights_mean" in frame:
        table["random w."] = frame["random_weights_mean"].map(float_format.format)
    if "mdl_compression" in frame:
        table["MDL compr."] = frame["mdl_compression"].map("{:.2f}".format)
    table["fit s"] = frame["fit_time_mean"].map("{:.2f}".format)
    table["best"] = ["*" if i == result.best_index else "" for i in frame.index]
    return table


def summary_lines(result):
    """The sentences under the table: best layer, chance, held-out score, time."""
    name = result.score_name
    lines = [
        f"Best layer: {result.best_layer} ({_cv_text(result)} {name} "
        f"{result.best_score:.3f} ± {result.best_score_std:.3f}; chance "
        f"{result.chance_score:.3f})."
    ]
    extra = {k: v for k, v in result.best_params.items() if k != "hidden__layer"}
    if any(len(result.scores[c].unique()) > 1 for c in result.param_columns):
        lines[0] = lines[0][:-1] + f", with {_describe_params(extra)}."
    if result.test_score is not None:
        lines.append(
            f"Held-out test {name} of the best pipeline: {result.test_score:.3f} "
            f"({result.n_test} texts, not used to choose the layer)."
        )
    t = result.timings
    lines.append(
        f"Took {t['total']:.1f} s: model {t['load']:.1f} s, hidden states of "
        f"{result.n_train + result.n_test} texts {t['hidden_states']:.1f} s, "
        f"{len(result.scores) * _n_folds(result)} probe fits "
        f"{t['cross_validation']:.1f} s, refit {t['refit']:.1f} s"
        + "".join(
            f", {label} {t[key]:.1f} s"
            for key, label in (
                ("control", "control"),
                ("random_weights", "random weights"),
                ("mdl", "MDL"),
            )
            if key in t
        )
        + "."
    )
    return lines


def _n_folds(result):
    return result.n_splits * result.n_repeats


def _cv_text(result):
    return result.cv_description


def _row_name(result, index):
    """``"layer 4"``, or ``"layer 4 (max pooling)"`` when more is swept."""
    row = result.scores.loc[index]
    name = f"layer {int(row['layer'])}"
    varied = [c for c in result.param_columns if len(result.scores[c].unique()) > 1]
    if varied:
        name += " (" + ", ".join(format_param(c, row[c]) for c in varied) + ")"
    return name


def _names(result, indices):
    return ", ".join(_row_name(result, i) for i in indices) or "none"


def _random_guess_accuracy(result):
    """Accuracy of guessing each label at its frequency (sum of squared rates)."""
    if result.score_name != "accuracy":
        return None
    counts = np.array(list(result.settings.get("class_counts", {}).values()), float)
    if counts.sum() == 0:
        return None
    rates = counts / counts.sum()
    return float((rates**2).sum())


def reading_lines(result):
    """What the baselines, MDL and repeated CV say, in plain sentences.

    Empty when the sweep ran none of them.
    """
    frame = result.scores
    name = result.score_name
    best = result.best_index
    lines = []
    if "significantly_worse" in frame:
        worse = [i for i in frame.index if bool(frame.loc[i, "significantly_worse"])]
        ties = [i for i in frame.index if i != best and i not in worse]
        lines.append(
            f"Significantly worse than the best ({_row_name(result, best)}; "
            f"paired corrected t-test over {_cv_text(result)}, Holm-adjusted "
            f"p < 0.05): {_names(result, worse)}. Not distinguishable from it: "
            f"{_names(result, ties)}. 95% CI of the best: "
            f"{frame.loc[best, 'ci_low']:.3f}-{frame.loc[best, 'ci_high']:.3f}."
        )
    if "selectivity" in frame:
        top = int(frame["selectivity"].to_numpy().argmax())
        index = frame.index[top]
        control = frame["control_mean"]
        guess = _random_guess_accuracy(result)
        chance = (
            f"guessing by the class frequencies gives {guess:.3f} on average"
            if guess is not None
            else f"chance {result.chance_score:.3f}"
        )
        lines.append(
            f"Selectivity ({name} minus that of the same probe trained on "
            f"permuted labels) is highest at {_row_name(result, index)}: "
            f"{frame.loc[index, 'selectivity']:.3f}; the control scores "
            f"{control.min():.3f}-{control.max():.3f} ({chance})."
        )
    if "random_weights_mean" in frame:
        rw = frame["random_weights_mean"]
        top = frame.index[int(rw.to_numpy().argmax())]
        gain = frame["cv_score_mean"] - rw
        below = [i for i in frame.index if gain[i] <= 0]
        text = (
            f"The random-weights model (same architecture, untrained) reaches "
            f"{rw[top]:.3f} at best ({_row_name(result, top)}); at the best "
            f"layer pretraining adds {gain[best]:+.3f} "
            f"({frame.loc[best, 'cv_score_mean']:.3f} vs {rw[best]:.3f})."
        )
        if below:
            text += f" Not above random weights: {_names(result, below)}."
        if rw.max() <= result.chance_score:
            text += (
                f" Every random-weights score is at or below chance "
                f"({result.chance_score:.3f}): nothing to read from an untrained "
                "model at any layer."
            )
        lines.append(text)
    if "mdl_compression" in frame:
        top = frame.index[int(frame["mdl_compression"].to_numpy().argmax())]
        uniform = (result.settings.get("mdl") or {}).get("uniform_code_length_bits")
        bits = frame.loc[top, "mdl_code_length_bits"]
        of = f" of {uniform:.0f} uniform" if uniform else ""
        lines.append(
            f"MDL: the labels compress best at {_row_name(result, top)} "
            f"({frame.loc[top, 'mdl_compression']:.2f}x: {bits:.0f} bits{of}; "
            "online code on all the training texts)."
        )
        if frame["mdl_compression"].max() < 1:
            lines[-1] += (
                " Every layer codes the labels in more bits than the uniform "
                "code: the probe's probabilities are overconfident (most of "
                "all when trained on the small first blocks), so read the "
                "compression layer against layer, not against 1; a "
                "better-calibrated probe (e.g. a more regularised one) "
                "compresses more."
            )
    return lines


def markdown_table(frame):
    """A GitHub-flavoured Markdown table of a DataFrame of strings."""
    columns = [str(c) for c in frame.columns]
    rows = [[str(v) for v in row] for row in frame.itertuples(index=False)]

    def line(cells):
        return "| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |"

    align = ["---:" if _numeric(frame[c]) else ":---" for c in frame.columns]
    return "\n".join([line(columns), "|" + "|".join(align) + "|", *map(line, rows)])


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


def _describe_params(params):
    return ", ".join(
        format_param(key.split("__", 1)[-1], value) for key, value in params.items()
    )


def _compact(layers):
    layers = list(layers)
    if layers and layers == list(range(layers[0], layers[-1] + 1)) and len(layers) > 2:
        return f"{layers[0]}-{layers[-1]}"
    return ", ".join(map(str, layers))


def _short(value):
    return describe_sizes(value) if isinstance(value, tuple) else str(value)


def _numeric(series):
    try:
        series.astype(float)
    except (TypeError, ValueError):
        return False
    return True
