"""Saved pipelines: skops by default, pickle only when asked, versions checked."""

import pathlib

import joblib
import numpy as np
import pytest
import skops.io
from helpers import length_corpus
from sklearn.pipeline import Pipeline

import sklearn_probe
from sklearn_probe import HiddenStateTransformer, ProbeClassifier
from sklearn_probe._persistence import (
    InconsistentVersionWarning,
    load_pipeline,
    save_pipeline,
)
from sklearn_probe.cli import main


class Planted:
    """Builds itself by touching a file: code that a loader must not run."""

    def __init__(self, marker):
        self.marker = str(marker)

    def __reduce__(self):  # pickle: runs on load
        return (pathlib.Path.touch, (pathlib.Path(self.marker),))

    def __setstate__(self, state):  # skops: runs on load, if trusted
        pathlib.Path(state["marker"]).touch()


@pytest.fixture(scope="module")
def pipeline(tiny_bert):
    texts, labels = length_corpus(40)
    pipe = Pipeline(
        [
            ("hidden", HiddenStateTransformer(tiny_bert, layer=1, verbose=0)),
            ("probe", ProbeClassifier((8,), random_state=0)),
        ]
    )
    return pipe.fit(texts, labels)


def test_skops_round_trip_predicts_the_same(pipeline, tmp_path):
    path = save_pipeline(pipeline, tmp_path / "p.skops")
    assert path.stat().st_size < 100_000  # no model weights inside
    untrusted = skops.io.get_untrusted_types(file=path)
    assert not any("torch" in name or "skorch" in name for name in untrusted)
    again = load_pipeline(path)
    texts = ["a brilliant story", "the plot was dull and boring and long"]
    np.testing.assert_array_equal(
        again.predict_proba(texts), pipeline.predict_proba(texts)
    )
    assert hasattr(pipeline.named_steps["probe"], "net_")  # the original is intact


def test_a_hostile_pickle_is_refused_without_running_it(tmp_path, capsys):
    marker = tmp_path / "ran"
    evil = tmp_path / "evil.joblib"
    joblib.dump(Planted(marker), evil)
    with pytest.raises(ValueError, match="runs any code"):
        load_pipeline(evil)
    assert main(["predict", "--pipeline", str(evil), "hi"]) == 1
    assert "--allow-pickle" in capsys.readouterr().err
    assert not marker.exists()
    # With the opt-in it is read (and runs): what the warning is about.
    with pytest.raises(ValueError, match="not a pipeline"):
        load_pipeline(evil, allow_pickle=True)
    assert marker.exists()


def test_a_skops_file_with_untrusted_types_is_refused_unbuilt(tmp_path, capsys):
    marker = tmp_path / "ran"
    evil = tmp_path / "evil.skops"
    skops.io.dump(
        {"format": "sklearn-probe pipeline", "pipeline": Planted(marker)}, evil
    )
    with pytest.raises(ValueError, match=r"not trusted: .*Planted"):
        load_pipeline(evil)
    assert main(["predict", "--pipeline", str(evil), "hi"]) == 1
    assert "not trusted" in capsys.readouterr().err
    assert not marker.exists()


def test_another_version_warns(pipeline, tmp_path, monkeypatch):
    path = save_pipeline(pipeline, tmp_path / "p.skops")
    monkeypatch.setattr(sklearn_probe, "__version__", "99.0")
    with pytest.warns(InconsistentVersionWarning, match="saved by sklearn-probe 0"):
        load_pipeline(path)
