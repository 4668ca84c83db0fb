"""A model's weights are read only when a text must go through it.

A warm rerun (every vector in the disk store) reads the configuration and the
tokenizer, never the weights; the fingerprint it computes without them is the
one computed from the loaded model, so stores written before stay valid.
"""

import os
import shutil
import threading

import numpy as np
import pytest
from helpers import length_corpus, make_bert, make_decoder, make_gpt2

from sklearn_probe import HiddenStateTransformer, layer_sweep
from sklearn_probe.hidden._models import (
    _weight_files,
    clear_loaded_models,
    load_model,
    resolve_source,
)


@pytest.fixture
def weight_reads(monkeypatch):
    """Count the calls that read a checkpoint's weights."""
    from transformers import AutoModel

    original = AutoModel.from_pretrained
    count = {"n": 0}

    def counting(*args, **kwargs):
        count["n"] += 1
        return original(*args, **kwargs)

    monkeypatch.setattr(AutoModel, "from_pretrained", counting)
    clear_loaded_models()
    yield count
    clear_loaded_models()


def _eager_fingerprint(path, torch_dtype):
    """The fingerprint as computed before weights could wait: from the model
    loaded with its configuration and tokenizer, padding set."""
    import inspect

    from sklearn_probe.hidden._checkpoint import read_checkpoint
    from sklearn_probe.hidden._fingerprint import fingerprint
    from sklearn_probe.hidden._models import _set_padding, causal_config

    config, tokenizer, model = read_checkpoint(
        path,
        is_dir=True,
        random_init_seed=None,
        trust_remote_code=False,
        torch_dtype=torch_dtype,
        device_map=None,
        hub_problem="offline",
    )
    _set_padding(tokenizer, causal_config(config))
    accepts = "position_ids" in inspect.signature(model.forward).parameters
    return fingerprint(model, tokenizer, files=_weight_files(path)), accepts


def test_warm_transform_reads_no_weights(tmp_path, weight_reads):
    path = make_bert(tmp_path / "bert")
    texts, _ = length_corpus(21)
    store = tmp_path / "store"
    first = HiddenStateTransformer(path, layer="all", cache_dir=store, device="cpu")
    expected = first.fit_transform(texts[:20])
    assert weight_reads["n"] == 1

    clear_loaded_models()
    again = HiddenStateTransformer(path, layer="all", cache_dir=store, device="cpu")
    np.testing.assert_array_equal(again.fit_transform(texts[:20]), expected)
    assert again.model_fingerprint_ == first.model_fingerprint_
    assert weight_reads["n"] == 1  # none for the warm rerun

    new = again.transform(texts[20:])
    assert weight_reads["n"] == 2  # one new text: one read
    np.testing.assert_allclose(new, first.transform(texts[20:]), rtol=1e-5, atol=1e-6)
    again.transform(texts)
    assert weight_reads["n"] == 2


@pytest.mark.parametrize("kind", ["bert", "gpt2", "llama", "minilm"])
@pytest.mark.parametrize("torch_dtype", ["float32", "auto", "bfloat16"])
def test_fingerprint_equals_eager_one(tmp_path, weight_reads, kind, torch_dtype):
    if kind == "minilm":
        path = resolve_source("minilm")
    else:
        make = {"bert": make_bert, "gpt2": make_gpt2}.get(kind)
        path = make(tmp_path / kind) if make else make_decoder(tmp_path / kind, kind)
    expected, accepts = _eager_fingerprint(path, torch_dtype)
    weight_reads["n"] = 0
    loaded = load_model(path, "cpu", torch_dtype=torch_dtype)
    assert weight_reads["n"] == 0
    assert loaded.fingerprint == expected
    # Reading the weights later gives the model that fingerprint describes.
    from sklearn_probe.hidden._fingerprint import fingerprint

    model = loaded.model
    assert weight_reads["n"] == 1
    assert not model.training
    assert fingerprint(model, loaded.tokenizer, files=_weight_files(path)) == expected
    assert loaded.accepts_position_ids == accepts


def test_warm_layer_sweep_reads_no_weights(tmp_path, weight_reads):
    path = make_bert(tmp_path / "bert")
    texts, labels = length_corpus(60)
    options = dict(model=path, cv=3, cache_dir=tmp_path / "store", device="cpu")
    cold = layer_sweep(texts, labels, verbose=0, **options)
    assert weight_reads["n"] == 1
    clear_loaded_models()
    warm = layer_sweep(texts, labels, verbose=0, **options)
    assert weight_reads["n"] == 1
    np.testing.assert_array_equal(
        warm.cv_results["mean_test_score"], cold.cv_results["mean_test_score"]
    )
    assert warm.best_layer == cold.best_layer


def test_missing_weights_fail_at_fit(tmp_path, weight_reads):
    path = make_bert(tmp_path / "bert")
    texts, _ = length_corpus(5)
    store = tmp_path / "store"
    HiddenStateTransformer(path, cache_dir=store, device="cpu").fit_transform(texts)
    clear_loaded_models()
    for name in os.listdir(path):
        if name.endswith(".safetensors"):
            os.remove(os.path.join(path, name))
    est = HiddenStateTransformer(path, cache_dir=store, device="cpu")
    with pytest.raises(OSError, match="does not hold a loadable model"):
        est.fit(texts)


def test_truncated_weights_fail_at_fit(tmp_path, weight_reads):
    from safetensors import SafetensorError

    path = make_bert(tmp_path / "bert")
    (weights,) = [n for n in os.listdir(path) if n.endswith(".safetensors")]
    with open(os.path.join(path, weights), "r+b") as f:
        f.truncate(200)
    # The error of reading the weights, as before they could wait.
    with pytest.raises(SafetensorError, match="header"):
        HiddenStateTransformer(path, device="cpu").fit(["a text"])
    assert weight_reads["n"] == 1


def test_weights_changed_after_fit_are_an_error(tmp_path, weight_reads):
    path = make_bert(tmp_path / "bert")
    est = HiddenStateTransformer(path, device="cpu").fit(["one"])
    other = make_bert(tmp_path / "other", seed=1)
    (weights,) = [n for n in os.listdir(path) if n.endswith(".safetensors")]
    shutil.copy(os.path.join(other, weights), os.path.join(path, weights))
    with pytest.raises(OSError, match="changed after the model was fitted"):
        est.transform(["two"])
    assert weight_reads["n"] == 0


def test_weights_read_once_across_threads(tmp_path, weight_reads):
    path = make_bert(tmp_path / "bert")
    loaded = load_model(path, "cpu")
    models = []
    threads = [
        threading.Thread(target=lambda: models.append(loaded.model)) for _ in range(4)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert weight_reads["n"] == 1
    assert all(model is models[0] for model in models)
