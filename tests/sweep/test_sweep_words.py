"""layer_sweep(unit="word"): folds grouped by sentence, one pass per sentence,
the word-type control as the control baseline, scores equal to a hand-made search."""

import matplotlib.pyplot as plt
import numpy as np
import pytest
from helpers import count_forward_rows, legend_texts
from sklearn.model_selection import GridSearchCV, KFold
from sklearn.pipeline import Pipeline

from sklearn_probe import ProbeClassifier, WordHiddenStateTransformer, layer_sweep
from sklearn_probe.baselines import WordTypeControl
from sklearn_probe.plotting import LayerScoresDisplay
from sklearn_probe.report import per_class_table
from sklearn_probe.report._markdown import _column_notes

NOUNS = ["film", "plot", "story", "acting", "movie", "end"]
ADJECTIVES = ["good", "bad", "great", "awful", "dull", "brilliant"]


@pytest.fixture
def words():
    """Word samples of 24 sentences; label: is the word an adjective."""
    rng = np.random.default_rng(0)
    X, y = [], []
    for _ in range(24):
        sentence = ("the", rng.choice(NOUNS), "was", rng.choice(ADJECTIVES))
        sentence = tuple(str(w) for w in sentence)
        for i, word in enumerate(sentence):
            X.append((sentence, i))
            y.append(int(word in ADJECTIVES))
    return X, np.array(y)


def probe():
    return ProbeClassifier(random_state=0)


def test_word_sweep_groups_by_sentence_and_runs_each_sentence_once(
    tiny_bert, words, one_blas_thread, caplog
):
    X, y = words
    caplog.set_level("INFO", logger="sklearn_probe")
    with count_forward_rows(tiny_bert) as counted:
        result = layer_sweep(
            X, y, unit="word", model=tiny_bert, cv=3, probe=probe(), verbose=0
        )
    n_sentences = len({s for s, _ in X})
    assert counted["rows"] == n_sentences
    assert f"Hidden states of {n_sentences} sentences" in caplog.text
    table = per_class_table(result)
    assert table["word samples"].tolist() == np.bincount(y).tolist()
    assert result.settings["unit"] == "word"
    assert result.settings["cv_groups"] == "sentence"
    assert result.settings["pooling"] == "first"
    assert "StratifiedGroupKFold" in result.settings["cv_splitter"]
    # The result's methods take word samples.
    best = result.best_pipeline
    assert result.score(X, y) == best.score(X, y)
    np.testing.assert_array_equal(result.predict(X[:5]), best.predict(X[:5]))
    states = result.hidden_states(X[:5], layers=[0, 3])
    assert states.shape == (5, 2, best.named_steps["hidden"].hidden_size_)
    # The same numbers from a hand-made grid search on the sweep's own folds.
    from sklearn.model_selection import StratifiedGroupKFold

    from sklearn_probe import sentence_groups

    groups = sentence_groups(X)
    splits = list(
        StratifiedGroupKFold(3, shuffle=True, random_state=0).split(X, y, groups)
    )
    for train, test in splits:
        assert not set(groups[train]) & set(groups[test])
    pipe = Pipeline(
        [("hidden", WordHiddenStateTransformer(tiny_bert)), ("probe", probe())]
    )
    search = GridSearchCV(pipe, {"hidden__layer": [0, 1, 2, 3]}, cv=splits)
    search.fit(X, y)
    np.testing.assert_allclose(
        result.scores["cv_score_mean"], search.cv_results_["mean_test_score"]
    )


def test_word_sweep_control_is_the_word_type_control(tiny_bert, words, one_blas_thread):
    X, y = words
    result = layer_sweep(
        X,
        y,
        unit="word",
        model=tiny_bert,
        layers=[0, 3],
        cv=3,
        probe=probe(),
        baselines=["control", "random_weights"],
        mdl=True,
        verbose=0,
    )
    for column in ("random_weights_mean", "mdl_code_length_bits", "mdl_compression"):
        assert np.isfinite(result.scores[column]).all()
    # By hand: the same search on word-type control labels.
    from sklearn.model_selection import StratifiedGroupKFold

    from sklearn_probe import sentence_groups

    control_y = WordTypeControl(random_state=0).fit_control_labels(X, y)
    splits = StratifiedGroupKFold(3, shuffle=True, random_state=0).split(
        X, y, sentence_groups(X)
    )
    pipe = Pipeline(
        [("hidden", WordHiddenStateTransformer(tiny_bert)), ("probe", probe())]
    )
    search = GridSearchCV(pipe, {"hidden__layer": [0, 3]}, cv=list(splits))
    search.fit(X, control_y)
    np.testing.assert_allclose(
        result.scores["control_mean"], search.cv_results_["mean_test_score"]
    )
    np.testing.assert_allclose(
        result.scores["selectivity"],
        result.scores["cv_score_mean"] - result.scores["control_mean"],
    )
    display = LayerScoresDisplay.from_sweep(result)
    assert "control (word-type labels)" in legend_texts(display.ax_)
    notes = _column_notes(result)
    assert "fitted on labels drawn at random once per word type" in notes
    assert "permuted inside" not in notes
    plt.close(display.figure_)


def test_word_sweep_refuses_splits_that_leak_and_what_it_cannot_do(tiny_bert, words):
    X, y = words
    with pytest.raises(ValueError, match="in both the training and the validation"):
        layer_sweep(X, y, unit="word", model=tiny_bert, cv=KFold(3), verbose=0)
    with pytest.raises(ValueError, match="repeats > 1 is not available"):
        layer_sweep(X, y, unit="word", model=tiny_bert, repeats=2, verbose=0)
    spans = [(s, i, i + 1) for s, i in X]
    with pytest.raises(ValueError, match="the samples are spans"):
        layer_sweep(
            spans, y, unit="word", model=tiny_bert, baselines="control", verbose=0
        )
    with pytest.raises(IndexError, match="Word index 9 of sample 0"):
        layer_sweep([(X[0][0], 9)] + X[1:], y, unit="word", model=tiny_bert)
    with pytest.raises(ValueError, match="'pooling' parameter of layer_sweep"):
        layer_sweep(X, y, unit="word", model=tiny_bert, pooling="cls", verbose=0)


def test_a_second_word_sweep_reads_the_disk_store(tiny_bert, words, tmp_path):
    from sklearn_probe.store import _cache

    X, y = words
    kwargs = dict(unit="word", model=tiny_bert, layers=[0, 2], cv=3, verbose=0)
    first = layer_sweep(X, y, probe=probe(), cache_dir=tmp_path, **kwargs)
    _cache.MEMORY.clear()
    _cache._STORES.clear()
    with count_forward_rows(tiny_bert) as counter:
        again = layer_sweep(X, y, probe=probe(), cache_dir=tmp_path, **kwargs)
    assert counter["rows"] == 0
    np.testing.assert_array_equal(
        again.scores["cv_score_mean"], first.scores["cv_score_mean"]
    )
    hidden = again.best_pipeline.named_steps["hidden"]
    assert (hidden.cache_dir, hidden.cache_mode) == (tmp_path, "read-only")


def test_word_sweep_mdl_codes_whole_sentences(tiny_bert, words, one_blas_thread):
    from sklearn_probe.mdl import online_code_length

    X, y = words
    result = layer_sweep(
        X, y, unit="word", model=tiny_bert, layers=[1], cv=3, probe=probe(),
        mdl=True, verbose=0, random_state=2,
    )  # fmt: skip
    pipe = Pipeline(
        [("hidden", WordHiddenStateTransformer(tiny_bert, layer=1)), ("probe", probe())]
    )
    ids = {}  # one group per distinct sentence, in order of first use
    groups = [ids.setdefault(sentence, len(ids)) for sentence, _ in X]
    expected = online_code_length(pipe, X, y, groups=groups, random_state=2)
    assert result.scores["mdl_code_length_bits"][0] == pytest.approx(
        expected.code_length_bits, rel=1e-4
    )
    assert "every block ends at the end of a sentence" in result.settings["mdl"]["data"]


@pytest.mark.parametrize(
    "backend", ["threading", pytest.param("loky", marks=pytest.mark.slow)]
)
def test_parallel_word_sweep_reads_the_store_and_matches_serial(
    tiny_bert, words, tmp_path, backend
):
    """Worker processes read every word from the disk store that the sweep
    warmed: had one run a sentence, it would have written a shard of its own."""
    from joblib import parallel_backend

    from sklearn_probe.store import _cache

    X, y = words
    kwargs = dict(unit="word", model=tiny_bert, layers=[0, 2], cv=3, verbose=0)
    serial = layer_sweep(X, y, probe=probe(), cache_dir=None, **kwargs)
    _cache.MEMORY.clear()
    with parallel_backend(backend, n_jobs=2):
        parallel = layer_sweep(
            X, y, probe=probe(), cache_dir=tmp_path, n_jobs=2, **kwargs
        )
    np.testing.assert_allclose(
        serial.scores["cv_score_mean"], parallel.scores["cv_score_mean"]
    )
    assert len(list(tmp_path.rglob("*.shard"))) == 1


def test_word_sweeps_default_to_the_word_transformers_max_length(tiny_bert):
    """The command and the API agree: a word sweep reads sentences of up to
    512 tokens (WordHiddenStateTransformer's default), texts up to 128."""
    import inspect

    from sklearn_probe import WordHiddenStateTransformer
    from sklearn_probe.sweep import unit_spec

    default = inspect.signature(WordHiddenStateTransformer).parameters["max_length"]
    step = unit_spec("word").hidden_step(
        model=tiny_bert, pooling="auto", max_length=None
    )
    assert step.max_length == default.default == 512
    step = unit_spec("text").hidden_step(
        model=tiny_bert, pooling="auto", max_length=None
    )
    assert step.max_length == 128
