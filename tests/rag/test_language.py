import pytest

from rag.language import make_language_detector

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
