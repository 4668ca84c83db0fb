"""The layer sweep: which layer of a model knows about a property of the texts?

:func:`layer_sweep` (``_layer_sweep``) checks its arguments (``_checks``), runs
every text through the model once (``_warm``), cross-validates a probe on every
layer (``_search``), adds the baselines, MDL and repeated-CV comparisons asked
for (``_baselines``) and returns a :class:`LayerSweepResult` (``_result``),
which writes its report (``_report``, in words from ``_text``).
:func:`compare_sweeps` (``_compare``) puts several sweeps on the same folds
side by side; :func:`sweep_models` (``_several``) sweeps several models on
the same folds and compares them. The task and the unit of a sweep are small objects
(:func:`task_spec`, :func:`unit_spec`, in ``_kinds``) that own their scoring,
folds, default probe, chance and words.
"""

from ._baselines import text_baseline_p_value as text_baseline_p_value
from ._choose import chosen_index as chosen_index
from ._compare import SweepComparison, compare_sweeps
from ._kinds import TASKS as TASKS
from ._kinds import TaskSpec as TaskSpec
from ._kinds import UnitSpec as UnitSpec
from ._kinds import task_spec as task_spec
from ._kinds import unit_spec as unit_spec
from ._layer_sweep import layer_sweep
from ._probe_kind import PROBE_NAMES as PROBE_NAMES
from ._probe_kind import named_probe as named_probe
from ._result import LayerSweepResult
from ._several import sweep_models
from ._tasks import check_task as check_task

__all__ = [
    "LayerSweepResult",
    "SweepComparison",
    "compare_sweeps",
    "layer_sweep",
    "sweep_models",
]
# Importable from here, not user API: TaskSpec, UnitSpec, task_spec, unit_spec,
# TASKS and check_task (the task's and the unit's objects that the report, the
# pictures and the command read; a result has them as ``task_spec`` and
# ``unit_spec``), chosen_index and text_baseline_p_value (numbers the report
# words), PROBE_NAMES and named_probe (the probes ``--probe`` names).
