import pytest

from rag.answer.answer_types import AnswerType, answer_type, asks_for_several, fits, holds


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("How many appointments does the IMSS require?", AnswerType.NUMBER),
        ("¿Cuántas citas requiere el IMSS?", AnswerType.NUMBER),
        ("On what date was Rogelio Ramírez de la O appointed?", AnswerType.DATE),
        ("¿Desde cuándo trabaja el equipo?", AnswerType.DATE),
        ("By what month did the Cofepris team join?", AnswerType.DATE),
        ("Who is the head of Cofepris?", AnswerType.PERSON),
        ("¿Quién es el gobernador de Puebla?", AnswerType.PERSON),
        ("Where was the closing held?", AnswerType.PLACE),
        ("¿Dónde se realizó la clausura?", AnswerType.PLACE),
        ("What does the acronym UNOPS stand for?", AnswerType.OTHER),
    ],
)
def test_the_kind_of_answer_is_read_from_the_wording(question: str, kind: AnswerType) -> None:
    assert answer_type(question) is kind


@pytest.mark.parametrize(
    ("question", "several"),
    [
        ("¿Quiénes firmaron como testigos de honor el convenio?", True),
        ("Who signed the agreement as witnesses of honour?", True),
        ("Who were the ministers at the session?", True),
        ("Which two officials signed it?", True),
        ("¿Qué dos funcionarios firmaron?", True),
        ("Who is the head of Cofepris?", False),
        ("¿Quién es el gobernador de Puebla?", False),
        ("Who did the Broncos beat to win their division in 2015?", False),  # "their" is the subject's
        ("Who had five sacks in nine games as a Carolina Panthers starter?", False),
        ("Who served as this year's host?", False),
    ],
)
def test_plural_wording_asks_for_several(question: str, several: bool) -> None:
    assert asks_for_several(question) is several


def test_sentences_that_hold_the_kind_asked_for() -> None:
    assert holds(AnswerType.NUMBER, "requiring at least 170 appointments")
    assert holds(AnswerType.NUMBER, "se visitaron cuatro entidades")
    assert not holds(AnswerType.NUMBER, "the windows will be installed")
    assert holds(AnswerType.DATE, "since July 2021, a team")
    assert not holds(AnswerType.DATE, "on 12 occasions")  # a number is not a date in a sentence
    assert holds(AnswerType.PERSON, "the owner of Cofepris, Alejandro Svarch Pérez, signed")
    assert not holds(AnswerType.OTHER, "anything at all")


@pytest.mark.parametrize(
    ("kind", "answer", "expected"),
    [
        (AnswerType.NUMBER, "170", True),
        (AnswerType.NUMBER, "siete", True),
        (AnswerType.NUMBER, "Cofepris", False),
        (AnswerType.DATE, "3 August", True),
        (AnswerType.DATE, "6/9", True),
        (AnswerType.DATE, "the owner", False),
        (AnswerType.PERSON, "Roberto Salcedo Aquino", True),
        (AnswerType.PERSON, "The owner", False),  # a capital that starts a sentence is not a name
        (AnswerType.OTHER, "the rural units", True),
    ],
)
def test_an_answer_fits_the_kind_asked_for(kind: AnswerType, answer: str, expected: bool) -> None:
    assert fits(kind, answer) is expected
