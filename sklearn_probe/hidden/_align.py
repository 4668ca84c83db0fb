"""Words to subword tokens: the tokenizer's own word ids, with word boundaries kept.

A pre-split sentence goes through the model's fast tokenizer as pre-tokenized
input (``is_split_into_words``), and the tokenizer reports which word each token
came from. That is the only alignment used: no character offsets, no guessing.

One convention needs fixing first. Tokenizers that mark a word boundary *inside*
the token (byte-level BPE as in GPT-2: ``"Ġdogs"``; SentencePiece: ``"▁dogs"``)
only mark it when they see the space before the word. Fed words one by one, a
byte-level BPE tokenizer without ``add_prefix_space`` sees no space at all and
tokenizes ``"dogs"`` as if it were glued to the word before it (``"d" "o" "g"
"s"`` in place of ``"Ġdogs"``): tokens the model never sees mid-sentence, and a
silently wrong vector. So the word tokenizer is a copy of the model's tokenizer
whose byte-level pre-tokenizer adds the leading space (``add_prefix_space``) and
whose SentencePiece pre-tokenizer prepends the ``▁`` to every word: every word,
the first included, is tokenized as it would be after a space. For the first
word of a GPT-2 sentence that differs from tokenizing the raw text (which has
no space before it); every other word gets the very tokens of the raw text.
The model's own tokenizer is never changed.
"""

import json
import threading

import numpy as np

_WORD_TOKENIZERS = {}
_LOCK = threading.Lock()


def word_tokenizer(loaded):
    """A ``tokenizers.Tokenizer`` for pre-split words, built once per model."""
    with _LOCK:
        tokenizer = _WORD_TOKENIZERS.get(loaded.fingerprint)
        if tokenizer is None:
            tokenizer = _build(loaded)
            _WORD_TOKENIZERS[loaded.fingerprint] = tokenizer
    return tokenizer


def _build(loaded):
    from tokenizers import Tokenizer

    backend = getattr(loaded.tokenizer, "backend_tokenizer", None)
    if backend is None:
        raise ValueError(
            f"Model {loaded.source!r} has no fast (Rust) tokenizer, and aligning "
            "words to subword tokens needs its word ids. Save the model with a "
            "fast tokenizer (AutoTokenizer.from_pretrained(..., use_fast=True) "
            "then save_pretrained)."
        )
    spec = json.loads(backend.to_str())
    spec["truncation"] = None
    spec["padding"] = None
    if spec.get("pre_tokenizer") is not None:
        spec["pre_tokenizer"] = _mark_every_word(spec["pre_tokenizer"])
    return Tokenizer.from_str(json.dumps(spec))


def _mark_every_word(pre_tokenizer):
    """The pre-tokenizer, set to mark a word boundary before every word."""
    kind = pre_tokenizer.get("type")
    if kind == "Sequence":
        inner = pre_tokenizer["pretokenizers"]
        return {**pre_tokenizer, "pretokenizers": [_mark_every_word(p) for p in inner]}
    if kind == "ByteLevel":
        return {**pre_tokenizer, "add_prefix_space": True}
    if kind == "Metaspace":
        changed = {**pre_tokenizer, "prepend_scheme": "always"}
        if "add_prefix_space" in pre_tokenizer:  # tokenizers < 0.14
            changed["add_prefix_space"] = True
        return changed
    return pre_tokenizer


def encode_sentences(loaded, sentences, max_length):
    """Token ids and word-to-token spans of pre-split sentences.

    Returns ``(ids, spans)``: for sentence ``s``, ``ids[s]`` is its token ids
    (special tokens included) and ``spans[s]`` an ``(n_words, 2)`` int array of
    each word's ``[first, last]`` token positions in ``ids[s]``. A sentence
    longer than ``max_length`` tokens, or a word that gives no token, is a
    ``ValueError`` naming the sentence (its position in ``sentences``).
    """
    tokenizer = word_tokenizer(loaded)
    encodings = tokenizer.encode_batch(
        [list(words) for words in sentences], is_pretokenized=True
    )
    ids, spans = [], []
    for s, (words, encoding) in enumerate(zip(sentences, encodings, strict=True)):
        if len(encoding.ids) > max_length:
            raise ValueError(
                f"Sentence {s} ({_preview(words)}) is {len(encoding.ids)} tokens "
                f"long with special tokens, more than max_length={max_length}: its "
                "last words would be cut off and get no vector. Raise max_length "
                f"(up to {loaded.max_positions} for this model) or split the "
                "sentence."
            )
        word_spans = _word_spans(encoding.word_ids, len(words))
        empty = np.flatnonzero(word_spans[:, 0] < 0)
        if len(empty):
            raise ValueError(
                f"Word {empty[0]} ({words[empty[0]]!r}) of sentence {s} "
                f"({_preview(words)}) gives no token under the tokenizer of "
                f"{loaded.source!r}, so it has no vector. Remove it or replace it "
                "with a word the tokenizer keeps."
            )
        ids.append(encoding.ids)
        spans.append(word_spans)
    return ids, spans


def _word_spans(word_ids, n_words):
    """``(n_words, 2)`` first and last token position of each word (-1 for a
    word without tokens), from the tokenizer's word id of every token."""
    ids = np.array(word_ids, dtype=np.float64)  # None (special token): NaN
    positions = np.flatnonzero(~np.isnan(ids))
    words = ids[positions].astype(np.int64)
    first = np.full(n_words, np.iinfo(np.int64).max)
    last = np.full(n_words, -1)
    np.minimum.at(first, words, positions)
    np.maximum.at(last, words, positions)
    first[last < 0] = -1
    return np.stack([first, last], axis=1)


def _preview(words, n=6):
    text = " ".join(words[:n])
    return repr(text + (" ..." if len(words) > n else ""))
