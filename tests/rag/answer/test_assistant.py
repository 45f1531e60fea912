import re
from pathlib import Path

import pytest

from rag.answer import prompts
from rag.answer.assistant import NOTE_CODES
from rag.answer.prompts import refusal
from rag.answer.reader import ChatReader, Reader, Reading
from rag.errors import CancelledError, QuestionError
from rag.service import RagService
from rag.settings import Settings
from tests.fakes import KeywordEmbedding, ScriptedLLM

QUESTION = "How many appointments does the IMSS require at Cofepris every two months?"


@pytest.fixture
def service(settings: Settings, embedder: KeywordEmbedding, llm: ScriptedLLM) -> RagService:
    service = RagService(settings, embedder=embedder, llm=llm)
    service.ingest()
    return service


@pytest.fixture
def spanish_service(
    settings: Settings, embedder: KeywordEmbedding, llm: ScriptedLLM, corpus: Path
) -> RagService:
    """A service over the Spanish version of the Cofepris story only: answers are copied from Spanish."""
    for path in corpus.iterdir():
        if path.name != "001_1f89d300ecf0cc92.txt":
            path.unlink()
    service = RagService(settings, embedder=embedder, llm=llm)
    service.ingest()
    return service


def _sentence(prompt: str) -> str:
    """The passage a reading prompt shows the model."""
    match = re.search(r"Sentence: (.*)", prompt)
    assert match, f"not a reading prompt:\n{prompt}"
    return match.group(1)


def _answer_from(part: str, reply: str):  # type: ignore[no-untyped-def]
    """A scripted reply: `reply` when the passage shown holds `part`, else NONE."""
    return lambda prompt: reply if part in _sentence(prompt) else "NONE"


def _reader_then_translator(copied: str, translated: str):  # type: ignore[no-untyped-def]
    """Copies `copied` from a passage holding its number, and translates it as `translated`."""

    def reply(prompt: str) -> str:
        if "Translate this question" in prompt:  # asked to judge what "170" counts
            return "¿Cuántas citas requiere el IMSS en Cofepris cada bimestre?"
        return translated if "Translate into" in prompt else _answer_from("170", copied)(prompt)

    return reply


def test_an_answer_comes_back_with_the_sentence_that_holds_it(service: RagService, llm: ScriptedLLM) -> None:
    llm.enqueue(
        _answer_from("170", "At least 170 appointments"), _answer_from("170", "At least 170 appointments")
    )
    answer = service.ask(QUESTION)
    assert not answer.refused
    assert answer.answer == "At least 170 appointments"
    assert answer.language == "en"
    [citation] = answer.citations
    text = (service.settings.corpus_dir / citation.source).read_text()
    assert citation.source == "000_3aed9b3397ca7b37.txt"
    assert text[citation.start : citation.end] == citation.quote
    assert "170 appointments every two months" in citation.quote
    assert "Question: " + QUESTION in llm.history[0]
    assert "Answer with a number." in llm.history[0]


def test_a_number_the_sources_do_not_contain_is_refused(service: RagService, llm: ScriptedLLM) -> None:
    llm.enqueue("At least 270 appointments", "At least 270 appointments")
    answer = service.ask(QUESTION)
    assert answer.refused and answer.citations == []
    assert answer.answer == refusal("en")
    assert answer.usage is not None and answer.usage.llm_calls == 2  # both passages were read


def test_none_on_every_passage_is_a_refusal_in_the_question_language(
    service: RagService, llm: ScriptedLLM
) -> None:
    llm.enqueue("NONE", "NONE")
    answer = service.ask("¿Cuántas citas requiere el IMSS en Cofepris cada bimestre?")
    assert answer.refused and answer.language == "es"
    assert answer.answer == refusal("es")
    assert len(llm.history) == 2
    assert _sentence(llm.history[0]) != _sentence(llm.history[1])  # one passage per reading


def test_the_next_passage_is_read_when_the_first_gives_no_answer(
    service: RagService, llm: ScriptedLLM
) -> None:
    llm.enqueue("NONE", lambda prompt: _sentence(prompt).split(",")[0])
    answer = service.ask(QUESTION)
    assert not answer.refused
    assert answer.citations[0].quote == _sentence(llm.history[1])
    assert answer.usage is not None and answer.usage.llm_calls == 2


@pytest.mark.parametrize(
    ("question", "refused"),
    [
        ("On what date will the IMSS windows of Cofepris start operating?", True),
        ("On what date was the article about the IMSS windows of Cofepris published?", False),
    ],
)
def test_the_article_date_answers_only_a_question_about_the_article(
    service: RagService, llm: ScriptedLLM, question: str, refused: bool
) -> None:
    dated = _answer_from("2021-12-23", "2021-12-23")  # the dateline of the English article's lead
    llm.enqueue(dated, dated, dated, dated)
    answer = service.ask(question)
    assert any("2021-12-23" in _sentence(prompt) for prompt in llm.history)
    assert answer.refused is refused


@pytest.mark.parametrize(("ordinal", "refused"), [("Cuarta", False), ("Tercera", True)])
def test_an_event_numbered_otherwise_than_in_the_articles_is_not_answered(
    service: RagService, llm: ScriptedLLM, ordinal: str, refused: bool
) -> None:
    agreements = _answer_from("837", "837")
    llm.enqueue(*[agreements] * 4)
    answer = service.ask(f"¿Cuántos acuerdos se suscribieron en la {ordinal} Reunión Regional Centro?")
    assert any("837" in _sentence(prompt) for prompt in llm.history)
    assert answer.refused is refused


def test_an_answer_of_the_wrong_kind_is_not_accepted(service: RagService, llm: ScriptedLLM) -> None:
    llm.enqueue("Cofepris", "Cofepris")  # a "how many" question answered with a name
    assert service.ask(QUESTION).refused


def test_an_answer_that_only_repeats_the_question_is_no_answer(service: RagService, llm: ScriptedLLM) -> None:
    question = "Which platform of Cofepris lets users modify their notices?"
    llm.enqueue("The platform of Cofepris", "Cofepris platform")
    answer = service.ask(question)
    assert answer.refused
    assert answer.usage is not None and answer.usage.llm_calls == 2  # the second passage was read too


def test_after_an_answer_that_repeats_the_question_the_next_passage_may_answer(
    service: RagService, llm: ScriptedLLM
) -> None:
    llm.enqueue("The platform of Cofepris", lambda prompt: _sentence(prompt).split(",")[0])
    answer = service.ask("Which platform of Cofepris lets users modify their notices?")
    assert not answer.refused
    assert answer.citations[0].quote == _sentence(llm.history[1])


def test_copied_words_in_the_other_language_are_translated(
    spanish_service: RagService, llm: ScriptedLLM
) -> None:
    llm.enqueue(*[_reader_then_translator("al menos 170 citas", "at least 170 appointments")] * 3)
    answer = spanish_service.ask(QUESTION)
    assert not answer.refused and answer.language == "en"
    assert answer.answer == "at least 170 appointments"
    assert "Translate into English: al menos 170 citas" in llm.history[-1]
    assert "170 citas cada bimestre" in answer.citations[0].quote  # the Spanish sentence, verbatim


def test_a_translation_that_changes_a_number_is_not_used(
    spanish_service: RagService, llm: ScriptedLLM
) -> None:
    llm.enqueue(*[_reader_then_translator("al menos 170 citas", "at least 270 appointments")] * 3)
    assert spanish_service.ask(QUESTION).answer == "al menos 170 citas"


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


def test_the_draft_is_streamed_token_by_token_with_its_attempt_number(
    service: RagService, llm: ScriptedLLM
) -> None:
    llm.enqueue("NONE", lambda prompt: _sentence(prompt).split(",")[0])
    tokens: list[tuple[int, str]] = []
    answer = service.ask(QUESTION, on_token=lambda attempt, text: tokens.append((attempt, text)))
    assert [text for attempt, text in tokens if attempt == 1] == ["NONE"]
    second = "".join(text for attempt, text in tokens if attempt == 2)
    assert second == answer.answer  # the second reading replaces the first draft


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
    llm.enqueue(_answer_from("170", "170"), _answer_from("170", "170"))
    answer = service.ask("and every two months?", earlier=["How many appointments does the IMSS require?"])
    assert not answer.refused and answer.citations
    assert "earlier question: How many appointments does the IMSS require?" in llm.history[0]


def test_an_answer_from_articles_that_never_name_the_institution_asked_about_is_refused(
    service: RagService, llm: ScriptedLLM
) -> None:
    llm.enqueue(*[_answer_from("170", "170")] * 4)
    assert not service.ask(QUESTION).refused  # the IMSS, which the article names
    answer = service.ask("How many appointments does the ISSSTE require at Cofepris every two months?")
    assert answer.refused and answer.citations == []


def test_an_answer_from_a_sentence_that_never_names_what_the_question_does_is_not_taken(
    service: RagService, llm: ScriptedLLM
) -> None:
    llm.enqueue(*[_answer_from("Sergio Salomón", "Sergio Salomón Céspedes")] * 3)
    assert not service.ask("¿Quién es el gobernador de Puebla?").refused
    # The article names the governor of Puebla; Hidalgo only in a list of offices.
    answer = service.ask("¿Quién es el gobernador de Hidalgo?")
    assert answer.refused and answer.citations == []


def test_one_word_of_a_name_is_enough_for_a_sentence_to_name_it(
    service: RagService, llm: ScriptedLLM
) -> None:
    # "... se conectaron a esta reunión ... se suscribieron 837 acuerdos": "the Fourth Central
    # Regional Meeting" is named only as "this meeting", which is enough.
    service.settings.answer.attempts = service.settings.answer.passages  # the fake ranks it third
    llm.enqueue(*[_answer_from("837", "837")] * service.settings.answer.passages)
    answer = service.ask("¿Cuántos acuerdos se suscribieron en la Cuarta Reunión Regional Centro?")
    assert not answer.refused
    assert "837 acuerdos" in answer.citations[0].quote and "Cuarta" not in answer.citations[0].quote


def test_passages_that_cannot_hold_the_kind_of_answer_asked_for_are_not_read(
    service: RagService, llm: ScriptedLLM
) -> None:
    # The fake ranks sentences without a number before "... se emplearon 130 horas" (a count of
    # hours earns no bonus for giving the count: rag.answer.counts.gives_the_count).
    question = "¿Cuántas horas se emplearon en la Cuarta Reunión Regional Centro?"
    assert not any(c.isdigit() for c in service.assistant().evidence(question)[0].text)
    llm.enqueue(_answer_from("130", "130"))
    answer = service.ask(question)
    assert not answer.refused and answer.answer == "130"
    assert len(llm.history) == 1  # the first passage read is the one with numbers
    assert answer.usage is not None and answer.usage.llm_calls == 1


def test_a_name_given_just_before_the_sentence_is_named_for_it(service: RagService, llm: ScriptedLLM) -> None:
    # "He highlighted that, since July 2021, ...": who "he" is was said in the sentence before.
    service.settings.answer.attempts = service.settings.answer.passages
    llm.enqueue(*[_answer_from("July 2021", "July 2021")] * service.settings.answer.passages)
    answer = service.ask("Since when has the team Célida Duque Molina spoke of been working?")
    assert not answer.refused
    assert "Duque" not in answer.citations[0].quote


def test_the_name_asked_about_must_be_in_the_answer_part_of_a_listing(
    service: RagService, llm: ScriptedLLM
) -> None:
    llm.enqueue(*[_answer_from("González Guzmán", "Rodolfo Gerardo González Guzmán")] * 3)
    assert not service.ask("Who is the secretary general of the CROM?").refused
    # The CTM is named in the same sentence, for another councillor.
    assert service.ask("Who is the secretary general of the CTM?").refused


def test_the_model_reads_only_the_item_of_a_listing_the_question_is_about(
    service: RagService, llm: ScriptedLLM
) -> None:
    llm.enqueue(*[_answer_from("Orci Magaña", "Salim Arturo Orci Magaña")] * 2)
    answer = service.ask("Who is the head of the Internal Control Body at the IMSS?")
    assert answer.answer == "Salim Arturo Orci Magaña"
    shown = _sentence(llm.history[0])
    assert shown.startswith("Through videoconference participated: Salim Arturo Orci Magaña")
    assert "Selene" not in shown and "Tovar" not in shown
    # The citation is still the whole sentence, as the article gives it.
    assert "Selene Cruz Alcalá" in answer.citations[0].quote


def test_with_list_items_off_the_model_reads_the_whole_listing(service: RagService, llm: ScriptedLLM) -> None:
    service.settings.answer.list_items = False
    llm.enqueue(*[_answer_from("Orci Magaña", "Salim Arturo Orci Magaña")] * 2)
    service.ask("Who is the head of the Internal Control Body at the IMSS?")
    assert "Selene Cruz Alcalá" in _sentence(llm.history[0])


def test_names_are_not_required_of_sentences_in_another_language(
    service: RagService, llm: ScriptedLLM
) -> None:
    # The Spanish article says "Hacienda", not "Finance Ministry": that is no reason to refuse.
    llm.enqueue(*[_answer_from("Raquel Buenrostro", "Raquel Buenrostro")] * 2)
    answer = service.ask("Who is the Finance Ministry's Oficial Mayor?")
    assert not answer.refused
    assert "Finance" not in answer.citations[0].quote


def test_a_number_that_counts_something_else_is_not_taken(service: RagService, llm: ScriptedLLM) -> None:
    # "almost two years after the COVID-19 pandemic ... a bed for each patient": no count of patients.
    llm.enqueue(*[_answer_from("two years", "2")] * 6)
    assert not service.ask(
        "How many years after the COVID-19 pandemic did Célida Duque Molina speak?"
    ).refused
    answer = service.ask("How many patients required hospitalization during the COVID-19 pandemic?")
    assert answer.refused and answer.citations == []


def test_a_count_copied_from_another_language_is_judged_with_the_translated_question(
    spanish_service: RagService, llm: ScriptedLLM
) -> None:

    def script(translation: str):  # type: ignore[no-untyped-def]
        def reply(prompt: str) -> str:
            if "Does the number" in prompt:
                return "NONE"  # the model judges "170 citas" no count of what was asked
            return translation if "Translate this question" in prompt else _answer_from("170", "170")(prompt)

        return reply

    # "al menos 170 citas cada bimestre": appointments, not offices.
    llm.enqueue(*[script("¿Cuántas oficinas requiere el IMSS en Cofepris cada bimestre?")] * 4)
    answer = spanish_service.ask("How many offices does the IMSS require at Cofepris every two months?")
    assert answer.refused
    assert any("170 citas" in p and "Sentence:" in p for p in llm.history)  # it was read, and not taken
    assert sum("Translate this question" in p for p in llm.history) == 1  # asked once, then remembered
    llm.history.clear()
    llm.enqueue(*[script("¿Cuántas citas requiere el IMSS en Cofepris cada bimestre?")] * 4)
    answer = spanish_service.ask(QUESTION)
    assert not answer.refused and answer.answer == "170"


VISITS = "How many visits does the IMSS require at Cofepris every two months?"


def _judging_visits(judgement: str):  # type: ignore[no-untyped-def]
    """Copies "170" from the Spanish passage, translates VISITS as asking for "visitas", and answers
    the question whether "170 citas" counts visits with `judgement`."""

    def reply(prompt: str) -> str:
        if "Does the number" in prompt:
            return judgement
        if "Translate this question" in prompt:
            return "¿Cuántas visitas requiere el IMSS en Cofepris cada bimestre?"
        return _answer_from("170", "170")(prompt)

    return reply


@pytest.mark.parametrize(("judgement", "answered"), [("yes", True), ("NONE", False)])
def test_a_count_named_with_other_words_is_taken_when_the_model_judges_it_the_same_thing(
    spanish_service: RagService, llm: ScriptedLLM, judgement: str, answered: bool
) -> None:
    # "170 citas": "citas" is not the translated question's "visitas", so only the model can say.
    llm.enqueue(*[_judging_visits(judgement)] * 8)
    answer, trace = spanish_service.ask_traced(VISITS)
    assert answer.refused is not answered
    judged = [p for p in llm.history if "Does the number" in p]
    assert judged and "170 citas cada bimestre" in judged[0] and "how many visitas" in judged[0]
    assert answer.usage.llm_calls == len(llm.history)  # the judgement counts as model work
    if answered:
        assert answer.answer == "170" and "170 citas" in answer.citations[0].quote
    else:
        assert trace.notes[0].startswith("counts-else:")


def test_with_the_count_judgement_off_a_count_named_otherwise_is_refused_without_asking(
    spanish_service: RagService, llm: ScriptedLLM
) -> None:
    spanish_service.settings.answer.count_judge_threshold = 0.0
    llm.enqueue(*[_judging_visits("yes")] * 8)
    answer = spanish_service.ask(VISITS)
    assert answer.refused
    assert not any("Does the number" in p for p in llm.history)


def test_a_traced_answer_names_what_it_was_built_from(service: RagService, llm: ScriptedLLM) -> None:
    llm.enqueue(_answer_from("170", "170"), _answer_from("170", "170"))
    answer, trace = service.ask_traced(QUESTION)
    assert trace.evidence == [p.text for p in service.assistant().evidence(QUESTION)]
    assert answer.citations and answer.citations[0].source in trace.retrieved
    assert any(answer.citations[0].quote in passage for passage in trace.evidence)


@pytest.mark.parametrize(
    ("question", "replies", "codes"),
    [
        (QUESTION, [_answer_from("170", "170")] * 2, []),
        (QUESTION, ["NONE", "NONE"], ["no-answer", "no-answer"]),
        (QUESTION, ["At least 270 appointments"] * 2, ["not-grounded", "not-grounded"]),
        (QUESTION, ["Cofepris"] * 2, ["wrong-kind", "wrong-kind"]),
        ("Quantum chromodynamics lattice gluons?", [], ["weak-evidence"]),
        (
            "How many appointments does the ISSSTE require at Cofepris every two months?",
            [_answer_from("170", "170")] * 2,
            ["unknown-acronym", "no-answer"],  # the second passage does not hold 170
        ),
        (
            "¿Quién es el gobernador de Hidalgo?",
            [_answer_from("Sergio Salomón", "Sergio Salomón Céspedes")] * 3,
            ["unnamed", "unnamed"],  # the governor is named in two passages
        ),
        (
            "How many patients required hospitalization during the COVID-19 pandemic?",
            [_answer_from("two years", "2")] * 3,
            ["counts-else", "no-answer"],
        ),
    ],
)
def test_the_trace_says_why_each_passage_gave_no_answer(
    service: RagService, llm: ScriptedLLM, question: str, replies: list[object], codes: list[str]
) -> None:
    llm.enqueue(*replies)
    answer, trace = service.ask_traced(question)
    assert answer.refused == bool(codes)
    noted = [note.split(":")[0] for note in trace.notes]
    assert set(noted) <= set(NOTE_CODES)
    assert noted == codes


def _answering(*rules: tuple[str, str, str]):  # type: ignore[no-untyped-def]
    """A scripted reply: for the first (question, part, reply) whose question the prompt asks of a
    passage holding `part`, `reply`; NONE otherwise."""

    def reply(prompt: str) -> str:
        sentence = _sentence(prompt)
        for question, part, text in rules:
            if f"Question: {question}" in prompt and part in sentence:
                return text
        return "NONE"

    return reply


# Answers each part of COMPOUND from the sentence that holds it.
_by_question = _answering(
    ("How many appointments", "170", "170"),
    ("Who is the IMSS director of Medical Benefits", "Duque", "Célida Duque Molina"),
)


COMPOUND = "How many appointments does the IMSS require at Cofepris, and who is the IMSS director of Medical Benefits?"


def test_a_question_that_asks_two_things_gets_both_answers_with_both_citations(
    service: RagService, llm: ScriptedLLM
) -> None:
    llm.enqueue(*[_by_question] * 4)
    answer = service.ask(COMPOUND)
    assert not answer.refused
    assert answer.answer == "170; Célida Duque Molina"
    quotes = [c.quote for c in answer.citations]
    assert any("170 appointments" in q for q in quotes) and any("Duque Molina" in q for q in quotes)
    assert answer.usage is not None and answer.usage.llm_calls == len(llm.history)
    assert "Question: How many appointments does the IMSS require at Cofepris?" in llm.history[0]


def test_a_part_the_articles_do_not_answer_is_said_so_in_its_place(
    service: RagService, llm: ScriptedLLM
) -> None:
    llm.enqueue(*[lambda prompt: "170" if "170" in _sentence(prompt) else "NONE"] * 4)
    answer = service.ask(COMPOUND)
    assert not answer.refused
    assert answer.answer == "170; " + refusal("en")
    assert all("Duque" not in c.quote for c in answer.citations)


def test_a_refused_part_first_is_said_so_before_the_answered_one(
    service: RagService, llm: ScriptedLLM
) -> None:
    llm.enqueue(*[lambda prompt: "Célida Duque Molina" if "Duque" in _sentence(prompt) else "NONE"] * 6)
    answer = service.ask(COMPOUND)
    assert answer.answer == refusal("en").removesuffix(".") + "; Célida Duque Molina"


def test_a_question_about_two_people_is_answered_for_each(service: RagService, llm: ScriptedLLM) -> None:
    reply = _answering(
        ("Who is the head of Cofepris?", "Svarch", "Alejandro Svarch Pérez."),
        ("Who is the IMSS director of Medical Benefits?", "Duque", "Célida Duque Molina."),
    )
    llm.enqueue(*[reply] * 4)
    answer = service.ask("Who are the head of Cofepris and the IMSS director of Medical Benefits?")
    assert answer.answer == "Alejandro Svarch Pérez; Célida Duque Molina."
    quotes = [c.quote for c in answer.citations]
    assert any("Svarch" in q for q in quotes) and any("Duque Molina" in q for q in quotes)


def test_the_parts_stream_attempts_numbered_on_from_each_other_without_the_translations(
    settings: Settings, embedder: KeywordEmbedding, llm: ScriptedLLM
) -> None:
    first_readings: set[str] = set()

    def reply(prompt: str) -> str:
        if "Translate this question" in prompt:
            return "¿Pregunta?"
        question = prompt.split("Question: ")[1].split("\n")[0]
        if question not in first_readings:  # each part's first passage says nothing: it is translated
            first_readings.add(question)
            return "NONE"
        return _by_question(prompt)

    llm.enqueue(*[reply] * 8)
    tokens: list[tuple[int, str]] = []
    answer = _translating(settings, embedder, llm).ask(
        COMPOUND, on_token=lambda attempt, text: tokens.append((attempt, text))
    )
    readings = [p for p in llm.history if "Translate this question" not in p]
    assert len(llm.history) - len(readings) == 2  # each part's question was translated once
    assert sorted({attempt for attempt, _ in tokens}) == list(range(1, len(readings) + 1))
    assert answer.usage is not None and answer.usage.llm_calls == len(llm.history)


class _Recording:
    """Passes readings through and records each prompt's last message with the text to keep."""

    def __init__(self, inner: Reader) -> None:
        self.inner = inner
        self.calls: list[tuple[str, str | None]] = []

    def read(self, messages, on_text=None, check=None, stop_at=1.0, keep=None):  # type: ignore[no-untyped-def]
        self.calls.append((messages[-1].content or "", keep))
        return self.inner.read(messages, on_text, check, stop_at, keep)


def test_question_translations_share_the_kept_instruction_and_readings_keep_their_passage(
    settings: Settings, embedder: KeywordEmbedding, llm: ScriptedLLM
) -> None:
    def reply(prompt: str) -> str:
        return "¿Pregunta?" if "Translate this question" in prompt else "NONE"

    llm.enqueue(*[reply] * 8)
    assistant = _translating(settings, embedder, llm).assistant()
    recorder = _Recording(assistant.reader)
    assistant.reader = recorder
    assistant.ask(COMPOUND)  # two parts, each read in vain, then translated
    translations = [(text, keep) for text, keep in recorder.calls if "Translate this question" in text]
    readings = [(text, keep) for text, keep in recorder.calls if "Sentence:" in text]
    assert len(translations) == 2 and len(readings) >= 2
    instructions = {keep for _, keep in translations}
    assert len(instructions) == 1  # the same text before either question: one kept state serves both
    instruction = instructions.pop()
    assert instruction and all(text.startswith(instruction) for text, _ in translations)
    questions = {text[len(instruction) :].split("\n")[0] for text, _ in translations}
    assert len(questions) == 2  # what follows the kept text is each part's own question
    assert all(keep and keep in text and text.startswith("Sentence: " + keep) for text, keep in readings)


AGREEMENTS = "How many agreements were signed at the Fourth Central Regional Meeting?"
AGREEMENTS_ES = "¿Cuántos acuerdos se suscribieron en la Cuarta Reunión Regional Centro?"
SPANISH_QUESTION = "¿Cuántas citas requiere el IMSS en Cofepris cada bimestre?"


def _translating(
    settings: Settings, embedder: KeywordEmbedding, llm: ScriptedLLM, mode: str = "fallback"
) -> RagService:
    service = RagService(
        settings.model_copy(
            update={"answer": settings.answer.model_copy(update={"translate_question": mode})}
        ),
        embedder=embedder,
        llm=llm,
    )
    service.ingest()
    return service


def _translator_then_reader(translation: str, number: str):  # type: ignore[no-untyped-def]
    """Translates the question as `translation`; reads `number` from a passage that holds it."""
    return lambda prompt: (
        translation if "Translate this question" in prompt else _answer_from(number, number)(prompt)
    )


def test_the_question_is_translated_when_the_first_passage_gives_no_answer(
    settings: Settings, embedder: KeywordEmbedding, llm: ScriptedLLM
) -> None:
    # The answer is in a Spanish article; only the translation shares its words ("acuerdos").
    llm.enqueue(*[_translator_then_reader(AGREEMENTS_ES, "837")] * 3)
    tokens: list[tuple[int, str]] = []
    service = _translating(settings, embedder, llm)
    answer = service.ask(AGREEMENTS, on_token=lambda attempt, text: tokens.append((attempt, text)))
    assert "837 acuerdos" not in _sentence(llm.history[0])  # the best passage before translating
    assert "Translate this question into Spanish" in llm.history[1] and AGREEMENTS in llm.history[1]
    assert "837 acuerdos" in _sentence(llm.history[2])  # the best passage after it
    assert answer.answer == "837" and not answer.refused
    assert answer.usage is not None and answer.usage.llm_calls == 3
    assert tokens == [(1, "NONE"), (2, "837")]  # the translation is not streamed


def test_the_question_can_be_translated_before_the_first_reading(
    settings: Settings, embedder: KeywordEmbedding, llm: ScriptedLLM
) -> None:
    llm.enqueue(*[_translator_then_reader(AGREEMENTS_ES, "837")] * 2)
    tokens: list[tuple[int, str]] = []
    service = _translating(settings, embedder, llm, mode="before")
    answer = service.ask(AGREEMENTS, on_token=lambda attempt, text: tokens.append((attempt, text)))
    assert "Translate this question into Spanish" in llm.history[0]
    assert "837 acuerdos" in _sentence(llm.history[1])
    assert answer.answer == "837" and answer.usage is not None and answer.usage.llm_calls == 2
    assert tokens == [(1, "837")]


def test_an_answer_in_the_first_passage_costs_no_translation(
    settings: Settings, embedder: KeywordEmbedding, llm: ScriptedLLM
) -> None:
    llm.enqueue(*[_translator_then_reader("¿Pregunta?", "170")] * 3)
    answer = _translating(settings, embedder, llm).ask(QUESTION)
    assert answer.answer == "170"
    assert len(llm.history) == 1 and "Translate" not in llm.history[0]


def test_without_the_translation_the_first_passage_read_is_another(
    service: RagService, llm: ScriptedLLM
) -> None:
    llm.enqueue("NONE", "NONE")
    service.ask(AGREEMENTS)
    assert "837 acuerdos" not in _sentence(llm.history[0])


def test_a_translation_that_says_none_is_dropped(
    settings: Settings, embedder: KeywordEmbedding, llm: ScriptedLLM
) -> None:
    llm.enqueue("NONE", "NONE", "NONE")
    answer = _translating(settings, embedder, llm).ask(AGREEMENTS)
    assert answer.refused
    assert "Translate this question" in llm.history[1]
    assert "837 acuerdos" not in _sentence(llm.history[2])  # ranked as without a translation
    assert answer.usage is not None and answer.usage.llm_calls == 3


def test_no_translation_when_the_articles_are_in_the_question_language(
    settings: Settings, embedder: KeywordEmbedding, llm: ScriptedLLM
) -> None:
    for spanish in ("001_1f89d300ecf0cc92.txt", "003_5269122b5114297c.txt", "004_545f95529ab4eb61.txt"):
        (settings.corpus_dir / spanish).unlink()  # the Spanish seed articles
    llm.enqueue("NONE", "NONE")  # the first passage gives no answer, yet there is nothing to translate into
    answer = _translating(settings, embedder, llm).ask(QUESTION)
    assert answer.refused
    assert len(llm.history) == 2 and not any("Translate" in prompt for prompt in llm.history)


def test_the_question_is_translated_into_a_corpus_language_no_retrieved_article_is_in(
    settings: Settings, embedder: KeywordEmbedding, llm: ScriptedLLM
) -> None:
    # One passage retrieved: a Spanish question finds a Spanish article, while an English one is
    # indexed too (the Spanish twin of an English story can lack the paragraph that answers).
    settings = settings.model_copy(update={"retrieval": settings.retrieval.model_copy(update={"top_k": 1})})
    llm.enqueue("NONE", "How many appointments does the IMSS require at Cofepris every two months?", "NONE")
    service = _translating(settings, embedder, llm)
    [retrieved] = service.assistant().retriever.search(SPANISH_QUESTION).nodes
    assert retrieved.node.metadata["language"] == "es"
    service.ask(SPANISH_QUESTION)
    assert "Translate this question into English" in llm.history[1]


def test_a_date_copied_from_an_article_in_another_language_is_translated_by_rule(
    service: RagService, llm: ScriptedLLM
) -> None:
    llm.enqueue(*[_answer_from("June 9", "June 9")] * 2)
    answer = service.ask("¿Cuándo nombró López Obrador a Ramírez de la O?")
    assert answer.answer == "9 de junio"
    assert [c.source for c in answer.citations] == ["002_dc32ab27597cd9fc.txt"]
    assert not any("Translate" in prompt for prompt in llm.history)


class _AsSure:
    """A reader that writes the scripted model's reply with a fixed probability of "no answer"
    (what a llama.cpp model measures at its first token)."""

    def __init__(self, llm: ScriptedLLM, p_none: float) -> None:
        self.chat = ChatReader(llm)
        self.p_none = p_none

    def read(self, messages, on_text=None, check=None, stop_at=1.0, keep=None):  # type: ignore[no-untyped-def]
        if self.p_none >= stop_at:
            return Reading(text="", p_none=self.p_none)
        return Reading(text=self.chat.read(messages, on_text, check).text, p_none=self.p_none)


@pytest.mark.parametrize(
    ("p_none", "question", "answered"),
    [
        (0.2, QUESTION, True),  # sure: taken as always
        (0.6, QUESTION, True),  # unsure, but "170 appointments" counts what is asked
        (0.9, QUESTION, False),  # above the count threshold: no answer is written
        (0.2, "How many times every two months does the IMSS need appointments at Cofepris?", True),
        # Unsure, and "170 appointments" does not count times (nor is it something the question never names).
        (0.6, "How many times every two months does the IMSS need appointments at Cofepris?", False),
    ],
)
def test_an_unsure_count_is_taken_only_when_the_word_after_its_number_is_what_is_counted(
    service: RagService, llm: ScriptedLLM, p_none: float, question: str, answered: bool
) -> None:
    assistant = service.assistant()
    assistant.reader = _AsSure(llm, p_none)
    llm.enqueue(*[_answer_from("170", "170")] * 2)
    answer = assistant.ask(question)
    assert answer.refused is not answered
    assert answer.answer == ("170" if answered else refusal("en"))


def test_an_unsure_answer_to_a_question_that_counts_nothing_is_not_written(
    service: RagService, llm: ScriptedLLM
) -> None:
    assistant = service.assistant()
    assistant.reader = _AsSure(llm, 0.6)
    answer = assistant.ask("Who is the head of Cofepris?")
    assert answer.refused and llm.history == []  # no reply was asked for at p(no answer) 0.6


def test_a_date_of_the_sentence_other_than_the_one_asked_about_is_replaced(
    service: RagService, llm: ScriptedLLM
) -> None:
    llm.enqueue(*[_answer_from("3 August", "3 August")] * 2)
    answer = service.ask("On what date was Rogelio Ramírez de la O appointed Secretary of Finance?")
    assert answer.answer == "June 9"
    assert [c.source for c in answer.citations] == ["002_dc32ab27597cd9fc.txt"]
    assert "3 August" in answer.citations[0].quote  # the sentence that holds both


def _reader_writing_english(answer: str, back: str):  # type: ignore[no-untyped-def]
    """Answers in English from the Spanish passage about appointments; translates `answer` as `back`."""

    def reply(prompt: str) -> str:
        if "Translate into Spanish" in prompt:
            return back
        if "Translate this question" in prompt:
            return "¿Por qué son importantes las ventanillas?"
        return _answer_from("170 citas", answer)(prompt)

    return reply


def test_an_answer_written_in_the_question_language_is_grounded_through_its_translation(
    spanish_service: RagService, llm: ScriptedLLM
) -> None:
    # The model read a Spanish sentence and answered in English: no word of it is in the sentence.
    english = "the IMSS is the user with the most appointments"
    llm.enqueue(*[_reader_writing_english(english, "el IMSS es el usuario con más citas")] * 4)
    answer = spanish_service.ask("Why are the windows important, according to the head of Cofepris?")
    assert not answer.refused and answer.answer == english  # kept as written: already in English
    assert "usuario con más citas" in answer.citations[0].quote
    assert any("Translate into Spanish: " + english in p for p in llm.history)


def test_an_answer_whose_translation_the_passage_does_not_hold_is_refused(
    spanish_service: RagService, llm: ScriptedLLM
) -> None:
    english = "the IMSS is the user with the most appointments"
    llm.enqueue(*[_reader_writing_english(english, "el IMSS compra medicinas en el extranjero")] * 8)
    answer = spanish_service.ask("Why are the windows important, according to the head of Cofepris?")
    assert answer.refused and answer.citations == []


HEAD = "Who is the head of Cofepris?"  # not a "how many" question: refused at p(none) 0.4


class _Hesitant:
    """A reader with probabilities: over a passage holding `part` it hesitates (p(none)
    `first`) unless shown the worked example, after which it answers `reply` at p(none) `second`;
    NONE (p 1.0) elsewhere. Records every chat it is given."""

    def __init__(self, part: str, reply: str, first: float, second: float) -> None:
        self.part, self.reply, self.first, self.second = part, reply, first, second
        self.chats: list[list[str]] = []

    def read(self, messages, on_text=None, check=None, stop_at=1.0, keep=None):  # type: ignore[no-untyped-def]
        chat = [m.content or "" for m in messages]
        self.chats.append(chat)
        if self.part not in _sentence(chat[-1]):
            return Reading(text="", p_none=1.0)
        p_none = self.second if len(chat) > 2 else self.first
        return Reading(text="" if p_none >= stop_at else self.reply, p_none=p_none)


def _hesitating(service: RagService, first: float, second: float, look: float = 0.1):  # type: ignore[no-untyped-def]
    """The service's assistant reading with a `_Hesitant` reader, second looks at `look`."""
    reader = _Hesitant("Svarch", "Alejandro Svarch Pérez", first, second)
    assistant = service.assistant()
    assistant.reader = reader
    answer = assistant.settings.answer.model_copy(update={"second_look_threshold": look})
    assistant.settings = assistant.settings.model_copy(update={"answer": answer})
    return assistant, reader


def test_a_hesitation_is_read_again_after_the_worked_example(service: RagService) -> None:
    assistant, reader = _hesitating(service, first=0.6, second=0.05)
    answer = assistant.ask(HEAD)
    assert not answer.refused and answer.answer == "Alejandro Svarch Pérez"
    assert "Alejandro Svarch Pérez, head of Cofepris" in answer.citations[0].quote
    hesitated, second = reader.chats[-2:]
    assert len(hesitated) == 2  # system message and the passage
    example, reply = prompts.read_example()
    assert second[1:3] == [example, reply]  # the example as an earlier turn, before the same passage
    assert second[-1] == hesitated[-1]
    assert answer.usage is not None and answer.usage.llm_calls == len(reader.chats)


@pytest.mark.parametrize(
    ("first", "second", "look"),
    [
        (0.6, 0.3, 0.1),  # still unsure after the example: no answer from this passage
        (0.95, 0.05, 0.1),  # all but sure there is none: not read again
        (0.2, 0.05, 0.1),  # sure enough the first time: answered without the example
        (0.6, 0.05, 0.0),  # second looks off (the default): a hesitation is a refusal
    ],
)
def test_what_a_second_look_decides(service: RagService, first: float, second: float, look: float) -> None:
    assistant, reader = _hesitating(service, first, second, look)
    answer = assistant.ask(HEAD)
    looks = [chat for chat in reader.chats if len(chat) > 2]
    hesitations = [chat for chat in reader.chats if len(chat) == 2 and "Svarch" in chat[-1]]
    assert hesitations
    # each passage hesitated over is looked at again, right after, and only then
    looked = look > 0 and 0.4 <= first < 0.9
    assert [c[-1] for c in looks] == ([c[-1] for c in hesitations] if looked else [])
    for n, chat in enumerate(reader.chats):
        if len(chat) > 2:
            assert reader.chats[n - 1] == [chat[0], chat[-1]]
    assert answer.refused is (first >= 0.4)
    assert service.settings.answer.second_look_threshold == 0.0  # off unless asked for


def test_a_given_passage_is_read_once_with_the_reading_prompt_and_nothing_else(
    service: RagService, llm: ScriptedLLM
) -> None:
    passage = "The IMSS requires at least 170 appointments every two months."
    llm.enqueue("170", "NONE")
    reading = service.assistant().read_given(QUESTION, passage)
    assert (reading.text, reading.p_none) == ("170", 0.0)
    [prompt] = llm.history  # no check, second look or translation asked the model anything more
    assert _sentence(prompt) == passage
    assert "Question: " + QUESTION in prompt and "Answer with a number." in prompt
    refused = service.assistant().read_given(QUESTION, passage)
    assert refused.p_none == 1.0  # a reader without probabilities: "NONE" is certain
