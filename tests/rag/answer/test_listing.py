from rag.answer.listing import item_asked_about, list_items

LISTING = (
    "Through videoconference participated: Selene Cruz Alcalá, Director General of Public Policies of the "
    "STPS; Omar Antonio Nicolás Tovar Ornelas, Director General of Programming and Budget of the SHCP; and "
    "Salim Arturo Orci Magaña, head of the Internal Control Body at the IMSS."
)


def test_each_item_of_a_list_keeps_the_lists_head() -> None:
    assert list_items(LISTING) == [
        "Through videoconference participated: Selene Cruz Alcalá, Director General of Public Policies of the STPS",
        "Through videoconference participated: Omar Antonio Nicolás Tovar Ornelas, Director General of "
        "Programming and Budget of the SHCP",
        "Through videoconference participated: Salim Arturo Orci Magaña, head of the Internal Control Body at "
        "the IMSS.",
    ]


def test_a_list_without_a_head_is_split_into_its_items() -> None:
    sentence = "Se construyeron los códigos Infarto y Cáncer; se abrieron 34 ONCOCREAN en el país; y se digitalizó el expediente."
    assert list_items(sentence) == [
        "Se construyeron los códigos Infarto y Cáncer",
        "se abrieron 34 ONCOCREAN en el país",
        "se digitalizó el expediente.",
    ]


def test_sentences_that_are_not_lists_have_no_items() -> None:
    assert list_items("The IMSS requires at least 170 appointments every two months.") == []
    # A part of one or two words is a stray semicolon, not an item.
    assert list_items("He said it was so; no; she agreed.") == []
    # Two clauses, the second leaning on the first ("lo traducía": the anthem), are not a list.
    assert (
        list_items(
            "Lady Gaga cantó el himno nacional estadounidense; mientras que Marlee Matlin, la ganadora del "
            "Óscar, lo traducía a la lengua de signos americana."
        )
        == []
    )


def test_the_item_that_scores_best_is_the_one_asked_about() -> None:
    def by_acronym(items: list[str]) -> list[float]:
        return [float("SHCP" in item) for item in items]

    item = item_asked_about(LISTING, by_acronym)
    assert item is not None and item.endswith("Programming and Budget of the SHCP")


def test_a_sentence_that_is_not_a_list_has_no_item_asked_about() -> None:
    def never(items: list[str]) -> list[float]:
        raise AssertionError("a sentence that is not a list needs no scoring")

    assert item_asked_about("The IMSS requires at least 170 appointments.", never) is None
