"""Every README code block is either run by the tests or marked as a shell command.

The ``python`` blocks run top to bottom in one namespace, as a reader pasting
them into one session would, offline (bundled MiniLM, Rotten Tomatoes), except
those of a section that its own test module runs with closer checks
(``TESTED_ELSEWHERE``); ``sh`` blocks are shell commands, not run (they install,
call make, need the hub or take minutes), and ``text`` blocks are pictures of
files.
"""

import contextlib
import io
import re
import warnings
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
FENCE = re.compile(r"^```(\S*)\n(.*?)^```$", re.S | re.M)
# README section -> the test module that runs its python block.
TESTED_ELSEWHERE = {
    "## Words, spans and relations": "tests/hidden/test_words.py",
    # Starts a cluster of its own: run by the (slow) distributed tests.
    "## Scaling out": "tests/distributed/test_distributed.py",
}


def readme_blocks():
    """``[(section heading, fence language, code)]`` in README order."""
    text = README.read_text()
    headings = [(m.start(), m.group(0)) for m in re.finditer(r"^## .*$", text, re.M)]
    found = []
    for match in FENCE.finditer(text):
        above = [h for start, h in headings if start < match.start()]
        found.append((above[-1] if above else "", match.group(1), match.group(2)))
    return found


def test_every_block_says_whether_it_runs():
    found = readme_blocks()
    assert {lang for _, lang, _ in found} <= {"python", "sh", "text"}
    assert sum(lang == "python" for _, lang, _ in found) >= 5
    for section, module in TESTED_ELSEWHERE.items():
        assert any(s == section and lang == "python" for s, lang, _ in found)
        assert section in (ROOT / module).read_text()


@pytest.mark.slow
def test_python_blocks_run_in_order_and_the_quickstart_learns(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # the pictures block saves a file
    from sklearn_probe import TruncationWarning

    namespace, outputs = {"__name__": "__main__"}, []
    for section, lang, code in readme_blocks():
        if lang != "python" or section in TESTED_ELSEWHERE:
            continue
        out = io.StringIO()
        with warnings.catch_warnings(), contextlib.redirect_stdout(out):
            # Long reviews are truncated to max_length and the warning says
            # so; that is the README working as documented, not a failure.
            warnings.simplefilter("default", TruncationWarning)
            exec(compile(code, str(README), "exec"), namespace)
        outputs.append(out.getvalue())
    # The quickstart (second block) prints its CV accuracy and two labels.
    lines = outputs[1].strip().splitlines()
    assert 0.65 < float(lines[0]) <= 1.0  # well above the ~0.58 majority rate
    assert lines[1] == "[1 0]"  # the two sentences: positive, negative
    # The last sweep (baselines, MDL, repeats) is above chance, its control not.
    result = namespace["result"]
    assert result.best_score > result.chance_score + 0.1
    assert abs(result.scores["control_mean"].mean() - 0.5) < 0.1
    assert (tmp_path / "layer_scores.svg").stat().st_size > 1000
