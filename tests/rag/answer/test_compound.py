import pytest

from rag.answer.compound import split_compound


@pytest.mark.parametrize(
    ("question", "parts"),
    [
        (
            "How many agreements were signed, and who heads the Internal Control Body?",
            ["How many agreements were signed?", "Who heads the Internal Control Body?"],
        ),
        (
            "¿Qué secretario habló en Puebla, y quién es el gobernador?",
            ["¿Qué secretario habló en Puebla?", "¿Quién es el gobernador?"],
        ),
        (
            "When was he appointed, and when was he ratified, and where?",
            ["When was he appointed?", "When was he ratified?", "Where?"],
        ),
    ],
)
def test_two_questions_joined_by_and_are_asked_one_by_one(question: str, parts: list[str]) -> None:
    assert split_compound(question) == parts


@pytest.mark.parametrize(
    ("question", "parts"),
    [
        (
            "¿Quiénes son el secretario de la Función Pública y el gobernador de Puebla?",
            ["¿Quién es el secretario de la Función Pública?", "¿Quién es el gobernador de Puebla?"],
        ),
        (
            "Who are the head of Cofepris and Zoé Robledo?",
            ["Who is the head of Cofepris?", "Who is Zoé Robledo?"],
        ),
        (
            "¿Qué cargos tienen en el IMSS Célida Duque Molina y Javier Guerrero García?",
            [
                "¿Qué cargos tienen en el IMSS Célida Duque Molina?",
                "¿Qué cargos tienen en el IMSS Javier Guerrero García?",
            ],
        ),
        (
            "What positions do Rogelio Ramírez de la O and Raquel Buenrostro hold?",
            [
                "What positions do Rogelio Ramírez de la O hold?",  # the plural stays: the model copes
                "What positions do Raquel Buenrostro hold?",
            ],
        ),
    ],
)
def test_a_question_about_two_people_is_asked_of_each(question: str, parts: list[str]) -> None:
    assert split_compound(question) == parts


@pytest.mark.parametrize(
    "question",
    [
        "How many appointments does the IMSS require at Cofepris every two months?",
        "Who signed the agreement and when?",  # no comma: one question about one event
        "Which two officials appear, and what are their positions?",  # the second part points back
        "¿Qué dijo Robledo, y que se acordó?",  # "y que" without its accent joins clauses
        "The IMSS and Cofepris signed, and what else?",  # not a question to begin with
        "¿Quiénes firmaron, y cuándo lo hicieron ellos?",
        # Two names that are not what is asked about, and two ways to divide a list of offices.
        "Which governor recognised the work of López Obrador and Zoé Robledo Aburto in strengthening the IMSS?",
        "¿Quiénes son el secretario de Hacienda y Crédito Público y el gobernador de Puebla?",
        "Who are the witnesses?",
    ],
)
def test_other_questions_stay_whole(question: str) -> None:
    assert split_compound(question) == [question]
