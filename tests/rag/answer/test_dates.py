import pytest

from rag.answer.dates import date_asked_about, translate_date


@pytest.mark.parametrize(
    ("text", "language", "expected"),
    [
        ("3 August", "es", "3 de agosto"),
        ("June 9", "es", "9 de junio"),
        ("the 3rd of August, 2021", "es", "3 de agosto de 2021"),
        ("August 2021", "es", "agosto de 2021"),
        ("9 de junio de 2021", "en", "June 9, 2021"),
        ("julio de 2021.", "en", "July 2021"),
        ("septiembre", "en", "September"),
        ("Wednesday", "es", "miércoles"),
        ("miercoles", "en", "Wednesday"),
    ],
)
def test_a_date_is_written_in_the_other_language_by_rule(text: str, language: str, expected: str) -> None:
    assert translate_date(text, language) == expected


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Zoé Robledo", "es"),  # not a date: the model translates it
        ("170", "es"),
        ("3 August, in Puebla", "es"),  # more than a date
        ("3 Augustus", "es"),  # not a month
        ("3 August", "fr"),  # a language without month names here
    ],
)
def test_anything_but_a_whole_date_is_left_to_the_model(text: str, language: str) -> None:
    assert translate_date(text, language) is None


APPOINTED = (
    "Zoé Robledo recalled that on June 9 the President appointed Ramírez de O as Secretary of Finance, "
    "position in which it was ratified on 3 August by the Chamber of Deputies."
)


@pytest.mark.parametrize(
    ("question", "answer", "sentence", "expected"),
    [
        # The date whose clause speaks of what the question asks replaces the one copied.
        ("On what date was Ramírez de la O appointed Secretary of Finance?", "3 August", APPOINTED, "June 9"),
        (
            "¿Cuándo fue nombrado Ramírez de la O como Secretario de Hacienda?",
            "3 de agosto",
            APPOINTED,
            "June 9",
        ),
        ("When was Ramírez de la O ratified by the Chamber of Deputies?", "June 9", APPOINTED, "3 August"),
        # The right one copied, a tie, one date only, or an answer that is no date of the sentence: kept.
        ("On what date was Ramírez de la O appointed Secretary of Finance?", "June 9", APPOINTED, None),
        ("When did it happen?", "June 9", APPOINTED, None),
        ("When was it signed?", "9 June", "It was signed on 9 June in Puebla.", None),
        ("When was Ramírez de la O appointed?", "5 May", APPOINTED, None),
        # "may" without a day or year is the verb, not a date.
        (
            "When may the windows open, ratified?",
            "3 August",
            "The windows may open, ratified on 3 August.",
            None,
        ),
    ],
)
def test_the_date_asked_about_is_the_one_whose_clause_shares_the_question_words(
    question: str, answer: str, sentence: str, expected: str | None
) -> None:
    assert date_asked_about(question, answer, sentence) == expected
