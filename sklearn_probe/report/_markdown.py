"""report.md: a sweep's results as a page a person reads.

:func:`markdown_report` puts together its sections: what was done and found
(with the caveats), what the baselines say, the pictures, the scores table,
the best layer's results per class, a command to try the saved pipeline on
texts of the user's own data, and the settings.
"""

from ._conversations import chat_examples, chat_try_section
from ._probed import probed, probed_title
from ._reading import reading_lines
from ._tables import (
    confusion_table,
    markdown_table,
    per_class_table,
    summary_table,
    try_command,
)
from ._text import projection_note, summary_lines
from ._words import (
    control_words,
    labels_word,
    one_answer,
    probe_phrase,
    row_name,
    sample_noun,
)


def markdown_report(
    result, written, *, dataset, command, pictures, versions, task=None, run=None
):
    """The text of report.md.

    ``written`` names the files written beside it; ``pictures`` says what the
    embeddings picture shows (``method``, ``n_points``; None without it);
    ``task`` what was probed ("upos of words"); ``run`` the seconds the
    pictures, the pipeline, the report (and the ``whole`` run) took.
    """
    lines = _intro(result, dataset, task, run)
    reading = reading_lines(result)
    if reading:
        lines += ["", "## What the baselines say", "", *[f"- {x}" for x in reading]]
    lines += ["", "![Probe score by layer](layer_scores.png)", ""]
    if pictures is not None:
        lines += [
            f"![{pictures['method']} of the pooled vectors of several layers]"
            f"({pictures.get('file', 'tsne_layers.png')})",
            "",
            projection_note(result, pictures),
            "",
        ]
    lines += _scores_section(result)
    lines += _per_class_section(result, dataset)
    lines += _try_section(result, written, dataset)
    lines += _settings_section(result, dataset, command, versions)
    return "\n".join(lines) + "\n"


def _intro(result, dataset, task, run):
    s = result.settings
    data_name = (dataset or {}).get("name", "texts")
    question = f"the {task or labels_word(result)} of {data_name}"
    folds = f"{_stratified(result)}cross-validation"
    if s.get("cv_groups"):
        folds += f" grouped by {s['cv_groups']}"
    lines = [
        f"# Which layer of `{s['model']}` knows {question}?{probed_title(s)}",
        "",
        f"{probe_phrase(s['probe'])} trained on the {_pooling_text(s)} "
        f"{_site_text(s)} of every layer and scored by "
        f"{result.cv_description.replace(' CV', '')} {folds} on "
        f"{result.n_train} training {_noun(result, dataset)}.",
        "",
    ]
    return lines + [
        f"**{line}**" if i == 0 else line
        for i, line in enumerate(summary_lines(result, run=run))
    ]


def _noun(result, dataset):
    """What a sample is: texts, words or arcs (the dataset's ``unit`` where
    it says)."""
    unit = (dataset or {}).get("unit") or result.settings.get("unit", "text")
    return f"{unit}s"


def _try_section(result, written, dataset=None):
    if result.unit_spec.raw_texts and chat_examples(result):
        command = try_command(result, pipeline_path(written), dataset)
        return chat_try_section(result, command)
    if result.unit_spec.raw_texts:
        return [
            "## Try texts of your own",
            "",
            _try_it_texts(result)
            + (" (held out)" if result.n_test else "")
            + f", {_try_it_verb(result)} by the saved pipeline; put your own in "
            "their place:",
            "",
            "```sh",
            try_command(result, pipeline_path(written)),
            "```",
            "",
        ]
    pipeline = result.best_pipeline  # None when loaded without it
    pair = pipeline is not None and pipeline.named_steps["hidden"].kind_ == "pair"
    sample = "(1, 2), (2, 3)" if pair else "1"
    return [
        "## Try sentences of your own",
        "",
        "The saved pipeline takes samples of "
        "`WordHiddenStateTransformer` (a sentence split into words, then "
        + ("the dependent's and the head's spans" if pair else "a word's index")
        + "):",
        "",
        "```python",
        "from sklearn_probe import load_pipeline",
        "",
        f"pipeline = load_pipeline({str(pipeline_path(written))!r})",
        f'pipeline.predict([(("The", "dogs", "bark", "."), {sample})])',
        "```",
        "",
    ]


def _scores_section(result):
    return [
        "## Scores",
        "",
        f"`CV {result.score_name}`: mean over the validation folds, `± sd` their "
        "standard deviation, `train`: mean over the training folds, `fit s`: "
        "seconds per fit. `*` marks the best (the highest mean CV score)."
        + _column_notes(result),
        "",
        markdown_table(summary_table(result)),
        "",
        "Every fold's score is in `scores.csv`; settings, versions and timings "
        "in `results.json`.",
        "",
    ]


def _per_class_section(result, dataset):
    per_class = per_class_table(result)
    if per_class is None:
        return []
    best = row_name(result, result.best_index)
    folds = f"{result.n_splits}-fold"
    if result.n_repeats > 1:
        folds += " (the first repeat's folds)"
    return [
        "## The best layer, class by class",
        "",
        f"Cross-validated predictions of the best pipeline, {best}, for each of "
        f"the {result.n_train} training {_noun(result, dataset)}, each predicted "
        f"by the probe fitted without it ({folds}).",
        "",
        markdown_table(per_class),
        "",
        markdown_table(confusion_table(result)),
        "",
    ]


def _settings_section(result, dataset, command, versions):
    s = result.settings
    settings = {
        "model": s["model"],
        "hidden states": f"{s['n_layers']} (width {s['hidden_size']})",
        "layers swept": _compact(s["layers"]),
        "pooling": _listed(s["pooling"]),
        # The site and tokens read, when not the residual stream's every token.
        **{k: words for k, words in probed(s) if k != "probe"},
        "probe": _listed(s["probe"]),
        "max_length": s["max_length"],
        "folds": s["cv_splitter"],
        "scoring": s["scoring"],
        **_labels_setting(s),
        f"held-out {sample_noun(result)}": result.n_test,
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
    return ["## Settings", "", *[f"- **{k}**: {v}" for k, v in settings.items()]]


def _column_notes(result):
    frame = result.scores
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
            f" `control`: the same probe fitted on {control_words(result)}; "
            "`selectivity`: CV score minus control."
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
    if (frame["degenerate_folds"] > 0).any():
        notes.append(
            f" `learned nothing`: folds whose probe predicted {one_answer(result)} "
            f"for all the {sample_noun(result)} it was trained on, or scored no "
            "better than chance on them."
        )
    return "".join(notes)


def _try_it_texts(result):
    return result.task_spec.try_it


def _try_it_verb(result):
    return result.task_spec.labelled


def _stratified(result):
    return result.task_spec.stratified


def _labels_setting(settings):
    """The classes and their counts, or a regression's targets in brief."""
    targets = settings.get("targets")
    if targets:
        return {
            "task": "regression",
            "targets": f"mean {targets['mean']:.4g}, sd {targets['std']:.4g}, "
            f"from {targets['min']:.4g} to {targets['max']:.4g}",
        }
    counts = settings["class_counts"]
    return {"classes": ", ".join(f"{k}: {v}" for k, v in counts.items())}


def pipeline_path(written):
    """The saved pipeline's path, or its file name when none was written."""
    path = written.get("best_pipeline.skops")
    return str(path) if path is not None else "best_pipeline.skops"


def _listed(value):
    return value if isinstance(value, str) else ", ".join(map(str, value))


def _pooling_text(settings):
    pooling = settings["pooling"]
    if pooling == "tokens":  # a probe that pools for itself
        return "per-token"
    if isinstance(pooling, str):
        return f"{pooling}-pooled"
    return "/".join(pooling) + "-pooled"


# What each site is, in the report's sentences.
_SITE_WORDS = {
    "residual": "hidden states",
    "attention": "attention outputs",
    "mlp": "MLP outputs",
    "residual_mid": "mid-block residual stream",
    "heads": "attention heads",
}


def _sites(settings):
    """The sites a result read (``"residual"`` for results saved before sites)."""
    site = settings.get("site", "residual")
    return [site] if isinstance(site, str) else list(site)


def _site_text(settings):
    """``"hidden states"``; ``"hidden states, attention outputs and MLP
    outputs"`` for a sweep over sites."""
    words = [_SITE_WORDS.get(site, site) for site in _sites(settings)]
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def _describe_dataset(dataset):
    """The dataset's name and options; its size in what it counts
    (``n_samples=200`` texts, as ``--n-samples``; ``1351 words in 96
    sentences``)."""
    parts = [str(dataset.get("name"))]
    for key in ("split", "text_column", "messages_column", "label_column"):
        if dataset.get(key) is not None:
            parts.append(f"{key}={dataset[key]}")
    if dataset.get("n_sentences") is not None:  # words or arcs of sentences
        unit = dataset.get("unit") or "word"
        parts.append(
            f"{dataset.get('n_samples')} {unit}s in {dataset['n_sentences']} sentences"
        )
    elif dataset.get("n_samples") is not None:
        parts.append(f"n_samples={dataset['n_samples']}")
    return ", ".join(parts)


def _compact(layers):
    layers = list(layers)
    if layers and layers == list(range(layers[0], layers[-1] + 1)) and len(layers) > 2:
        return f"{layers[0]}-{layers[-1]}"
    return ", ".join(map(str, layers))
