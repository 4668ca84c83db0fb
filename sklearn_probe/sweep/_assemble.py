"""The last stages of a layer sweep: score the test set, assemble the result.

:func:`_test_score` scores the refitted best pipeline on the held-out texts,
with a bootstrap interval of that score;
:func:`_assemble_result` builds the :class:`LayerSweepResult` from the search,
the references (baselines, MDL) and the diagnostics: the scores DataFrame
(:func:`_scores`) and the settings (:func:`_settings`).
"""

import logging
import os
import time

from sklearn.metrics import check_scoring

from ..metrics import bootstrap_score
from ..utils._names import CV, describe_probe, describe_sizes, score_name
from ._baselines import _add_comparisons
from ._chance import chance_level
from ._compare import data_fingerprint
from ._diagnostics import _degenerate_folds, _example_texts, _tied_with_best
from ._result import LayerSweepResult
from ._search import _scores_frame
from ._sites import described_sites, sweep_sites

logger = logging.getLogger(__name__)

#: Draws of the test set behind the held-out score's interval, and the share
#: of their scores it covers.
TEST_CI_RESAMPLES = 1000
TEST_CI_CONFIDENCE = 0.95


def _test_score(best_pipeline, inputs, scoring, random_state=0):
    """The best pipeline's score on the held-out test set, its bootstrap
    interval and the seconds both took: ``(None, None, 0.0)`` without a test
    set.

    The interval (``{"low", "high", "confidence", "n_resamples",
    "stratified", "random_state"}``) is the percentile bootstrap of the same
    scorer over :data:`TEST_CI_RESAMPLES` draws of the test rows (within each
    class for a classification, seeded by ``random_state``), scored from the
    pipeline's outputs on the test texts, computed once
    (:func:`~sklearn_probe.metrics.bootstrap_score`).
    """
    if inputs.test_texts is None:
        return None, None, 0.0
    start = time.perf_counter()
    scorer = check_scoring(best_pipeline, scoring=scoring)
    stratified = inputs.task.name == "classification"
    try:
        ci = bootstrap_score(
            best_pipeline,
            inputs.test_texts,
            inputs.test_y,
            scoring=scorer,
            n_resamples=TEST_CI_RESAMPLES,
            confidence=TEST_CI_CONFIDENCE,
            stratify=stratified,
            random_state=random_state,
        )
    except (AttributeError, TypeError, IndexError) as exc:
        # A scorer of the user's that needs more of the pipeline than its
        # predictions: the plain score, without an interval.
        logger.info("The held-out score has no bootstrap interval: %s", exc)
        score = float(scorer(best_pipeline, inputs.test_texts, inputs.test_y))
        return score, None, time.perf_counter() - start
    interval = {
        "low": ci["low"],
        "high": ci["high"],
        "confidence": ci["confidence"],
        "n_resamples": ci["n_resamples"],
        "stratified": stratified,
        "random_state": random_state,
    }
    return ci["score"], interval, time.perf_counter() - start


def _assemble_result(
    search,
    rows,
    inputs,
    hidden,
    *,
    extra_columns,
    predictions,
    test_score,
    scoring,
    settings,
    timings,
    test_score_ci=None,
):
    """The :class:`LayerSweepResult` of the search and the references."""
    chance = settings["chance"]["score"]
    scores, param_columns = _scores(search, rows, inputs, extra_columns, chance)
    classes = inputs.task.classes(inputs.y)
    held_out = inputs.test_texts is not None
    return LayerSweepResult(
        scores=scores,
        param_columns=param_columns,
        best_index=int(search.best_index_),
        best_params=search.best_params_,
        best_pipeline=search.best_estimator_,
        test_score=test_score,
        test_score_ci=test_score_ci,
        chance_score=chance,
        scoring=scoring,
        n_splits=inputs.n_splits,
        n_repeats=inputs.n_repeats,
        n_layers=hidden.n_layers_,
        layers=settings["layers"],
        classes=classes,
        n_train=len(inputs.texts),
        n_test=0 if inputs.test_texts is None else len(inputs.test_texts),
        settings=settings,
        timings=timings,
        cv_results=search.cv_results_,
        cv_predictions=predictions,
        train_labels=inputs.y,
        # Word samples are not texts to type after a command.
        example_texts=_example_texts(
            inputs.test_texts if held_out else inputs.texts,
            inputs.test_y if held_out else inputs.y,
            classes,
        )
        if inputs.unit.raw_texts
        else [],
    )


def _scores(search, rows, inputs, extra_columns, chance):
    """The scores DataFrame with the diagnostics', baselines' and comparisons'
    columns."""
    n_folds = len(inputs.splits)
    scores, param_columns = _scores_frame(search.cv_results_, rows, n_folds)
    scores["degenerate_folds"] = _degenerate_folds(search.cv_results_, n_folds, chance)
    scores["tied_with_best"] = _tied_with_best(scores, search.best_index_, n_folds)
    for column, values in extra_columns.items():
        scores[column] = values
    if "control_mean" in scores:
        scores["selectivity"] = scores[f"{CV}_mean"] - scores["control_mean"]
    if inputs.n_repeats > 1:
        scores = _add_comparisons(
            scores, len(inputs.splits), len(inputs.texts), inputs.n_splits
        )
    return scores, param_columns


def _settings(hidden, inputs, config, *, layers, mdl_settings):
    """Everything that determined the result, JSON-ready."""
    scoring = inputs.scoring
    probes = _probe_names(inputs.probes, inputs.grid)
    poolings = inputs.poolings
    return {
        "model": os.fspath(hidden.model),
        "model_fingerprint": hidden.model_fingerprint_,
        "n_layers": hidden.n_layers_,
        "hidden_size": hidden.hidden_size_,
        "layers": layers,
        # For words, the subword pooling.
        "pooling": poolings if len(poolings) > 1 else poolings[0],
        "tokens": inputs.grid.get("hidden__tokens", config.base_tokens),
        "site": described_sites(sweep_sites(hidden, inputs.grid)),
        "probe": probes if len(probes) > 1 else probes[0],
        "param_grid": inputs.grid,
        "cv": inputs.n_splits,
        "repeats": inputs.n_repeats,
        "cv_splitter": repr(inputs.splitter),
        "unit": inputs.unit.name,
        # Words of one sentence are never on both sides of a split.
        "cv_groups": inputs.unit.cv_groups,
        "baselines": list(inputs.baselines),
        "mdl": mdl_settings,
        "scoring": score_name(scoring),
        "max_length": hidden.max_length_,
        "batch_size": config.batch_size,
        "device": hidden.device_,
        "n_jobs": config.n_jobs,
        "random_state": config.random_state,
        "task": inputs.task.name,
        **inputs.task.label_summary(inputs.y),
        # The best guess without the texts: the guesser, and every one's score.
        "chance": _chance(inputs, scoring),
        # What compare_sweeps checks: the same texts, labels and folds.
        "data_fingerprint": data_fingerprint(inputs.texts, inputs.y, inputs.splits),
    }


def _chance(inputs, scoring):
    """``score`` and ``guesser`` (see :func:`~._chance.chance_level`)."""
    score, info = chance_level(inputs.task, inputs.y, inputs.splits, scoring)
    return {"score": score, **info}


def _probe_names(probes, grid):
    """Every probe the sweep trains, in a few words: each probe, and each size of
    ``probe__hidden_layer_sizes`` when ``param_grid`` sweeps it."""
    from ..probe import ProbeClassifier, ProbeRegressor

    sizes = grid.get("probe__hidden_layer_sizes")
    names = []
    for probe in probes:
        if sizes is not None and isinstance(probe, ProbeClassifier | ProbeRegressor):
            names += [describe_sizes(size) for size in sizes]
        else:
            names.append(describe_probe(probe))
    return list(dict.fromkeys(names))
