import json
from pathlib import Path

import pytest

from eval.scoring.squad import cross_lingual, load_squad, write_corpus


def _write(path: Path, context: str, question: str, answer: str) -> Path:
    data = {"data": [{"title": "T", "paragraphs": [{"context": context, "qas": [
        {"id": "q1", "question": question, "answers": [{"text": answer, "answer_start": 0}, {"text": answer, "answer_start": 0}]}
    ]}]}]}  # fmt: skip
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


@pytest.fixture
def files(tmp_path: Path) -> list[Path]:
    return [
        _write(
            tmp_path / "xquad.en.json",
            "Paris is the capital (of France).",
            "What is the capital?",
            "Paris (city)",
        ),
        _write(
            tmp_path / "xquad.es.json", "París es la capital de Francia.", "¿Cuál es la capital?", "París"
        ),
    ]


def test_paragraphs_become_files_and_questions_point_at_them(files: list[Path], tmp_path: Path) -> None:
    squad = load_squad(files)
    assert squad.paragraphs["en"] == {"en_000_00.txt": "Paris is the capital (of France)."}
    [item] = squad.items["en"]
    assert item.sources == ("en_000_00.txt",) and item.lang == "en" and item.answerable
    assert item.accept == (r"Paris\ \(city\)",)  # regex-escaped, duplicates removed
    folder = write_corpus(squad, ["es"], tmp_path / "corpus")
    assert (folder / "es_000_00.txt").read_text(encoding="utf-8") == "París es la capital de Francia."


def test_cross_lingual_questions_point_at_the_parallel_paragraph(files: list[Path]) -> None:
    [item] = cross_lingual(load_squad(files), "es", "en")
    assert item.sources == ("en_000_00.txt",) and item.lang == "es" and item.id == "es-q1>en"


def test_a_file_without_a_language_code_is_rejected(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="language code"):
        load_squad([_write(tmp_path / "squad.json", "c", "q", "a")])
