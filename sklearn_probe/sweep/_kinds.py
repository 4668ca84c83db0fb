"""The task and the unit of a sweep, each resolved once into a small object.

A sweep's task (``"classification"`` or ``"regression"``) and unit (``"text"``
or ``"word"``) decide its default scoring, splitter, default probe, chance
level, the ``hidden`` step and the words its report uses. :func:`task_spec`
and :func:`unit_spec` look up the frozen :class:`TaskSpec` and
:class:`UnitSpec` that hold all of it, so no other module branches on the
names. ``LayerSweepResult.task_spec`` and ``.unit_spec`` rebuild them from a
result's ``settings`` (a loaded result has them too).

Each object lives beside the checks of its kind: :class:`TaskSpec` in
``_tasks`` (with the checks of a task's labels), :class:`UnitSpec` in
``_units`` (with the checks of word samples and the folds grouped by
sentence), so a kind's facts and behaviour are read in one module; this module
resolves a name to its object.
"""

from ._tasks import TASKS, TaskSpec
from ._units import UNITS, UnitSpec

__all__ = ["TASKS", "UNITS", "TaskSpec", "UnitSpec", "task_spec", "unit_spec"]


def task_spec(name):
    """The :class:`TaskSpec` of ``"classification"`` or ``"regression"``."""
    return _lookup(TASKS, name, "task")


def unit_spec(name):
    """The :class:`UnitSpec` of ``"text"`` or ``"word"``."""
    return _lookup(UNITS, name, "unit")


def _lookup(table, name, what):
    if isinstance(name, TaskSpec | UnitSpec):
        return name
    try:
        return table[name]
    except (KeyError, TypeError):
        raise ValueError(f"Unknown {what} {name!r}; one of {sorted(table)}.") from None
