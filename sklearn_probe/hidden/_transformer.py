"""HiddenStateTransformer: texts -> pooled hidden states of chosen layer(s)."""

import os

import numpy as np
from sklearn.base import _fit_context
from sklearn.utils._param_validation import StrOptions
from sklearn.utils.validation import check_is_fitted

from ..store import cached_vectors, extraction_key
from ._base import DEFAULT_MODEL, BaseHiddenStates, shared_docs
from ._pooling import POOLINGS
from ._token_states import TOKENS, token_states
from ._tokens import TokenInputs, parse_tokens, selection_key
from ._validation import check_texts
from ._warnings import PoolingWarning, warn_caller, warn_truncated


def fitted(transformer):
    """``transformer`` fitted: its model loaded and its parameters resolved.

    Fitting a :class:`HiddenStateTransformer` learns nothing from texts (it
    only checks them), so no texts are needed; every caller that wants the
    model ready (the sweep, the pictures, a result's ``hidden_states``) comes
    here instead of fitting on a text of its own.
    """
    return transformer.fit([""])


@shared_docs
class HiddenStateTransformer(BaseHiddenStates):
    """Pooled hidden states of one or more layers of a Hugging Face model.

    Every text is run through the model once, and the pooled vectors of *all*
    its hidden states are kept in a process-wide cache (and, with ``cache_dir``,
    on disk). Any later transform of that text by any instance or clone with the
    same model, pooling and max_length is served from the cache whatever
    ``layer`` asks, so a grid search over ``layer`` runs the model about once per
    distinct text. Read more in the user guide ("Probes and layers", "The
    cache").

    Parameters
    ----------
    %(model)s
    %(layer)s
    pooling : {"auto", "mean", "cls", "max", "last", "tokens"}, default="auto"
        How token vectors become one vector per text: the mean or the
        element-wise max over real tokens (padding never counts), the first
        token, or the last real token (under left or right padding). ``"auto"``
        is ``"last"`` for causal (decoder) models such as GPT-2, whose last
        token is the only one that has seen the whole text, and ``"mean"`` for
        every other model. ``"tokens"`` pools nothing: each text's real tokens,
        an object array of ``(n_tokens, width * len(layers_))`` arrays for a
        probe that pools for itself (:class:`~sklearn_probe.AttentionProbe`;
        user guide: "Probes that pool for themselves"). With ``tokens``, over
        the selected tokens only (``"tokens"``: the selected tokens' states).
    tokens : str, default="all"
        Which tokens of each text are pooled: ``"all"``, ``"first"``,
        ``"last"``, ``"first:<n>"``, ``"last:<n>"``, ``"regex:<pattern>"`` (the
        tokens whose characters a match covers) or, for conversations (``X``
        of lists of ``{"role", "content"}`` messages, rendered with the
        tokenizer's chat template), ``"assistant"``, ``"user"``, ``"system"``
        or ``"message:<n>"``. The model still reads the whole text. A sample
        with no selected token is an error. Read more in the user guide
        ("Choosing tokens").
    max_length : int, default=128
        Texts are truncated to this many tokens (special tokens included). A
        :class:`TruncationWarning` says how many texts were cut.
    batch_size : int, default=32
        Texts per forward pass, on average. Texts are sorted by length and cut
        into batches of about ``batch_size`` x (mean length) tokens, so short
        texts go in larger batches and long ones in smaller batches (at most
        4 x ``batch_size`` texts). The vectors do not depend on it.
    %(device)s
    cache_dir : str, path-like or None, default="auto"
        Disk store of pooled vectors, shared by processes and later runs:
        ``"auto"`` (the default store in the user's cache directory;
        ``SKLEARN_PROBE_CACHE_DIR`` moves it or turns it ``off``), a folder or
        fsspec URL (``s3://...``), or None (memory only). Every shard is
        checked before use; a bad one is moved aside and recomputed.
    %(cache_mode)s
    %(weights)s
    %(random_state)s
    dtype : {"float32", "float16", "bfloat16"}, default="float32"
        Precision of the cached vectors and, on CUDA, of the forward pass
        (autocast); ``"float16"``/``"bfloat16"`` store float16 vectors.
        ``transform`` returns float32 either way; each dtype is cached apart.
    verbose : int, default=0
        With ``verbose > 0``, a progress bar (texts done, texts per second)
        while texts go through the model, shown only in a terminal or notebook.
    %(trust_remote_code)s
    %(torch_dtype)s
    %(device_map)s
    %(site)s
    %(head)s
    %(site_modules)s

    Attributes
    ----------
    %(attributes)s
    pooling_ : str
        The pooling in use (``"auto"`` resolved for this model).
    max_length_ : int
        The truncation length in use.

    Examples
    --------
    >>> from sklearn_probe import HiddenStateTransformer
    >>> hidden = HiddenStateTransformer(model="minilm", layer=3)
    >>> hidden.fit_transform(["a gripping film", "a dull film"]).shape
    (2, 384)
    """

    _parameter_constraints = {
        **BaseHiddenStates._parameter_constraints,
        "pooling": [StrOptions({"auto", *POOLINGS, TOKENS})],
        "tokens": [str],
        "dtype": [StrOptions({"float32", "float16", "bfloat16"})],
        "verbose": ["verbose"],
    }

    def __init__(
        self,
        model=DEFAULT_MODEL,
        *,
        layer=-1,
        pooling="auto",
        tokens="all",
        max_length=128,
        batch_size=32,
        device="auto",
        cache_dir="auto",
        cache_mode="read-write",
        weights="pretrained",
        random_state=0,
        dtype="float32",
        verbose=0,
        trust_remote_code=False,
        torch_dtype="float32",
        device_map=None,
        site="residual",
        head=None,
        site_modules=None,
    ):
        self.model = model
        self.layer = layer
        self.pooling = pooling
        self.tokens = tokens
        self.max_length = max_length
        self.batch_size = batch_size
        self.device = device
        self.cache_dir = cache_dir
        self.cache_mode = cache_mode
        self.weights = weights
        self.random_state = random_state
        self.dtype = dtype
        self.verbose = verbose
        self.trust_remote_code = trust_remote_code
        self.torch_dtype = torch_dtype
        self.device_map = device_map
        self.site = site
        self.head = head
        self.site_modules = site_modules

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Load the model and tokenizer and check the parameters against them.

        Parameters
        ----------
        X : list, tuple, numpy array or pandas Series of str or of conversations
            Texts, or conversations (lists of ``{"role", "content"}``
            messages). Only checked: fitting learns nothing from them.
        y : None
            Ignored.

        Returns
        -------
        self : HiddenStateTransformer
        """
        check_texts(X, estimator_name=type(self).__name__, conversations=True)
        parse_tokens(self.tokens, owner=type(self).__name__)
        loaded = self._fit_model()
        self.max_length_ = self._resolve_max_length(loaded)
        self.pooling_ = self._resolve_pooling(loaded)
        if self.pooling_ == "cls" and loaded.is_causal:
            warn_caller(
                f"pooling='cls' with the causal model {self.model!r}: its first "
                "token's vector has seen nothing of the text after that token "
                "(the model reads left to right), so it says almost nothing about "
                "the text. Use pooling='last' (or 'mean').",
                PoolingWarning,
            )
        return self

    def fit_transform(self, X, y=None):
        """Load the model, then return the pooled hidden states of ``X``.

        The same as ``fit(X).transform(X)``, reading ``X`` once (so a generator
        of texts works).

        Parameters
        ----------
        X : iterable of str or of conversations
            Texts, or conversations.
        y : None
            Ignored.

        Returns
        -------
        X_new : ndarray of shape (n_texts, len(layers_) * hidden_size_), float32
        """
        texts = check_texts(X, estimator_name=type(self).__name__, conversations=True)
        return self.fit(texts).transform(texts)

    def transform(self, X):
        """Pooled hidden states of the chosen layer(s), one row per text.

        Parameters
        ----------
        X : list, tuple, numpy array or pandas Series of str or of conversations
            Texts, or conversations (lists of ``{"role", "content"}``
            messages).

        Returns
        -------
        X_new : ndarray of shape (n_texts, len(layers_) * site_width_), float32
            With ``pooling="tokens"``: an object array of ``n_texts`` arrays of
            shape ``(n_tokens, len(layers_) * site_width_)``.
        """
        check_is_fitted(self)
        texts = check_texts(X, estimator_name=type(self).__name__, conversations=True)
        if self.pooling_ == TOKENS:
            return token_states(self, texts)
        vectors = self._all_layer_vectors(texts, self.layers_)
        return self._select_head(vectors).reshape(len(texts), -1)

    def get_feature_names_out(self, input_features=None):
        """Names ``layer{l}_{j}`` for dimension ``j`` of hidden state ``l``
        (``layer{l}_{site}_{j}`` at a sublayer site, ``layer{l}_head{h}_{j}``
        for one head).

        Parameters
        ----------
        input_features : None
            Ignored: the input is raw text, not named features.

        Returns
        -------
        ndarray of str objects
            One name per output column, in the order of ``transform``.
        """
        check_is_fitted(self)
        return np.asarray(
            [
                f"{self._feature_prefix(lay)}_{j}"
                for lay in self.layers_
                for j in range(self.site_width_)
            ],
            dtype=object,
        )

    # -- internals ---------------------------------------------------------

    def _progress_bar(self, total):
        from tqdm.auto import tqdm

        # disable=None: shown in a terminal or notebook, silent in logs and CI.
        return tqdm(
            total=total,
            unit="text",
            desc=f"hidden states ({os.path.basename(str(self.model))})",
            disable=None,
            leave=False,
        )

    def _extraction_key(
        self, pooling, loaded, site=None, *, conversations=False, tokens=None
    ):
        """``(key, description)`` of this transformer's vectors under ``pooling``
        (at ``site``; None: its own), and its token selection (``tokens``;
        None: its own; ``conversations``: of rendered conversations)."""
        from ._forward import compute_dtype

        site = self.site if site is None else site
        key, description = extraction_key(
            fingerprint=self.model_fingerprint_,
            pooling=pooling,
            max_length=self.max_length_,
            dtype=self.dtype,
            compute=compute_dtype(loaded.device, self.dtype),
            name=self.model,
            site=site,
            site_modules=None if site == "residual" else self.site_modules,
        )
        selection = parse_tokens(
            getattr(self, "tokens", "all") if tokens is None else tokens
        )
        return selection_key(key, description, selection, conversations=conversations)

    def _all_layer_vectors(self, texts, layers, *, also=(), on_compute=None):
        """``(n, len(layers), width)`` vectors, served from the cache when possible.

        ``layers`` are hidden-state indices (see ``site``). ``also``: more
        readings, ``(site, pooling)`` pairs or ``(site, pooling, tokens)``
        triples (a pooling alone is at this transformer's site, a pair with its
        selection), taken from the same forward pass of every text computed
        here and cached under their own keys (see
        :func:`._one_pass.cache_readings` and :mod:`._token_pass`).
        ``on_compute(n)``, if given, is called with the number of texts of
        every chunk run through the model.
        """
        from ._token_pass import compute_readings, reading_triples

        loaded = self._get_loaded()
        inputs = self._token_inputs(loaded, texts)
        own = (self.site, self.pooling_, str(inputs.selection))
        asked = list(dict.fromkeys([own, *reading_triples(self, also)]))
        texts = inputs.texts  # conversations: their rendered texts
        key, description = self._extraction_key(
            self.pooling_, loaded, conversations=inputs.conversations
        )
        truncated = 0

        def compute(chunk, bar):
            nonlocal truncated
            vectors, n_cut = compute_readings(self, loaded, inputs, asked, chunk, bar)
            truncated += n_cut
            if on_compute is not None:
                on_compute(len(chunk))
            return vectors

        out = cached_vectors(
            texts,
            key=key,
            description=description,
            compute=compute,
            layers=self._site_rows(layers),
            shape=self._store_shape(),
            cache_dir=self.cache_dir,
            cache_mode=self.cache_mode,
            progress=self._progress_bar if self.verbose else None,
        )
        if truncated:
            counts = (truncated, len(texts), inputs.n_shortened)
            warn_truncated(*counts, self.max_length_, loaded.max_positions, self.tokens)
        return out

    def _token_inputs(self, loaded, texts):
        """The samples made ready for the token selection (:mod:`._tokens`)."""
        return TokenInputs(
            loaded.tokenizer, texts, parse_tokens(getattr(self, "tokens", "all"))
        )

    def _resolve_pooling(self, loaded):
        if self.pooling != "auto":
            return self.pooling
        return "last" if loaded.is_causal else "mean"

    def _resolve_max_length(self, loaded):
        limit = loaded.max_positions
        if limit is not None and self.max_length > limit:
            raise ValueError(
                f"max_length={self.max_length} is longer than model {self.model!r} "
                f"accepts ({limit} tokens). Use max_length <= {limit}."
            )
        return int(self.max_length)
