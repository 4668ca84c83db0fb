"""Does the agreement model use the subject number its probe finds?

Trains (or reuses) the small GPT-2 of ``make_agreement_lm``, then on held-out
prefixes with an attractor of the other number (``the dogs near the cat`` ->
``run``/``runs``):

1. the model's agreement accuracy (the right verb form preferred);
2. a linear probe of the subject's number at the token before the verb, by
   layer (5-fold CV);
3. LEACE erasure of that number at each layer (at every position), fitted on
   training prefixes: agreement accuracy after it, beside the same erasure of a
   random direction (rank 1, the control of the same size);
4. steering at the middle layer: the share of "plural" predictions as a
   multiple of the number direction is added, beside a random direction of
   the same norm.

Every number printed comes from this run. Usage::

    python benchmarks/causal_agreement.py [--steps 800] [--layers 4] [--width 64]
"""

import argparse
import time

import numpy as np


def run(steps, n_layer, width, seed, folder):
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import cross_val_score
    from transformers import AutoTokenizer, GPT2LMHeadModel

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

    started = time.perf_counter()
    path = make_agreement_lm(
        folder, n_layer=n_layer, n_embd=width, steps=steps, random_state=seed
    )
    print(f"trained in {time.perf_counter() - started:.0f} s ({path})")
    model = GPT2LMHeadModel.from_pretrained(path).eval()
    tokenizer = AutoTokenizer.from_pretrained(path)
    train = agreement_prefixes(2000, attractor="any", random_state=seed + 1)
    test = agreement_prefixes(1000, attractor="opposite", random_state=seed + 2)
    plain = agreement_accuracy(model, tokenizer, test)
    no_attractor = agreement_accuracy(
        model, tokenizer, agreement_prefixes(1000, attractor="none", random_state=7)
    )
    print(
        f"agreement accuracy: {no_attractor:.3f} without an attractor, "
        f"{plain:.3f} with one of the other number (chance 0.5)"
    )

    states = last_token_states(model, tokenizer, train["text"])
    y = train["plural"].astype(int)
    print("layer  probe_cv  erased  random_direction")
    for layer in range(states.shape[1]):
        probe = cross_val_score(LogisticRegression(max_iter=2000), states[:, layer], y)
        eraser = ConceptEraser().fit(states[:, layer], y)
        with intervene(model, layer, erase(eraser)):
            erased = agreement_accuracy(model, tokenizer, test)
        control = random_directions(states.shape[2], 1, random_state=layer)
        with intervene(model, layer, erase(control, mean=eraser.mean_)):
            random = agreement_accuracy(model, tokenizer, test)
        print(f"{layer:5d}  {probe.mean():8.3f}  {erased:6.3f}  {random:16.3f}")

    middle = states.shape[1] // 2
    X = states[:, middle]
    direction = X[y == 1].mean(axis=0) - X[y == 0].mean(axis=0)
    control = random_directions(X.shape[1], 1, random_state=0)[0]
    control *= np.linalg.norm(direction)
    print(f"steering at layer {middle} (last token), share predicted plural:")
    print("scale  number_direction  random_direction")
    for scale in (-2.0, -1.0, -0.5, 0.0, 0.5, 1.0, 2.0):
        shares = []
        for d in (direction, control):
            with intervene(model, middle, steer(d, scale), positions=-1):
                shares.append(
                    np.mean(verb_logit_difference(model, tokenizer, test) > 0)
                )
        print(f"{scale:5.1f}  {shares[0]:16.3f}  {shares[1]:16.3f}")
    print(f"took {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=800)
    parser.add_argument("--layers", type=int, default=4)
    parser.add_argument("--width", type=int, default=64)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--folder", default="agreement-lm")
    args = parser.parse_args()
    run(args.steps, args.layers, args.width, args.seed, args.folder)
