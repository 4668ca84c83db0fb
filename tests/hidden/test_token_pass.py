"""Token selections of the same texts share one forward pass.

``cache_readings`` with ``(site, pooling, tokens)`` readings runs every text
through the model once, whatever the number of selections, and caches each
reading under the key a transformer with only that selection uses: a later
transform is served from the cache, with the numbers a fresh run with only
that selection computes.
"""

import itertools
import warnings

import numpy as np
import pytest
from helpers import CONVERSATIONS, count_forward_rows, make_chat_llama

from sklearn_probe import HiddenStateTransformer
from sklearn_probe.hidden import TruncationWarning, cache_readings, fitted
from sklearn_probe.store import MEMORY

# Every text has a match of the regex, and lengths differ (padding).
TEXTS = [
    "a good film",
    "a bad film with a very long and winding plot that goes nowhere at all",
    "good",
    "the acting was bad, the music good and the ending bad again",
    "not bad",
    "it is good, it is good, it is very good indeed",
]
SELECTIONS = ["all", "last", "last:2", "regex:good|bad"]
POOLINGS = ["mean", "max"]
SITES = ["residual", "mlp"]


def _alone(path, texts, site, pooling, tokens, **params):
    """The vectors of a transformer with only this reading, from an empty
    vector cache."""
    MEMORY.clear()
    with count_forward_rows(path) as counter:
        vectors = HiddenStateTransformer(
            path,
            layer="all",
            site=site,
            pooling=pooling,
            tokens=tokens,
            cache_dir=None,
            **params,
        ).fit_transform(texts)
    assert counter["rows"] == len(texts)
    return vectors


def _check_one_pass(path, texts, readings, **params):
    """One pass per text for every reading, then every reading served from
    the cache with the numbers of a run of its own."""
    expected = {r: _alone(path, texts, *r, **params) for r in readings}
    MEMORY.clear()
    step = fitted(HiddenStateTransformer(path, cache_dir=None, **params))
    with count_forward_rows(path) as counter:
        assert cache_readings(step, texts, readings) == len(texts)
    assert counter["rows"] == len(texts)
    for reading, vectors in expected.items():
        site, pooling, tokens = reading
        with count_forward_rows(path) as counter:
            cached = HiddenStateTransformer(
                path,
                layer="all",
                site=site,
                pooling=pooling,
                tokens=tokens,
                cache_dir=None,
                **params,
            ).fit_transform(texts)
        assert counter["rows"] == 0, reading  # served from the cache
        np.testing.assert_allclose(cached, vectors, atol=1e-6, err_msg=str(reading))


@pytest.mark.parametrize("model", ["tiny_bert", "tiny_gpt2"])
def test_every_selection_from_one_pass(model, request, one_blas_thread):
    """BERT (right padding) and GPT-2 (left padding): 4 selections x 2
    poolings x 2 sites, one pass per text (it was one per selection)."""
    path = request.getfixturevalue(model)
    readings = list(itertools.product(SITES, POOLINGS, SELECTIONS))
    _check_one_pass(path, TEXTS, readings)


def test_selections_differ_from_each_other(tiny_bert):
    """The readings cached from the shared pass are each selection's own."""
    step = fitted(HiddenStateTransformer(tiny_bert, cache_dir=None))
    cache_readings(step, TEXTS, [("residual", "mean", t) for t in SELECTIONS])
    vectors = [
        HiddenStateTransformer(tiny_bert, tokens=t, cache_dir=None).fit_transform(TEXTS)
        for t in SELECTIONS
    ]
    for a, b in itertools.combinations(vectors, 2):
        assert not np.allclose(a, b)


def test_truncated_texts_keep_each_selection(tiny_bert):
    """With texts cut at max_length, each selection is carried over to the
    kept tokens as in a run of its own (and a selection that lost tokens
    says so)."""
    readings = [("residual", "mean", t) for t in ("all", "regex:good|bad", "first:2")]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", TruncationWarning)
        _check_one_pass(tiny_bert, TEXTS, readings, max_length=8)
    MEMORY.clear()
    step = fitted(HiddenStateTransformer(tiny_bert, cache_dir=None, max_length=8))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", TruncationWarning)
        cache_readings(step, TEXTS, readings)
    said = [str(w.message) for w in caught if w.category is TruncationWarning]
    assert any("3 of 6 texts" in m for m in said), said
    assert any("tokens='regex:good|bad'" in m for m in said), said


@pytest.fixture(scope="module")
def chat_llama(tmp_path_factory):
    return make_chat_llama(tmp_path_factory.mktemp("chat-llama") / "llama")


def test_conversation_selections_share_one_rendering(chat_llama, one_blas_thread):
    """Roles, messages and "all" of the same conversations: the chat template
    renders them the same whatever is selected, so one pass serves them all."""
    selections = ["assistant", "user", "message:-1", "all"]
    readings = [(s, p, t) for s in SITES for p in ("mean", "last") for t in selections]
    _check_one_pass(chat_llama, CONVERSATIONS, readings)
