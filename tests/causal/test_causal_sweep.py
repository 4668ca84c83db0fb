"""causal_sweep against a hand loop over the same folds, its controls, its hooks."""

import numpy as np
import pytest
from helpers import length_corpus, make_bert, make_gpt2
from sklearn.dummy import DummyClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold

import sklearn_probe.causal._sweep as sweep_module
from sklearn_probe.causal import (
    ConceptEraser,
    causal_sweep,
    control_seed,
    erase,
    intervene,
    random_directions,
    transformer_blocks,
)


@pytest.fixture(scope="module")
def gpt2(tmp_path_factory):
    from transformers import AutoTokenizer, GPT2LMHeadModel

    path = make_gpt2(tmp_path_factory.mktemp("gpt2") / "m", n_layer=2)
    return GPT2LMHeadModel.from_pretrained(path).eval(), AutoTokenizer.from_pretrained(
        path
    )


def _probe():
    return LogisticRegression(max_iter=5000)


def _last_states(model, tokenizer, texts):
    """Every hidden state at each text's last token, one text at a time."""
    import torch

    out = []
    with torch.no_grad():
        for text in texts:
            tokens = tokenizer(text, return_tensors="pt")
            states = model(**tokens, output_hidden_states=True).hidden_states
            out.append(np.stack([s[0, -1].double().numpy() for s in states]))
    return np.array(out)


def _behaviour(tokenizer, texts):
    """Mean logit of one token minus another at the last position."""
    import torch

    def behaviour(model, rows):
        values = []
        with torch.no_grad():
            for i in rows:
                logits = model(**tokenizer(texts[i], return_tensors="pt")).logits
                values.append(float(logits[0, -1, 5] - logits[0, -1, 7]))
        return float(np.mean(values))

    return behaviour


def test_reproduces_a_hand_loop_over_the_same_folds(gpt2):
    model, tokenizer = gpt2
    texts, y = length_corpus(36, gap=True)
    behaviour = _behaviour(tokenizer, texts)
    result = causal_sweep(
        model,
        texts,
        y,
        tokenizer=tokenizer,
        behaviour=behaviour,
        probe=_probe(),
        cv=3,
        n_controls=2,
        random_state=4,
    )

    plain = _last_states(model, tokenizer, texts)
    folds = list(StratifiedKFold(3, shuffle=True, random_state=4).split(texts, y))
    for layer in range(3):
        probe, effect, control, amnesic = [], [], [], []
        for f, (train, test) in enumerate(folds):
            fitted = _probe().fit(plain[train, layer], y[train])
            probe.append(fitted.score(plain[test, layer], y[test]))
            eraser = ConceptEraser().fit(plain[train, layer], y[train])
            before = behaviour(model, test)
            with intervene(model, layer, erase(eraser)):
                effect.append(before - behaviour(model, test))
                edited = _last_states(model, tokenizer, texts)
            last = _probe().fit(edited[train, -1], y[train])
            amnesic.append(last.score(edited[test, -1], y[test]))
            for d in range(2):
                directions = random_directions(
                    plain.shape[2],
                    eraser.rank_,
                    random_state=control_seed(4, layer, f, d),
                )
                with intervene(model, layer, erase(directions, mean=eraser.mean_)):
                    control.append(before - behaviour(model, test))
        row = result.scores.loc[result.scores["layer"] == layer].iloc[0]
        assert row["probe_score"] == pytest.approx(np.mean(probe), abs=1e-12)
        assert row["effect"] == pytest.approx(np.mean(effect), rel=1e-5, abs=1e-6)
        assert row["control_mean"] == pytest.approx(
            np.mean(control), rel=1e-5, abs=1e-6
        )
        assert row["amnesic_score"] == pytest.approx(np.mean(amnesic), abs=1e-12)
    assert result.measure == "behaviour"
    assert list(result.amnesic["erased_layer"]) == [0, 0, 0, 1, 1, 2]
    assert list(result.amnesic["probed_layer"]) == [0, 1, 2, 1, 2, 2]
    # Ranks: 1 for the largest effect and for the highest probe score.
    top = result.scores.loc[result.scores["rank_by_effect"] == 1, "effect"]
    assert float(top.iloc[0]) == result.scores["effect"].max()


def test_controls_have_the_rank_of_the_eraser(gpt2, monkeypatch):
    model, tokenizer = gpt2
    texts, _ = length_corpus(45, gap=True)
    y = np.arange(45) % 3  # three classes: LEACE erases two directions
    ranks = []

    def spy(n_features, rank, *, random_state=0):
        ranks.append(rank)
        return random_directions(n_features, rank, random_state=random_state)

    monkeypatch.setattr(sweep_module, "random_directions", spy)
    result = causal_sweep(
        model,
        texts,
        y,
        tokenizer=tokenizer,
        probe=_probe(),
        layers=[1, 2],
        amnesic_layers="last",
        cv=3,
        n_controls=3,
    )
    assert list(result.scores["rank"]) == [2, 2]
    assert ranks == [2] * (2 * 3 * 3)  # layers x folds x draws
    assert result.measure == "probe at layer 2"
    band = result.scores[["control_low", "control_mean", "control_high"]].to_numpy()
    assert (band[:, 0] <= band[:, 1]).all() and (band[:, 1] <= band[:, 2]).all()


def _hook_counts(model):
    return [(len(m._forward_hooks), len(m._forward_pre_hooks)) for m in model.modules()]


def test_no_hook_survives_the_sweep_or_an_error_inside_it(gpt2):
    model, tokenizer = gpt2
    texts, y = length_corpus(24, gap=True)
    before = _hook_counts(model)
    causal_sweep(
        model, texts, y, tokenizer=tokenizer, probe=_probe(), cv=2, n_controls=1
    )
    assert _hook_counts(model) == before
    calls = []

    def failing(model, rows):
        calls.append(rows)
        if len(calls) == 2:  # the first call under an erasure
            raise RuntimeError("behaviour failed")
        return 0.0

    with pytest.raises(RuntimeError, match="behaviour failed"):
        causal_sweep(
            model,
            texts,
            y,
            tokenizer=tokenizer,
            behaviour=failing,
            probe=_probe(),
            amnesic_layers=None,
            cv=2,
        )
    assert _hook_counts(model) == before
    assert len(transformer_blocks(model)) == 2


def test_probe_scores_are_the_layer_sweeps_on_the_same_folds(tmp_path):
    from sklearn_probe import layer_sweep

    path = make_bert(tmp_path / "bert", num_hidden_layers=2)
    texts, y = length_corpus(40)
    sweep = layer_sweep(
        texts,
        y,
        model=path,
        probe=_probe(),
        cv=4,
        random_state=3,
        cache_dir=None,
        verbose=0,
    )
    result = causal_sweep(
        path, texts, y, probe=_probe(), amnesic_layers="last", cv=4, random_state=3
    )
    expected = sweep.scores.sort_values("layer")["cv_score_mean"].to_numpy()
    np.testing.assert_allclose(result.scores["probe_score"], expected, atol=1e-12)
    assert result.pooling == "mean"


def test_bad_arguments_are_refused_with_the_fix(gpt2):
    model, tokenizer = gpt2
    texts, y = length_corpus(20, gap=True)
    with pytest.raises(ValueError, match="tokenizer="):
        causal_sweep(model, texts, y)
    with pytest.raises(ValueError, match="Nothing to measure"):
        causal_sweep(model, texts, y, tokenizer=tokenizer, amnesic_layers=None)
    with pytest.raises(ValueError, match="not a hidden state"):
        causal_sweep(model, texts, y, tokenizer=tokenizer, layers=[5])
    with pytest.raises(ValueError, match="needs a linear probe with coef_"):
        causal_sweep(
            model,
            texts,
            y,
            tokenizer=tokenizer,
            eraser="probe",
            probe=DummyClassifier(),
            cv=2,
        )
