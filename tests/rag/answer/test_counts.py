import pytest

from rag.answer.counts import (
    counted_after,
    counted_noun,
    counts_something_else,
    counts_the_asked_thing,
    gives_the_count,
)

PANDEMIC = (
    "In her message, doctor Célida Duque Molina pointed out that almost two years after the "
    "COVID-19 pandemic, one of the most important lessons learned is the inter-institutional work."
)
WINDOWS = "They signed an agreement to install in the central offices two windows to enter procedures."
MEETING = "Detalló que durante tres días de trabajo se emplearon 130 horas y se suscribieron 837 acuerdos."


@pytest.mark.parametrize(
    ("question", "noun"),
    [
        # A past-tense verb ends it ("participaron" is no part of what is counted).
        ("How many patients required hospitalization?", ["patients"]),
        ("¿Cuántas enfermeras participaron en la videoconferencia?", ["enfermeras"]),
        ("¿Cuántos días duraron los trabajos?", ["dias"]),
        ("¿Cuántas camas de hospital se garantizaron?", ["camas"]),
        ("How many of the directors took part?", ["directors", "took", "part"]),
        ("¿De cuántos Hospitales Generales de Zona se sumaron?", ["hospitales", "generales"]),
        ("Who is the head of Cofepris?", []),
        ("Roughly how much time had elapsed?", []),  # a measure, not a count: units vary
    ],
)
def test_the_counted_noun_is_what_follows_how_many(question: str, noun: list[str]) -> None:
    assert counted_noun(question) == noun


def test_a_verb_of_the_question_is_no_evidence_that_a_number_counts_what_it_asks() -> None:
    # "participaron" and "participantes" share a stem: the 150 participants are not nurses.
    asked = "¿Cuántas enfermeras participaron en la videoconferencia?"
    sentence = "Los más de 150 participantes en la videoconferencia coincidieron."
    assert not counts_the_asked_thing(asked, "150", sentence)
    assert counts_the_asked_thing("¿Cuántos participantes coincidieron?", "150", sentence)


@pytest.mark.parametrize(
    ("question", "answer", "sentence"),
    [
        ("How many patients required hospitalization during the pandemic?", "2", PANDEMIC),
        ("How many agreements were signed at the Third meeting?", "2", WINDOWS),
        ("¿Cuántos participantes asistieron de manera presencial?", "3", MEETING),
        ("¿Cuántas horas duró la reunión?", "837", MEETING),
    ],
)
def test_a_number_of_something_else_is_caught(question: str, answer: str, sentence: str) -> None:
    assert counts_something_else(question, answer, sentence)


@pytest.mark.parametrize(
    ("question", "answer", "sentence"),
    [
        # The counted noun right after the number, or among the few words after it.
        ("¿Cuántos acuerdos se suscribieron?", "837", MEETING),
        ("How many windows will be installed?", "two", WINDOWS),
        ("How many people live in the city?", "3", "About 3 million people live there."),
        # Nothing named right after the number: no evidence either way.
        ("¿Cuántos ONCOCREAN había al inicio?", "siete", "34 ONCOCREAN cuando había siete al inicio."),
        ("How many visits were there?", "220", "The number of visits was 220."),
        # A word after the number that the question uses ("two years after the pandemic").
        ("How many years after the pandemic did she speak?", "2", PANDEMIC),
        # Not a "how many" question, or the number not in the sentence.
        ("When did it happen?", "2", PANDEMIC),
        ("How many patients were there?", "5", PANDEMIC),
    ],
)
def test_a_number_that_may_count_the_thing_asked_about_passes(
    question: str, answer: str, sentence: str
) -> None:
    assert not counts_something_else(question, answer, sentence)


def test_every_place_the_number_is_given_must_count_something_else() -> None:
    sentence = "Two years later, two patients were discharged."
    assert not counts_something_else("How many patients were discharged?", "2", sentence)
    assert counts_something_else("How many doctors were discharged?", "2", sentence)


HOSPITALS = (
    "También participaron 11 de los equipos de dirección de los Hospitales Generales de Zona, seis Unidades "
    "Médicas de Atención Ambulatoria y cinco Hospitales Generales de Zona con Medicina Familiar."
)


@pytest.mark.parametrize(
    ("question", "answer", "sentence", "shown"),
    [
        # The first content word after the number is the counted noun, in any of its forms.
        ("¿Cuántas Unidades Médicas participaron?", "6", HOSPITALS, True),
        ("¿Cuántos hospitales generales con Medicina Familiar participaron?", "cinco", HOSPITALS, True),
        ("¿Cuántos equipos de dirección participaron?", "11", HOSPITALS, True),  # "de los" skipped
        ("¿Cuántos acuerdos se suscribieron?", "837", MEETING, True),
        # Another noun first: the same words later in the sentence do not count.
        ("¿Cuántas Unidades de Medicina Familiar participaron?", "cinco", HOSPITALS, False),
        ("How many agreements were signed?", "2", WINDOWS, False),
        # Nothing named after it, or not a "how many" question: nothing shown.
        ("¿Cuántos ONCOCREAN había al inicio?", "siete", "34 ONCOCREAN cuando había siete al inicio.", False),
        ("When did they sign it?", "two", WINDOWS, False),
    ],
)
def test_a_number_is_shown_to_count_the_thing_asked_about_only_by_the_word_after_it(
    question: str, answer: str, sentence: str, shown: bool
) -> None:
    assert counts_the_asked_thing(question, answer, sentence) is shown


@pytest.mark.parametrize(
    ("question", "sentence", "gives"),
    [
        ("¿Cuántos acuerdos se suscribieron?", MEETING, True),
        ("¿Cuántas horas se emplearon?", MEETING, False),  # units of time are in every story
        ("How many windows will be installed?", WINDOWS, True),  # a number word counts too
        ("How many agreements were signed?", MEETING, False),  # "acuerdos" is another language's word
        ("¿Cuántos participantes se conectaron?", MEETING, False),  # no number before "participantes"
        ("Who signed the agreement?", WINDOWS, False),  # not a "how many" question
    ],
)
def test_a_sentence_gives_the_count_when_a_number_comes_right_before_the_counted_noun(
    question: str, sentence: str, gives: bool
) -> None:
    assert gives_the_count(question, sentence) is gives


@pytest.mark.parametrize(
    ("answer", "sentence", "counted"),
    [
        # Up to the end of the phrase, without a conjunction's clause or a trailing "de".
        ("220", "se conectaron 220 participantes y se suscribieron 837 acuerdos", ["participantes"]),
        ("más de 150", "y más de 150 directivos del Seguro Social.", ["directivos del seguro social"]),
        # Each place the number is given, once each.
        (
            "35",
            "los 35 representantes delegacionales, los 35 jefes de prestaciones médicas de país",
            ["representantes delegacionales", "jefes de prestaciones medicas"],
        ),
        ("170", "requiring at least 170 appointments every two months.", ["appointments every two months"]),
        ("two", "install two windows", ["windows"]),
        # Nothing named after the number, no number in the answer, or not in the sentence.
        ("837", "se suscribieron 837.", []),
        ("many", "se suscribieron 837 acuerdos", []),
        ("12", "se suscribieron 837 acuerdos", []),
    ],
)
def test_what_the_sentence_counts_with_the_answer_number(
    answer: str, sentence: str, counted: list[str]
) -> None:
    assert counted_after(answer, sentence) == counted
