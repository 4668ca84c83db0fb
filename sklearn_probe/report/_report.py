"""A sweep's results on disk: scores.csv, results.json, pictures, report.md, pipeline.

Everything is drawn from :attr:`LayerSweepResult.scores`, so a column added there
(a baseline, a confidence interval) reaches the CSV and the JSON at once.
"""

import logging
import time
from pathlib import Path

from ._files import now, package_versions, save_figure, write_json
from ._folder import replacing
from ._markdown import markdown_report
from ._text import run_parts

logger = logging.getLogger(__name__)


def write_report(
    result,
    out_dir,
    *,
    texts=None,
    labels=None,
    label_names=None,
    plot_layers=None,
    projection="auto",
    max_plot_samples=300,
    dataset=None,
    command=None,
    save_pipeline=True,
    dpi=150,
    task=None,
    started=None,
    startup=None,
):
    """Write a sweep's results to ``out_dir``, whole or not at all.

    The files are written into a temporary folder beside ``out_dir``, which
    then takes its place: an existing report there is replaced whole, and kept
    as it was if writing fails or is interrupted. ``out_dir`` must be absent,
    empty or a report folder (see :func:`check_out_dir`, which the command runs
    before the sweep).

    Files: ``scores.csv``; ``results.json`` (settings, versions, per-layer
    scores, best layer, held-out score, timings); ``layer_scores.png`` and
    ``.svg``; the embeddings picture, ``tsne_layers``, ``pca_layers`` or
    ``probe_layers`` ``.png`` and ``.svg`` by its projection (only with ``texts`` and
    ``labels``, and not for a regression, whose targets are no classes to
    colour points by); ``report.md`` showing all of it; ``best_pipeline.skops`` (the
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
    projection : {"auto", "tsne", "pca", "probe"}, default="auto"
    max_plot_samples : int, default=300
        Points per panel at most.
    dataset : dict, default=None
        What the data were (name, columns, split, ...), stored in the JSON and
        shown in the report.
    command : str, default=None
        The command line that made the result, shown in the report.
    save_pipeline : bool, default=True
    dpi : int, default=150
        Resolution of the PNG files.
    task : str, default=None
        What was probed (e.g. ``"upos of words"``), named in the picture's
        title and the report's heading; None names the labels of ``dataset``.
    started : float, default=None
        ``time.perf_counter()`` when the run began (the command passes it):
        report.md's time line then covers the whole run, loading the data
        included. None: the sweep, the pictures, the pipeline and the report.
    startup : float, default=None
        Seconds from the process's start to ``started`` (Python and its
        imports; the command passes it): the time line counts them as a part
        of the run, ``startup`` in results.json's ``report_timings_s``.

    Returns
    -------
    dict
        ``name -> Path`` of every file written.
    """
    out = Path(out_dir).expanduser()
    with replacing(out) as folder:
        names, pictures, run = _write_files(
            result,
            folder,
            texts=texts,
            labels=labels,
            label_names=label_names,
            plot_layers=plot_layers,
            projection=projection,
            max_plot_samples=max_plot_samples,
            save_pipeline=save_pipeline,
            dpi=dpi,
            task=task,
        )
        clock = time.perf_counter()
        # What report.md and results.json name are the files' final places.
        written = {name: out / name for name in names}
        versions = package_versions()
        payload = {
            "created": now(),
            "command": command,
            "dataset": dataset,
            **result.to_dict(),
            "versions": versions,
            "files": sorted([*written, "results.json", "report.md"]),
        }
        run["report"] = time.perf_counter() - clock
        if started is not None:
            run["whole"] = time.perf_counter() - started
            if startup is not None:
                run["startup"] = float(startup)
                run["whole"] += run["startup"]
        # Beside the sweep's timings_s: the run's parts (see run_parts).
        payload["report_timings_s"] = run_parts(result, run)
        page = markdown_report(
            result,
            written,
            dataset=dataset,
            command=command,
            pictures=pictures,
            versions=versions,
            task=task,
            run=run,
        )
        write_json(folder / "results.json", payload)
        (folder / "report.md").write_text(page)
    written.update({name: out / name for name in ("results.json", "report.md")})
    logger.info("Wrote %s to %s", ", ".join(sorted(written)), out)
    return written


def _write_files(
    result,
    folder,
    *,
    texts,
    labels,
    label_names,
    plot_layers,
    projection,
    max_plot_samples,
    save_pipeline,
    dpi,
    task,
):
    """The CSV, the pictures and the pipeline, written into ``folder``.

    Returns their names; what the embeddings picture shows (``method``,
    ``n_points``; None without it); and the seconds the pictures and the
    pipeline took (``run``).
    """
    clock = time.perf_counter()
    result.scores.to_csv(folder / "scores.csv", index=False)
    names = ["scores.csv", *_scores_picture(result, folder, task, dpi)]
    embeddings = None
    # Points coloured by class: a regression's targets are no classes.
    if texts is not None and labels is not None and result.task_spec.is_classifier:
        picture, embeddings = _embeddings_picture(
            result,
            folder,
            texts,
            labels,
            layers=plot_layers,
            method=projection,
            max_samples=max_plot_samples,
            label_names=label_names,
            dpi=dpi,
        )
        names += picture
    run = {"pictures": time.perf_counter() - clock}
    if save_pipeline:
        from .. import save_pipeline

        clock = time.perf_counter()
        save_pipeline(result.best_pipeline, folder / "best_pipeline.skops")
        names.append("best_pipeline.skops")
        run["pipeline"] = time.perf_counter() - clock
    return names, embeddings, run


def _scores_picture(result, folder, task, dpi):
    """layer_scores.png and .svg; their names."""
    import matplotlib.pyplot as plt

    from ..plotting import LayerScoresDisplay

    title = None
    if task:
        title = f"Probe {result.score_name.replace('_', ' ')} by layer: {task}"
        title += f" ({result.model_name})" if result.model_name else ""
    display = LayerScoresDisplay.from_sweep(result, title=title)
    names = save_figure(display.figure_, folder / "layer_scores", dpi)
    plt.close(display.figure_)
    return names


def _embeddings_picture(result, folder, texts, labels, *, dpi, **options):
    """The embeddings picture (``tsne_layers``, ``pca_layers`` or
    ``probe_layers`` .png and .svg): its names and what it shows (``file``,
    ``method``, ``n_points``, ``description``)."""
    import matplotlib.pyplot as plt

    from ..plotting import LayerEmbeddingsDisplay, describe_projection

    display = LayerEmbeddingsDisplay.from_sweep(
        result,
        texts,
        labels,
        random_state=result.settings.get("random_state", 0),
        **options,
    )
    names = save_figure(display.figure_, folder / display.file_stem, dpi)
    plt.close(display.figure_)
    info = display.projection_info_
    return names, {
        "file": f"{display.file_stem}.png",
        "method": display.method,
        "n_points": len(display.labels),
        "description": None if info is None else describe_projection(info),
    }
