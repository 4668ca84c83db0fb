"""steering_curve and unit_ablation against the edits run by hand."""

import numpy as np
import pytest
from helpers import make_gpt2

from sklearn_probe.causal import (
    control_seed,
    intervene,
    random_directions,
    steer,
    steering_curve,
    unit_ablation,
    zero_units,
)


@pytest.fixture(scope="module")
def gpt2(tmp_path_factory):
    from transformers import AutoTokenizer, GPT2LMHeadModel

    path = make_gpt2(tmp_path_factory.mktemp("gpt2") / "m", n_layer=2)
    model = GPT2LMHeadModel.from_pretrained(path).eval()
    tokenizer = AutoTokenizer.from_pretrained(path)
    tokens = tokenizer("a good film", return_tensors="pt")

    def behaviour(model, rows):
        import torch

        with torch.no_grad():
            logits = model(**tokens).logits[0, -1]
        return float(logits[5] - logits[7])

    return model, behaviour


def test_steering_curve_is_the_steered_behaviour_beside_same_norm_controls(gpt2):
    model, behaviour = gpt2
    direction = np.random.default_rng(0).normal(size=16)
    curve = steering_curve(model, 1, direction, [0.0, 2.0], behaviour, n_controls=3)
    assert curve["value"][0] == pytest.approx(behaviour(model, None), abs=1e-6)
    with intervene(model, 1, steer(direction, 2.0), positions=-1):
        assert curve["value"][1] == pytest.approx(behaviour(model, None), abs=1e-6)
    controls = []
    for d in range(3):
        control = random_directions(16, 1, random_state=control_seed(0, 1, 0, d))[0]
        control *= np.linalg.norm(direction)
        with intervene(model, 1, steer(control, 2.0), positions=-1):
            controls.append(behaviour(model, None))
    assert curve["control_mean"][1] == pytest.approx(np.mean(controls), abs=1e-6)
    assert curve["control_low"][1] == pytest.approx(min(controls), abs=1e-6)


def test_unit_ablation_zeroes_the_top_units_beside_random_sets(gpt2):
    model, behaviour = gpt2
    ranking = np.arange(16)[::-1]
    table = unit_ablation(model, 2, ranking, [3, 16], behaviour, n_random=2)
    with intervene(model, 2, zero_units([15, 14, 13])):
        assert table["top"][0] == pytest.approx(behaviour(model, None), abs=1e-6)
    # All units zeroed: the top set and every random set are the same set.
    assert table["top"][1] == pytest.approx(table["control_mean"][1], abs=1e-6)
    assert (table["before"] == behaviour(model, None)).all()
    with pytest.raises(ValueError, match="between 1 and the 16 ranked units"):
        unit_ablation(model, 2, ranking, [17], behaviour)
