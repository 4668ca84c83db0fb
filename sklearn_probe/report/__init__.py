"""Everything that turns a sweep's result into words, tables and files.

The sweep (:mod:`sklearn_probe.sweep`) computes a :class:`LayerSweepResult`;
the report reads it, live or loaded back from its ``results.json``
(:meth:`LayerSweepResult.load`), and says it:

- :func:`write_report` writes a report folder (``scores.csv``,
  ``results.json``, the pictures, ``report.md``, the pipeline), whole or not
  at all (:func:`check_out_dir`, ``_folder``);
- :func:`summary_table`, :func:`summary_lines` and :func:`reading_lines` are
  what the command prints and ``report.md`` shows (``_tables``, ``_text``,
  ``_reading``, with the caveats of ``_caveats``);
- :func:`write_comparison_report`, :func:`comparison_table` and
  :func:`comparison_lines` do the same for a :class:`SweepComparison`
  (``_compare_report``).
- :func:`write_causal_report`, :func:`causal_section` and
  :func:`neuron_section` say what a causal sweep and a single-unit curve found
  (``_causal``); :func:`add_causal_section` and :func:`add_neuron_section`
  add them to a written ``report.md``.

The words shared by all of them (how a row, the samples, chance are named)
live in ``_words``. Nothing in :mod:`sklearn_probe.sweep` imports this
subpackage at import time: it calls it when asked to write.
"""

from ._causal import (
    add_causal_section,
    add_neuron_section,
    causal_section,
    neuron_section,
    write_causal_report,
)
from ._compare_report import (
    comparison_lines,
    comparison_table,
    model_folder,
    write_comparison_report,
)
from ._folder import check_out_dir
from ._reading import reading_lines
from ._report import write_report
from ._tables import (
    confusion_table,
    markdown_table,
    per_class_table,
    summary_table,
    try_command,
)
from ._text import summary_lines

__all__ = [
    "add_causal_section",
    "add_neuron_section",
    "causal_section",
    "check_out_dir",
    "comparison_lines",
    "comparison_table",
    "confusion_table",
    "markdown_table",
    "model_folder",
    "neuron_section",
    "per_class_table",
    "reading_lines",
    "summary_lines",
    "summary_table",
    "try_command",
    "write_causal_report",
    "write_comparison_report",
    "write_report",
]
