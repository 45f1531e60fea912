"""RagService.open_question: every check that can fail happens before an answer starts."""

from __future__ import annotations

import pytest

from rag.errors import BusyError, IndexNotReadyError, QuestionError
from rag.service import RagService
from rag.settings import Settings
from tests.fakes import KeywordEmbedding, ScriptedLLM

QUESTION = "How many appointments does the IMSS require at Cofepris every two months?"


@pytest.fixture
def service(settings: Settings, embedder: KeywordEmbedding, llm: ScriptedLLM) -> RagService:
    return RagService(settings, embedder=embedder, llm=llm)


@pytest.mark.parametrize(
    ("question", "earlier", "message"),
    [
        ("   ", [], "the question is empty"),
        (42, [], "the question must be a string"),
        ("x" * 2001, [], "the limit is 2000"),
        ("ok?", ["\ud800"], "an earlier question is not valid Unicode text"),
    ],
)
def test_an_unusable_question_fails_without_taking_a_place(
    service: RagService, question: object, earlier: list[str], message: str
) -> None:
    service.ingest()
    with pytest.raises(QuestionError, match=message):
        service.open_question(question, earlier)
    assert service.queue.admitted == 0


def test_nothing_indexed_fails_without_taking_a_place(service: RagService) -> None:
    with pytest.raises(IndexNotReadyError, match="rag ingest"):
        service.open_question(QUESTION)
    assert service.queue.admitted == 0


def test_a_full_queue_is_refused_with_a_retry_hint(service: RagService) -> None:
    service.ingest()
    held = [service.open_question(QUESTION) for _ in range(service.queue.size + 1)]
    with pytest.raises(BusyError) as refused:
        service.open_question(QUESTION)
    assert refused.value.retry_after >= 1
    for question in held:
        question.release()
    assert service.queue.admitted == 0


def test_answering_gives_the_place_back(service: RagService, llm: ScriptedLLM) -> None:
    service.ingest()
    llm.enqueue(lambda prompt: "At least 170 appointments", lambda prompt: "NONE")
    question = service.open_question(f"  {QUESTION} ")
    assert question.question == QUESTION and service.queue.admitted == 1
    answer = question.answer()
    assert answer.answer == "At least 170 appointments" and answer.citations
    assert service.queue.admitted == 0
    question.release()  # a second release changes nothing
    assert service.queue.admitted == 0


def test_leaving_a_with_block_unanswered_gives_the_place_back(service: RagService) -> None:
    service.ingest()
    with service.open_question(QUESTION) as question:
        assert service.queue.admitted == 1 and question.earlier == []
    assert service.queue.admitted == 0
