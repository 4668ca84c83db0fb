"""The baselines registry: one spec per baseline, read by the sweep, the
pictures, the report and the command."""

import dataclasses

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.model_selection import StratifiedKFold, cross_val_score

from sklearn_probe.baselines import (
    BASELINES,
    SEARCH_BASELINES,
    TEXT_BASELINES,
    BaselineSpec,
)


def test_registry_lists_every_baseline_once():
    assert list(BASELINES) == ["control", "random_weights", "bag_of_words", "length"]
    assert SEARCH_BASELINES == ("control", "random_weights")
    assert TEXT_BASELINES == ("bag_of_words", "length")
    for name, spec in BASELINES.items():
        assert isinstance(spec, BaselineSpec) and spec.name == name
        assert (spec.search is None) != (spec.pipeline is None)
    with pytest.raises(dataclasses.FrozenInstanceError):
        BASELINES["control"].band = True


def test_sweep_and_command_accept_the_registry_names(capsys):
    from sklearn_probe.cli import build_parser
    from sklearn_probe.sweep._checks import PARAMETER_CONSTRAINTS

    options = PARAMETER_CONSTRAINTS["baselines"][1].options
    assert options == set(BASELINES)
    parser = build_parser()
    with pytest.raises(SystemExit):
        parser.parse_args(["sweep", "--help"])
    sweep_help = " ".join(capsys.readouterr().out.split())
    for name, spec in BASELINES.items():
        assert f"'{name}' ({spec.help})" in sweep_help


def test_pictures_draw_the_registry_styles():
    from sklearn_probe.plotting._curves import CURVES, NO_BAND
    from sklearn_probe.plotting._references import REFERENCES

    curves = {name: (label, style) for name, label, style in CURVES}
    for name in SEARCH_BASELINES:
        spec = BASELINES[name]
        assert curves[name] == (spec.curve, spec.line_style)
        assert (name in NO_BAND) == (not spec.band)
    assert [name for name, *_ in REFERENCES] == list(TEXT_BASELINES)
    # The layer picture lists the random-weights curve before the control.
    assert [n for n, *_ in CURVES][1:3] == ["random_weights", "control"]


@pytest.mark.parametrize(
    "task, model", [("classification", LogisticRegression), ("regression", Ridge)]
)
def test_text_pipelines_end_in_the_task_model(task, model):
    from sklearn_probe.sweep._baselines import text_baseline

    texts = [("good " * (i % 7 + 1)) + ("bad " * (i % 3)) for i in range(60)]
    y = np.array([i % 2 for i in range(60)])
    folds = list(StratifiedKFold(3, shuffle=True, random_state=0).split(texts, y))
    for name in TEXT_BASELINES:
        pipe = text_baseline(name, task)
        assert isinstance(pipe.steps[-1][1], model)
    ours = cross_val_score(text_baseline("length"), texts, y, cv=folds)
    lengths = np.array([[len(t), len(t.split())] for t in texts], float)
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    by_hand = cross_val_score(
        make_pipeline(StandardScaler(), LogisticRegression()), lengths, y, cv=folds
    )
    np.testing.assert_allclose(ours, by_hand)
