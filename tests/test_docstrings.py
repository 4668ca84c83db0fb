"""The public API's docstrings stay complete (numpydoc's validation).

Checked for every public class, function and method of the public modules:

- GL08: there is a docstring;
- SS01: it starts with a one-line summary;
- PR01: every parameter is documented, PR02: nothing that is not a parameter is,
  PR07: each has a description;
- RT01: what returns a value has a Returns section.

Record types (dataclasses and named tuples) document their fields as Attributes,
all of them. Left out on purpose: "See Also" and "Examples" on every object
(SA01, EX01: the README and the module docstrings show the workflow), the
extended summary (ES01), and the wording rules (SS05 verb forms, RT02 named
return values), which a reader does not miss.
"""

import dataclasses
import importlib
import inspect

import pytest
from numpydoc.docscrape import ClassDoc
from numpydoc.validate import validate

MODULES = [
    "sklearn_probe",
    "sklearn_probe.plotting",
    "sklearn_probe.sweep",
    "sklearn_probe.baselines",
    "sklearn_probe.mdl",
    "sklearn_probe.stats",
    "sklearn_probe.datasets",
    "sklearn_probe.probe",
    "sklearn_probe.causal",
    "sklearn_probe.metrics",
]
CHECKS = {"GL08", "SS01", "PR01", "PR02", "PR07", "RT01"}


def is_record(obj):
    return inspect.isclass(obj) and (
        dataclasses.is_dataclass(obj) or hasattr(obj, "_fields")
    )


def public_api():
    """``qualified name -> object`` of the public classes, functions, methods."""
    found = {}
    for module_name in MODULES:
        module = importlib.import_module(module_name)
        names = getattr(module, "__all__", None) or [
            name for name in vars(module) if not name.startswith("_")
        ]
        for name in names:
            obj = getattr(module, name)
            defined_here = getattr(obj, "__module__", "").startswith("sklearn_probe")
            if not defined_here or not (inspect.isclass(obj) or callable(obj)):
                continue
            qualname = f"{obj.__module__}.{obj.__qualname__}"
            found[qualname] = obj
            if inspect.isclass(obj):
                found.update(_methods(obj))
    return found


def _methods(cls):
    """Public methods of ``cls`` and of the package's classes it inherits from,
    by the name of the class that defines each."""
    found = {}
    for owner in reversed(cls.__mro__):
        if not owner.__module__.startswith("sklearn_probe"):
            continue
        for attr, member in vars(owner).items():
            if isinstance(member, classmethod | staticmethod):
                member = member.__func__
            if not attr.startswith("_") and inspect.isfunction(member):
                found[f"{owner.__module__}.{owner.__qualname__}.{attr}"] = member
    return found


API = public_api()


def test_the_api_is_found():
    names = set(API)
    assert "sklearn_probe.sweep._best.BestPipelineMethods.predict" in names
    assert (
        "sklearn_probe.plotting._embeddings.LayerEmbeddingsDisplay.from_estimator"
        in names
    )
    assert "sklearn_probe.probe._classifier.ProbeClassifier.fit" in names
    assert len(names) > 40


@pytest.mark.parametrize("name", sorted(API))
def test_docstring_is_complete(name):
    obj = API[name]
    if is_record(obj):
        if dataclasses.is_dataclass(obj):
            fields = {field.name for field in dataclasses.fields(obj)}
        else:
            fields = set(obj._fields)
        documented = set()
        for names, _, _ in ClassDoc(obj)["Attributes"]:
            documented.update(n.strip() for n in names.split(","))
        assert fields <= documented, f"not under Attributes: {fields - documented}"
        return
    errors = [
        f"{code}: {message}"
        for code, message in validate(name)["errors"]
        if code in CHECKS
    ]
    assert not errors, "\n".join(errors)
