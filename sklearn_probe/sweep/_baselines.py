"""What a layer sweep's scores are compared with: baselines, MDL, chance, CIs.

The columns that :func:`~sklearn_probe.layer_sweep` adds beside the probe's
cross-validated score when asked: the baselines (``BASELINES``: the control
task and the random-weights model, each a search over the same candidates and
folds, ``_run_baselines``; the text-only baselines ``TEXT_BASELINES``, one
scikit-learn pipeline on the raw texts cross-validated on the same folds,
``_text_baseline_columns``), the online code length of every candidate
(``mdl=True``, ``_mdl_columns``) and, with repeated CV, confidence intervals and
paired tests against the best row (``_add_comparisons``). ``_references`` runs
what a sweep asks for.
"""

import logging
import time

import numpy as np
from sklearn.base import clone

from ..baselines import BASELINES, SEARCH_BASELINES, TEXT_BASELINES
from ..utils._names import CV
from ._kinds import task_spec
from ._search import _run_search, _single_torch_thread

logger = logging.getLogger(__name__)


def _references(pipe, candidates, inputs, config):
    """The baselines' and MDL's columns, their timings and MDL's settings."""
    columns, timings = _run_baselines(
        inputs.baselines,
        pipe,
        candidates,
        inputs.texts,
        inputs.y,
        unit=inputs.unit,
        splits=inputs.splits,
        scoring=inputs.scoring,
        n_jobs=config.n_jobs,
        random_state=config.random_state,
        verbose=config.verbose,
    )
    text_columns, text_timings = _text_baseline_columns(
        inputs.baselines,
        inputs.texts,
        inputs.y,
        splits=inputs.splits,
        scoring=inputs.scoring,
        task=inputs.task,
    )
    columns.update(text_columns)
    timings.update(text_timings)
    mdl_settings = None
    if config.mdl:
        start = time.perf_counter()
        with _single_torch_thread():
            mdl_columns, mdl_settings = _mdl_columns(
                pipe,
                candidates,
                inputs.texts,
                inputs.y,
                config.random_state,
                inputs.groups,
            )
        columns.update(mdl_columns)
        timings["mdl"] = time.perf_counter() - start
    return columns, timings, mdl_settings


def _run_baselines(
    baselines,
    pipe,
    candidates,
    texts,
    y,
    *,
    splits,
    scoring,
    n_jobs,
    random_state,
    verbose,
    unit,
):
    """Columns (name -> values per candidate) and timings of the baselines.

    Each baseline is a search over the same candidates and folds as the sweep,
    without refit; its hidden states are already cached. For words, the
    control is the same search on word-type control labels.
    """
    columns, timings = {}, {}
    runs = [
        (
            name,
            *BASELINES[name].search(
                pipe, candidates, texts, y, unit=unit, random_state=random_state
            ),
        )
        for name in SEARCH_BASELINES
        if name in baselines
    ]
    for name, estimator, grid, labels in runs:
        search, timings[name] = _run_search(
            estimator,
            grid,
            texts,
            labels,
            refit=False,
            return_train_score=False,
            scoring=scoring,
            cv=splits,
            n_jobs=n_jobs,
            verbose_bar=verbose,
            desc=name.replace("_", " "),
        )
        columns[f"{name}_mean"] = search.cv_results_["mean_test_score"]
        columns[f"{name}_std"] = search.cv_results_["std_test_score"]
        logger.info(
            "Baseline %r: %d candidates in %.1f s.", name, len(grid), timings[name]
        )
    return columns, timings


def text_baseline(name, task="classification"):
    """The unfitted scikit-learn pipeline of a text-only baseline (its
    ``BaselineSpec.pipeline``) ending in the task's model:
    ``LogisticRegression()``, or ``Ridge()`` for a regression."""
    if name not in TEXT_BASELINES:
        raise ValueError(f"Unknown text baseline {name!r}; one of {TEXT_BASELINES}.")
    return BASELINES[name].pipeline(task_spec(task).text_model())


def _text_baseline_columns(baselines, texts, y, *, splits, scoring, task):
    """Columns (``<name>_mean``, ``<name>_std``, ``<name>_fold<k>``: one value
    for every row) and timings of the text-only baselines, each a pipeline on
    the raw texts, fitted on each training fold only and scored on the same
    folds and with the same scoring as the probe."""
    from sklearn.model_selection import cross_val_score

    columns, timings = {}, {}
    for name in baselines:
        if name not in TEXT_BASELINES:
            continue
        start = time.perf_counter()
        scores = cross_val_score(
            text_baseline(name, task), texts, y, cv=splits, scoring=scoring
        )
        timings[name] = time.perf_counter() - start
        columns[f"{name}_mean"] = float(np.mean(scores))
        columns[f"{name}_std"] = float(np.std(scores))
        for k, score in enumerate(scores):
            columns[f"{name}_fold{k}"] = float(score)
        logger.info(
            "Text baseline %r: %.3f in %.1f s.", name, scores.mean(), timings[name]
        )
    return columns, timings


def _mdl_columns(pipe, candidates, texts, y, random_state, groups=None):
    """Online code length and compression of every candidate on all the texts
    (word samples: blocks of whole sentences, ``groups``)."""
    from ..stats import DEFAULT_PORTIONS, online_code_length

    bits, compression = [], []
    uniform = None
    for candidate in candidates:
        estimator = clone(pipe).set_params(
            **{key: values[0] for key, values in candidate.items()}
        )
        code = online_code_length(
            estimator, texts, y, random_state=random_state, groups=groups
        )
        bits.append(code.code_length_bits)
        compression.append(code.compression)
        uniform = code.uniform_code_length_bits
        logger.debug(
            "MDL of layer %s: %.1f bits (compression %.3f)",
            candidate["hidden__layer"][0],
            code.code_length_bits,
            code.compression,
        )
    columns = {"mdl_code_length_bits": bits, "mdl_compression": compression}
    settings = {
        "portions": list(DEFAULT_PORTIONS),
        "uniform_code_length_bits": uniform,
        "data": "all training texts, shuffled by random_state"
        if groups is None
        else "all training words, sentences shuffled whole by random_state; "
        "every block ends at the end of a sentence",
    }
    return columns, settings


def _add_comparisons(frame, n_folds, n_samples, n_splits, alpha=0.05):
    """Confidence intervals and paired tests against the best row (stats.py)."""
    from ..stats import COMPARISON_COLUMNS, layer_comparison_frame, train_test_sizes

    n_train, n_test = train_test_sizes(n_samples, n_splits)
    fold_columns = [f"{CV}_fold{k}" for k in range(n_folds)]
    fold_scores = {i: frame.loc[i, fold_columns].to_numpy(float) for i in frame.index}
    comparison = layer_comparison_frame(
        fold_scores, n_train=n_train, n_test=n_test, alpha=alpha, correction="holm"
    )
    frame = frame.copy()
    for column in COMPARISON_COLUMNS:
        frame[column] = comparison[column].to_numpy()
    return frame


def text_baseline_p_value(result, name):
    """The paired corrected t-test's p-value of the best row against the text
    baseline ``name`` on the same folds (repeated CV only; else None)."""
    from ..stats import paired_comparison, train_test_sizes

    if result.n_repeats < 2:
        return None
    n_folds = result.n_splits * result.n_repeats
    row = result.scores.loc[result.best_index]
    probe = row[[f"{CV}_fold{k}" for k in range(n_folds)]].to_numpy(float)
    text = row[[f"{name}_fold{k}" for k in range(n_folds)]].to_numpy(float)
    n_train, n_test = train_test_sizes(result.n_train, result.n_splits)
    test = paired_comparison(probe, text, n_train=n_train, n_test=n_test)
    return float(test.p_value)
