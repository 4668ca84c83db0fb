"""The README is a first page whose code runs and whose numbers are printed.

Every ``python`` block runs, top to bottom in one namespace, as a reader pasting
them into one session would, offline (the bundled MiniLM, Rotten Tomatoes). A
``text`` block right after a ``python`` block is what that block prints, and is
compared with it line by line: no number in the README is typed by hand.
``sh`` blocks are shell commands (install, make, the command itself) and are
not run here; what they call has tests of its own.

After a change that moves the numbers or the picture, rewrite the output blocks
and ``docs/images/readme_layer_scores.png`` from a real run with::

    SKLEARN_PROBE_UPDATE_README=1 .venv/bin/python -m pytest tests/docs/test_readme.py
"""

import contextlib
import io
import os
import re
import shutil
import warnings
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
PICTURE = ROOT / "docs" / "images" / "readme_layer_scores.png"
FENCE = re.compile(r"^```(\S*)\n(.*?)^```$", re.S | re.M)
UPDATE = os.environ.get("SKLEARN_PROBE_UPDATE_README") == "1"


def readme_blocks(text=None):
    """``[(language, code, match)]`` of every fenced block, in README order."""
    text = README.read_text() if text is None else text
    return [(m.group(1), m.group(2), m) for m in FENCE.finditer(text)]


def test_the_readme_is_a_first_page():
    text = README.read_text()
    lines = text.splitlines()
    assert len(lines) <= 200
    # Install, the command and a quickstart that prints, before anything else.
    headings = [line for line in lines if line.startswith("## ")]
    assert headings[:3] == ["## Install", "## The command", "## Quickstart in Python"]
    for words in ("make demo", "make test", "make docs", "load_text_file"):
        assert words in text
    for extra in ("offline", "hub", "conllu", "s3", "dask", "ray"):
        assert f"`{extra}`" in text
    # The picture is the one the quickstart draws (compared below).
    assert f"]({PICTURE.relative_to(ROOT).as_posix()})" in text


def test_every_block_runs_or_is_a_command_and_outputs_follow_code():
    blocks = readme_blocks()
    assert {lang for lang, _, _ in blocks} <= {"python", "sh", "text"}
    assert sum(lang == "python" for lang, _, _ in blocks) >= 3
    for previous, (lang, _, _) in zip([None] + blocks[:-1], blocks, strict=True):
        if lang == "text":
            assert previous is not None and previous[0] == "python", (
                "a text block shows what the python block above it prints"
            )


def test_every_link_to_a_file_points_at_one():
    for target in re.findall(r"\]\(([^)#:]+)(?:#[^)]*)?\)", README.read_text()):
        assert (ROOT / target).exists(), target


@pytest.mark.slow
def test_python_blocks_run_and_print_what_the_readme_shows(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # the blocks write a picture and a CSV
    from sklearn_probe import TruncationWarning

    text = README.read_text()
    blocks = readme_blocks(text)
    namespace, printed = {"__name__": "__main__"}, {}
    for i, (lang, code, _) in enumerate(blocks):
        if lang != "python":
            continue
        out = io.StringIO()
        with warnings.catch_warnings(), contextlib.redirect_stdout(out):
            # A long review is truncated to max_length and a warning says so:
            # the README working as documented, not a failure.
            warnings.simplefilter("default", TruncationWarning)
            exec(compile(code, str(README), "exec"), namespace)
        printed[i] = out.getvalue()

    drawn = tmp_path / "layer_scores.png"
    assert drawn.stat().st_size > 10_000
    if UPDATE:
        _rewrite_outputs(text, blocks, printed)
        shutil.copyfile(drawn, PICTURE)
        pytest.skip("README outputs and picture rewritten from this run")

    for i, (lang, _code, _) in enumerate(blocks):
        if lang != "python":
            continue
        shown = blocks[i + 1][1] if i + 1 < len(blocks) else ""
        if i + 1 < len(blocks) and blocks[i + 1][0] == "text":
            assert printed[i].rstrip().splitlines() == shown.rstrip().splitlines(), (
                f"README block {i} prints something else now; rerun with "
                "SKLEARN_PROBE_UPDATE_README=1 (see this module's docstring)"
            )
        else:
            assert printed[i] == "", f"README block {i} prints but shows no output"

    from matplotlib.testing.compare import compare_images

    # The same sweep drawn by the same code: the picture may differ only by
    # anti-aliasing noise.
    assert compare_images(str(PICTURE), str(drawn), tol=5) is None

    # What the numbers mean, checked independently of the README's text.
    result = namespace["result"]
    assert result.best_score > result.chance_score + 0.1
    assert abs(result.scores["control_mean"].mean() - result.chance_score) < 0.1
    majority = namespace["data"]["label"].value_counts(normalize=True).max()
    assert result.chance_score == pytest.approx(majority, abs=0.01)


def _rewrite_outputs(text, blocks, printed):
    pieces, last = [], 0
    for i, (lang, _, match) in enumerate(blocks):
        if lang == "text" and i - 1 in printed:
            pieces.append(text[last : match.start(2)])
            pieces.append(printed[i - 1].rstrip() + "\n")
            last = match.end(2)
    pieces.append(text[last:])
    README.write_text("".join(pieces))
