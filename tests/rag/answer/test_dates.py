import pytest

from rag.answer.dates import translate_date


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
