"""The documentation site's sources: what `make docs` builds from.

The build itself (``make docs-quick``, warnings as errors) is run by CI; these
are the cheap checks that keep its inputs honest: every public name gets an
API page, every guide code block is Python, every gallery example has the
header sphinx-gallery needs, and one example runs.
"""

import ast
import importlib
import importlib.util
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
EXAMPLES = ROOT / "examples"
FENCE = re.compile(r"^```(\S*)\n(.*?)^```$", re.S | re.M)


def _conf():
    spec = importlib.util.spec_from_file_location("docs_conf", DOCS / "conf.py")
    conf = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(conf)
    return conf


def test_every_public_name_gets_an_api_entry(tmp_path):
    conf = _conf()
    index = tmp_path / "api.rst"
    conf.write_api_index(index)
    text = index.read_text()
    modules = conf.public_modules()
    for expected in (
        "sklearn_probe",
        "sklearn_probe.hidden",
        "sklearn_probe.probe",
        "sklearn_probe.sweep",
        "sklearn_probe.plotting",
        "sklearn_probe.datasets",
        "sklearn_probe.distributed",
    ):
        assert expected in modules
    assert "sklearn_probe.cli" not in modules  # the command reference's
    for name in modules:
        module = importlib.import_module(name)
        if not [n for n in getattr(module, "__all__", []) if not n.startswith("_")]:
            assert f"``{name}``" not in text  # nothing public: no section
            continue
        section = text[text.index(f"``{name}``") :]
        following = re.search(
            r"\n``sklearn_probe[\w.]*``\n-+\n", section[len(name) + 4 :]
        )
        if following:
            section = section[: len(name) + 4 + following.start()]
        for public in getattr(module, "__all__", []):
            if public.startswith("_"):
                continue
            # Documented here (an autosummary line) or linked to its one page.
            assert re.search(rf"^   {public}$|[.~]{public}`", section, re.M), (
                name,
                public,
            )


def test_guide_code_blocks_are_python_that_parses():
    pages = sorted((DOCS / "user_guide").glob("*.md")) + sorted(DOCS.glob("*.md"))
    assert len(pages) >= 10
    for page in pages:
        for lang, code in FENCE.findall(page.read_text()):
            assert lang in {"python", "sh", "text", "{toctree}"}, (page, lang)
            if lang == "python":
                ast.parse(code, str(page))


def test_the_guide_covers_what_users_ask():
    guide = " ".join(p.read_text() for p in (DOCS / "user_guide").glob("*.md"))
    for topic in (
        "selectivity",
        "random weights",
        "bag_of_words",
        "MDL",
        "repeats",
        "chance",
        "regression",
        'unit="word"',
        "quarantine",
        "Dask",
        "Ray",
        "s3://",
        "device_map",
        "skops",
        "trust_remote_code",
        "--max-length",
        "encoding",
        "offline",
    ):
        assert topic.lower() in guide.lower(), topic


def test_gallery_examples_have_a_header_and_run_offline():
    examples = sorted(EXAMPLES.glob("plot_*.py"))
    assert len(examples) >= 8
    for path in examples:
        tree = ast.parse(path.read_text())
        doc = ast.get_docstring(tree)
        assert doc, path
        title, underline = doc.splitlines()[:2]
        assert set(underline) == {"="} and len(underline) == len(title), path
        # Offline models and data only.
        source = path.read_text()
        assert "from_pretrained" not in source and "load_imdb" not in source


@pytest.mark.slow
def test_the_saved_pipelines_example_runs(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SKLEARN_PROBE_CACHE_DIR", str(tmp_path / "store"))
    path = EXAMPLES / "plot_07_saved_pipelines.py"
    exec(compile(path.read_text(), str(path), "exec"), {"__name__": "__main__"})
    out = capsys.readouterr().out
    assert "best_pipeline.skops:" in out
    assert "exit status: 0" in out
    assert "report.md" in out and "results.json" in out
