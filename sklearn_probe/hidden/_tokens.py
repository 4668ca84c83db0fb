"""Which tokens of each text the pooling runs over: the ``tokens=`` selection.

A selection is a string (valid as a scikit-learn parameter, a grid value and a
line of a report):

- ``"all"``: every token, the tokenizer's special tokens included (the default;
  the same numbers and cache keys as without a selection);
- ``"first"``, ``"last"``, ``"first:n"``, ``"last:n"``: the first or last (n)
  tokens of the text;
- ``"regex:<pattern>"``: the tokens whose characters overlap a match of the
  regular expression in the text (``re`` syntax; ``(?i)`` for case);
- ``"assistant"``, ``"user"``, ``"system"``: in a conversation, the tokens of
  every message of that role;
- ``"message:n"``: in a conversation, the tokens of message ``n`` (0 the first,
  -1 the last).

Every kind but ``"all"`` selects only tokens that cover characters of the text
(the fast tokenizer's offset mapping): the special tokens that the tokenizer
adds itself (``[CLS]``, ``[SEP]``, ``<s>``) are never selected. A conversation
(a list of ``{"role", "content"}`` messages) is rendered with the tokenizer's
chat template and tokenised without added special tokens (the template writes
its own); the tokens of a message are those whose characters overlap that
message's content in the rendered string, so the template's role headers and
end-of-turn markers are not among them. The selection is made on the whole
text and then cut at ``max_length``: a sample left with no selected token is an
error, one that lost some is counted (the transformer warns).

:func:`select_tokens` is the one entry point for any code that needs the
selected tokens (ids and a boolean mask per text); the pooling of
:mod:`._extract` reads the same masks.
"""

import re
from dataclasses import dataclass, field

import numpy as np

from ._chat import check_chat_template, render

ROLES = ("assistant", "user", "system")
_POSITIONS = ("first", "last")
_FORMS = (
    "'all', 'first', 'last', 'first:<n>', 'last:<n>', 'regex:<pattern>', "
    "'assistant', 'user', 'system' or 'message:<n>'"
)


@dataclass(frozen=True)
class TokenSelection:
    """A parsed ``tokens=`` string. ``kind`` is ``"all"``, ``"first"``,
    ``"last"``, ``"regex"``, ``"role"`` or ``"message"``; ``value`` is the
    count, the pattern, the role or the message index."""

    kind: str
    value: object = None

    def __str__(self):
        if self.kind == "all":
            return "all"
        if self.kind in _POSITIONS:
            return self.kind if self.value == 1 else f"{self.kind}:{self.value}"
        if self.kind == "role":
            return self.value
        return f"{self.kind}:{self.value}"

    @property
    def needs_conversations(self):
        return self.kind in ("role", "message")


def parse_tokens(tokens, *, owner="HiddenStateTransformer"):
    """The :class:`TokenSelection` of a ``tokens=`` string, or a ValueError
    that names the forms that work."""

    def bad(why=""):
        return ValueError(
            f"The 'tokens' parameter of {owner} must be one of {_FORMS}. Got "
            f"{tokens!r} instead.{why}"
        )

    if isinstance(tokens, TokenSelection):
        return tokens
    if not isinstance(tokens, str):
        raise bad()
    if tokens == "all":
        return TokenSelection("all")
    if tokens in _POSITIONS:
        return TokenSelection(tokens, 1)
    if tokens in ROLES:
        return TokenSelection("role", tokens)
    kind, sep, rest = tokens.partition(":")
    if not sep:
        raise bad()
    if kind == "regex":
        if not rest:
            raise bad(" The pattern after 'regex:' is empty.")
        try:
            re.compile(rest)
        except re.error as exc:
            why = f" The pattern is not a valid regular expression: {exc}."
            raise bad(why) from None
        return TokenSelection("regex", rest)
    if kind in (*_POSITIONS, "message"):
        try:
            n = int(rest)
        except ValueError:
            raise bad(f" {rest!r} after '{kind}:' is not an integer.") from None
        if kind != "message" and n < 1:
            raise bad(f" The count after '{kind}:' must be at least 1.")
        return TokenSelection(kind, n)
    raise bad()


@dataclass
class SelectedTokens:
    """What :func:`select_tokens` returns.

    Attributes
    ----------
    texts : list of str
        One per sample: the text, or a conversation rendered with the chat
        template (what the vector cache keys the sample by).
    input_ids : list of list of int
        The token ids the model reads (truncated to ``max_length``).
    masks : list of ndarray of bool
        Per sample, True at the selected tokens (the same length as its ids).
    n_truncated : int
        Samples cut at ``max_length``.
    n_shortened : int
        Samples whose selection lost tokens to ``max_length`` (but kept some).
    conversations : bool
        Whether the samples were conversations.
    """

    texts: list
    input_ids: list
    masks: list
    n_truncated: int = 0
    n_shortened: int = 0
    conversations: bool = False


def select_tokens(tokenizer, X, tokens="all", *, max_length=None):
    """Token ids of every sample of ``X`` and a mask of the selected tokens.

    Parameters
    ----------
    tokenizer : transformers tokenizer
        A fast tokenizer (its offset mapping locates the characters); with
        conversations, one that has a chat template.
    X : list of str, or list of conversations
        Texts, or conversations: lists of ``{"role", "content"}`` messages
        (checked as :func:`~._validation.check_texts` does).
    tokens : str, default="all"
        The selection (see :mod:`._tokens`).
    max_length : int or None
        Truncation length (special tokens included); None: no truncation.

    Returns
    -------
    SelectedTokens
        Raises ValueError for a sample with no selected token, naming it.
    """
    from ._validation import check_texts

    samples = check_texts(X, estimator_name="select_tokens", conversations=True)
    prepared = TokenInputs(tokenizer, samples, parse_tokens(tokens))
    ids, masks, n_truncated = prepared.encode(prepared.texts, max_length)
    return SelectedTokens(
        texts=prepared.texts,
        input_ids=ids,
        masks=masks,
        n_truncated=n_truncated,
        n_shortened=prepared.n_shortened,
        conversations=prepared.conversations,
    )


@dataclass
class TokenInputs:
    """Samples made ready for a selection: conversations rendered, the
    content span of each message found; :meth:`encode` tokenises any of the
    rendered texts and selects. ``n_shortened`` counts, over every call of
    :meth:`encode`, the samples whose selection lost tokens to truncation."""

    tokenizer: object
    samples: list
    selection: TokenSelection
    texts: list = field(init=False)
    conversations: bool = field(init=False)
    n_shortened: int = field(init=False, default=0)

    def __post_init__(self):
        self.conversations = bool(self.samples) and not isinstance(self.samples[0], str)
        if self.selection.needs_conversations and not self.conversations:
            raise ValueError(
                f"tokens={str(self.selection)!r} selects the tokens of messages of "
                "a conversation, but X holds plain texts. Pass conversations "
                "(lists of {'role': ..., 'content': ...} messages), or a selection "
                "for texts: 'all', 'first', 'last', 'last:<n>' or 'regex:<pattern>'."
            )
        self._messages = {}
        if self.conversations:
            check_chat_template(self.tokenizer)
            self.texts = []
            for conversation in self.samples:
                text, spans = render(self.tokenizer, conversation)
                self.texts.append(text)
                self._messages[text] = spans
        else:
            self.texts = list(self.samples)
        self._original = dict(zip(self.texts, self.samples, strict=True))
        if self.selection.kind != "all" and not getattr(
            self.tokenizer, "is_fast", False
        ):
            raise ValueError(
                f"tokens={str(self.selection)!r} needs a fast tokenizer (its offset "
                f"mapping locates each token's characters); "
                f"{type(self.tokenizer).__name__} is not one. Save the model with "
                "its fast tokenizer (AutoTokenizer.from_pretrained(..., "
                "use_fast=True).save_pretrained(path)), or use tokens='all'."
            )

    def encode(self, texts, max_length):
        """``(input_ids, masks, n_truncated)`` of ``texts`` (some of
        :attr:`texts`): ids truncated to ``max_length``, masks of the selected
        tokens (all True for ``"all"``)."""
        texts = list(texts)
        add_special = not self.conversations
        offsets = self.selection.kind != "all"
        full = self.tokenizer(
            texts,
            add_special_tokens=add_special,
            truncation=False,
            return_offsets_mapping=offsets,
            verbose=False,
        )
        limit = max_length if max_length is not None else np.inf
        long = [i for i, seq in enumerate(full["input_ids"]) if len(seq) > limit]
        cut = {}
        if long:
            encoded = self.tokenizer(
                [texts[i] for i in long],
                add_special_tokens=add_special,
                truncation=True,
                max_length=max_length,
                return_offsets_mapping=offsets,
            )
            for j, i in enumerate(long):
                cut[i] = (
                    encoded["input_ids"][j],
                    encoded["offset_mapping"][j] if offsets else None,
                )
        ids, masks = [], []
        for i, text in enumerate(texts):
            seq = full["input_ids"][i]
            if not offsets:
                kept = cut[i][0] if i in cut else seq
                ids.append(list(kept))
                masks.append(np.ones(len(kept), dtype=bool))
                continue
            spans = np.asarray(full["offset_mapping"][i], dtype=np.int64).reshape(-1, 2)
            chosen = self._select(text, spans)
            if i in cut:
                kept, kept_spans = cut[i]
                kept_spans = np.asarray(kept_spans, dtype=np.int64).reshape(-1, 2)
                chosen_kept = self._after_truncation(chosen, spans, kept_spans)
                seq = kept
            else:
                chosen_kept = chosen
            if not chosen_kept.any():
                raise self._empty(text, chosen.any(), len(spans), max_length)
            if chosen_kept.sum() < chosen.sum():
                self.n_shortened += 1
            ids.append(list(seq))
            masks.append(chosen_kept)
        return ids, masks, len(long)

    # -- internals ---------------------------------------------------------

    def _select(self, text, spans):
        """Boolean mask over the tokens of ``text`` (offsets ``spans``)."""
        kind, value = self.selection.kind, self.selection.value
        real = spans[:, 1] > spans[:, 0]  # covers characters of the text
        chosen = np.zeros(len(spans), dtype=bool)
        if kind in _POSITIONS:
            where = np.flatnonzero(real)
            chosen[where[:value] if kind == "first" else where[-value:]] = True
            return chosen
        if kind == "regex":
            ranges = [m.span() for m in re.finditer(value, text) if m.end() > m.start()]
        else:
            messages = self._messages[text]
            if kind == "role":
                ranges = [(a, b) for role, a, b in messages if role == value]
            elif -len(messages) <= value < len(messages):
                ranges = [messages[value][1:]]
            else:
                ranges = []
        for start, end in ranges:
            chosen |= real & (spans[:, 0] < end) & (spans[:, 1] > start)
        return chosen

    def _after_truncation(self, chosen, spans, kept_spans):
        """The selection ``chosen`` (over the whole text's tokens) carried over
        to the tokens the truncated encoding kept."""
        real = np.flatnonzero(spans[:, 1] > spans[:, 0])
        kept_real = np.flatnonzero(kept_spans[:, 1] > kept_spans[:, 0])
        k = len(kept_real)
        left = getattr(self.tokenizer, "truncation_side", "right") == "left"
        source = real[len(real) - k :] if left else real[:k]
        if not np.array_equal(spans[source], kept_spans[kept_real]):
            raise RuntimeError(
                "The truncated tokens of a text are not a prefix (or suffix) of its "
                f"whole tokens under {type(self.tokenizer).__name__}, so the token "
                "selection cannot be carried over. Raise max_length so that no "
                "text is truncated, or use tokens='all'."
            )
        out = np.zeros(len(kept_spans), dtype=bool)
        out[kept_real] = chosen[source]
        return out

    def _empty(self, text, before_cut, n_tokens, max_length):
        position = self.texts.index(text)
        preview = self._original[text]
        if self.conversations:
            preview = " | ".join(f"{m['role']}: {m['content']}" for m in preview)
        what = f"sample {position} ({preview!r:.60})"
        selection = str(self.selection)
        if before_cut:
            return ValueError(
                f"tokens={selection!r} selects tokens of {what} only past "
                f"max_length={max_length}: the sample has {n_tokens} tokens and "
                "was truncated. Raise max_length (or shorten the sample)."
            )
        return ValueError(
            f"tokens={selection!r} selects no token of {what}. Drop the sample, or "
            "choose a selection that every sample has."
        )


def selection_key(key, description, selection, *, conversations=False):
    """The cache ``(key, description)`` of vectors pooled over ``selection``:
    unchanged for ``"all"`` over plain texts (the keys of before selections
    existed), otherwise the selection (and the fact that the samples are
    rendered conversations, tokenised without added special tokens) join the
    description and the key is its hash."""
    import hashlib
    import json

    if selection.kind == "all" and not conversations:
        return key, description
    extra = {"tokens": str(selection)}
    if conversations:
        extra["input"] = "conversation"
    blob = json.dumps({"key": key, **extra}, sort_keys=True).encode()
    return hashlib.blake2b(blob, digest_size=20).hexdigest(), {**description, **extra}


def pad_masks(masks, width, side):
    """Selection masks padded like the ids (``side`` ``"left"`` or ``"right"``)
    to a ``(batch, width)`` int64 tensor: 1 at selected tokens."""
    import torch

    out = torch.zeros((len(masks), width), dtype=torch.long)
    for row, mask in enumerate(masks):
        values = torch.as_tensor(np.asarray(mask, dtype=np.int64))
        if side == "left":
            out[row, width - len(mask) :] = values
        else:
            out[row, : len(mask)] = values
    return out
