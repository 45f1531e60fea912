from rag.answer.citations import (
    align,
    answer_clause,
    coverage,
    is_supported,
    missing_names,
    numbers_in,
    repeats_the_question,
    split_markers,
    unknown_acronyms,
    verify_citation,
)
from rag.answer.evidence import Evidence, Passage

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


def _passage(*sentences: Evidence) -> Passage:
    return Passage("a.txt", sentences[0].start, sentences[-1].end, "", tuple(sentences), 1.0)


def test_an_answer_is_aligned_with_the_sentence_holding_its_words_and_numbers() -> None:
    other = _evidence("Another sentence about windows.", 0)
    target = _evidence(SENTENCE)
    assert align("170", [_passage(other), _passage(target)]) == [target]
    assert align("at least 170 appointments", [_passage(other, target)]) == [target]
    assert align("270 appointments", [_passage(other, target)]) == []  # a number no sentence holds
    assert align("Zoé Robledo", [_passage(other, target)]) == []  # words no sentence holds


def test_an_answer_naming_two_facts_is_aligned_with_two_sentences() -> None:
    first = _evidence("Raquel Buenrostro is the Oficial Mayor.", 0)
    second = _evidence("Rogelio Ramírez de la O is the Secretary of Finance.", 50)
    unrelated = _evidence("The meeting ended on Wednesday.", 120)
    found = align("Rogelio Ramírez de la O and Raquel Buenrostro", [_passage(unrelated, first, second)])
    assert sorted(found, key=lambda e: e.start) == [first, second]
    assert coverage("Rogelio Ramírez de la O and Raquel Buenrostro", found) == 1.0


def test_coverage_is_the_share_of_the_answers_terms_in_its_support() -> None:
    target = _evidence(SENTENCE)
    assert coverage("170 appointments", [target]) == 1.0
    assert coverage("170 appointments in Puebla", [target]) == 2 / 3
    assert coverage("170", []) == 0.0


def test_a_citation_is_verified_against_the_file() -> None:
    def read(name: str) -> str | None:
        return FILE if name == "a.txt" else None

    citation = verify_citation(_evidence(SENTENCE), read)
    assert citation is not None
    assert FILE[citation.start : citation.end] == citation.quote == SENTENCE
    assert verify_citation(_evidence(SENTENCE, START + 1), read) is None
    assert verify_citation(Evidence("gone.txt", 0, 5, "Intro", 1.0, 1.0), read) is None


def test_a_reply_of_markers_and_punctuation_only_has_no_text() -> None:
    assert split_markers("[1] [2] [") == ("", [1, 2])


def test_acronyms_the_cited_articles_never_mention_are_reported() -> None:
    imss = "El IMSS requiere al menos 170 citas en la Cofepris cada bimestre."
    assert unknown_acronyms("How many appointments does the ISSSTE require?", [imss]) == {"issste"}
    assert unknown_acronyms("How many appointments does the IMSS require?", [imss]) == set()
    assert unknown_acronyms("¿Cuántas citas requiere el IMSS?", ["El Imss requiere"]) == set()  # case
    assert unknown_acronyms("Who heads the SFP?", ["La SFPX"]) == {"sfp"}  # whole words only
    assert unknown_acronyms("HOW MANY DOES THE ISSSTE REQUIRE?", [imss]) == set()  # all capitals


def test_an_acronym_written_with_its_letters_reordered_in_another_language_is_named() -> None:
    article = "el tratamiento del Virus de Inmunodeficiencia Humana (VIH) y del SIDA"
    assert unknown_acronyms("Which HIV therapies does the IMSS offer?", [article, "IMSS"]) == set()
    assert unknown_acronyms("How many AIDS patients?", [article]) == set()
    assert unknown_acronyms("How many HVI patients?", ["el VIHS"]) == {"hvi"}  # the same letters, all of them
    assert unknown_acronyms("Who heads the SFP?", ["la SFT"]) == {"sfp"}


def test_names_of_the_question_that_the_sentences_never_mention_are_reported() -> None:
    governor = "En su intervención, el gobernador Sergio Salomón expuso que"
    assert missing_names("¿Quién es el gobernador de Hidalgo?", [governor]) == ["Hidalgo"]
    assert missing_names("¿Quién es el gobernador Sergio Salomón?", [governor]) == []
    # One word of a name is enough; the article shortens names.
    finance = "on June 9 the President appointed Ramírez de O as Secretary of Finance"
    assert missing_names("When was Rogelio Ramírez de la O appointed Secretary of Finance?", [finance]) == []
    assert missing_names("Who heads the Civil Service?", [finance]) == ["Civil Service"]
    # A run is one name: "Secretary" is in the sentence, so "Secretary of the Civil Service" is named.
    assert missing_names("Who is the Secretary of the Civil Service?", [finance]) == []


def test_an_acronym_closing_a_name_does_not_name_it_alone() -> None:
    meeting = "se suscribieron 837 acuerdos para mejorar las áreas de servicio que integran el IMSS"
    council = "¿Cuántos acuerdos se suscribieron en la sesión del Consejo Técnico del IMSS?"
    assert missing_names(council, [meeting]) == ["Consejo Técnico del IMSS"]
    assert missing_names(council, ["el Consejo Técnico aprobó 12 acuerdos"]) == []
    # A closing name that is not an acronym still names the run ("Hacienda"), and so does a lone acronym.
    finance = "la Oficial Mayor de Hacienda, Raquel Buenrostro"
    assert missing_names("¿Quién es la Oficial Mayor de la Secretaría de Hacienda?", [finance]) == []
    assert missing_names("¿Cuántas citas requiere el IMSS?", [meeting]) == []


def test_a_name_word_is_matched_in_its_forms_not_by_a_shared_stem() -> None:
    camps = "José Manuel López Camps, President of the Confederation of Commerce (Concanaco-Servytur)"
    assert missing_names("Who is the president of Concamin?", [camps]) == ["Concamin"]
    assert missing_names("Who is the president of Concanaco?", [camps]) == []
    labour = "Selene Cruz Alcalá, Director General of the Secretariat (STPS)"
    assert missing_names("Who is the Secretary of Labor?", [labour]) == []  # Secretary, Secretariat
    assert missing_names("Who heads the Mexican Social Security Institute?", ["IMSS de México"]) == []
    assert missing_names("Who is the head of the STP?", [labour]) == ["STP"]  # short words are equal


def test_the_speaker_and_the_first_word_are_not_names_asked_about() -> None:
    said = "Agregó que esta ventanilla traerá grandes beneficios"
    assert missing_names("Según Zoé Robledo, ¿qué traerá la ventanilla?", [said]) == []
    assert missing_names("What will the window bring, according to Zoé Robledo?", [said]) == []
    assert missing_names("¿Qué traerá la ventanilla, según el titular del Seguro Social?", [said]) == []
    assert missing_names("Which benefits will the window bring?", [said]) == []  # "Which" is no name
    assert missing_names("WHO IS THE GOVERNOR OF HIDALGO?", [said]) == []  # written in capitals


def test_the_answer_part_of_a_listing_sentence_is_the_one_holding_its_words() -> None:
    listing = (
        "From the workers' sector: José Luis Carazo Preciado, from the CTM; "
        "Rodolfo Gerardo González Guzmán, Secretary General of the CROM; and José Noè Moreno, of the CROC."
    )
    part = answer_clause("Rodolfo Gerardo González Guzmán", listing)
    assert part.strip() == "Rodolfo Gerardo González Guzmán, Secretary General of the CROM"
    assert missing_names("Who is the secretary general of the CTM?", [part]) == ["CTM"]
    assert missing_names("Who is the secretary general of the CROM?", [part]) == []
    assert missing_names("Who is the secretary general of the CTM?", [listing]) == []  # the whole sentence
    assert (
        answer_clause("170", "No semicolon here, 170 appointments.") == "No semicolon here, 170 appointments."
    )


def test_an_answer_made_only_of_the_questions_words_repeats_it() -> None:
    question = "Which online Cofepris tool lets all its users change their operating notices by themselves?"
    assert repeats_the_question(
        question, "The online Cofepris tool lets all its users change their operating notices."
    )
    assert repeats_the_question("The desks take in paperwork for which Cofepris facility?", "Cofepris")
    assert not repeats_the_question(question, "The DIGIPRiS platform")


def test_an_answer_with_no_terms_or_to_a_choice_is_not_judged_a_repetition() -> None:
    assert not repeats_the_question("Was the session held on Wednesday?", "yes")
    assert not repeats_the_question("Was the session held on Wednesday or Thursday?", "Wednesday")
    assert not repeats_the_question("¿La sesión fue el miércoles o el jueves?", "el miércoles")
    assert not repeats_the_question(
        "Which team won the round between the Broncos and the Steelers?", "The Broncos"
    )
