"""The agreement GPT-2 trained here, and what erasing and steering do to it.

A small version (2 blocks, width 32, 1000 steps: under a minute on a quiet CPU) of
``benchmarks/causal_agreement.py``; the effects are checked on prefixes whose
attractor noun has the other number than the subject.
"""

import numpy as np
import pytest

from sklearn_probe.causal import (
    ConceptEraser,
    erase,
    intervene,
    random_directions,
    steer,
)
from sklearn_probe.datasets import (
    agreement_accuracy,
    agreement_prefixes,
    last_token_states,
    make_agreement_lm,
    verb_logit_difference,
)


@pytest.fixture(scope="module")
def lm(tmp_path_factory):
    from transformers import AutoTokenizer, GPT2LMHeadModel

    path = make_agreement_lm(
        tmp_path_factory.mktemp("agreement-lm"), n_layer=2, n_embd=32, steps=1000
    )
    return GPT2LMHeadModel.from_pretrained(path).eval(), AutoTokenizer.from_pretrained(
        path
    )


@pytest.mark.slow
def test_the_model_agrees_and_erasing_the_number_undoes_it(lm):
    model, tokenizer = lm
    test = agreement_prefixes(400, attractor="opposite", random_state=2)
    before = agreement_accuracy(model, tokenizer, test)
    assert before > 0.85

    train = agreement_prefixes(1000, attractor="any", random_state=1)
    layer = 1
    X = last_token_states(model, tokenizer, train["text"])[:, layer]
    eraser = ConceptEraser().fit(X, train["plural"])
    with intervene(model, layer, erase(eraser)):
        erased = agreement_accuracy(model, tokenizer, test)
    control = random_directions(X.shape[1], eraser.rank_, random_state=0)
    with intervene(model, layer, erase(control, mean=eraser.mean_)):
        random = agreement_accuracy(model, tokenizer, test)
    assert erased < before - 0.2  # towards chance (0.5)
    assert random > before - 0.05  # a random direction of the same rank: no effect


@pytest.mark.slow
def test_steering_along_the_number_flips_the_verb(lm):
    model, tokenizer = lm
    test = agreement_prefixes(400, attractor="none", random_state=3)
    train = agreement_prefixes(1000, attractor="any", random_state=1)
    X = last_token_states(model, tokenizer, train["text"])[:, 1]
    y = train["plural"]
    direction = X[y].mean(axis=0) - X[~y].mean(axis=0)
    control = random_directions(X.shape[1], 1, random_state=0)[0]
    control *= np.linalg.norm(direction)

    def plural_share(d, scale):
        with intervene(model, 1, steer(d, scale), positions=-1):
            return np.mean(verb_logit_difference(model, tokenizer, test) > 0)

    assert plural_share(direction, 2.0) > 0.9
    assert plural_share(direction, -2.0) < 0.1
    assert 0.3 < plural_share(control, 2.0) < 0.7
    assert 0.3 < plural_share(control, -2.0) < 0.7


def test_training_does_not_depend_on_the_thread_count(tmp_path):
    import torch
    from safetensors.numpy import load_file

    before = torch.get_num_threads()
    weights = []
    for threads in (1, 2):
        torch.set_num_threads(threads)
        try:
            path = make_agreement_lm(
                tmp_path / str(threads), n_layer=1, n_embd=64, steps=3, batch_size=8
            )
            assert torch.get_num_threads() == threads  # restored
        finally:
            torch.set_num_threads(before)
        weights.append(load_file(f"{path}/model.safetensors"))
    assert weights[0].keys() == weights[1].keys()
    for name in weights[0]:
        np.testing.assert_array_equal(weights[0][name], weights[1][name])
