"""WordHiddenStateTransformer: words, spans and pairs of spans -> hidden states."""

import numpy as np
from sklearn.base import _fit_context
from sklearn.utils._param_validation import StrOptions
from sklearn.utils.validation import check_is_fitted

from ..store import MEMORY, extraction_key, open_store, text_digest
from ._base import DEFAULT_MODEL, BaseHiddenStates, shared_docs
from ._word_extract import SUBWORDS, assemble
from ._word_inputs import check_word_samples, sentence_key

# Sentences computed per step: what one call holds at most beyond the cache.
CHUNK_SIZE = 512


@shared_docs
class WordHiddenStateTransformer(BaseHiddenStates):
    """Hidden states of words, spans and pairs of spans of pre-split sentences.

    A sample is a tuple whose first element is a sentence split into words (a
    tuple of str) and whose other elements say what to take from it:

    - ``(words, i)``: the word ``words[i]``;
    - ``(words, start, end)``: the span ``words[start:end]`` (end excluded),
      whose vector is the mean of its words' vectors;
    - ``(words, (start1, end1), (start2, end2))``: a pair of spans (e.g. a
      dependent and its head), whose vectors are concatenated, first span
      first, as edge probing does.

    Every sample of one ``X`` is of one kind. Words become subword tokens
    through the fast tokenizer's word ids (pre-tokenized input), every word
    tokenized as it would be after a space: byte-level BPE tokenizers (GPT-2)
    get ``add_prefix_space`` and SentencePiece tokenizers a ``▁`` before every
    word, so the first word of a GPT-2 sentence has the tokens it would have
    mid-sentence; the model's own tokenizer is left unchanged.

    Each distinct sentence goes through the model once: the vectors of all its
    words at every layer are kept in the process-wide cache (and, with
    ``cache_dir``, on disk), so every sample, instance and clone (a grid
    search over ``layer``, whatever the folds) and every later run is served
    from that one pass. Words of one sentence are not independent
    samples: cross-validate with ``GroupKFold`` and
    :func:`sentence_groups` (``layer_sweep`` does it with ``unit="word"``).

    Parameters
    ----------
    %(model)s
    %(layer)s
    subword : {"first", "last", "mean"}, default="first"
        How a word split into several tokens becomes one vector: its first
        token, its last token, or the mean of its tokens. In a causal (decoder)
        model a token sees only what precedes it, so ``"first"`` has seen only
        the word's first piece and the words before it, ``"last"`` is the only
        token that has seen the whole word, and ``"mean"`` averages states that
        have seen more and more of it; no token of a word ever sees the words
        after it.
    max_length : int, default=512
        Longest sentence accepted, in tokens with special tokens. A longer
        sentence is an error that names it: it is never cut, since its last
        words would silently get no vector (or a wrong one).
    batch_size : int, default=32
        Sentences per forward pass, on average (batched by length as texts
        are). The vectors do not depend on it.
    %(device)s
    cache_dir : str, path-like or None, default="auto"
        Disk store of word vectors, as for
        :class:`~sklearn_probe.HiddenStateTransformer` (``"auto"``: the
        default store; None: memory only). Every word of a computed sentence
        is stored with its vectors at every layer, under a key of the model's
        fingerprint and the subword pooling; a sentence is served from the
        store when all its words are there. Every shard is checked before use,
        and a bad one is moved aside and its sentences recomputed.
    %(cache_mode)s
    %(weights)s
    %(random_state)s
    %(trust_remote_code)s
    %(torch_dtype)s
    %(device_map)s
    %(site)s
    %(head)s
    %(site_modules)s

    Attributes
    ----------
    %(attributes)s
    max_length_ : int
        The longest sentence accepted: ``max_length``, or the model's own
        limit where that is lower.
    kind_ : {"word", "span", "pair"}
        The kind of sample seen in ``fit``; ``transform`` expects the same.
    n_args_ : int
        Spans per sample: 1, or 2 for pairs.

    Examples
    --------
    >>> from sklearn_probe import WordHiddenStateTransformer
    >>> words = ("The", "dogs", "bark", ".")
    >>> hidden = WordHiddenStateTransformer(model="minilm", layer=3)
    >>> hidden.fit_transform([(words, 1), (words, 2)]).shape
    (2, 384)
    >>> pairs = WordHiddenStateTransformer(model="minilm", layer=3)
    >>> pairs.fit_transform([(words, (1, 2), (2, 3))]).shape
    (1, 768)
    """

    _parameter_constraints = {
        **BaseHiddenStates._parameter_constraints,
        "subword": [StrOptions(set(SUBWORDS))],
    }

    def __init__(
        self,
        model=DEFAULT_MODEL,
        *,
        layer=-1,
        subword="first",
        max_length=512,
        batch_size=32,
        device="auto",
        cache_dir="auto",
        cache_mode="read-write",
        weights="pretrained",
        random_state=0,
        trust_remote_code=False,
        torch_dtype="float32",
        device_map=None,
        site="residual",
        head=None,
        site_modules=None,
    ):
        self.model = model
        self.layer = layer
        self.subword = subword
        self.max_length = max_length
        self.batch_size = batch_size
        self.device = device
        self.cache_dir = cache_dir
        self.cache_mode = cache_mode
        self.weights = weights
        self.random_state = random_state
        self.trust_remote_code = trust_remote_code
        self.torch_dtype = torch_dtype
        self.device_map = device_map
        self.site = site
        self.head = head
        self.site_modules = site_modules

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Load the model and check the samples and parameters.

        Parameters
        ----------
        X : list of tuple
            Samples: ``(words, i)``, ``(words, start, end)`` or
            ``(words, (start1, end1), (start2, end2))``. Only checked.
        y : array-like of shape (n_samples,), default=None
            Ignored, but its length must match ``X`` when given.

        Returns
        -------
        self : WordHiddenStateTransformer
        """
        samples = check_word_samples(X, estimator_name=type(self).__name__)
        if y is not None and len(y) != len(samples.sentence_index):
            raise ValueError(
                f"X has {len(samples.sentence_index)} samples but y has {len(y)} "
                "labels; give one label per word, span or pair."
            )
        loaded = self._fit_model()
        limit = loaded.max_positions
        self.max_length_ = min(int(self.max_length), limit or int(self.max_length))
        self.kind_ = samples.kind
        self.n_args_ = samples.ranges.shape[1]
        return self

    def transform(self, X):
        """Vectors of the chosen layer(s), one row per sample.

        Parameters
        ----------
        X : list of tuple
            Samples of the kind seen in ``fit``.

        Returns
        -------
        X_new : ndarray of shape (n_samples, n_args_ * len(layers_) * \
site_width_), float32
            For a pair, the first span's layers, then the second's.
        """
        check_is_fitted(self)
        samples = check_word_samples(X, estimator_name=type(self).__name__)
        if samples.kind != self.kind_:
            raise ValueError(
                f"This {type(self).__name__} was fitted on {self.kind_} samples "
                f"but X holds {samples.kind} samples; transform samples of the "
                "kind it was fitted on."
            )
        entries = self._sentence_entries(samples.sentences)
        if self.head is not None:
            entries = [self._select_head(entry) for entry in entries]
        return assemble(entries, samples, self._site_rows(self.layers_))

    def get_feature_names_out(self, input_features=None):
        """Names of the output columns.

        ``layer{l}_{j}`` for dimension ``j`` of layer ``l``; for pairs of spans
        ``arg1_layer{l}_{j}`` then ``arg2_...``.

        Parameters
        ----------
        input_features : None
            Ignored: the input is word samples, not named features.

        Returns
        -------
        ndarray of str objects
            A name for each column of ``transform``'s output, in order; for
            pairs of spans the first span's columns come first.
        """
        check_is_fitted(self)
        names = [
            f"{self._feature_prefix(lay)}_{j}"
            for lay in self.layers_
            for j in range(self.site_width_)
        ]
        if self.n_args_ > 1:
            names = [f"arg{a + 1}_{n}" for a in range(self.n_args_) for n in names]
        return np.asarray(names, dtype=object)

    def _sentence_entries(self, sentences):
        """Every word's all-layer vectors, per sentence, through the caches:
        memory (an entry per sentence), then the disk store (a row per word),
        then the model."""
        from ._word_extract import extract_words

        loaded = self._get_loaded()
        # Sentences are never truncated, so max_length changes no number.
        key, description = extraction_key(
            fingerprint=loaded.fingerprint,
            pooling=f"words:{self.subword}",
            max_length=None,
            name=self.model,
            site=self.site,
            site_modules=None if self.site == "residual" else self.site_modules,
        )
        entries = [MEMORY.get(key, sentence_key(s)) for s in sentences]
        missing = [i for i, entry in enumerate(entries) if entry is None]
        store = None
        if missing:
            store = open_store(
                self.cache_dir,
                key,
                description,
                self._store_shape(),
                mode=self.cache_mode,
            )
            missing = _from_store(store, key, sentences, missing, entries)
        for start in range(0, len(missing), CHUNK_SIZE):
            chunk = missing[start : start + CHUNK_SIZE]
            computed = extract_words(
                loaded,
                [sentences[i] for i in chunk],
                subword=self.subword,
                max_length=self.max_length_,
                batch_size=self.batch_size,
                site=(self.site, self.site_modules),
            )
            for i, entry in zip(chunk, computed, strict=True):
                entries[i] = np.ascontiguousarray(entry)
                MEMORY.put(key, sentence_key(sentences[i]), entries[i])
            if store is not None:  # one shard per chunk, written whole
                store.write(
                    [d for i in chunk for d in _word_digests(sentences[i])],
                    np.concatenate([entries[i] for i in chunk]),
                )
        return entries


def _word_digests(sentence):
    """The store's key of each word of ``sentence``: the sentence and the
    word's position (a sentence key is a JSON list, so none is ambiguous)."""
    text = sentence_key(sentence)
    return [text_digest(f"{text}#{i}") for i in range(len(sentence))]


def _from_store(store, key, sentences, missing, entries):
    """Fill ``entries`` of the ``missing`` sentences whose every word the store
    holds (and keep them in memory); return the sentences still missing."""
    if store is None:
        return missing
    digests = [_word_digests(sentences[i]) for i in missing]
    found, rows = store.fetch([d for ds in digests for d in ds])
    still, at = [], 0
    for i, ds in zip(missing, digests, strict=True):
        span = range(at, at + len(ds))
        at += len(ds)
        if not found[span.start : span.stop].all():
            still.append(i)
            continue
        entries[i] = np.stack([rows[j] for j in span]).astype(np.float32)
        MEMORY.put(key, sentence_key(sentences[i]), entries[i])
    return still
