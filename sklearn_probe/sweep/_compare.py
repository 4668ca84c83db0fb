"""Several models (or checkpoints of one training run) compared layer by layer.

:func:`compare_sweeps` puts several :class:`LayerSweepResult`\\ s in one table
and one picture: every model's score by layer (x: layer index or relative
depth), and a paired test of every model's best layer against the best
model's, on the same folds (Nadeau & Bengio's corrected resampled t-test of
:mod:`sklearn_probe.stats`, Holm-adjusted). The sweeps must have run on the
same texts, labels and folds: each result's ``settings["data_fingerprint"]``
says which (:func:`data_fingerprint`), and results that differ are refused.
``layer_sweep(model=[...])`` runs every model on the same folds and returns
the comparison (``_several``).
"""

from dataclasses import dataclass, field

import joblib
import numpy as np
import pandas as pd

from ..utils._names import CV, jsonable, short_name, unique

__all__ = ["SweepComparison", "compare_sweeps"]


def data_fingerprint(texts, y, splits):
    """Short digests of the texts, the labels and the folds of a sweep.

    Two sweeps whose three digests are equal scored their candidates on the
    same validation texts, so their fold scores pair up.
    """

    def digest(value):
        return joblib.hash(jsonable(value))[:16]

    return {
        "texts": digest(list(texts)),
        "labels": digest(np.asarray(y).tolist()),
        "folds": digest([np.asarray(test).tolist() for _, test in splits]),
    }


@dataclass(kw_only=True, eq=False, repr=False)
class SweepComparison:
    """Several layer sweeps on the same folds, side by side.

    Made by :func:`compare_sweeps` (or ``layer_sweep(model=[...])``).

    Attributes
    ----------
    results : dict
        ``name -> LayerSweepResult``, in the order given.
    scores : pandas.DataFrame
        One row per model and layer: ``model``, ``layer``, ``relative_depth``
        (layer / number of transformer layers: 0 is the embedding output, 1
        the last layer), ``cv_score_mean``, ``cv_score_std`` (and ``ci_low``,
        ``ci_high`` with repeated CV), ``best`` (the model's best layer). When
        a sweep also swept poolings or probes, its rows are those of the
        setting of its best candidate.
    summary : pandas.DataFrame
        One row per model, at its best layer: ``model``, ``n_layers`` (hidden
        states, embedding output included), ``best_layer``,
        ``relative_depth``, ``cv_score_mean``, ``cv_score_std``, ``ci_low``,
        ``ci_high`` (95% corrected resampled t interval), ``diff_vs_best``
        (minus the best model's score), ``p_vs_best`` and
        ``p_vs_best_adjusted`` (paired corrected t-test of the fold scores
        against the best model's; Holm-adjusted over the models),
        ``significantly_worse`` (adjusted p < 0.05), and ``test_score`` when
        the sweeps had a held-out test set.
    best_model : str
        The model with the highest best-layer score.
    score_name : str
        The sweeps' scoring, e.g. ``"accuracy"``.
    chance_score : float
        The score of guessing without the texts (the same for every sweep).
    n_splits, n_repeats, n_train : int
        Folds per repeat, repeats, and training texts of every sweep.
    references : dict
        ``{"bag_of_words": score, "length": score}``: the text-only
        baselines' mean scores, when the sweeps ran them.
    """

    results: dict
    scores: pd.DataFrame
    summary: pd.DataFrame
    best_model: str
    score_name: str
    chance_score: float
    n_splits: int
    n_repeats: int
    n_train: int
    references: dict = field(default_factory=dict)

    @property
    def cv_description(self):
        return next(iter(self.results.values())).cv_description

    def __repr__(self):
        best = self.summary.set_index("model").loc[self.best_model]
        return (
            f"<SweepComparison of {len(self.results)} models on the same "
            f"{self.cv_description}: best {self.best_model!r} at layer "
            f"{int(best['best_layer'])} ({self.score_name} "
            f"{best['cv_score_mean']:.3f})>"
        )

    def plot(self, *, x="layer", ax=None, **options):
        """Every model's score by layer on one axes.

        Parameters
        ----------
        x : {"layer", "relative_depth"}, default="layer"
            The x axis: the layer index, or layer / number of layers (models
            of different depths line up from 0 to 1).
        ax : matplotlib.axes.Axes, default=None
            Axes to draw on; None makes a new figure.
        **options
            Passed to :class:`~sklearn_probe.plotting.ModelComparisonDisplay`.

        Returns
        -------
        ModelComparisonDisplay
            The display, drawn.
        """
        from ..plotting import ModelComparisonDisplay

        return ModelComparisonDisplay.from_comparison(self, x=x, ax=ax, **options)

    def save_report(self, out_dir, **kwargs):
        """Write the comparison's tables, pictures and comparison.md.

        Parameters
        ----------
        out_dir : str or path-like
            Folder to write to (created if missing, replaced whole).
        **kwargs
            Passed to :func:`sklearn_probe.report.write_comparison_report`
            (e.g. ``model_reports`` for each model's full report).

        Returns
        -------
        dict
            ``name -> Path`` of every file written.
        """
        from ..report import write_comparison_report

        return write_comparison_report(self, out_dir, **kwargs)

    def reading_lines(self):
        """The comparison in sentences.

        Returns
        -------
        list of str
            The best model (its best layer, relative depth and score), then
            each other model's difference from it with the paired test.
        """
        from ..report import comparison_lines

        return comparison_lines(self)


def compare_sweeps(results, *, names=None, alpha=0.05):
    """Put several layer sweeps on the same folds in one table and one picture.

    Parameters
    ----------
    results : sequence or dict of LayerSweepResult
        Two or more sweeps of several models (or checkpoints of one training
        run) on the **same** texts, labels and folds: ``layer_sweep`` with the
        same ``texts``, ``labels``, ``cv``, ``repeats`` and ``random_state``,
        or results reloaded with :meth:`LayerSweepResult.load`. A dict gives
        the names.
    names : sequence of str, default=None
        A name per result; None uses each sweep's model (``settings["model"]``;
        the last part of a local folder's path), made unique with ``" (2)"``,
        ....
    alpha : float, default=0.05
        Significance level of ``significantly_worse``.

    Returns
    -------
    SweepComparison
        The table (``summary``, ``scores``) and the sweeps (``results``).

    Raises
    ------
    ValueError
        When the sweeps differ in their texts, labels, folds or scoring, which
        would make their scores incomparable.

    Examples
    --------
    >>> from sklearn_probe import compare_sweeps, layer_sweep
    >>> a = layer_sweep(texts, labels, model="minilm")  # doctest: +SKIP
    >>> b = layer_sweep(texts, labels, model="./my-finetuned")  # doctest: +SKIP
    >>> comparison = compare_sweeps([a, b])  # doctest: +SKIP
    >>> comparison.summary  # doctest: +SKIP
    >>> comparison.plot(x="relative_depth")  # doctest: +SKIP
    """
    results = _named_results(results, names)
    _check_same_data(results)
    curves = {name: _best_curve(result) for name, result in results.items()}
    summary = _summary(results, alpha)
    first = next(iter(results.values()))
    scores = pd.concat(
        [curve.assign(model=name) for name, curve in curves.items()],
        ignore_index=True,
    )
    scores = scores[["model", *[c for c in scores.columns if c != "model"]]]
    from ..baselines import TEXT_BASELINES

    references = {
        name: float(first.scores[f"{name}_mean"].iloc[0])
        for name in TEXT_BASELINES
        if f"{name}_mean" in first.scores
    }
    return SweepComparison(
        results=results,
        scores=scores,
        summary=summary,
        best_model=str(summary.loc[summary["diff_vs_best"].idxmax(), "model"]),
        score_name=first.score_name,
        chance_score=first.chance_score,
        n_splits=first.n_splits,
        n_repeats=first.n_repeats,
        n_train=first.n_train,
        references=references,
    )


def _named_results(results, names):
    """``{name: result}`` in the order given; names unique."""
    from ._result import LayerSweepResult

    if isinstance(results, dict):
        names, results = list(results), list(results.values())
    else:
        results = list(results)
    if len(results) < 2:
        raise ValueError(
            f"compare_sweeps needs at least 2 sweeps to compare; got {len(results)}."
        )
    for i, result in enumerate(results):
        if not isinstance(result, LayerSweepResult):
            raise TypeError(
                "compare_sweeps compares LayerSweepResult objects (from "
                f"layer_sweep or LayerSweepResult.load); item {i} is a "
                f"{type(result).__name__}."
            )
    if names is None:
        names = unique([short_name(result.model_name) for result in results])
    names = [str(name) for name in names]
    if len(names) != len(results) or len(set(names)) != len(names):
        raise ValueError(
            f"names must hold one distinct name per sweep ({len(results)}); got "
            f"{names!r}."
        )
    return dict(zip(names, results, strict=True))


def _check_same_data(results):
    """Refuse sweeps whose fold scores do not pair up."""
    items = list(results.items())
    first_name, first = items[0]
    for name, result in items:
        if "data_fingerprint" not in result.settings:
            raise ValueError(
                f"The sweep {name!r} has no data fingerprint in its settings (made "
                "by an older version): run it again to compare it."
            )
    checks = (
        ("texts", "texts"),
        ("labels", "labels"),
        ("folds", "folds (cv, repeats and random_state)"),
    )
    for name, result in items[1:]:
        for key, what in checks:
            if (
                result.settings["data_fingerprint"][key]
                != first.settings["data_fingerprint"][key]
            ):
                raise ValueError(
                    f"Cannot compare {name!r} with {first_name!r}: their sweeps "
                    f"ran on different {what}, so their scores do not pair up. "
                    "Run layer_sweep with the same texts, labels, cv, repeats "
                    "and random_state for every model (or "
                    "layer_sweep(model=[...]), which does)."
                )
        if result.score_name != first.score_name:
            raise ValueError(
                f"Cannot compare {name!r} with {first_name!r}: scored by "
                f"{result.score_name!r} and {first.score_name!r}. Use one scoring."
            )


def _best_curve(result):
    """The rows of the best candidate's setting, by layer, with the relative
    depth and the best row marked."""
    frame = result.scores
    best = frame.loc[result.best_index]
    mask = np.ones(len(frame), dtype=bool)
    for column in result.param_columns:
        mask &= frame[column].map(lambda v, b=best[column]: v == b).to_numpy(bool)
    columns = ["layer", f"{CV}_mean", f"{CV}_std"]
    columns += [c for c in ("ci_low", "ci_high") if c in frame]
    curve = frame.loc[mask, columns].copy()
    curve["best"] = curve.index == result.best_index
    curve.insert(1, "relative_depth", curve["layer"] / (result.n_layers - 1))
    return curve.sort_values("layer").reset_index(drop=True)


def _fold_scores(result):
    n_folds = result.n_splits * result.n_repeats
    row = result.scores.loc[result.best_index]
    return row[[f"{CV}_fold{k}" for k in range(n_folds)]].to_numpy(float)


def _summary(results, alpha):
    """One row per model at its best layer, with the paired tests (stats.py)."""
    from ..stats import COMPARISON_COLUMNS, layer_comparison_frame, train_test_sizes

    first = next(iter(results.values()))
    n_train, n_test = train_test_sizes(first.n_train, first.n_splits)
    tests = layer_comparison_frame(
        {name: _fold_scores(result) for name, result in results.items()},
        n_train=n_train,
        n_test=n_test,
        alpha=alpha,
        correction="holm",
    )
    rows = []
    for name, result in results.items():
        row = {
            "model": name,
            "n_layers": result.n_layers,
            "best_layer": result.best_layer,
            "relative_depth": result.best_layer / (result.n_layers - 1),
            "cv_score_mean": result.best_score,
            "cv_score_std": result.best_score_std,
        }
        for column in COMPARISON_COLUMNS:
            row[column] = tests.loc[name, column]
        if result.test_score is not None:
            row["test_score"] = result.test_score
        rows.append(row)
    return pd.DataFrame(rows)
