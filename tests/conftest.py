"""Shared fixtures: tiny random models saved to disk, small corpora. No network."""

import os

# Tests never touch the network: fail fast instead of trying the hub.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("HF_DATASETS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
# Pictures are drawn headless.
os.environ.setdefault("MPLBACKEND", "Agg")

import pytest  # noqa: E402

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


@pytest.fixture(scope="session")
def tiny_bert(tmp_path_factory):
    return make_bert(tmp_path_factory.mktemp("tiny-bert"))


@pytest.fixture(scope="session")
def tiny_gpt2(tmp_path_factory):
    return make_gpt2(tmp_path_factory.mktemp("tiny-gpt2"))


@pytest.fixture
def texts():
    return list(TEXTS)


@pytest.fixture(autouse=True)
def _fresh_vector_cache():
    """Each test starts with an empty in-memory vector cache (models stay loaded)."""
    from sklearn_probe.hidden._cache import MEMORY

    MEMORY.clear()
    yield
    MEMORY.clear()


@pytest.fixture
def one_blas_thread():
    """Tiny scikit-learn fits: BLAS threads only add contention (lbfgs ~50x slower)."""
    from threadpoolctl import threadpool_limits

    with threadpool_limits(1):
        yield


@pytest.fixture
def close_figures():
    """Close every matplotlib figure the test opened."""
    yield
    import matplotlib.pyplot as plt

    plt.close("all")


@pytest.fixture(scope="module")
def one_openmp_thread():
    """t-SNE of a few dozen points gains nothing from threads, and OpenMP threads
    spinning on a busy machine (parallel test runs) made one call take 30 s."""
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1, user_api="openmp"):
        yield


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
