"""Does the agreement model use the subject number its probe finds?

Trains (or reuses, when ``--folder`` holds a model trained with the same
settings) the small GPT-2 of ``make_agreement_lm``, then on held-out prefixes
with an attractor of the other number (``the dogs near the cat`` ->
``run``/``runs``):

1. the model's agreement accuracy (the right verb form preferred);
2. ``causal_sweep``: per layer, the subject-number probe (5-fold CV, at the
   token before the verb), LEACE erasure fitted on each training fold and
   applied at every position, agreement accuracy on the validation fold after
   it, beside random subspaces of the same rank (5 draws: the band), and
   amnesic probing of the later layers;
3. ``steering_curve`` at the middle layer: the share of "plural" predictions
   as a multiple of the number direction is added, beside random directions
   of the same norm;
4. ``unit_ablation``: the top-k units of ``NeuronSelector`` zeroed at the layer
   whose erasure mattered most, beside random k units (10 draws).

Every number printed comes from this run. Usage::

    python benchmarks/causal_agreement.py [--steps 1500] [--layers 4] [--width 64]
"""

import argparse
import json
import time
from pathlib import Path

import numpy as np
import pandas as pd


def _model(steps, n_layer, width, seed, folder):
    from sklearn_probe.datasets import make_agreement_lm

    settings = Path(folder) / "training.json"
    if settings.exists():
        saved = json.loads(settings.read_text())
        wanted = {"steps": steps, "n_layer": n_layer, "n_embd": width}
        if all(saved.get(k) == v for k, v in wanted.items()):
            if saved.get("random_state") == seed:
                print(f"reusing the model in {folder} ({saved})")
                return folder
    started = time.perf_counter()
    make_agreement_lm(
        folder, n_layer=n_layer, n_embd=width, steps=steps, random_state=seed
    )
    print(f"trained in {time.perf_counter() - started:.0f} s ({folder})")
    return folder


def run(steps, n_layer, width, seed, folder):
    from sklearn.linear_model import LogisticRegression
    from transformers import AutoTokenizer, GPT2LMHeadModel

    from sklearn_probe.causal import (
        NeuronSelector,
        causal_sweep,
        steering_curve,
        unit_ablation,
    )
    from sklearn_probe.datasets import (
        agreement_behaviour,
        agreement_prefixes,
        last_token_states,
    )

    started = time.perf_counter()
    path = _model(steps, n_layer, width, seed, folder)
    model = GPT2LMHeadModel.from_pretrained(path).eval()
    tokenizer = AutoTokenizer.from_pretrained(path)
    data = agreement_prefixes(1000, attractor="opposite", random_state=seed + 2)
    none = agreement_prefixes(1000, attractor="none", random_state=7)
    accuracy = agreement_behaviour(tokenizer, data)
    print(
        f"agreement accuracy: {agreement_behaviour(tokenizer, none)(model):.3f} "
        f"without an attractor, {accuracy(model):.3f} with one of the other "
        "number (chance 0.5)"
    )

    result = causal_sweep(
        model,
        data["text"],
        data["plural"],
        tokenizer=tokenizer,
        behaviour=accuracy,
        probe=LogisticRegression(max_iter=5000),
        cv=5,
        n_controls=5,
        random_state=seed,
    )
    columns = ["layer", "probe_score", "after", "control_after", "effect"]
    columns += ["control_low", "control_high", "amnesic_score"]
    columns += ["rank_by_effect", "rank_by_probe"]
    print("causal sweep (agreement accuracy after erasure at each layer):")
    print(result.scores[columns].round(3).to_string(index=False))
    print("amnesic probing (probe score at later layers after erasure):")
    print(
        result.amnesic.pivot(
            index="erased_layer", columns="probed_layer", values="score"
        )
        .round(3)
        .to_string()
    )

    train = agreement_prefixes(2000, attractor="any", random_state=seed + 1)
    states = last_token_states(model, tokenizer, train["text"])
    y = train["plural"]
    middle = states.shape[1] // 2
    X = states[:, middle]
    direction = X[y].mean(axis=0) - X[~y].mean(axis=0)
    steering = steering_curve(
        model,
        middle,
        direction,
        [-2.0, -1.0, -0.5, 0.0, 0.5, 1.0, 2.0],
        agreement_behaviour(tokenizer, data, metric="plural_share"),
        n_controls=5,
    )
    print(f"steering at layer {middle} (last token), share predicted plural:")
    print(steering.round(3).to_string(index=False))

    for layer in dict.fromkeys([result.layer_by_effect, middle]):
        ranking = NeuronSelector(random_state=seed).fit(states[:, layer], y).ranking_
        ablation = unit_ablation(
            model, layer, ranking, [1, 2, 4, 8, 16, 32], accuracy, n_random=10
        )
        print(f"top-k units zeroed at layer {layer}: agreement accuracy")
        print(ablation.round(3).to_string(index=False))
    print(f"took {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    pd.set_option("display.width", 200)
    np.set_printoptions(precision=3)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=1500)
    parser.add_argument("--layers", type=int, default=4)
    parser.add_argument("--width", type=int, default=64)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--folder", default="agreement-lm")
    args = parser.parse_args()
    run(args.steps, args.layers, args.width, args.seed, args.folder)
