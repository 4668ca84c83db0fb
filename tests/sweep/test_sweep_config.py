"""The stages of a sweep read one frozen configuration and frozen inputs."""

import dataclasses
import inspect

import numpy as np
import pytest

from sklearn_probe import layer_sweep
from sklearn_probe.sweep._checks import _check_inputs
from sklearn_probe.sweep._config import SweepConfig


def test_config_holds_every_argument_of_layer_sweep_but_the_data():
    params = list(inspect.signature(layer_sweep).parameters)
    fields = [f.name for f in dataclasses.fields(SweepConfig)]
    assert fields == params[2:]
    defaults = {
        name: p.default
        for name, p in inspect.signature(layer_sweep).parameters.items()
        if p.default is not inspect.Parameter.empty
    }
    assert dataclasses.asdict(SweepConfig()) == defaults


def test_config_and_inputs_are_frozen():
    config = SweepConfig(cv=3, task="regression")
    with pytest.raises(dataclasses.FrozenInstanceError):
        config.cv = 5
    texts = [f"text {i}" for i in range(12)]
    inputs = _check_inputs(texts, np.linspace(0, 1, 12), config)
    assert inputs.task.name == "regression" and inputs.scoring == "r2"
    assert len(inputs.splits) == 3
    with pytest.raises(dataclasses.FrozenInstanceError):
        inputs.poolings = ["mean"]
