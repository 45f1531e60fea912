from rag.citations import (
    choose_support,
    is_grounded,
    is_supported,
    numbers_in,
    split_markers,
    verify_citation,
)
from rag.evidence import Evidence

FILE = "Intro line.\nThe IMSS requires at least 170 appointments every two months. Other text."
SENTENCE = "The IMSS requires at least 170 appointments every two months."
START = FILE.index(SENTENCE)


def _evidence(text: str, start: int = START) -> Evidence:
    return Evidence("a.txt", start, start + len(text), text, score=1.0, cosine=0.5)


def test_markers_are_removed_and_collected_in_order() -> None:
    assert split_markers("The answer is 170 [2][1] [2].") == ("The answer is 170.", [2, 1])
    assert split_markers("[3]") == ("", [3])


def test_numbers_include_small_number_words() -> None:
    assert numbers_in("1,000 people and cuatro entidades, two windows") == {"1000", "4", "2"}


def test_an_answer_with_a_number_missing_from_the_evidence_is_unsupported() -> None:
    assert is_supported("At least 170.", [SENTENCE])
    assert not is_supported("At least 270.", [SENTENCE])
    assert is_supported("Zoé Robledo.", [])


def test_support_prefers_the_cited_sentence_and_falls_back_to_overlap() -> None:
    other = _evidence("Another sentence about windows.", 0)
    target = _evidence(SENTENCE)
    assert choose_support("170 [2]", [2], [other, target]) == [target]
    assert choose_support("170 appointments", [], [other, target]) == [target]
    assert choose_support("270 appointments", [2], [other, target]) == []


def test_a_citation_is_verified_against_the_file() -> None:
    def read(name: str) -> str | None:
        return FILE if name == "a.txt" else None

    citation = verify_citation(_evidence(SENTENCE), read)
    assert citation is not None
    assert FILE[citation.start : citation.end] == citation.quote == SENTENCE
    assert verify_citation(_evidence(SENTENCE, START + 1), read) is None
    assert verify_citation(Evidence("gone.txt", 0, 5, "Intro", 1.0, 1.0), read) is None


def test_a_cited_neighbour_that_shares_nothing_with_the_answer_is_replaced() -> None:
    governor = _evidence("· Sergio Salomón Céspedes, gobernador de Puebla, señaló que el fortalecimiento.", 0)
    unrelated = _evidence("Acudieron a esta reunión directores normativos.", 100)
    assert choose_support("Sergio Salomón Céspedes", [2], [governor, unrelated]) == [governor]


def test_grounding_requires_the_answers_names_and_numbers_in_the_sentence() -> None:
    question = "Who is the director of the DIGIPRiS platform?"
    sentence = "The owner announced the expansion of one more module of the DIGIPRiS platform."
    assert not is_grounded("The director of the DIGIPRiS platform is John Doe.", question, sentence)
    assert is_grounded("The DIGIPRiS platform.", question, sentence)
    assert not is_grounded("Since October 2021.", "Since when?", "He said that in July 2021 it started.")


def test_a_reply_of_markers_and_punctuation_only_has_no_text() -> None:
    assert split_markers("[1] [2] [") == ("", [1, 2])
