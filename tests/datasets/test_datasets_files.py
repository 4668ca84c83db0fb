"""load_text_file's encoding: a Latin-1 file is read with encoding=, and the
error for an undecodable file names the encoding tried and the way out."""

import pandas as pd
import pytest

from sklearn_probe.datasets import load_text_file

TEXTS = ["Un café crème, très réussi.", "Déçu: trop long.", "Naïve et drôle."]


@pytest.fixture
def latin1_csv(tmp_path):
    path = tmp_path / "avis.csv"
    frame = pd.DataFrame({"text": TEXTS, "label": [1, 0, 1]})
    path.write_bytes(frame.to_csv(index=False).encode("latin-1"))
    return path


def test_a_latin1_csv_reads_with_its_encoding(latin1_csv):
    frame = load_text_file(latin1_csv, encoding="latin-1")
    assert frame["text"].tolist() == TEXTS
    assert frame["label"].tolist() == [1, 0, 1]


@pytest.mark.parametrize("suffix", [".tsv", ".jsonl"])
def test_tsv_and_json_lines_take_the_encoding_too(tmp_path, suffix):
    frame = pd.DataFrame({"text": TEXTS, "label": [1, 0, 1]})
    path = tmp_path / f"avis{suffix}"
    if suffix == ".tsv":
        text = frame.to_csv(index=False, sep="\t")
    else:
        text = frame.to_json(orient="records", lines=True, force_ascii=False)
    path.write_bytes(text.encode("cp1252"))
    assert load_text_file(path, encoding="cp1252")["text"].tolist() == TEXTS


def test_an_undecodable_file_names_the_encoding_and_the_parameter(latin1_csv):
    with pytest.raises(ValueError) as exc:
        load_text_file(latin1_csv)
    message = str(exc.value)
    assert "is not utf-8 text" in message
    assert "byte 0xe9" in message  # the é of café
    assert "encoding='latin-1'" in message


def test_an_unknown_encoding_is_named(latin1_csv):
    with pytest.raises(ValueError, match="Unknown text encoding 'latin-9000'"):
        load_text_file(latin1_csv, encoding="latin-9000")
