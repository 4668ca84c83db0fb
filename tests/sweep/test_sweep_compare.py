"""compare_sweeps, sweep_models (and layer_sweep(model=[...])), loading and the
comparison picture."""

import copy
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from helpers import length_corpus
from sklearn.linear_model import LogisticRegression

from sklearn_probe import (
    LayerSweepResult,
    ModelComparisonDisplay,
    SweepComparison,
    compare_sweeps,
    layer_sweep,
    sweep_models,
)

N = 48


def _kwargs():
    return {
        "probe": LogisticRegression(max_iter=1000),
        "pooling": "mean",
        "cv": 3,
        "repeats": 2,
        "random_state": 1,
        "baselines": ["bag_of_words"],
        "cache_dir": None,
        "verbose": 0,
    }


@pytest.fixture(scope="module")
def comparison(tiny_bert, tiny_gpt2):
    texts, labels = length_corpus(N, gap=True)
    return sweep_models(texts, labels, models=[tiny_bert, tiny_gpt2], **_kwargs())


def test_layer_sweep_with_several_models_returns_the_comparison(
    comparison, tiny_bert, tiny_gpt2
):
    assert isinstance(comparison, SweepComparison)
    # A local folder is named by its last part.
    assert list(comparison.results) == [Path(tiny_bert).name, Path(tiny_gpt2).name]
    assert comparison.summary["model"].tolist() == list(comparison.results)
    # The same as a sweep of that model alone.
    texts, labels = length_corpus(N, gap=True)
    alone = layer_sweep(texts, labels, model=tiny_bert, **_kwargs())
    pd.testing.assert_frame_equal(
        comparison.results[Path(tiny_bert).name].scores.drop(
            columns=["fit_time_mean", "score_time_mean"]
        ),
        alone.scores.drop(columns=["fit_time_mean", "score_time_mean"]),
    )


def test_summary_tests_the_best_layers_on_the_same_folds(comparison):
    """The paired corrected t-test written out with scipy."""
    from scipy import stats

    summary = comparison.summary.set_index("model")
    results = comparison.results
    folds = {
        name: r.scores.loc[
            r.best_index, [f"cv_score_fold{k}" for k in range(6)]
        ].to_numpy(float)
        for name, r in results.items()
    }
    means = {name: f.mean() for name, f in folds.items()}
    best = max(means, key=means.get)
    assert comparison.best_model == best
    for name, result in results.items():
        row = summary.loc[name]
        assert row["best_layer"] == result.best_layer
        assert row["n_layers"] == result.n_layers
        assert row["relative_depth"] == result.best_layer / (result.n_layers - 1)
        assert row["cv_score_mean"] == pytest.approx(result.best_score)
        d = folds[name] - folds[best]
        assert row["diff_vs_best"] == pytest.approx(d.mean())
        if name == best:
            assert row["p_vs_best"] == 1.0
            continue
        # 3-fold CV repeated twice: 6 differences, n_test / n_train = 1/2.
        t = d.mean() / np.sqrt((1 / 6 + 1 / 2) * d.var(ddof=1))
        p = 2 * stats.t.sf(abs(t), 5)
        assert row["p_vs_best"] == pytest.approx(p)
        # Two models: one comparison, Holm changes nothing.
        assert row["p_vs_best_adjusted"] == pytest.approx(p)
        assert row["significantly_worse"] == (p < 0.05 and d.mean() < 0)
    lines = comparison.reading_lines()
    assert lines[0].startswith(f"Best model: {best}, layer ")


def test_scores_table_has_every_layer_and_relative_depth(comparison):
    scores = comparison.scores
    for name, result in comparison.results.items():
        part = scores[scores["model"] == name]
        assert part["layer"].tolist() == result.layers
        np.testing.assert_allclose(
            part["relative_depth"], part["layer"] / (result.n_layers - 1)
        )
        assert part.loc[part["best"], "layer"].tolist() == [result.best_layer]
        np.testing.assert_allclose(
            part["cv_score_mean"], result.scores["cv_score_mean"]
        )
    assert comparison.references == {
        "bag_of_words": next(iter(comparison.results.values()))
        .scores["bag_of_words_mean"]
        .iloc[0]
    }


def _with_fingerprint(result, key):
    other = copy.copy(result)
    other.settings = copy.deepcopy(result.settings)
    other.settings["data_fingerprint"][key] = "0" * 16
    return other


@pytest.mark.parametrize(
    "key, what", [("texts", "different texts"), ("folds", "different folds")]
)
def test_refuses_sweeps_on_other_data(comparison, key, what):
    a, b = comparison.results.values()
    with pytest.raises(ValueError, match=f"ran on {what}"):
        compare_sweeps([a, _with_fingerprint(b, key)])


def test_refuses_other_folds_for_real(comparison, tiny_gpt2):
    texts, labels = length_corpus(N, gap=True)
    other = layer_sweep(
        texts, labels, model=tiny_gpt2, **{**_kwargs(), "random_state": 2}
    )
    first = next(iter(comparison.results.values()))
    with pytest.raises(ValueError, match="different folds"):
        compare_sweeps([first, other])


def test_bad_arguments(comparison, tiny_bert):
    first = next(iter(comparison.results.values()))
    with pytest.raises(ValueError, match="at least 2 sweeps"):
        compare_sweeps([first])
    with pytest.raises(TypeError, match="item 1 is a str"):
        compare_sweeps([first, "minilm"])
    with pytest.raises(ValueError, match="one distinct name per sweep"):
        compare_sweeps(comparison.results.values(), names=["a", "a"])
    texts, labels = length_corpus(12, gap=True)
    with pytest.raises(ValueError, match="give an int"):
        sweep_models(texts, labels, models=[tiny_bert, tiny_bert], random_state=None)
    with pytest.raises(ValueError, match="got 1"):
        sweep_models(texts, labels, models=[tiny_bert])


def test_layer_sweep_of_several_models_warns_and_names_sweep_models(tiny_bert):
    """For one release layer_sweep(model=[...]) still compares, with a
    FutureWarning that names the function to call."""
    texts, labels = length_corpus(12, gap=True)
    with pytest.warns(FutureWarning, match=r"sweep_models\(texts, labels, models="):
        with pytest.raises(ValueError, match="give an int"):
            layer_sweep(texts, labels, model=[tiny_bert, tiny_bert], random_state=None)


def test_load_round_trips_and_compares(comparison, tmp_path):
    results = list(comparison.results.values())
    loaded = []
    for i, result in enumerate(results):
        result.save_report(tmp_path / str(i))
        again = LayerSweepResult.load(tmp_path / str(i))
        pd.testing.assert_frame_equal(again.scores, result.scores)
        assert again.settings == result.settings
        assert again.param_columns == result.param_columns
        assert (again.best_index, again.best_layer) == (
            result.best_index,
            result.best_layer,
        )
        assert again.chance_score == result.chance_score
        assert again.timings == result.timings
        np.testing.assert_array_equal(again.classes, result.classes)
        texts, _ = length_corpus(N, gap=True)
        np.testing.assert_array_equal(
            again.predict(texts[:5]), result.predict(texts[:5])
        )
        loaded.append(again)
    pd.testing.assert_frame_equal(
        compare_sweeps(loaded, names=list(comparison.results)).summary,
        comparison.summary,
    )


def test_load_says_what_is_missing(tmp_path):
    with pytest.raises(FileNotFoundError, match="holds no results.json"):
        LayerSweepResult.load(tmp_path)


def test_display_by_layer_and_by_relative_depth(comparison, close_figures):
    display = ModelComparisonDisplay.from_comparison(comparison)
    assert set(display.lines_) == set(comparison.results)
    for name, result in comparison.results.items():
        np.testing.assert_array_equal(display.lines_[name].get_xdata(), result.layers)
        star = display.best_markers_[name]
        assert list(star.get_xdata()) == [result.best_layer]
        assert list(star.get_ydata()) == pytest.approx([result.best_score])
    assert "bag_of_words" in display.references_
    assert display.ax_.get_xlabel().startswith("Layer")
    display.plot(x="relative_depth")
    for name, result in comparison.results.items():
        np.testing.assert_allclose(
            display.lines_[name].get_xdata(),
            np.array(result.layers) / (result.n_layers - 1),
        )
    assert display.ax_.get_xlabel().startswith("Relative depth")
    assert "95% CI" in display.ax_.get_ylabel()
    with pytest.raises(ValueError, match="'x' parameter"):
        display.plot(x="depth")


def test_command_sweeps_several_models_and_compares_folders(
    tiny_bert, tiny_gpt2, tmp_path, capsys
):
    from sklearn_probe.cli import main

    texts, labels = length_corpus(60)
    data = tmp_path / "reviews.csv"
    pd.DataFrame({"review": texts, "size": np.where(labels, "long", "short")}).to_csv(
        data, index=False
    )
    out = tmp_path / "models"
    args = ["sweep", "--model", str(tiny_bert), str(tiny_gpt2), "--dataset", str(data)]
    args += ["--text-column", "review", "--label-column", "size", "--cv", "3"]
    args += ["--max-epochs", "30", "--layers", "0,1", "--projection", "pca"]
    args += ["--baselines", "bag_of_words", "length", "--out", str(out), "--quiet"]
    assert main(args) == 0
    printed = capsys.readouterr().out
    assert "Best model: " in printed and "beats the bag-of-words baseline" in printed
    summary = pd.read_csv(out / "comparison.csv")
    assert summary["model"].tolist() == [Path(tiny_bert).name, Path(tiny_gpt2).name]
    folders = [
        out / f"{i + 1}-{Path(m).name}" for i, m in enumerate((tiny_bert, tiny_gpt2))
    ]
    for i, folder in enumerate(folders):
        report = LayerSweepResult.load(folder, pipeline=False)
        assert summary.loc[i, "best_layer"] == report.best_layer
        assert summary.loc[i, "cv_score_mean"] == pytest.approx(report.best_score)
    for name in ("comparison.md", "models_by_layer.png", "comparison_scores.csv"):
        assert (out / name).is_file()
    text = (out / "comparison.md").read_text()
    assert f"({folders[0].name}/report.md)" in text
    # The saved folders compared again, without running anything; twice into
    # the same folder, which the second run replaces whole.
    again = tmp_path / "again"
    folders = [str(f) for f in folders]
    for names in ([], ["--names", "bert", "gpt2"]):
        assert main(["compare", *folders, *names, "--out", str(again), "-q"]) == 0
        again_summary = pd.read_csv(again / "comparison.csv")
        if names:
            assert again_summary["model"].tolist() == ["bert", "gpt2"]
            again_summary["model"] = summary["model"]
        pd.testing.assert_frame_equal(again_summary, summary)
    assert "Best model: " in capsys.readouterr().out


def test_saved_random_twin_is_the_random_weights_baseline(tiny_gpt2, tmp_path):
    from sklearn_probe import HiddenStateTransformer
    from sklearn_probe.baselines import save_random_weights

    texts, _ = length_corpus(6, gap=True)
    twin = save_random_weights(tiny_gpt2, tmp_path / "twin", random_state=1)
    saved = HiddenStateTransformer(twin, layer=[0, 1, 2]).fit(texts).transform(texts)
    baseline = (
        HiddenStateTransformer(
            tiny_gpt2, layer=[0, 1, 2], weights="random", random_state=1
        )
        .fit(texts)
        .transform(texts)
    )
    np.testing.assert_allclose(saved, baseline, rtol=1e-5, atol=1e-6)
    pretrained = (
        HiddenStateTransformer(tiny_gpt2, layer=[0, 1, 2]).fit(texts).transform(texts)
    )
    assert np.abs(saved - pretrained).max() > 1e-3
    with pytest.raises(ValueError, match="'random_state' parameter"):
        save_random_weights(tiny_gpt2, tmp_path / "x", random_state=None)


def test_loaded_scores_get_tuples_and_nan_back():
    """JSON has lists and null where the scores had tuples and NaN."""
    import json

    from sklearn_probe.sweep._load import _scores_frame
    from sklearn_probe.utils._names import jsonable

    frame = pd.DataFrame(
        {
            "layer": [0, 1],
            "hidden_layer_sizes": [(), (256,)],
            "mdl_compression": [np.nan, 1.25],
            "significantly_worse": [True, False],
        }
    )
    records = json.loads(json.dumps(jsonable(frame.to_dict(orient="records"))))
    assert (
        records[0]["hidden_layer_sizes"] == [] and records[0]["mdl_compression"] is None
    )
    pd.testing.assert_frame_equal(_scores_frame(records, ["hidden_layer_sizes"]), frame)
