"""The scale path: the same service against a Chroma server (`chroma run`) through HttpClient."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from rag.service import RagService
from rag.settings import Settings
from tests.fakes import KeywordEmbedding, ScriptedLLM

pytestmark = pytest.mark.slow
QUESTION = "How many appointments does the IMSS require at Cofepris every two months?"


def _answer_with_the_sentence_holding_170(prompt: str) -> str:
    """170 when the passage shown holds it, else no answer (the next passage is read)."""
    return "170 appointments" if "170" in re.search(r"Sentence: (.*)", prompt).group(1) else "NONE"  # type: ignore[union-attr]


def test_ingests_and_answers_through_a_chroma_server(chroma_port: int, tmp_path: Path, corpus: Path) -> None:
    settings = Settings(
        data_dir=tmp_path / "data", corpus_dir=corpus, store={"host": "127.0.0.1", "port": chroma_port}
    )
    llm = ScriptedLLM([_answer_with_the_sentence_holding_170] * 2)
    service = RagService(settings, embedder=KeywordEmbedding(), llm=llm)

    report = service.ingest()
    answer = service.ask(QUESTION)

    assert len(report.added) == 5 and report.chunks_total == service.index.count() > 5
    assert not (settings.data_dir / "chroma").exists()  # nothing went to an embedded store
    assert not answer.refused and "170" in answer.answer
    for citation in answer.citations:
        assert (corpus / citation.source).read_text()[citation.start : citation.end] == citation.quote
    # A second service on the same server sees the index: re-ingest skips every file.
    again = RagService(settings, embedder=KeywordEmbedding(), llm=ScriptedLLM()).ingest()
    assert len(again.unchanged) == 5 and again.chunks_written == 0
