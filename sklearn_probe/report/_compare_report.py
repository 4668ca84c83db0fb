"""A comparison of sweeps on disk: tables, pictures, comparison.md, and one
report folder per model.

Files: ``comparison.csv`` (one row per model at its best layer, with the paired
tests), ``comparison_scores.csv`` (every model's score by layer and relative
depth), ``comparison.json`` (both, the models' settings and the versions),
``models_by_layer.png``/``.svg`` and ``models_by_relative_depth.png``/``.svg``
(only when the models' numbers of layers differ: otherwise it is the same
picture rescaled),
``comparison.md`` showing it all, and, when asked, each model's full report in
a folder of its own (``1-<model>``, ``2-<model>``, ...).
"""

import re
from pathlib import Path

from ._files import now, package_versions, save_figure, write_json
from ._folder import replacing
from ._tables import markdown_table
from ._words import labels_word, sample_noun


def model_folder(i, name):
    """``"1-minilm"``: the folder of the ``i``-th model's report (0-based ``i``)."""
    slug = re.sub(r"[^A-Za-z0-9._]+", "-", Path(name).name or name).strip("-.")
    return f"{i + 1}-{slug or 'model'}"


def write_comparison_report(
    comparison, out_dir, *, model_reports=None, dataset=None, command=None, dpi=150
):
    """Write ``comparison`` to ``out_dir``, whole or not at all.

    Parameters
    ----------
    comparison : SweepComparison
    out_dir : str or path-like
        Absent, empty, or a comparison folder written before (replaced whole).
    model_reports : dict, default=None
        ``name -> keyword arguments of save_report`` for every model whose full
        report goes into a folder of its own; None writes none.
    dataset : dict, default=None
        What the data were, stored in the JSON and shown.
    command : str, default=None
        The command line that made the comparison, shown.
    dpi : int, default=150

    Returns
    -------
    dict
        ``name -> Path`` of every file and model folder written.
    """
    import matplotlib.pyplot as plt

    from ..plotting import ModelComparisonDisplay

    axes = ModelComparisonDisplay.distinct_x(comparison.scores)
    out = Path(out_dir).expanduser()
    folders = {}
    with replacing(out) as folder:
        names = []
        comparison.summary.to_csv(folder / "comparison.csv", index=False)
        comparison.scores.to_csv(folder / "comparison_scores.csv", index=False)
        names += ["comparison.csv", "comparison_scores.csv"]
        for x in axes:
            display = comparison.plot(x=x)
            names += save_figure(display.figure_, folder / f"models_by_{x}", dpi)
            plt.close(display.figure_)
        for i, (name, kwargs) in enumerate((model_reports or {}).items()):
            folders[name] = model_folder(i, name)
            comparison.results[name].save_report(folder / folders[name], **kwargs)
        payload = {
            "created": now(),
            "command": command,
            "dataset": dataset,
            "score_name": comparison.score_name,
            "cv": comparison.cv_description,
            "chance_score": comparison.chance_score,
            "text_baselines": comparison.references,
            "best_model": comparison.best_model,
            "summary": comparison.summary.to_dict(orient="records"),
            "scores": comparison.scores.to_dict(orient="records"),
            "models": {
                name: {"folder": folders.get(name), "settings": result.settings}
                for name, result in comparison.results.items()
            },
            "versions": package_versions(),
        }
        write_json(folder / "comparison.json", payload)
        (folder / "comparison.md").write_text(
            _markdown(comparison, folders, dataset, command, axes)
        )
    written = {
        name: out / name for name in [*names, "comparison.json", "comparison.md"]
    }
    written.update({name: out / sub for name, sub in folders.items()})
    return written


def comparison_table(comparison):
    """The comparison as a person reads it: one row per model, strings."""
    import pandas as pd

    s = comparison.summary
    table = pd.DataFrame(
        {
            "model": s["model"],
            "hidden states": s["n_layers"].astype(int),
            "best layer": s["best_layer"].astype(int),
            "depth": s["relative_depth"].map("{:.2f}".format),
            f"CV {comparison.score_name}": s["cv_score_mean"].map("{:.3f}".format),
            "± sd": s["cv_score_std"].map("{:.3f}".format),
            "95% CI": [
                f"{lo:.3f}-{hi:.3f}"
                for lo, hi in zip(s["ci_low"], s["ci_high"], strict=True)
            ],
            "vs best": [
                "" if m == comparison.best_model else f"{d:+.3f}" + ("*" * w)
                for m, d, w in zip(
                    s["model"], s["diff_vs_best"], s["significantly_worse"], strict=True
                )
            ],
            "p (Holm)": s["p_vs_best_adjusted"].map("{:.3g}".format),
        }
    )
    if "test_score" in s:
        table["held-out test"] = s["test_score"].map("{:.3f}".format)
        table["test 95% CI"] = [
            _interval(comparison.results[name].test_score_ci) for name in s["model"]
        ]
    return table


def _interval(ci):
    """``"0.750-0.950"``, or empty without an interval."""
    return "" if not ci else f"{ci['low']:.3f}-{ci['high']:.3f}"


def _markdown(comparison, folders, dataset, command, axes):
    data_name = (dataset or {}).get("name", f"the {_noun(comparison)}")
    labels = labels_word(next(iter(comparison.results.values())))
    models = ", ".join(f"`{name}`" for name in comparison.results)
    lines = [
        f"# Which model, and which layer, knows the {labels} of {data_name}?",
        "",
        f"Models {models}, each probed layer by layer on the same "
        f"{comparison.n_train} training {_noun(comparison)} and the same folds "
        f"({comparison.cv_description}).",
        "",
        *[f"- {line}" for line in comparison_lines(comparison)],
        "",
        *[
            f"![Probe score by {x.replace('_', ' ')}, every model](models_by_{x}.png)\n"
            for x in axes
        ],
        "## Best layer of each model",
        "",
        "`hidden states`: the embedding output and each layer's (`n_layers` in "
        "comparison.csv; layers are numbered from 0, the embedding output). "
        "`depth`: best layer / last layer. `vs best`: difference from the "
        "best model at its best layer, `*` when significantly worse (paired "
        "corrected t-test on the same folds, Holm-adjusted p < 0.05).",
        "",
        markdown_table(comparison_table(comparison)),
        "",
    ]
    if folders:
        lines += ["## Each model's report", ""]
        lines += [
            f"- `{name}`: [{sub}/report.md]({sub}/report.md)"
            for name, sub in folders.items()
        ]
        lines.append("")
    if command:
        lines += ["## Command", "", "```sh", command, "```", ""]
    return "\n".join(lines)


def _noun(comparison):
    """What the compared sweeps' samples are: texts, or word samples."""
    return sample_noun(next(iter(comparison.results.values())))


def comparison_lines(comparison):
    """The comparison in sentences: the best model (its best layer, relative
    depth and score), then each other model's difference from it with the
    paired test."""
    summary = comparison.summary.set_index("model")
    best = summary.loc[comparison.best_model]
    lines = [
        f"Best model: {comparison.best_model}, layer {int(best['best_layer'])} "
        f"of 0-{int(best['n_layers']) - 1} (relative depth "
        f"{best['relative_depth']:.2f}), {comparison.score_name} "
        f"{best['cv_score_mean']:.3f} ({comparison.cv_description})."
    ]
    for name, row in summary.iterrows():
        if name == comparison.best_model:
            continue
        verdict = (
            "significantly worse"
            if row["significantly_worse"]
            else "not distinguishable from it"
        )
        lines.append(
            f"{name}: best at layer {int(row['best_layer'])} (relative depth "
            f"{row['relative_depth']:.2f}), {row['cv_score_mean']:.3f}, "
            f"{row['diff_vs_best']:+.3f} vs {comparison.best_model}: {verdict} "
            f"(paired corrected t-test on the same folds, Holm-adjusted p = "
            f"{row['p_vs_best_adjusted']:.3g})."
        )
    return lines
