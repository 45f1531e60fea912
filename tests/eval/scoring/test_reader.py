"""`rag eval --reader`: the model handed the sentence that answers (scripted model, fake embedder)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from eval.scoring.dataset import load_qa
from eval.scoring.reader import ReaderRow, answering_sentence, read_items, reader_table
from eval.scoring.runner import source_languages
from rag.service import RagService
from rag.settings import Settings
from tests.fakes import KeywordEmbedding, ScriptedLLM

ROOT = Path(__file__).resolve().parents[3]
QA = {i.id: i for i in load_qa(ROOT / "eval/qa.jsonl")}


def test_the_answering_sentence_is_the_first_one_an_accept_pattern_matches(corpus: Path) -> None:
    texts = {p.name: p.read_text() for p in corpus.iterdir()}
    languages = {"000_3aed9b3397ca7b37.txt": "en"}
    sentence = answering_sentence(QA["en-01"], texts, languages)
    assert sentence is not None and "at least 170 appointments every two months" in sentence
    assert sentence.endswith("months.") and sentence in texts["000_3aed9b3397ca7b37.txt"]
    assert (
        answering_sentence(replace(QA["en-01"], accept=("never written anywhere",)), texts, languages) is None
    )
    assert answering_sentence(replace(QA["en-01"], sources=("missing.txt",)), texts, languages) is None


def test_each_answerable_one_part_question_is_read_from_its_sentence(settings: Settings) -> None:
    items = [QA[i] for i in ("en-01", "es-01", "un-01", "multi-01")]
    llm = ScriptedLLM(["170", "NONE"])
    service = RagService(settings, embedder=KeywordEmbedding(), llm=llm)
    service.ingest()
    rows = {r["id"]: r for r in read_items(items, service, source_languages(service), progress=False)}
    assert set(rows) == {"en-01", "es-01"}  # nothing to read for unanswerable or two-part questions
    assert len(llm.history) == 2
    assert rows["en-01"]["right"] and rows["en-01"]["p_none"] == 0.0
    assert rows["en-01"]["sentence"] is not None and rows["en-01"]["sentence"] in llm.history[0]
    assert not rows["es-01"]["right"] and rows["es-01"]["p_none"] == 1.0
    assert "170 citas" in (rows["es-01"]["sentence"] or "")


def _row(p_none: float | None, right: bool, *names: str) -> ReaderRow:
    return ReaderRow(
        id="q",
        question="q",
        slices=["all", *names],
        sentence=None if p_none is None else "s",
        answer="",
        p_none=p_none,
        right=right,
    )


def test_the_table_splits_right_answers_by_how_sure_the_model_was() -> None:
    rows = [
        _row(0.1, True, "lang:en"),
        _row(0.5, True, "lang:es", "crosslingual"),
        _row(0.95, True, "lang:es"),
        _row(0.2, False, "lang:en"),
        _row(None, False, "lang:es"),
    ]
    lines = reader_table(rows, 0.4).splitlines()
    assert lines[0] == (
        "| slice | questions | no sentence | right | right, p(no answer) < 0.4 | right, 0.4 ≤ p < 0.9 |"
    )
    assert lines[2] == "| all | 4 | 1 | 3 (75.0%) | 1 (25.0%) | 1 (25.0%) |"
    assert lines[3] == "| lang:en | 2 | 0 | 1 (50.0%) | 1 (50.0%) | 0 (0.0%) |"
    assert lines[4] == "| lang:es | 2 | 1 | 2 (100.0%) | 0 (0.0%) | 1 (50.0%) |"
    assert lines[5] == "| crosslingual | 1 | 0 | 1 (100.0%) | 0 (0.0%) | 1 (100.0%) |"
    assert len(lines) == 6
