"""The baselines a sweep can run beside the probe, one spec each.

Every baseline :func:`~sklearn_probe.layer_sweep` knows is one
:class:`BaselineSpec` in ``BASELINES`` (name -> spec, in the order the
sweep, the tables and the pictures list them). The sweep, the pictures, the
report and the command read this registry instead of naming baselines:

- how it is fitted: a search over the sweep's candidates and folds on the
  cached hidden states (``search``), or a pipeline on the raw texts scored on
  the same folds (``pipeline``); whether it needs a forward pass of its own
  (``hidden_params``);
- its result columns: ``<name>_mean`` and ``<name>_std`` (``<name>_fold<k>``
  for a text-only baseline, which has no layer);
- its curve style (``curve``, ``line_style``, ``band``, ``colour``: an
  Okabe-Ito index);
- its report words (``table_header``, ``timing_label``, ``description``);
- its command name (``name``, ``help``).

Adding a baseline is one module and one entry:

1. In ``baselines/_<name>.py`` write the function that builds it: a
   ``search(pipe, candidates, texts, y, *, unit, random_state)`` returning
   ``(estimator, candidates, labels)`` for a baseline on the hidden states
   (plus ``hidden_params(random_state)`` if it needs its own forward pass),
   or a ``pipeline(model)`` for one on the raw texts.
2. Add its :class:`BaselineSpec` to ``BASELINES`` below: name, help, curve,
   line style, band or colour, table header, timing label.

``layer_sweep(baselines=[...])`` and ``--baselines`` then accept it, the warm-up
and the search run it on the sweep's folds, its ``<name>_mean`` /
``<name>_std`` columns appear in the scores, and the layer picture draws it.
"""

from collections.abc import Callable
from dataclasses import dataclass

from ._control import control_search
from ._random_weights import random_hidden_params, random_weights_search
from ._text import bag_of_words_pipeline, length_pipeline


@dataclass(frozen=True)
class BaselineSpec:
    """One baseline: how it is fitted, its columns, curve, words and name.

    Attributes
    ----------
    name : str
        The value of ``layer_sweep(baselines=...)`` and ``--baselines``, and
        the prefix of its columns.
    help : str
        What it is, in the command's help.
    curve : str
        Its legend text; ``{control_name}`` is filled with what a control was
        trained on (:meth:`UnitSpec.control_legend`).
    line_style : str or tuple
        Its matplotlib line style.
    band : bool
        The picture draws its spread over folds as a band.
    curve_order : int
        Where its curve comes among the baselines' curves (drawn and listed
        in the legend in this order).
    colour : int or None
        The Okabe-Ito colour index of its curve (or horizontal line).
    table_header : str
        Its column in the printed table (None: not in the table).
    extra_columns : tuple of str
        Columns of the scores derived from it, shown after it in the table
        (the control's ``selectivity``).
    timing_label : str
        Its part of the report's "Took ..." line.
    description : str
        A text-only baseline in the report's words; ``{model}`` is the task's
        model (:attr:`TaskSpec.text_model_words`).
    search : callable or None
        ``search(pipe, candidates, texts, y, *, unit, random_state) ->
        (estimator, candidates, labels)``: the search run over the sweep's
        folds (no refit).
    pipeline : callable or None
        ``pipeline(model) -> Pipeline``: a text-only baseline's pipeline on the
        raw texts ending in ``model`` (:meth:`TaskSpec.text_model`).
    hidden_params : callable or None
        ``hidden_params(random_state) -> dict``: the ``hidden`` step's
        parameters of a forward pass of its own (run on the training texts
        when the cache is warmed).
    word_samples : {"all", "single", "none"}
        The word samples it takes with ``unit="word"``: every kind, single
        words only (a word type per sample), or none (it reads whole texts).
    classes_only_for_words : bool
        With ``unit="word"`` it needs classes (no regression).
    """

    name: str
    help: str
    curve: str = ""
    line_style: object = "-"
    band: bool = True
    curve_order: int = 0
    colour: int | None = None
    table_header: str | None = None
    extra_columns: tuple = ()
    timing_label: str = ""
    description: str = ""
    search: Callable | None = None
    pipeline: Callable | None = None
    hidden_params: Callable | None = None
    word_samples: str = "all"
    classes_only_for_words: bool = False

    @property
    def reads_texts(self):
        """A text-only baseline: one score per fold, the same in every row."""
        return self.pipeline is not None


BASELINES = {
    spec.name: spec
    for spec in (
        BaselineSpec(
            name="control",
            help="the probe on permuted labels; adds selectivity",
            curve="control ({control_name})",
            line_style=":",
            # A permuted-label control's fold scores scatter widely by nature
            # (a random decision rule puts whole clusters on one side).
            band=False,
            curve_order=2,
            colour=2,
            table_header="control",
            extra_columns=("selectivity",),
            timing_label="control",
            search=control_search,
            word_samples="single",
            classes_only_for_words=True,
        ),
        BaselineSpec(
            name="random_weights",
            help="the same architecture, untrained",
            curve="random-weights model",
            line_style="--",
            curve_order=1,
            colour=0,
            table_header="random w.",
            timing_label="random weights",
            search=random_weights_search,
            hidden_params=random_hidden_params,
        ),
        BaselineSpec(
            name="bag_of_words",
            help="TF-IDF + logistic regression on the texts alone",
            curve="bag of words (TF-IDF)",
            line_style=(0, (6, 2)),
            colour=4,
            timing_label="bag of words",
            description="TF-IDF + {model}",
            pipeline=bag_of_words_pipeline,
            word_samples="none",
        ),
        BaselineSpec(
            name="length",
            help="characters and words + logistic regression",
            curve="length only",
            line_style=(0, (6, 2, 1, 2)),
            colour=5,
            timing_label="length",
            description="characters and words + {model}",
            pipeline=length_pipeline,
            word_samples="none",
        ),
    )
}

#: The baselines that search the hidden states, and the text-only ones.
SEARCH_BASELINES = tuple(n for n, s in BASELINES.items() if s.search is not None)
TEXT_BASELINES = tuple(n for n, s in BASELINES.items() if s.reads_texts)
