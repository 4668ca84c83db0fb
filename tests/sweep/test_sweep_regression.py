"""layer_sweep on a continuous property: R^2 against Ridge on the same folds,
chance as the training mean, the permuted-target control, the report."""

import json

import matplotlib.pyplot as plt
import numpy as np
import pytest
from helpers import legend_texts, length_corpus
from sklearn.base import is_classifier, is_regressor
from sklearn.dummy import DummyRegressor
from sklearn.linear_model import LinearRegression, Ridge
from sklearn.model_selection import KFold, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.estimator_checks import check_estimator

from sklearn_probe import HiddenStateTransformer, ProbeRegressor, layer_sweep
from sklearn_probe.baselines import ControlTask
from sklearn_probe.plotting import LayerScoresDisplay

LAYER = 2  # the layer the target is a linear function of


@pytest.fixture(scope="module")
def planted(tiny_bert):
    """60 texts, every layer's vectors, and a target linear in layer 2's."""
    texts, _ = length_corpus(60, seed=3)
    vectors = {
        layer: HiddenStateTransformer(tiny_bert, layer=layer, verbose=0)
        .fit_transform(texts)
        .astype(np.float64)
        for layer in range(4)
    }
    rng = np.random.RandomState(0)
    X = StandardScaler().fit_transform(vectors[LAYER])
    y = X @ rng.randn(X.shape[1]) + 0.3 * rng.randn(len(texts)) + 10
    return texts, y, vectors


@pytest.fixture(scope="module")
def result(tiny_bert, planted):
    texts, y, _ = planted
    return layer_sweep(
        texts, y, model=tiny_bert, cv=3, baselines=["control", "length"], verbose=0
    )


def test_float_labels_make_a_regression_with_kfold(result):
    assert result.task == "regression"
    assert result.settings["task"] == "regression"
    assert result.settings["scoring"] == "r2" and result.score_name == "R²"
    assert result.settings["cv_splitter"].startswith("KFold(")
    assert result.classes is None
    assert isinstance(result.best_pipeline.named_steps["probe"], ProbeRegressor)


def test_r2_per_layer_is_ridge_on_the_same_folds(result, planted):
    """Each layer's CV R^2 is StandardScaler + Ridge(alpha=d / C) scored by
    cross_val_score on KFold(3, shuffle=True, random_state=0)."""
    texts, y, vectors = planted
    folds = KFold(3, shuffle=True, random_state=0)
    means = {}
    for layer, X in vectors.items():
        reference = make_pipeline(StandardScaler(), Ridge(alpha=X.shape[1] / 1.0))
        expected = cross_val_score(reference, X, y, cv=folds, scoring="r2")
        row = result.scores[result.scores["layer"] == layer].iloc[0]
        got = row[[f"cv_score_fold{k}" for k in range(3)]].to_numpy(float)
        np.testing.assert_allclose(got, expected, atol=1e-4)
        means[layer] = expected.mean()
    assert result.best_layer == max(means, key=means.get)
    assert means[LAYER] > 0.8


def test_chance_is_the_training_mean_or_median_on_the_same_folds(result, planted):
    texts, y, _ = planted
    by_hand = {"mean": [], "median": []}
    for train, test in KFold(3, shuffle=True, random_state=0).split(y):
        for name, guess in by_hand.items():
            residual = np.sum((y[test] - getattr(np, name)(y[train])) ** 2)
            guess.append(1 - residual / np.sum((y[test] - y[test].mean()) ** 2))
    best = max(by_hand, key=lambda name: np.mean(by_hand[name]))
    assert result.chance_score == pytest.approx(np.mean(by_hand[best]), abs=1e-12)
    assert result.chance_guesser == f"DummyRegressor(strategy='{best}')"
    assert result.chance_score < 0


def test_control_fits_permuted_targets(result):
    scores = result.scores.set_index("layer")
    assert scores.loc[LAYER, "control_mean"] < 0.2
    assert scores.loc[LAYER, "cv_score_mean"] > 0.8
    np.testing.assert_allclose(
        scores["selectivity"], scores["cv_score_mean"] - scores["control_mean"]
    )
    assert (result.scores["degenerate_folds"] == 0).all()
    display = LayerScoresDisplay.from_sweep(result)
    assert "control (permuted targets)" in legend_texts(display.ax_)
    plt.close(display.figure_)


def test_length_baseline_is_ridge_on_the_same_folds(result, planted):
    """The text-only length baseline of a regression: characters and words,
    standardised, then Ridge(), on the sweep's folds."""
    texts, y, _ = planted
    lengths = np.array([[len(t), len(t.split())] for t in texts], dtype=float)
    folds = KFold(3, shuffle=True, random_state=0)
    reference = make_pipeline(StandardScaler(), Ridge())
    expected = cross_val_score(reference, lengths, y, cv=folds)
    assert result.scores["length_mean"].iloc[0] == pytest.approx(expected.mean())
    from sklearn_probe.report import reading_lines

    assert "characters and words + ridge regression" in " ".join(reading_lines(result))


def test_the_picture_speaks_of_r2_and_the_training_mean(result, close_figures):
    from sklearn_probe import LayerScoresDisplay

    display = LayerScoresDisplay.from_sweep(result)
    assert display.ax_.get_ylabel().startswith("R²")
    assert ("training median" in display.chance_line_.get_label()) == (
        result.chance_words == "chance (the training median)"
    )


def test_constant_predictions_are_flagged(tiny_bert, planted):
    texts, y, _ = planted
    crushed = layer_sweep(
        texts,
        y,
        model=tiny_bert,
        layers=[LAYER],
        probe=ProbeRegressor(C=1e-9),
        cv=3,
        verbose=0,
    )
    assert crushed.scores["degenerate_folds"].tolist() == [3]
    from sklearn_probe.report import summary_lines

    assert "predicted a constant for all the texts" in " ".join(summary_lines(crushed))


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"task": "regression", "mdl": True}, "mdl=True is for classification only"),
        ({"task": "classification"}, r"continuous \(60 distinct floats.*regression"),
        ({"probe": ProbeRegressor(), "task": "classification"}, "continuous"),
        ({"probe": Ridge(), "labels": [0, 1] * 30}, "a regressor, but the task"),
        ({"probe": LinearRegression().__class__(), "scoring": "accuracy"}, "regres"),
    ],
)
def test_mistakes_are_said_before_any_model_loads(planted, kwargs, message):
    texts, y, _ = planted
    kwargs = {"labels": y, **kwargs}
    with pytest.raises(ValueError, match=message):
        layer_sweep(texts, model="no-such-model-anywhere", verbose=0, **kwargs)


def test_auto_task_follows_type_of_target():
    from sklearn_probe.sweep._tasks import check_task

    assert check_task("auto", np.array([0.5, 1.25, 3.0])) == "regression"
    assert check_task("auto", np.array([1, 2, 3, 40])) == "classification"
    assert check_task("auto", np.array(["a", "b"])) == "classification"
    assert check_task("regression", np.array([1, 2, 3, 40])) == "regression"


def test_control_task_of_a_regressor_is_a_regressor():
    rng = np.random.RandomState(0)
    X = rng.randn(200, 3)
    y = X[:, 0] * 3 + 0.1 * rng.randn(200)
    control = ControlTask(Ridge(), random_state=0)
    assert is_regressor(control) and not is_classifier(control)
    real = cross_val_score(Ridge(), X, y, cv=5).mean()
    fake = cross_val_score(control, X, y, cv=5).mean()
    assert real > 0.99 and fake < 0.05
    fitted = control.fit(X, y)
    assert fitted.score(X, y) == pytest.approx(
        1 - np.sum((y - fitted.predict(X)) ** 2) / np.sum((y - y.mean()) ** 2)
    )
    baseline = cross_val_score(DummyRegressor(), X, y, cv=5).mean()
    assert fake < baseline + 0.05


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.SkipTestWarning")
def test_control_task_of_a_regressor_passes_the_common_checks():
    check_estimator(
        ControlTask(Ridge(), random_state=0),
        expected_failed_checks={
            "check_regressors_train": "trained on permuted targets by design",
            # The permutation is seeded by a hash of the data: int and float
            # targets of equal values hash apart, so they are permuted apart.
            "check_regressors_int": "the permutation follows the data's dtype",
        },
    )


def test_c_swept_with_the_probe_size(tiny_bert, planted):
    """param_grid sweeps C beside the probe size in one call: a column each;
    the linear rows are Ridge(alpha=d / C); best_per names the best C of each
    size, and so does the summary."""
    from sklearn_probe.report import summary_lines

    texts, y, vectors = planted
    result = layer_sweep(
        texts,
        y,
        model=tiny_bert,
        layers=[LAYER],
        param_grid={"probe__hidden_layer_sizes": [(), (8,)], "probe__C": [0.01, 10]},
        cv=3,
        verbose=0,
    )
    scores = result.scores
    assert result.param_columns == ["hidden_layer_sizes", "C"]
    assert len(scores) == 4
    X = vectors[LAYER]
    folds = KFold(3, shuffle=True, random_state=0)
    for C in (0.01, 10):
        reference = make_pipeline(StandardScaler(), Ridge(alpha=X.shape[1] / C))
        expected = cross_val_score(reference, X, y, cv=folds).mean()
        row = scores[(scores["hidden_layer_sizes"] == ()) & (scores["C"] == C)]
        assert row["cv_score_mean"].item() == pytest.approx(expected, abs=1e-4)
    best = result.best_per("hidden_layer_sizes")
    assert best["hidden_layer_sizes"].tolist() == [(), (8,)]
    for size, row in best.set_index("hidden_layer_sizes").iterrows():
        same = scores[scores["hidden_layer_sizes"] == size]
        assert row["cv_score_mean"] == same["cv_score_mean"].max()
    linear = best.iloc[0]
    line = next(x for x in summary_lines(result) if x.startswith("Best C"))
    assert f"linear probe: C={linear['C']:g} at layer {LAYER}" in line
    with pytest.raises(ValueError, match="not among the swept columns"):
        result.best_per("pooling")


@pytest.fixture(scope="module")
def lengths_csv(tmp_path_factory):
    """Texts and a continuous label: the number of words plus noise."""
    import pandas as pd

    texts, _ = length_corpus(60, seed=4)
    rng = np.random.RandomState(0)
    words = np.array([len(t.split()) for t in texts]) + rng.uniform(-0.4, 0.4, 60)
    path = tmp_path_factory.mktemp("data") / "lengths.csv"
    pd.DataFrame({"review": texts, "words": words}).to_csv(path, index=False)
    return path


def _command(model, data, out, *extra):
    options = "--text-column review --label-column words --cv 3 --quiet".split()
    return ["sweep", "--model", str(model), "--dataset", str(data), *options,
            "--out", str(out), *extra]  # fmt: skip


def test_command_sweeps_a_regression_and_c(tiny_bert, lengths_csv, tmp_path, capsys):
    from sklearn_probe.cli import main

    argv = _command(tiny_bert, lengths_csv, tmp_path / "out", "--task", "regression")
    argv += ["--C", "0.1", "10", "--probe-sizes", "linear", "4", "--layers", "1,3"]
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "CV R²" in out and "Best C of each setting: linear probe: C=" in out
    assert "layer_scores.png" in out and "tsne" not in out  # no classes to colour
    payload = json.loads((tmp_path / "out" / "results.json").read_text())
    assert payload["settings"]["task"] == "regression"
    assert payload["settings"]["param_grid"]["probe__C"] == [0.1, 10.0]
    assert {row["C"] for row in payload["scores"]} == {0.1, 10.0}
    assert isinstance(payload["data"]["targets"]["mean"], float)
    assert payload["test_score"] is not None
    pipeline = tmp_path / "out" / "best_pipeline.skops"
    assert main(["predict", "--pipeline", str(pipeline), "one two three"]) == 0
    assert float(capsys.readouterr().out.split()[0]) > 0  # a length, not a class


def test_command_refuses_classes_of_floats(tiny_bert, lengths_csv, tmp_path, capsys):
    from sklearn_probe.cli import main

    argv = _command(tiny_bert, lengths_csv, tmp_path, "--task", "classification")
    assert main(argv) == 1
    error = capsys.readouterr().err
    assert "distinct floats" in error and "--task regression" in error
    assert "\n" not in error.strip()


def test_word_positions_by_sentence_folds(tiny_bert):
    """unit="word" with a continuous target (a word's relative position):
    GroupKFold by sentence; the fold scores are Ridge's on those folds. The
    word-type control is for classes only."""
    from sklearn.model_selection import GroupKFold

    from sklearn_probe import WordHiddenStateTransformer, sentence_groups

    rng = np.random.default_rng(0)
    vocabulary = ["the", "film", "was", "good", "bad", "plot", "and", "dull"]
    X, y = [], []
    for _ in range(18):
        sentence = tuple(str(w) for w in rng.choice(vocabulary, rng.integers(3, 8)))
        for i in range(len(sentence)):
            X.append((sentence, i))
            y.append(i / (len(sentence) - 1))
    y = np.array(y)
    result = layer_sweep(X, y, unit="word", model=tiny_bert, layers=[1], cv=3,
                         verbose=0)  # fmt: skip
    assert result.task == "regression"
    assert result.settings["cv_splitter"].startswith("GroupKFold(")
    folds = GroupKFold(3, shuffle=True, random_state=0)
    splits = list(folds.split(X, y, sentence_groups(X)))
    vectors = WordHiddenStateTransformer(tiny_bert, layer=1).fit_transform(X)
    reference = make_pipeline(StandardScaler(), Ridge(alpha=vectors.shape[1]))
    expected = cross_val_score(reference, vectors, y, cv=splits)
    got = [result.scores.loc[0, f"cv_score_fold{k}"] for k in range(3)]
    np.testing.assert_allclose(got, expected, atol=1e-4)
    assert result.best_score > 0.5 > result.chance_score
    with pytest.raises(ValueError, match="word-type control .* classification"):
        layer_sweep(X, y, unit="word", model=tiny_bert, baselines=["control"])
