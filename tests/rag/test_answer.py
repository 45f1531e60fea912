import re

import pytest

from rag.errors import CancelledError, QuestionError
from rag.prompts import refusal
from rag.service import RagService
from rag.settings import Settings
from tests.fakes import KeywordEmbedding, ScriptedLLM

QUESTION = "How many appointments does the IMSS require at Cofepris every two months?"


@pytest.fixture
def service(settings: Settings, embedder: KeywordEmbedding, llm: ScriptedLLM) -> RagService:
    service = RagService(settings, embedder=embedder, llm=llm)
    service.ingest()
    return service


def _number_of(sentence_part: str, prompt: str) -> int:
    """The number the prompt gave to the sentence containing `sentence_part`."""
    match = re.search(r"\[(\d+)\] [^\n]*" + re.escape(sentence_part), prompt)
    assert match, f"no numbered sentence with {sentence_part!r} in:\n{prompt}"
    return int(match.group(1))


def test_a_cited_answer_comes_back_with_a_verified_quote(service: RagService, llm: ScriptedLLM) -> None:
    llm.enqueue(lambda prompt: f"At least 170 appointments [{_number_of('170 appointments', prompt)}].")
    answer = service.ask(QUESTION)
    assert not answer.refused
    assert answer.answer == "At least 170 appointments."
    assert answer.language == "en"
    [citation] = answer.citations
    text = (service.settings.corpus_dir / citation.source).read_text()
    assert citation.source == "000_3aed9b3397ca7b37.txt"
    assert text[citation.start : citation.end] == citation.quote
    assert "170 appointments every two months" in citation.quote
    assert "Question: " + QUESTION in llm.history[0]


def test_a_number_the_sources_do_not_contain_is_refused(service: RagService, llm: ScriptedLLM) -> None:
    llm.enqueue("At least 270 appointments [1].")
    answer = service.ask(QUESTION)
    assert answer.refused and answer.citations == []
    assert answer.answer == refusal("en")


def test_none_twice_is_a_refusal_in_the_question_language(service: RagService, llm: ScriptedLLM) -> None:
    llm.enqueue("NONE", "NONE")
    answer = service.ask("¿Cuántas citas requiere el IMSS en Cofepris cada bimestre?")
    assert answer.refused and answer.language == "es"
    assert answer.answer == refusal("es")
    assert len(llm.history) == 2  # the strong best sentence was asked about alone


def test_an_overruled_none_must_be_grounded_in_the_best_sentence(
    service: RagService, llm: ScriptedLLM
) -> None:
    question = "¿Cuántas citas requiere el IMSS en Cofepris cada bimestre?"
    llm.enqueue("NONE", "Al menos 250 citas.")
    assert service.ask(question).refused  # 250 is not in the sentence
    llm.enqueue("NONE", "Según Juan Pérez, 170 citas.")
    assert service.ask(question).refused  # a name the sentence does not contain
    llm.enqueue("NONE", "Al menos 170 citas.")
    answer = service.ask(question)
    assert not answer.refused and answer.answer == "Al menos 170 citas."
    assert "170 citas cada bimestre" in answer.citations[0].quote


def test_a_bare_sentence_number_is_followed_up_on_that_sentence(
    service: RagService, llm: ScriptedLLM
) -> None:
    llm.enqueue(lambda prompt: f"[{_number_of('170 citas', prompt)}]", "Al menos 170 citas.")
    answer = service.ask("¿Cuántas citas requiere el IMSS en Cofepris cada bimestre?")
    assert answer.answer == "Al menos 170 citas."
    assert answer.citations[0].source == "001_1f89d300ecf0cc92.txt"
    assert "Sentence: " in llm.history[1] and "170 citas cada bimestre" in llm.history[1]


def test_an_off_topic_question_is_refused_without_calling_the_model(
    service: RagService, llm: ScriptedLLM
) -> None:
    answer = service.ask("Quantum chromodynamics lattice gluons?")
    assert answer.refused
    assert llm.history == []
    assert answer.timings_ms.generate == 0


@pytest.mark.parametrize(
    ("question", "message"), [("", "empty"), ("   \n", "empty"), ("x" * 2001, "limit is 2000")]
)
def test_unusable_questions_are_rejected(service: RagService, question: str, message: str) -> None:
    with pytest.raises(QuestionError, match=message):
        service.ask(question)


def test_the_runner_up_sentence_is_tried_when_the_best_one_gives_nothing_grounded(
    settings: Settings, embedder: KeywordEmbedding, llm: ScriptedLLM
) -> None:
    settings.answer.retry_evidence_score = 0.0  # make both of the top two sentences "strong"
    service = RagService(settings, embedder=embedder, llm=llm)
    service.ingest()

    def echo_sentence(prompt: str) -> str:
        return re.search(r"Sentence: (.*)", prompt).group(1)  # type: ignore[union-attr]

    llm.enqueue("NONE", "Nobody Special.", echo_sentence)
    answer = service.ask(QUESTION)
    assert len(llm.history) == 3
    second = re.search(r"Sentence: (.*)", llm.history[2]).group(1)  # type: ignore[union-attr]
    assert not answer.refused and answer.answer == second
    assert answer.citations[0].quote == second


def test_the_draft_is_streamed_token_by_token_with_its_attempt_number(
    service: RagService, llm: ScriptedLLM
) -> None:
    llm.enqueue(lambda prompt: f"At least 170 appointments [{_number_of('170 appointments', prompt)}].")
    tokens: list[tuple[int, str]] = []
    answer = service.ask(QUESTION, on_token=lambda attempt, text: tokens.append((attempt, text)))
    assert {attempt for attempt, _ in tokens} == {1}
    draft = "".join(text for _, text in tokens)
    assert draft.startswith("At least 170 appointments [")
    assert answer.answer == "At least 170 appointments."  # the marker is removed from the final answer


def test_a_cancelled_request_stops_pulling_tokens(service: RagService, llm: ScriptedLLM) -> None:
    llm.enqueue("one two three four five six seven eight [1].")
    ticket = service.admit()
    seen: list[str] = []

    def cancel_after_two(_: int, text: str) -> None:
        seen.append(text)
        if len(seen) == 2:
            ticket.cancel()

    with ticket, pytest.raises(CancelledError):
        service.ask(QUESTION, ticket=ticket, on_token=cancel_after_two)
    assert seen == ["one", " two"]
    assert service.queue.admitted == 0


def test_a_follow_up_is_asked_with_the_earlier_question(service: RagService, llm: ScriptedLLM) -> None:
    llm.enqueue(lambda prompt: f"170 [{_number_of('170 appointments', prompt)}].")
    answer = service.ask("and every two months?", earlier=["How many appointments does the IMSS require?"])
    assert not answer.refused and answer.citations
    assert "earlier question: How many appointments does the IMSS require?" in llm.history[0]
