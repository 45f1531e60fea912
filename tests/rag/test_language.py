import pytest

from rag.language import make_language_detector, needs_translation, written_in

detect = make_language_detector(["en", "es"])


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("How many appointments does the IMSS require?", "en"),
        ("Who is Zoé Robledo?", "en"),
        ("¿Cuántas citas requiere el IMSS?", "es"),
        ("Quién es Zoé Robledo", "es"),
        ("y en 2019?", "es"),
        ("What is DIGIPRiS?", "en"),
    ],
)
def test_short_questions(text: str, expected: str) -> None:
    assert detect(text) == expected


def test_empty_text_falls_back_to_the_first_language() -> None:
    assert detect("   ") == "en"
    assert make_language_detector(["es"])("anything") == "es"


@pytest.mark.parametrize(
    ("text", "language", "expected"),
    [
        ("Alejandro Svarch Pérez", "es", True),  # a name is in every language
        ("170", "en", True),
        ("9 June", "en", True),
        ("3 August", "es", False),  # an English month name is not a name
        ("at least 170 appointments", "en", True),
        ("at least 170 appointments", "es", False),
        ("medicamentos oncológicos", "en", False),
        ("medicamentos oncológicos", "es", True),
        ("Chamber of Deputies", "es", False),  # an English title is not a name
        ("Chamber of Deputies", "en", True),
        ("Director of Medical Benefits", "es", False),
        ("Secretariat of the Civil Service", "es", False),
        ("Rogelio Ramírez de la O", "en", True),  # particles of a Spanish name
        ("Secretaría de la Función Pública", "en", True),  # kept as written, as before
        ("Zoé Robledo and Alejandro Svarch Pérez", "en", True),  # two names
        ("Zoé Robledo y Alejandro Svarch Pérez", "es", True),
    ],
)
def test_an_answer_is_written_in_a_language(text: str, language: str, expected: bool) -> None:
    detect = make_language_detector(["en", "es"])
    assert written_in(text, language, detect) is expected
    assert needs_translation(text, language, detect) is not expected
