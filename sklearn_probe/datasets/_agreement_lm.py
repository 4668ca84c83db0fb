"""A small GPT-2 trained here on subject-verb agreement, for causal checks.

No model that installs from PyPI has a language-modelling head and a property
whose use is known. :func:`make_agreement_lm` trains one, seeded, in minutes on
a CPU: a word-level GPT-2 on present-tense sentences of the agreement grammar
(``the [ADJ] NOUN [PREP the [ADJ] NOUN] VERB [ADV] .``), where the verb's form
(``laughs`` / ``laugh``) must agree with the subject's number through an
optional *attractor* noun of either number. :func:`agreement_prefixes` gives
held-out prefixes up to the verb with the subject's number, and
:func:`agreement_accuracy` how often the model prefers the right form.
"""

import json
from pathlib import Path

import numpy as np

from ..utils._batches import same_length_batches
from ._agreement import ADJECTIVES, ADVERBS, NOUNS, PREPOSITIONS, VERBS

_SPECIAL = ["[PAD]", "[UNK]", "<s>"]


def _noun_phrase(rng, plural):
    words = ["the"]
    if rng.random() < 0.3:
        words.append(str(rng.choice(ADJECTIVES)))
    words.append(NOUNS[rng.integers(len(NOUNS))][int(plural)])
    return words


def _sentence(rng, attractor=None):
    """Words up to the verb, the verb's lemma index, the subject's number."""
    plural = bool(rng.random() < 0.5)
    words = _noun_phrase(rng, plural)
    if attractor is None:
        attractor = rng.random() < 0.6
    if attractor:
        other = bool(rng.random() < 0.5) if attractor is True else not plural
        words += [str(rng.choice(PREPOSITIONS)), *_noun_phrase(rng, other)]
    return words, int(rng.integers(len(VERBS))), plural


def _verb_forms(lemma):
    plural_form, singular_form, _ = VERBS[lemma]
    return singular_form, plural_form


def agreement_sentences(n, *, random_state=0):
    """``n`` whole training sentences (strings), the verb agreeing."""
    rng = np.random.default_rng(random_state)
    out = []
    for _ in range(n):
        words, lemma, plural = _sentence(rng)
        words.append(_verb_forms(lemma)[int(plural)])
        if rng.random() < 0.5:
            words.append(str(rng.choice(ADVERBS)))
        out.append(" ".join(["<s>", *words, "."]))
    return out


def agreement_prefixes(n, *, attractor="opposite", random_state=1):
    """Prefixes up to the verb, for testing agreement.

    Parameters
    ----------
    n : int
        How many prefixes.
    attractor : {"opposite", "none", "any"}, default="opposite"
        The noun between subject and verb (see Returns).
    random_state : int, default=1
        Seed of every choice (the training sentences use 0).

    Returns
    -------
    dict
        ``"text"`` (``"<s> the dogs near the cat"``), ``"plural"`` (the
        subject's number, bool array), ``"singular_form"`` and
        ``"plural_form"`` (the two forms of the verb that follows).
        ``attractor="opposite"`` puts an attractor of the other number in every
        prefix (the hard case); ``"none"`` none; ``"any"`` as in training.
    """
    choice = {"opposite": "opposite", "none": False, "any": None}[attractor]
    rng = np.random.default_rng(random_state)
    rows = [_sentence(rng, choice) for _ in range(n)]
    return {
        "text": [" ".join(["<s>", *words]) for words, _, _ in rows],
        "plural": np.array([plural for _, _, plural in rows]),
        "singular_form": [_verb_forms(lemma)[0] for _, lemma, _ in rows],
        "plural_form": [_verb_forms(lemma)[1] for _, lemma, _ in rows],
    }


def _vocabulary():
    words = {"the", "."} | set(ADJECTIVES) | set(PREPOSITIONS) | set(ADVERBS)
    words |= {form for pair in NOUNS for form in pair}
    words |= {form for triple in VERBS for form in triple[:2]}
    return _SPECIAL + sorted(words)


def _tokenizer():
    from tokenizers import Tokenizer
    from tokenizers.models import WordLevel
    from tokenizers.pre_tokenizers import WhitespaceSplit
    from transformers import PreTrainedTokenizerFast

    vocab = {word: i for i, word in enumerate(_vocabulary())}
    core = Tokenizer(WordLevel(vocab, unk_token="[UNK]"))
    core.pre_tokenizer = WhitespaceSplit()
    return PreTrainedTokenizerFast(
        tokenizer_object=core,
        unk_token="[UNK]",
        pad_token="[PAD]",
        bos_token="<s>",
        padding_side="right",
        model_max_length=32,
    )


def make_agreement_lm(
    path,
    *,
    n_layer=4,
    n_embd=64,
    n_sentences=4000,
    steps=800,
    batch_size=64,
    random_state=0,
):
    """Train a small word-level GPT-2 on agreement sentences; save it at ``path``.

    Parameters
    ----------
    path : str or path-like
        Folder for ``save_pretrained`` (model with its LM head, tokenizer).
    n_layer, n_embd : int, default=4, 64
        Blocks and width.
    n_sentences : int, default=4000
        Training sentences (drawn with ``random_state``).
    steps : int, default=800
        AdamW steps.
    batch_size : int, default=64
        Sentences per step.
    random_state : int, default=0
        Seeds the sentences, the initialisation and the batches. Training
        runs on one CPU thread, so the weights do not depend on the
        machine's thread count.

    Returns
    -------
    str
        ``path``; ``training.json`` there holds the settings and the final loss.
    """
    import torch
    from transformers import GPT2Config, GPT2LMHeadModel

    tokenizer = _tokenizer()
    sentences = agreement_sentences(n_sentences, random_state=random_state)
    config = GPT2Config(
        vocab_size=len(tokenizer),
        n_positions=32,
        n_embd=n_embd,
        n_layer=n_layer,
        n_head=4,
        bos_token_id=tokenizer.bos_token_id,
        eos_token_id=tokenizer.bos_token_id,
        pad_token_id=tokenizer.pad_token_id,
    )
    torch.manual_seed(random_state)
    model = GPT2LMHeadModel(config)
    # One thread: matrices this small gain nothing from more, and the trained
    # weights are then the same whatever the machine's thread count.
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        losses = _train(model, tokenizer, sentences, steps, batch_size, random_state)
    finally:
        torch.set_num_threads(threads)
    model.eval()
    Path(path).mkdir(parents=True, exist_ok=True)
    model.save_pretrained(path)
    tokenizer.save_pretrained(path)
    settings = {
        "n_layer": n_layer,
        "n_embd": n_embd,
        "n_sentences": n_sentences,
        "steps": steps,
        "batch_size": batch_size,
        "random_state": random_state,
        "final_loss": float(np.mean(losses[-20:])),
    }
    (Path(path) / "training.json").write_text(json.dumps(settings, indent=1))
    return str(path)


def load_agreement_lm(path):
    """The model and tokenizer that :func:`make_agreement_lm` saved at ``path``.

    Parameters
    ----------
    path : str or path-like
        The folder :func:`make_agreement_lm` wrote.

    Returns
    -------
    model : transformers.GPT2LMHeadModel
        In eval mode, with its language-modelling head.
    tokenizer : transformers.PreTrainedTokenizerFast
        Its word-level tokenizer.
    """
    from transformers import AutoTokenizer, GPT2LMHeadModel

    model = GPT2LMHeadModel.from_pretrained(path).eval()
    return model, AutoTokenizer.from_pretrained(path)


def _train(model, tokenizer, sentences, steps, batch_size, random_state):
    import torch

    rng = np.random.default_rng(random_state)
    optimizer = torch.optim.AdamW(model.parameters(), lr=3e-3, weight_decay=0.01)
    model.train()
    losses = []
    for _ in range(steps):
        batch = [sentences[i] for i in rng.integers(len(sentences), size=batch_size)]
        tokens = tokenizer(batch, return_tensors="pt", padding=True)
        labels = tokens["input_ids"].masked_fill(tokens["attention_mask"] == 0, -100)
        loss = model(**tokens, labels=labels).loss
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(float(loss.detach()))
    return losses


def _same_length_batches(tokenizer, texts, batch_size):
    """Indices of ``texts`` in batches of one token length: no padding, so
    positions are exact and the last position is every prefix's last token."""
    lengths = [len(ids) for ids in tokenizer(list(texts))["input_ids"]]
    return same_length_batches(lengths, batch_size)


def last_token_states(model, tokenizer, texts, *, batch_size=256):
    """Every hidden state at each text's last token.

    Parameters
    ----------
    model : transformers.GPT2LMHeadModel
        The model of :func:`make_agreement_lm` (or any causal LM).
    tokenizer : transformers.PreTrainedTokenizerBase
        Its tokenizer.
    texts : list of str
        The texts (e.g. prefixes up to the verb).
    batch_size : int, default=256
        Texts per forward pass (texts of one token length at a time).

    Returns
    -------
    ndarray of shape (n_texts, n_layers + 1, width)
    """
    import torch

    out = None
    with torch.no_grad():
        for rows in _same_length_batches(tokenizer, texts, batch_size):
            tokens = tokenizer([texts[i] for i in rows], return_tensors="pt")
            states = model(**tokens, output_hidden_states=True).hidden_states
            last = torch.stack([s[:, -1] for s in states], dim=1).numpy()
            if out is None:
                out = np.empty((len(texts), *last.shape[1:]), dtype=last.dtype)
            out[rows] = last
    return out


def verb_logit_difference(model, tokenizer, prefixes, *, batch_size=256):
    """Per prefix: logit of the plural form minus that of the singular form.

    Parameters
    ----------
    model : transformers.GPT2LMHeadModel
        The model of :func:`make_agreement_lm` (or any causal LM).
    tokenizer : transformers.PreTrainedTokenizerBase
        Its tokenizer.
    prefixes : dict
        As :func:`agreement_prefixes` returns.
    batch_size : int, default=256
        Prefixes per forward pass.

    Returns
    -------
    ndarray of shape (n_prefixes,)
    """
    import torch

    plural_ids = np.array(tokenizer.convert_tokens_to_ids(prefixes["plural_form"]))
    singular_ids = np.array(tokenizer.convert_tokens_to_ids(prefixes["singular_form"]))
    texts = prefixes["text"]
    out = np.empty(len(texts))
    with torch.no_grad():
        for rows in _same_length_batches(tokenizer, texts, batch_size):
            tokens = tokenizer([texts[i] for i in rows], return_tensors="pt")
            last = model(**tokens).logits[:, -1].numpy()
            index = np.arange(len(rows))
            out[rows] = last[index, plural_ids[rows]] - last[index, singular_ids[rows]]
    return out


def agreement_accuracy(model, tokenizer, prefixes):
    """How often the model prefers the verb form of the subject's number.

    Parameters
    ----------
    model : transformers.GPT2LMHeadModel
        The model of :func:`make_agreement_lm` (or any causal LM).
    tokenizer : transformers.PreTrainedTokenizerBase
        Its tokenizer.
    prefixes : dict
        As :func:`agreement_prefixes` returns.

    Returns
    -------
    float
    """
    difference = verb_logit_difference(model, tokenizer, prefixes)
    return float(np.mean((difference > 0) == prefixes["plural"]))


def _subset(prefixes, rows):
    if rows is None:
        return prefixes
    rows = np.asarray(rows)
    return {
        key: value[rows] if isinstance(value, np.ndarray) else [value[i] for i in rows]
        for key, value in prefixes.items()
    }


def agreement_behaviour(tokenizer, prefixes, *, metric="accuracy"):
    """The model's agreement on ``prefixes`` as a behaviour for causal checks.

    Parameters
    ----------
    tokenizer : transformers.PreTrainedTokenizerBase
        The model's tokenizer.
    prefixes : dict
        As :func:`agreement_prefixes` returns.
    metric : {"accuracy", "logit_difference", "plural_share"}, default="accuracy"
        ``"accuracy"``: :func:`agreement_accuracy`; ``"logit_difference"``:
        the mean logit of the right form minus the wrong one;
        ``"plural_share"``: how often the plural form is preferred (for
        steering, where the right form is not the point).

    Returns
    -------
    callable
        ``behaviour(model, rows) -> float`` on the prefixes ``rows`` (None:
        all), as :func:`sklearn_probe.causal.causal_sweep` takes it.
    """
    if metric not in ("accuracy", "logit_difference", "plural_share"):
        raise ValueError(
            f"metric={metric!r}: use 'accuracy', 'logit_difference' or 'plural_share'."
        )

    def behaviour(model, rows=None):
        chosen = _subset(prefixes, rows)
        difference = verb_logit_difference(model, tokenizer, chosen)
        if metric == "plural_share":
            return float(np.mean(difference > 0))
        if metric == "logit_difference":
            sign = np.where(chosen["plural"], 1.0, -1.0)
            return float(np.mean(sign * difference))
        return float(np.mean((difference > 0) == chosen["plural"]))

    return behaviour
