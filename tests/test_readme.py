"""Every README code block is either run here or marked as a shell command.

The ``python`` blocks run top to bottom in one namespace, as a reader pasting
them into one session would, offline (bundled MiniLM, Rotten Tomatoes); ``sh``
blocks are shell commands, not run (they install, call make, need the hub or
take minutes), and ``text`` blocks are pictures of files.
"""

import contextlib
import io
import re
import warnings
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[1] / "README.md"
FENCE = re.compile(r"^```(\S*)\n(.*?)^```$", re.S | re.M)


def blocks(language):
    return [
        code for lang, code in FENCE.findall(README.read_text()) if lang == language
    ]


def test_every_block_says_whether_it_runs():
    languages = [lang for lang, _ in FENCE.findall(README.read_text())]
    assert set(languages) <= {"python", "sh", "text"}, languages
    assert languages.count("python") >= 5


@pytest.mark.slow
def test_python_blocks_run_in_order_and_the_quickstart_learns(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # the pictures block saves a file
    from sklearn_probe import TruncationWarning

    namespace, outputs = {"__name__": "__main__"}, []
    for code in blocks("python"):
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
