"""Builders the tests share: tiny random models, corpora, forward-pass counters.

Imported as ``from helpers import ...`` (pytest puts ``tests/`` on the path);
fixtures stay in conftest.py.
"""

import contextlib
import os

import numpy as np

WORDS = (
    "a the film movie good bad great awful i love hate it was is not very plot "
    "acting story boring brilliant and but of to this that with dull"
).split()

TEXTS = [
    "a good film",
    "the acting was awful and the plot very bad",
    "",
    "i love it",
    "brilliant",
    "this movie was not good , but the story was great and the acting brilliant",
    "dull",
    "boring boring boring",
    "a great story with brilliant acting",
    "i hate this film",
    "the plot is very dull",
    "qwxz unseen words here",
]


def make_bert(path, *, seed=0, num_hidden_layers=3, hidden_size=16):
    """A tiny random BERT with a WordPiece tokenizer, saved at ``path``."""
    import torch
    from transformers import BertConfig, BertModel, BertTokenizerFast

    os.makedirs(path, exist_ok=True)
    letters = list("abcdefghijklmnopqrstuvwxyz,.!?")
    vocab = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", *WORDS, *letters]
    vocab += ["##" + c for c in letters]
    tokenizer = BertTokenizerFast(
        vocab={token: i for i, token in enumerate(vocab)}, model_max_length=512
    )
    # A real tokenizer splits words into pieces; make sure this one does (a
    # tokenizer that maps every word to [UNK] would make weak tests look strong).
    assert tokenizer.tokenize("a good qz") == ["a", "good", "q", "##z"]
    tokenizer.save_pretrained(path)
    config = BertConfig(
        vocab_size=len(vocab),
        hidden_size=hidden_size,
        num_hidden_layers=num_hidden_layers,
        num_attention_heads=2,
        intermediate_size=2 * hidden_size,
        max_position_embeddings=512,
    )
    torch.manual_seed(seed)
    BertModel(config).eval().save_pretrained(path)
    return str(path)


def make_gpt2(path, *, seed=0, n_layer=2, n_embd=16):
    """A tiny random GPT-2 with a byte-level BPE tokenizer that has no pad token."""
    import torch
    from tokenizers import ByteLevelBPETokenizer
    from transformers import GPT2Config, GPT2Model, GPT2TokenizerFast

    os.makedirs(path, exist_ok=True)
    bpe = ByteLevelBPETokenizer()
    bpe.train_from_iterator(
        TEXTS * 3, vocab_size=300, min_frequency=1, special_tokens=["<|endoftext|>"]
    )
    tokenizer = GPT2TokenizerFast(
        tokenizer_object=bpe,
        bos_token="<|endoftext|>",
        eos_token="<|endoftext|>",
        unk_token="<|endoftext|>",
        model_max_length=1024,
    )
    tokenizer.save_pretrained(path)
    config = GPT2Config(
        vocab_size=len(tokenizer),
        n_positions=1024,
        n_embd=n_embd,
        n_layer=n_layer,
        n_head=2,
        architectures=["GPT2LMHeadModel"],
    )
    torch.manual_seed(seed)
    GPT2Model(config).eval().save_pretrained(path)
    return str(path)


def make_decoder(path, kind, *, seed=0, dtype="bfloat16"):
    """A tiny random Llama, Mistral or Qwen2 (``kind``) saved in ``dtype``, with
    the byte-level tokenizer of :func:`make_gpt2` (no pad token)."""
    import shutil

    import torch
    import transformers
    from transformers import AutoTokenizer

    gpt2 = make_gpt2(f"{path}-tokenizer", seed=seed)
    os.makedirs(path, exist_ok=True)
    for name in os.listdir(gpt2):
        if name.startswith(("tokenizer", "special_tokens", "vocab", "merges")):
            shutil.copy(os.path.join(gpt2, name), path)
    shutil.rmtree(gpt2)
    vocab_size = len(AutoTokenizer.from_pretrained(path))
    names = {"llama": "Llama", "mistral": "Mistral", "qwen2": "Qwen2"}[kind]
    config = getattr(transformers, f"{names}Config")(
        vocab_size=vocab_size,
        hidden_size=32,
        intermediate_size=64,
        num_hidden_layers=2,
        num_attention_heads=4,
        num_key_value_heads=2,
        max_position_embeddings=256,
        architectures=[f"{names}ForCausalLM"],
    )
    torch.manual_seed(seed)
    model = getattr(transformers, f"{names}Model")(config).eval()
    model.to(getattr(torch, dtype)).save_pretrained(path)
    return str(path)


def length_corpus(n, seed=0, *, gap=False):
    """``n`` distinct texts labelled by their length: 1 (8 words or more) or 0.

    Every layer of a random model sees positions, so even the tiny random models
    can learn the label. With ``gap=True`` the lengths are 1-3 or 10-15 words
    (half each, shuffled): a wide margin for weaker views of the text, such as
    the tiny GPT-2's byte-level pieces.
    """
    rng = np.random.default_rng(seed)
    if gap:
        lengths = np.r_[rng.integers(1, 4, n // 2), rng.integers(10, 16, n - n // 2)]
        rng.shuffle(lengths)
    else:
        lengths = rng.integers(1, 15, size=n)
    texts = [f"{i} " + " ".join(rng.choice(WORDS, k)) for i, k in enumerate(lengths)]
    return texts, (lengths >= 8).astype(int)


def make_custom_code_model(path, marker):
    """A tiny BERT whose config names custom code (``auto_map``), as a hub repo
    with ``trust_remote_code`` models has. Importing that code writes ``marker``."""
    import json

    make_bert(path)
    code = (
        "import pathlib\n"
        f"pathlib.Path({str(marker)!r}).write_text('custom code ran')\n"
        "from transformers import BertConfig, BertModel\n\n\n"
        "class CustomConfig(BertConfig):\n"
        "    model_type = 'custom-bert'\n\n\n"
        "class CustomModel(BertModel):\n"
        "    config_class = CustomConfig\n"
    )
    (path / "custom.py").write_text(code)
    config_file = path / "config.json"
    config = json.loads(config_file.read_text())
    config["model_type"] = "custom-bert"
    config["auto_map"] = {
        "AutoConfig": "custom.CustomConfig",
        "AutoModel": "custom.CustomModel",
    }
    config_file.write_text(json.dumps(config))
    return str(path)


@contextlib.contextmanager
def count_forward_rows(path, *, random_init_seed=None):
    """Count the rows (texts) and calls that go through the shared model at ``path``.

    ``random_init_seed`` counts the random-weights copy of that model instead.
    """
    from sklearn_probe.hidden._models import load_model

    model = load_model(path, "cpu", random_init_seed=random_init_seed).model
    counter = {"rows": 0, "calls": 0}

    def hook(module, args, kwargs):
        ids = kwargs.get("input_ids", args[0] if args else None)
        counter["rows"] += ids.shape[0]
        counter["calls"] += 1

    handle = model.register_forward_pre_hook(hook, with_kwargs=True)
    try:
        yield counter
    finally:
        handle.remove()


def check_store_serves(path, store, texts, poolings, *, atol=1e-5, threads=None):
    """The store alone serves ``texts`` under each pooling (no forward pass in
    this process), with the vectors of one process computing them uncached
    (``atol``: float32 noise of other batches; 0 for the same batches, computed
    on as many torch ``threads`` as the workers had: the order of a float32 sum
    depends on it)."""
    import torch

    from sklearn_probe import HiddenStateTransformer
    from sklearn_probe.store import MEMORY

    for pooling in poolings:
        MEMORY.clear()
        with count_forward_rows(path) as local:
            read = HiddenStateTransformer(
                path,
                layer="all",
                pooling=pooling,
                cache_dir=store,
                cache_mode="read-only",
            ).fit_transform(texts)
        assert local["rows"] == 0
        MEMORY.clear()
        before = torch.get_num_threads()
        torch.set_num_threads(threads or before)
        try:
            alone = HiddenStateTransformer(
                path, layer="all", pooling=pooling, cache_dir=None
            ).fit_transform(texts)
        finally:
            torch.set_num_threads(before)
        np.testing.assert_allclose(read, alone, rtol=0, atol=atol)


def readme_block(marker):
    """The python block of the user guide's "Scaling out" page that has ``marker``
    (run by the distributed tests, which start the clusters it needs)."""
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    section = (root / "docs" / "user_guide" / "scaling.md").read_text()
    blocks = re.findall(r"```python\n(.*?)```", section, re.S)
    return next(code for code in blocks if marker in code)


def legend_texts(ax):
    """The texts of ``ax``'s legend, in order."""
    return [t.get_text() for t in ax.get_legend().get_texts()]


def count_in_workers(client, path):
    """Start counting the rows through the model at ``path`` in every worker of
    a Dask ``client``; returns a function that reads the counts (worker ->
    rows). A worker started later counts nothing."""

    def install(path):
        from sklearn_probe.hidden._models import load_model

        model = load_model(path, "cpu").model
        model._rows_seen = 0

        def hook(module, args, kwargs):
            module._rows_seen += kwargs["input_ids"].shape[0]

        if not hasattr(model, "_row_hook"):
            model._row_hook = model.register_forward_pre_hook(hook, with_kwargs=True)

    def read(path):
        from sklearn_probe.hidden._models import load_model

        return getattr(load_model(path, "cpu").model, "_rows_seen", 0)

    client.run(install, path)
    return lambda: client.run(read, path)


def stored_rows(cache_dir):
    """pooling -> (rows, distinct texts) of every key of the store."""
    from sklearn_probe.hidden import cache_info

    return {
        entry["meta"]["pooling"]: (entry["rows"], entry["texts"])
        for entry in cache_info(cache_dir)["keys"]
    }


# A chat template in the style of Llama 3 / Zephyr: a header per message, the
# content, an end-of-turn marker; its markers are special tokens.
CHAT_TEMPLATE = (
    "{{ bos_token }}{% for message in messages %}"
    "<|{{ message['role'] }}|>\n{{ message['content'] }}<|end|>\n"
    "{% endfor %}"
)
CHAT_MARKERS = ["<|system|>", "<|user|>", "<|assistant|>", "<|end|>"]

#: Conversations of every role for the chat Llama of :func:`make_chat_llama`.
CONVERSATIONS = [
    [
        {"role": "system", "content": "the plot is very dull"},
        {"role": "user", "content": "i love it"},
        {"role": "assistant", "content": "a good film"},
    ],
    [
        {"role": "user", "content": "this movie was not good"},
        {"role": "assistant", "content": "brilliant acting"},
        {"role": "user", "content": "i hate this film"},
        {"role": "assistant", "content": "boring boring boring"},
    ],
    [
        {"role": "system", "content": "a great story"},
        {"role": "user", "content": "dull"},
        {"role": "assistant", "content": "the acting was awful and the plot very bad"},
    ],
]


def make_chat_llama(path, *, seed=0):
    """A tiny random Llama whose byte-level tokenizer has :data:`CHAT_TEMPLATE`
    and its markers as special tokens, saved at ``path``."""
    import shutil

    import torch
    from transformers import AutoTokenizer, LlamaConfig, LlamaModel

    tokenizer_dir = make_gpt2(f"{path}-tokenizer", seed=seed)
    tokenizer = AutoTokenizer.from_pretrained(tokenizer_dir)
    shutil.rmtree(tokenizer_dir)
    tokenizer.add_special_tokens({"additional_special_tokens": CHAT_MARKERS})
    tokenizer.chat_template = CHAT_TEMPLATE
    tokenizer.save_pretrained(path)
    config = LlamaConfig(
        vocab_size=len(tokenizer),
        hidden_size=32,
        intermediate_size=64,
        num_hidden_layers=2,
        num_attention_heads=4,
        num_key_value_heads=2,
        max_position_embeddings=256,
        architectures=["LlamaForCausalLM"],
    )
    torch.manual_seed(seed)
    LlamaModel(config).eval().save_pretrained(path)
    return str(path)
