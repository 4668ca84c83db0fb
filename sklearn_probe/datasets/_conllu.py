"""Universal Dependencies (CoNLL-U) files as word and arc samples.

:func:`load_conllu` reads a treebank with the ``conllu`` package and returns one
row per syntactic word (``unit="word"``) or per dependency arc (``unit="arc"``),
with a ``sample`` column ready for
:class:`~sklearn_probe.WordHiddenStateTransformer` and a ``sentence`` column for
grouped cross-validation.
"""

import os

import pandas as pd

__all__ = ["load_conllu"]

_WORD_COLUMNS = ["form", "lemma", "upos", "xpos", "feats", "head", "deprel"]


def load_conllu(path, *, unit="word", max_sentences=None):
    """Read a CoNLL-U file (e.g. a Universal Dependencies treebank).

    Sentences are the file's syntactic words: multiword tokens (``1-2``, such
    as French "du") are left out and their words (``de``, ``le``) kept, and
    empty nodes (``8.1``) are left out, as UD's own word-level evaluation does.

    Parameters
    ----------
    path : str or path-like
        A ``.conllu`` file.
    unit : {"word", "arc"}, default="word"
        ``"word"``: one row per word, ``sample`` is ``(words, i)``.
        ``"arc"``: one row per dependency arc (the root left out), ``sample`` is
        ``(words, (d, d + 1), (h, h + 1))`` for dependent ``d`` and head ``h``,
        for arc (relation) probing with the label ``deprel``.
    max_sentences : int, default=None
        Read only the first sentences of the file.

    Returns
    -------
    frame : pandas.DataFrame
        Columns: ``sample``; ``sentence`` (0-based position of the sentence in
        the file: pass it as ``groups``); ``sent_id`` (from the file's comments,
        or None); ``index`` (0-based position of the word in its sentence; for
        arcs, of the dependent); ``form``, ``lemma``, ``upos``, ``xpos``;
        ``feats`` (``"Number=Plur|Tense=Past"``, ``""`` for none); ``head``
        (0-based index of the head word, -1 for the root); ``deprel``; one
        column ``feats:<Name>`` per morphological feature met in the file
        (e.g. ``feats:Number``; missing where a word lacks it) and one column
        ``misc:<Name>`` per MISC attribute. Arc rows add ``head_form`` and
        ``head_upos``.

    Examples
    --------
    >>> import os, tempfile
    >>> from sklearn_probe.datasets import load_conllu, make_agreement_conllu
    >>> path = os.path.join(tempfile.mkdtemp(), "agreement.conllu")
    >>> _ = make_agreement_conllu(path, n_sentences=1, random_state=4)
    >>> words = load_conllu(path)
    >>> words["sample"][1]
    (('the', 'students', 'with', 'the', 'doctors', 'worked', '.'), 1)
    >>> words[["form", "upos", "feats:Number", "head", "deprel"]].head(2)
           form  upos feats:Number  head deprel
    0       the   DET          NaN     1    det
    1  students  NOUN         Plur     5  nsubj
    >>> arcs = load_conllu(path, unit="arc")
    >>> arcs[["sample", "deprel"]].iloc[1].tolist()
    [(('the', 'students', 'with', 'the', 'doctors', 'worked', '.'), (1, 2), (5, 6)), \
'nsubj']
    """
    if unit not in ("word", "arc"):
        raise ValueError(
            f"The 'unit' parameter of load_conllu must be 'word' or 'arc'. Got "
            f"{unit!r} instead."
        )
    if max_sentences is not None and (
        isinstance(max_sentences, bool)
        or not isinstance(max_sentences, int)
        or max_sentences < 1
    ):
        raise ValueError(
            "The 'max_sentences' parameter of load_conllu must be a positive int "
            f"or None. Got {max_sentences!r} instead."
        )
    rows = _read_words(path, max_sentences)
    frame = pd.DataFrame(rows)
    if unit == "arc":
        frame = _arcs(frame)
    return frame.reset_index(drop=True)


def _read_words(path, max_sentences):
    import conllu

    path = os.fspath(path)
    if not os.path.isfile(path):
        raise FileNotFoundError(f"No CoNLL-U file at {path!r}.")
    rows = []
    with open(path, encoding="utf-8") as f:
        s = 0
        for sentence in conllu.parse_incr(f):
            if not len(sentence):  # comments alone
                continue
            if max_sentences is not None and s >= max_sentences:
                break
            rows.extend(_sentence_rows(path, s, sentence))
            s += 1
    if not rows:
        raise ValueError(f"{path!r} holds no CoNLL-U sentence with words.")
    return _with_feature_columns(rows)


def _sentence_rows(path, s, sentence):
    tokens = [t for t in sentence if isinstance(t["id"], int)]
    if not tokens:
        raise ValueError(
            f"Sentence {s} of {path!r} has no syntactic word (only multiword "
            "tokens or empty nodes); fix or remove it."
        )
    words = tuple(t["form"] for t in tokens)
    position = {t["id"]: i for i, t in enumerate(tokens)}
    sent_id = sentence.metadata.get("sent_id")
    rows = []
    for i, token in enumerate(tokens):
        head = token["head"]
        if head is not None and head != 0 and head not in position:
            raise ValueError(
                f"Word {token['id']} ({token['form']!r}) of sentence {s} of "
                f"{path!r} has head {head}, which is not a word of the sentence."
            )
        rows.append(
            {
                "sample": (words, i),
                "sentence": s,
                "sent_id": sent_id,
                "index": i,
                "form": token["form"],
                "lemma": token["lemma"],
                "upos": token["upos"],
                "xpos": token["xpos"],
                "feats": _join(token["feats"]),
                "head": -1 if not head else position[head],
                "deprel": token["deprel"],
                "_feats": dict(token["feats"] or {}),
                "_misc": dict(token["misc"] or {}),
            }
        )
    return rows


def _join(mapping):
    if not mapping:
        return ""
    return "|".join(f"{k}={v}" for k, v in mapping.items())


def _with_feature_columns(rows):
    """Add one column per feature and MISC attribute met in the file."""
    for prefix, field in (("feats", "_feats"), ("misc", "_misc")):
        names = sorted({name for row in rows for name in row[field]})
        for row in rows:
            values = row.pop(field)
            for name in names:
                value = values.get(name)
                row[f"{prefix}:{name}"] = None if value is None else str(value)
    return rows


def _arcs(words):
    """One row per dependent-head arc; the root has none."""
    arcs = words[words["head"] >= 0].copy()
    heads = words.set_index(["sentence", "index"])
    key = list(zip(arcs["sentence"], arcs["head"], strict=True))
    arcs["head_form"] = heads.loc[key, "form"].to_numpy()
    arcs["head_upos"] = heads.loc[key, "upos"].to_numpy()
    arcs["sample"] = [
        (sample[0], (d, d + 1), (h, h + 1))
        for sample, d, h in zip(
            arcs["sample"], arcs["index"], arcs["head"], strict=True
        )
    ]
    return arcs
