"""A generated English treebank whose labels are exact by construction.

No pip-installable package ships gold word-level annotation of running English
text, so the demo and the slow tests use sentences generated from a small
grammar, in the manner of targeted syntactic evaluation suites (Linzen et al.
2016, Marvin & Linzen 2018)::

    the [ADJ] NOUN [ADP the [ADJ] NOUN] VERB [ADV] .

Each sentence is written in CoNLL-U with its part of speech (UPOS, and Penn
XPOS), features (``Number`` of nouns and present-tense verbs, ``Tense``), heads
and relations (det, amod, nsubj, case, nmod, advmod, punct, root), and one MISC
attribute on the verb, ``SubjNumber``: the number of its subject. In the past
tense the verb's form says nothing of that number (``barked``), so reading it
at the verb needs the subject; the optional prepositional phrase puts an
*attractor* noun, of either number, between the two.
"""

from pathlib import Path

import numpy as np

__all__ = ["ConlluText", "make_agreement_conllu"]

# singular, plural
NOUNS = [
    ("dog", "dogs"), ("cat", "cats"), ("key", "keys"), ("cabinet", "cabinets"),
    ("teacher", "teachers"), ("boy", "boys"), ("girl", "girls"),
    ("author", "authors"), ("farmer", "farmers"), ("pilot", "pilots"),
    ("doctor", "doctors"), ("senator", "senators"), ("child", "children"),
    ("man", "men"), ("woman", "women"), ("student", "students"),
]  # fmt: skip
# lemma (= plural present), 3rd singular present, past
VERBS = [
    ("laugh", "laughs", "laughed"), ("smile", "smiles", "smiled"),
    ("wait", "waits", "waited"), ("arrive", "arrives", "arrived"),
    ("sleep", "sleeps", "slept"), ("leave", "leaves", "left"),
    ("swim", "swims", "swam"), ("run", "runs", "ran"),
    ("fall", "falls", "fell"), ("work", "works", "worked"),
    ("sing", "sings", "sang"), ("win", "wins", "won"),
]  # fmt: skip
ADJECTIVES = ["old", "young", "tall", "small", "happy", "quiet"]
PREPOSITIONS = ["near", "behind", "beside", "with"]
ADVERBS = ["quickly", "again", "today", "often", "slowly"]


class ConlluText(str):
    """The text of a CoNLL-U treebank, which a notebook shows in one line.

    A ``str`` in every way (compare it, split it, write it, ``print`` it
    whole); only its ``repr`` is short: the number of sentences and characters,
    and the file it was written to. ``path`` is that file (None if none).
    """

    path = None

    def __new__(cls, text, path=None):
        self = super().__new__(cls, text)
        self.path = None if path is None else Path(path)
        return self

    def __repr__(self):
        n = self.count("\n\n")  # a blank line ends each sentence
        sentences = f"{n} sentence{'' if n == 1 else 's'}"
        where = "" if self.path is None else f", written to {str(self.path)!r}"
        return f"<CoNLL-U text: {sentences}, {len(self):,} characters{where}>"


def make_agreement_conllu(path=None, *, n_sentences=1000, random_state=0):
    """Generate subject-verb agreement sentences as a CoNLL-U treebank.

    Parameters
    ----------
    path : str or path-like, default=None
        Where to write the file; None returns the text only.
    n_sentences : int, default=1000
        How many sentences.
    random_state : int, default=0
        Seed of every choice; one seed gives one text.

    Returns
    -------
    text : ConlluText
        The CoNLL-U text (also written to ``path`` when given): a ``str`` whose
        ``repr`` is one line (a notebook shows ``<CoNLL-U text: 1000
        sentences, ...>``, not the whole file), with the file written as
        ``text.path``. Read it with :func:`~sklearn_probe.datasets.load_conllu`.

    Examples
    --------
    >>> from sklearn_probe.datasets import make_agreement_conllu
    >>> text = make_agreement_conllu(n_sentences=1, random_state=4)
    >>> text
    <CoNLL-U text: 1 sentence, 421 characters>
    >>> text.splitlines()[1]
    '# text = the students with the doctors worked .'
    >>> verb = text.splitlines()[7].split()
    >>> verb[1], verb[3], verb[5], verb[9]
    ('worked', 'VERB', 'Mood=Ind|Tense=Past|VerbForm=Fin', 'SubjNumber=Plur')
    """
    if isinstance(n_sentences, bool) or not isinstance(n_sentences, int):
        raise ValueError(
            f"The 'n_sentences' parameter must be a positive int. Got "
            f"{n_sentences!r} instead."
        )
    if n_sentences < 1:
        raise ValueError(
            f"The 'n_sentences' parameter must be a positive int. Got "
            f"{n_sentences!r} instead."
        )
    rng = np.random.default_rng(random_state)
    blocks = [_sentence(rng, s) for s in range(n_sentences)]
    text = "".join(blocks)
    if path is not None:
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
    return ConlluText(text, path)


def _noun_phrase(rng, words, number):
    """Append ``the [ADJ] NOUN`` to ``words``; returns the noun's position."""
    words.append(["the", "the", "DET", "DT", "Definite=Def|PronType=Art"])
    if rng.random() < 0.3:
        words.append([rng.choice(ADJECTIVES), None, "ADJ", "JJ", "Degree=Pos"])
    singular, plural = NOUNS[rng.integers(len(NOUNS))]
    form, xpos = (singular, "NN") if number == "Sing" else (plural, "NNS")
    words.append([form, singular, "NOUN", xpos, f"Number={number}"])
    return len(words) - 1


def _sentence(rng, s):
    words, heads, deprels = [], {}, {}
    number = "Sing" if rng.random() < 0.5 else "Plur"
    start = len(words)
    subject = _noun_phrase(rng, words, number)
    for i in range(start, subject):
        heads[i], deprels[i] = subject, "det" if i == start else "amod"
    if rng.random() < 0.6:  # an attractor of either number
        case = len(words)
        words.append([rng.choice(PREPOSITIONS), None, "ADP", "IN", "_"])
        other = "Sing" if rng.random() < 0.5 else "Plur"
        attractor = _noun_phrase(rng, words, other)
        heads[case], deprels[case] = attractor, "case"
        for i in range(case + 1, attractor):
            heads[i], deprels[i] = attractor, "det" if i == case + 1 else "amod"
        heads[attractor], deprels[attractor] = subject, "nmod"
    verb = len(words)
    lemma, singular, past = VERBS[rng.integers(len(VERBS))]
    if rng.random() < 0.5:
        form, xpos = past, "VBD"
        feats = "Mood=Ind|Tense=Past|VerbForm=Fin"
    else:
        form, xpos = (singular, "VBZ") if number == "Sing" else (lemma, "VBP")
        person = "|Person=3" if number == "Sing" else ""
        feats = f"Mood=Ind|Number={number}{person}|Tense=Pres|VerbForm=Fin"
    words.append([form, lemma, "VERB", xpos, feats])
    heads[subject], deprels[subject] = verb, "nsubj"
    heads[verb], deprels[verb] = -1, "root"
    if rng.random() < 0.5:
        words.append([rng.choice(ADVERBS), None, "ADV", "RB", "_"])
        heads[len(words) - 1], deprels[len(words) - 1] = verb, "advmod"
    words.append([".", ".", "PUNCT", ".", "_"])
    heads[len(words) - 1], deprels[len(words) - 1] = verb, "punct"
    lines = [
        f"# sent_id = agreement-{s}",
        "# text = " + " ".join(w[0] for w in words),
    ]
    for i, (form, lemma, upos, xpos, feats) in enumerate(words):
        misc = f"SubjNumber={number}" if i == verb else "_"
        fields = [i + 1, form, lemma or form, upos, xpos, feats, heads[i] + 1]
        lines.append("\t".join(map(str, [*fields, deprels[i], "_", misc])))
    return "\n".join(lines) + "\n\n"
