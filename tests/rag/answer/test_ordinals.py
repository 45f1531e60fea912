from rag.answer.ordinals import named_ordinals, ordinals_in, unknown_ordinals

FOURTH = "Autoridades de Puebla clausuraron los trabajos de la Cuarta Reunión Regional Centro. Se suscribieron 837 acuerdos."


def test_an_ordinal_counts_when_it_numbers_a_name() -> None:
    assert named_ordinals("How many agreements were signed at the Third Central Regional Meeting?") == {3}
    assert named_ordinals("¿Dónde se realizó la clausura de la Cuarta Reunión Regional Centro?") == {4}
    assert named_ordinals("What was agreed at the Fifth meeting?") == {5}  # the ordinal capitalised
    assert named_ordinals("Who won the first Super Bowl?") == {1}  # the next word capitalised
    # Lowercase before lowercase, or capitalised only as the question's first word: no name.
    assert named_ordinals("How many agreements by the end of the fourth regional meeting?") == set()
    assert named_ordinals("¿Por primera vez se trabaja en unidad?") == set()
    assert named_ordinals("First, who won?") == set()
    assert named_ordinals("¿Segundo lugar de quién?") == set()
    # Part of a title, not a count: "Prime Minister" has no ordinal in English.
    assert named_ordinals("¿Quién fue el último Primer Ministro de Alemania del Este?") == set()
    assert named_ordinals("Who was the First Lady at the Fourth Summit?") == {4}


def test_ordinals_are_read_in_both_languages_and_as_numerals() -> None:
    assert ordinals_in(FOURTH) == {4}
    assert ordinals_in("the fourth meeting; la tercera sesión") == {3, 4}
    assert ordinals_in("the 2nd game, la 5.ª sesión, World War II") == {2, 5}
    assert ordinals_in("Super Bowl XXXIII with 837 agreements") == set()


def test_a_question_numbering_another_event_than_the_articles_is_reported() -> None:
    third = "How many agreements were signed at the Third Central Regional Meeting of the IMSS?"
    assert unknown_ordinals(third, [FOURTH]) == {3}
    assert unknown_ordinals(third, [FOURTH, "the third session of the council"]) == set()  # any cited article
    assert unknown_ordinals("How many agreements at the Fourth Central Regional Meeting?", [FOURTH]) == set()
    assert unknown_ordinals("How many agreements were signed?", [FOURTH]) == set()
