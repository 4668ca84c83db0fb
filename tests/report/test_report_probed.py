"""What the report says a sweep probed (site, tokens, probe), and the held-out
score's interval in the comparison table, read from saved sweeps
(tests/report/fixtures, made by make_fixtures.py)."""

import json
from pathlib import Path

import pytest

from sklearn_probe import LayerSweepResult, compare_sweeps
from sklearn_probe.report import comparison_table

FIXTURES = Path(__file__).parent / "fixtures"
QUESTION = "# Which layer of `tiny-bert` knows the labels of texts?"


def load(name):
    return LayerSweepResult.load(FIXTURES / name, pipeline=False)


def report(result, tmp_path):
    written = result.save_report(tmp_path / "r", save_pipeline=False)
    return written["report.md"].read_text().splitlines()


def test_a_sweep_of_another_site_tokens_and_probe_names_them(tmp_path, close_figures):
    result = load("text_classification")
    result.settings.update(
        site="attention", tokens="assistant", probe="AttentionProbe()"
    )
    lines = report(result, tmp_path)
    assert lines[0] == (
        f"{QUESTION} (site: attention; tokens: assistant; probe: AttentionProbe())"
    )
    assert "- **site**: attention" in lines
    assert "- **tokens**: assistant" in lines
    assert "- **probe**: AttentionProbe()" in lines
    # results.json keeps them, and a reload reads the same report.
    saved = json.loads((tmp_path / "r" / "results.json").read_text())
    assert (saved["settings"]["site"], saved["settings"]["tokens"]) == (
        "attention",
        "assistant",
    )
    assert (
        report(LayerSweepResult.load(tmp_path / "r"), tmp_path / "again")[0] == lines[0]
    )


def test_the_defaults_leave_the_title_as_it_was(tmp_path, close_figures):
    result = load("word")  # its probe is the default linear probe
    plain = report(result, tmp_path / "plain")
    result.settings.update(site="residual", tokens="all")
    defaults = report(result, tmp_path / "defaults")

    def untimed(lines):  # the time line says how long writing took
        return [line for line in lines if "s in all" not in line]

    assert untimed(defaults) == untimed(plain)
    assert len(defaults) == len(plain)
    assert plain[0].endswith("?")
    assert not any(line.startswith(("- **site**", "- **tokens**")) for line in plain)


@pytest.mark.parametrize(
    ("settings", "suffix", "lines"),
    [
        # Swept sites, one head, every token.
        (
            {"site": ["residual", "attention"], "tokens": None, "probe": "linear"},
            " (sites: residual, attention)",
            ["- **site**: residual, attention"],
        ),
        (
            {"site": "heads", "head": 2, "probe": "linear"},
            " (site: heads, head 2)",
            ["- **site**: heads, head 2"],
        ),
        # Several selections: "tokens" as it is.
        (
            {"tokens": ["assistant", "user"], "probe": "linear"},
            " (tokens: assistant, user)",
            ["- **tokens**: assistant, user"],
        ),
        # A selection given as a mapping; a probe other than the linear one.
        (
            {"tokens": {"last_n": 3}, "probe": "LogisticRegression(max_iter=1000)"},
            " (tokens: last_n=3; probe: LogisticRegression(max_iter=1000))",
            ["- **tokens**: last_n=3"],
        ),
    ],
)
def test_each_setting_reads_in_words(tmp_path, close_figures, settings, suffix, lines):
    result = load("text_classification")
    result.settings.update(settings)
    page = report(result, tmp_path)
    assert page[0] == QUESTION + suffix
    for line in lines:
        assert line in page


def test_the_comparison_table_shows_each_models_test_interval():
    results = {name: load(f"comparison/{name}") for name in ("bert", "gpt2")}
    results["bert"].test_score = 0.8
    results["bert"].test_score_ci = {"low": 0.71234, "high": 0.9, "confidence": 0.95}
    results["gpt2"].test_score = 0.6  # saved before intervals were kept
    table = comparison_table(compare_sweeps(results))
    assert list(table["held-out test"]) == ["0.800", "0.600"]
    assert list(table["test 95% CI"]) == ["0.712-0.900", ""]
