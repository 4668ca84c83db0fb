"""The stages of one layer sweep, each reading the frozen configuration.

:func:`run_sweep` checks the inputs (``_checks``), loads the model and warms
the cache (``_warm``), searches the candidates (:func:`_search`, with
``_search``), runs the baselines and MDL (``_baselines``), scores the
held-out test set and assembles the result (``_assemble``).
"""

import logging
import time

from sklearn.base import clone
from sklearn.pipeline import Pipeline

from ._assemble import _assemble_result, _settings, _test_score
from ._baselines import _references
from ._checks import _check_inputs
from ._diagnostics import _best_predictions, _search_scoring
from ._search import _argmax_mean_score, _candidates, _run_search
from ._sites import drop_layer_zero
from ._warm import _cache_for_workers, _load_model, _warm_cache

logger = logging.getLogger(__name__)


def run_sweep(texts, labels, config):
    """The stages of one sweep, each reading the frozen ``config``."""
    started = time.perf_counter()
    config.unit_spec.check_options(repeats=config.repeats)
    inputs = _check_inputs(texts, labels, config)
    timings = {}
    hidden, inputs, layers, timings["load"] = _load_model(inputs, config)
    with _cache_for_workers(hidden, config.n_jobs, config.cache_dir, inputs.unit):
        timings["hidden_states"] = _warm_cache(
            hidden, inputs, config.random_state, layers
        )
        search, pipe, candidates, rows = _search(
            hidden, inputs, layers, config, timings
        )
        extra_columns, extra_timings, mdl_settings = _references(
            pipe, candidates, inputs, config
        )
        start = time.perf_counter()
        predictions = _best_predictions(pipe, search.best_params_, inputs, search)
        timings["best_predictions"] = time.perf_counter() - start
    timings.update(extra_timings)
    best_pipeline = search.best_estimator_
    # A temporary disk cache is gone; later predictions read the caller's and
    # do not grow it.
    best_pipeline.set_params(
        hidden__cache_dir=config.cache_dir, hidden__cache_mode="read-only"
    )
    test_score, test_score_ci, timings["test"] = _test_score(
        best_pipeline, inputs, inputs.scoring, config.random_state
    )
    settings = _settings(
        hidden, inputs, config, layers=layers, mdl_settings=mdl_settings
    )
    # Whether the probes were solved at once or one by one, and why.
    settings["probe_solver"] = search.probe_solver_
    timings["total"] = time.perf_counter() - started
    result = _assemble_result(
        search,
        rows,
        inputs,
        hidden,
        extra_columns=extra_columns,
        predictions=predictions,
        test_score=test_score,
        test_score_ci=test_score_ci,
        scoring=inputs.scoring,
        settings=settings,
        timings=timings,
    )
    logger.debug("%r", result)
    return result


def _search(hidden, inputs, layers, config, timings):
    """The grid search over every candidate on the shared folds, refitted on
    the best; the pipeline it clones, its candidates and the rows showing them.

    Adds the seconds of cross-validation and refit to ``timings``.
    """
    candidates, rows = _candidates(
        layers,
        inputs.poolings,
        inputs.probes,
        inputs.grid,
        pooling=inputs.unit.pooling_param,
    )
    candidates, rows = drop_layer_zero(candidates, rows)
    pipe = Pipeline([("hidden", clone(hidden)), ("probe", clone(inputs.probes[0]))])
    search, seconds = _run_search(
        pipe,
        candidates,
        inputs.texts,
        inputs.y,
        refit=_argmax_mean_score,
        return_train_score=True,
        scoring=_search_scoring(pipe, inputs.scoring, inputs.task),
        cv=inputs.splits,
        n_jobs=config.n_jobs,
        verbose_bar=config.verbose,
        keep_predictions=True,
    )
    timings["cross_validation"] = seconds - search.refit_time_
    timings["refit"] = float(search.refit_time_)
    return search, pipe, candidates, rows
