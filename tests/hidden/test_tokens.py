"""tokens=: which tokens of each text (or conversation) the pooling runs over.

The selections are checked against a hand computation that shares no code
with the package: the content of each message is located in the rendered
string with the template's known layout, each character is labelled, and a
token is selected when one of its characters carries the label. The pooled
vectors are checked against numpy over the hidden states of the model run
directly (``output_hidden_states=True``), one text at a time, unpadded.
"""

import os
import re
import warnings

import numpy as np
import pytest
from helpers import (
    CHAT_MARKERS,
    CONVERSATIONS,
    count_forward_rows,
    make_chat_llama,
)
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import Pipeline

from sklearn_probe import HiddenStateTransformer
from sklearn_probe.hidden import (
    PoolingWarning,
    TruncationWarning,
    parse_tokens,
    select_tokens,
)


@pytest.fixture(scope="module")
def tiny_llama(tmp_path_factory):
    return make_chat_llama(tmp_path_factory.mktemp("tiny-llama") / "llama")


def _tokenizer(path):
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(path)


def _hand_rendered(conversation, bos):
    """The template's output written by hand, and each message's content span."""
    text, spans = bos, []
    for message in conversation:
        text += f"<|{message['role']}|>\n"
        spans.append((message["role"], len(text), len(text) + len(message["content"])))
        text += message["content"] + "<|end|>\n"
    return text, spans


def _tokens_of(tokenizer, text, add_special_tokens):
    """Each token's character span, found by decoding the tokens one by one
    and walking the string (no offset mapping)."""
    ids = tokenizer(text, add_special_tokens=add_special_tokens)["input_ids"]
    special = set(tokenizer.all_special_ids)
    spans, at = [], 0
    for token in ids:
        piece = tokenizer.decode([token])
        if token in special and add_special_tokens and not text.startswith(piece, at):
            spans.append((at, at))  # added by the tokenizer, not in the text
            continue
        assert text.startswith(piece, at), (text, piece, at)
        spans.append((at, at + len(piece)))
        at += len(piece)
    assert at == len(text)
    return ids, spans


def _hand_selection(spans, labelled):
    """Tokens with at least one character in ``labelled`` (a set of positions)."""
    return np.array([any(c in labelled for c in range(a, b)) for a, b in spans])


def _hand_conversation_mask(tokenizer, conversation, kind, value):
    text, messages = _hand_rendered(conversation, tokenizer.bos_token)
    ids, spans = _tokens_of(tokenizer, text, add_special_tokens=False)
    if kind == "role":
        chosen = [m for m in messages if m[0] == value]
    else:
        chosen = [messages[value]]
    labelled = {c for _, a, b in chosen for c in range(a, b)}
    return text, ids, _hand_selection(spans, labelled)


def _states(path, ids):
    """Every hidden state of one unpadded sequence: (n_layers, tokens, width)."""
    import torch
    from transformers import AutoModel

    model = AutoModel.from_pretrained(path).eval()
    with torch.no_grad():
        out = model(torch.tensor([ids]), output_hidden_states=True)
    return np.stack([s[0].numpy() for s in out.hidden_states])


POOL = {
    "mean": lambda s: s.mean(axis=1),
    "max": lambda s: s.max(axis=1),
    "cls": lambda s: s[:, 0],
    "last": lambda s: s[:, -1],
}


# -- conversations -----------------------------------------------------------

ROLE_AND_MESSAGE = [
    ("assistant", "role", "assistant"),
    ("user", "role", "user"),
    ("system", "role", "system"),
    ("message:0", "message", 0),
    ("message:1", "message", 1),
    ("message:-1", "message", -1),
]


@pytest.mark.parametrize(("tokens", "kind", "value"), ROLE_AND_MESSAGE)
def test_conversation_selection_equals_the_hand_selection(
    tiny_llama, tokens, kind, value
):
    tokenizer = _tokenizer(tiny_llama)
    conversations = [
        c
        for c in CONVERSATIONS
        if kind == "message" or any(m["role"] == value for m in c)
    ]
    got = select_tokens(tokenizer, conversations, tokens)
    for i, conversation in enumerate(conversations):
        text, ids, hand = _hand_conversation_mask(tokenizer, conversation, kind, value)
        assert got.texts[i] == text
        assert got.input_ids[i] == ids
        np.testing.assert_array_equal(got.masks[i], hand)
        assert hand.any()
        # No header or end-of-turn marker is ever selected.
        selected = {ids[j] for j in np.flatnonzero(hand)}
        assert not selected & set(tokenizer.convert_tokens_to_ids(CHAT_MARKERS))


@pytest.mark.parametrize("pooling", ["mean", "max", "cls", "last"])
@pytest.mark.parametrize(("tokens", "kind", "value"), ROLE_AND_MESSAGE)
def test_conversation_pooling_equals_numpy_over_the_selected_states(
    tiny_llama, tokens, kind, value, pooling
):
    tokenizer = _tokenizer(tiny_llama)
    conversations = [
        c
        for c in CONVERSATIONS
        if kind == "message" or any(m["role"] == value for m in c)
    ]
    hidden = HiddenStateTransformer(
        tiny_llama, layer="all", pooling=pooling, tokens=tokens, cache_dir=None
    )
    with warnings.catch_warnings():
        # pooling="cls" on a causal model warns (checked in test_hidden.py).
        warnings.simplefilter("ignore", PoolingWarning)
        got = hidden.fit_transform(conversations)
    got = got.reshape(len(conversations), 3, -1)
    for i, conversation in enumerate(conversations):
        _, ids, hand = _hand_conversation_mask(tokenizer, conversation, kind, value)
        expected = POOL[pooling](_states(tiny_llama, ids)[:, hand])
        np.testing.assert_allclose(got[i], expected, atol=1e-5, rtol=1e-5)


def test_conversation_all_pools_every_token_of_the_rendered_template(tiny_llama):
    tokenizer = _tokenizer(tiny_llama)
    hidden = HiddenStateTransformer(
        tiny_llama, layer=-1, pooling="mean", cache_dir=None
    )
    got = hidden.fit_transform(CONVERSATIONS)
    for i, conversation in enumerate(CONVERSATIONS):
        text, _ = _hand_rendered(conversation, tokenizer.bos_token)
        ids = tokenizer(text, add_special_tokens=False)["input_ids"]
        expected = _states(tiny_llama, ids)[-1].mean(axis=0)
        np.testing.assert_allclose(got[i], expected, atol=1e-5, rtol=1e-5)


def test_conversation_vectors_do_not_depend_on_batchmates(tiny_llama):
    hidden = HiddenStateTransformer(
        tiny_llama, layer="all", tokens="assistant", batch_size=1, cache_dir=None
    )
    together = hidden.fit_transform(CONVERSATIONS)
    from sklearn_probe.hidden import clear_cache

    clear_cache()
    alone = np.vstack([hidden.transform([c]) for c in CONVERSATIONS[::-1]])[::-1]
    np.testing.assert_allclose(together, alone, atol=1e-5)


def test_conversation_without_chat_template_names_the_fix(tiny_gpt2):
    hidden = HiddenStateTransformer(tiny_gpt2, tokens="assistant", cache_dir=None)
    with pytest.raises(ValueError, match=r"no chat template.*chat_template ="):
        hidden.fit_transform(CONVERSATIONS)


def test_role_selection_on_plain_texts_is_an_error(tiny_llama):
    hidden = HiddenStateTransformer(tiny_llama, tokens="assistant", cache_dir=None)
    with pytest.raises(ValueError, match="X holds plain texts. Pass conversations"):
        hidden.fit_transform(["a good film"])


def test_empty_selection_names_the_sample(tiny_llama):
    hidden = HiddenStateTransformer(tiny_llama, tokens="system", cache_dir=None)
    # Conversation 1 has no system message.
    with pytest.raises(ValueError, match=r"selects no token of sample 1 \('user: this"):
        hidden.fit_transform(CONVERSATIONS)
    hidden = HiddenStateTransformer(tiny_llama, tokens="message:5", cache_dir=None)
    with pytest.raises(
        ValueError, match="tokens='message:5' selects no token of sample 0"
    ):
        hidden.fit_transform(CONVERSATIONS)


def test_truncation_that_cuts_the_selection_says_so(tiny_llama):
    tokenizer = _tokenizer(tiny_llama)
    # Conversation 2's assistant message is its last; cut before it: an error.
    text, _ = _hand_rendered(CONVERSATIONS[2], tokenizer.bos_token)
    n = len(tokenizer(text, add_special_tokens=False)["input_ids"])
    hidden = HiddenStateTransformer(
        tiny_llama, tokens="assistant", max_length=12, cache_dir=None
    )
    with pytest.raises(ValueError, match=r"only past max_length=12.*Raise max_length"):
        hidden.fit_transform(CONVERSATIONS[2:])
    # Cut inside it: a warning that the selection lost tokens, and the vector
    # pools what is left.
    _, ids, hand = _hand_conversation_mask(
        tokenizer, CONVERSATIONS[2], "role", "assistant"
    )
    keep = int(np.flatnonzero(hand)[3]) + 1
    assert keep < n
    hidden.set_params(max_length=keep, pooling="mean", layer=-1)
    with pytest.warns(
        TruncationWarning, match="1 of them lost some of their selected tokens"
    ):
        got = hidden.fit_transform(CONVERSATIONS[2:])
    expected = _states(tiny_llama, ids[:keep])[-1][hand[:keep]].mean(axis=0)
    np.testing.assert_allclose(got[0], expected, atol=1e-5, rtol=1e-5)


# -- plain texts ---------------------------------------------------------------

TEXTS = ["a good film", "the acting was awful and the plot very bad", "i love it"]


def _bert_pieces(tokenizer, text):
    """Token ids and character spans of a BERT text, by walking the word pieces."""
    ids = tokenizer(text)["input_ids"]
    spans, at = [], 0
    for token in tokenizer.convert_ids_to_tokens(ids):
        if token in ("[CLS]", "[SEP]"):
            spans.append((at, at))
            continue
        piece = token[2:] if token.startswith("##") else token
        at = text.index(piece, at)
        spans.append((at, at + len(piece)))
        at += len(piece)
    return ids, spans


def _hand_text_mask(tokens, text, spans):
    real = [i for i, (a, b) in enumerate(spans) if b > a]
    mask = np.zeros(len(spans), dtype=bool)
    if tokens.startswith(("first", "last")):
        n = int(tokens.split(":")[1]) if ":" in tokens else 1
        mask[real[:n] if tokens.startswith("first") else real[-n:]] = True
    else:
        labelled = {
            c for m in re.finditer(tokens[6:], text) for c in range(m.start(), m.end())
        }
        mask = _hand_selection(spans, labelled)
    return mask


@pytest.mark.parametrize(
    "tokens",
    [
        "first",
        "last",
        "first:2",
        "last:3",
        "last:100",
        r"regex:\b(good|bad|love)\b",
        "regex:act",
    ],
)
@pytest.mark.parametrize("pooling", ["mean", "max", "cls", "last"])
def test_text_selection_with_right_padding_bert(tiny_bert, tokens, pooling):
    tokenizer = _tokenizer(tiny_bert)
    texts = [
        t for t in TEXTS if not tokens.startswith("regex") or re.search(tokens[6:], t)
    ]
    got_selection = select_tokens(tokenizer, texts, tokens)
    hidden = HiddenStateTransformer(
        tiny_bert, layer="all", pooling=pooling, tokens=tokens, cache_dir=None
    )
    got = hidden.fit_transform(texts).reshape(len(texts), 4, -1)
    for i, text in enumerate(texts):
        ids, spans = _bert_pieces(tokenizer, text)
        hand = _hand_text_mask(tokens, text, spans)
        np.testing.assert_array_equal(got_selection.masks[i], hand)
        expected = POOL[pooling](_states(tiny_bert, ids)[:, hand])
        np.testing.assert_allclose(got[i], expected, atol=1e-5, rtol=1e-5)


@pytest.mark.parametrize("tokens", ["first", "last:2", "last:100", "regex:o+d"])
def test_text_selection_with_left_padding_causal(tiny_llama, tokens):
    tokenizer = _tokenizer(tiny_llama)
    texts = ["a good film", "the acting was awful and the plot was not good", "good"]
    hidden = HiddenStateTransformer(
        tiny_llama, layer="all", pooling="mean", tokens=tokens, cache_dir=None
    )
    assert hidden.fit(texts)._get_loaded().padding_side == "left"
    got = hidden.transform(texts).reshape(len(texts), 3, -1)
    for i, text in enumerate(texts):
        ids, spans = _tokens_of(tokenizer, text, add_special_tokens=True)
        hand = _hand_text_mask(tokens, text, spans)
        expected = _states(tiny_llama, ids)[:, hand].mean(axis=1)
        np.testing.assert_allclose(got[i], expected, atol=1e-5, rtol=1e-5)


def test_last_n_larger_than_the_text_takes_every_text_token(tiny_bert):
    tokenizer = _tokenizer(tiny_bert)
    got = select_tokens(tokenizer, ["a good film"], "last:100")
    # [CLS] a good film [SEP]: the three tokens of the text, not the added ones.
    assert got.masks[0].tolist() == [False, True, True, True, False]


def test_regex_with_no_match_names_the_sample(tiny_bert):
    hidden = HiddenStateTransformer(tiny_bert, tokens="regex:good", cache_dir=None)
    with pytest.raises(
        ValueError,
        match=r"tokens='regex:good' selects no token of sample 1 \('i love it'\)",
    ):
        hidden.fit_transform(["a good film", "i love it"])


def test_all_is_today_numbers_and_cache_key(tiny_bert):
    plain = HiddenStateTransformer(tiny_bert, layer="all", cache_dir=None).fit(TEXTS)
    loaded = plain._get_loaded()
    from sklearn_probe.store import extraction_key

    old_key, _ = extraction_key(
        fingerprint=plain.model_fingerprint_, pooling="mean", max_length=128
    )
    assert plain._extraction_key("mean", loaded)[0] == old_key
    last = clone(plain).set_params(tokens="last").fit(TEXTS)
    assert last._extraction_key("mean", loaded)[0] != old_key
    assert (
        last._extraction_key("mean", loaded)[0]
        != clone(plain)
        .set_params(tokens="last:2")
        .fit(TEXTS)
        ._extraction_key("mean", loaded)[0]
    )
    # Cached vectors of one selection are never served for another.
    a = plain.transform(TEXTS)
    b = last.transform(TEXTS)
    assert not np.allclose(a, b)
    np.testing.assert_array_equal(plain.transform(TEXTS), a)


@pytest.mark.parametrize(
    ("tokens", "match"),
    [
        ("everything", "must be one of"),
        ("last:0", "at least 1"),
        ("last:x", "not an integer"),
        ("regex:(", "not a valid regular expression"),
        ("regex:", "is empty"),
        (3, "must be an instance of 'str'"),
    ],
)
def test_bad_tokens_parameter(tiny_bert, tokens, match):
    with pytest.raises((ValueError, TypeError), match=match):
        HiddenStateTransformer(tiny_bert, tokens=tokens).fit(TEXTS)


def test_parse_round_trips():
    for spec in [
        "all",
        "first",
        "last",
        "last:5",
        "first:2",
        "regex:a|b",
        "user",
        "message:-1",
    ]:
        assert str(parse_tokens(spec)) == spec
    assert str(parse_tokens("last:1")) == "last"


@pytest.mark.parametrize(
    ("X", "match"),
    [
        ([[{"role": "user"}]], "message 0 of conversation 0"),
        ([[]], "conversation 0 has no message"),
        ([[{"role": "user", "content": None}]], "'content' of message 0"),
        ([[{"role": "user", "content": "hi"}], "hi"], "element 1 is a str"),
        ([{"role": "user", "content": "hi"}], "element 0 is dict"),
        (["hi", [{"role": "user", "content": "hi"}]], "element 1 is a conversation"),
        ([[{"role": "user", "content": "hi"}, "hi"]], "message 1 of conversation 0"),
    ],
)
def test_bad_conversations_are_named(tiny_llama, X, match):
    with pytest.raises((ValueError, TypeError), match=match):
        HiddenStateTransformer(tiny_llama, cache_dir=None).fit(X)


def test_clone_grid_search_and_repr(tiny_bert, one_blas_thread):
    from sklearn.linear_model import LogisticRegression

    hidden = HiddenStateTransformer(tiny_bert, layer=-1, tokens="regex:good|bad")
    assert "tokens='regex:good|bad'" in repr(hidden)
    assert clone(hidden).get_params()["tokens"] == "regex:good|bad"
    texts = [f"{i} {w} film" for i in range(12) for w in ("good", "bad")]
    y = [0, 1] * 12
    search = GridSearchCV(
        Pipeline([("hidden", hidden), ("probe", LogisticRegression())]),
        {"hidden__tokens": ["all", "last:2", "regex:good|bad"]},
        cv=2,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        search.fit(texts, y)
    assert search.cv_results_["param_hidden__tokens"].tolist() == [
        "all",
        "last:2",
        "regex:good|bad",
    ]
    assert os.fspath(search.best_estimator_[0].model) == tiny_bert


def test_selection_at_every_site_from_one_pass(tiny_bert):
    """Token selections hold at sublayer sites too, and the vectors read beside
    other sites in one pass equal those read alone."""
    from sklearn_probe.hidden import cache_readings, clear_cache, fitted

    texts = TEXTS
    alone = {}
    for site in ("residual", "attention", "mlp"):
        hidden = HiddenStateTransformer(
            tiny_bert, layer=-1, site=site, tokens="last:2", cache_dir=None
        )
        alone[site] = hidden.fit_transform(texts)
    everything = HiddenStateTransformer(
        tiny_bert, layer=-1, site="attention", cache_dir=None
    ).fit_transform(texts)
    assert not np.allclose(alone["attention"], everything)
    clear_cache()
    step = fitted(HiddenStateTransformer(tiny_bert, tokens="last:2", cache_dir=None))
    readings = [(s, "mean") for s in ("residual", "attention", "mlp")]
    with count_forward_rows(tiny_bert) as counter:
        assert cache_readings(step, texts, readings) == len(texts)
    assert counter["rows"] == len(texts)  # one pass per text, every site
    for site in ("residual", "attention", "mlp"):
        with count_forward_rows(tiny_bert) as counter:
            again = HiddenStateTransformer(
                tiny_bert, layer=-1, site=site, tokens="last:2", cache_dir=None
            ).fit_transform(texts)
        assert counter["rows"] == 0  # served from the cache, under the selection
        np.testing.assert_allclose(again, alone[site], atol=1e-6)


def test_token_states_are_the_selected_tokens(tiny_llama, tiny_bert):
    """pooling="tokens" returns the states of the selected tokens only: the
    rows of the model's own states at the hand-selected positions."""
    tokenizer = _tokenizer(tiny_llama)
    hidden = HiddenStateTransformer(
        tiny_llama, layer=[1, 2], pooling="tokens", tokens="assistant", cache_dir=None
    )
    got = hidden.fit_transform(CONVERSATIONS)
    for i, conversation in enumerate(CONVERSATIONS):
        _, ids, hand = _hand_conversation_mask(
            tokenizer, conversation, "role", "assistant"
        )
        states = _states(tiny_llama, ids)[[1, 2]][:, hand]  # (2, n_selected, width)
        expected = np.concatenate(list(states), axis=1)
        np.testing.assert_allclose(got[i], expected, atol=1e-5, rtol=1e-5)
    # Plain texts: a regex; served again from the cache under the selection.
    bert = HiddenStateTransformer(
        tiny_bert, layer=-1, pooling="tokens", tokens="regex:good|film", cache_dir=None
    )
    texts = ["a good film", "i love this film"]
    first = bert.fit_transform(texts)
    assert [len(t) for t in first] == [2, 1]
    everything = clone(bert).set_params(tokens="all").fit_transform(texts)
    assert [len(t) for t in everything] == [5, 6]
    np.testing.assert_array_equal(first[0], everything[0][[2, 3]])
    with count_forward_rows(tiny_bert) as counter:
        again = bert.transform(texts)
    assert counter["rows"] == 0
    np.testing.assert_array_equal(again[1], first[1])
