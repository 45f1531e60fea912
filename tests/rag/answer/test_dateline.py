from rag.answer.dateline import asks_about_the_article, copies_the_dateline, publication_date

SCRAPED = " date 2021-12-23 LaSalud.mx.-The IMSS and Cofepris signed an agreement to install 2 windows."
FRONT_MATTER = (
    '---\nlayout: post\ntitle: "Instalan ventanillas"\ndate: 2021-12-22T20:08:00.000-06:00\n---\n\nEl IMSS …'
)


def test_the_article_date_is_found_in_a_dateline_or_front_matter() -> None:
    start, end = publication_date(SCRAPED) or (0, 0)
    assert SCRAPED[start:end] == "2021-12-23"
    start, end = publication_date(FRONT_MATTER) or (0, 0)
    assert FRONT_MATTER[start:end] == "2021-12-22T20:08:00.000-06:00"
    assert publication_date("The meeting on 2021-12-23 agreed on 837 points.") is None  # not a date line
    assert publication_date("x" * 2000 + "\ndate: 2021-12-23") is None  # past the header


def test_an_answer_that_is_only_the_article_date_copies_the_dateline() -> None:
    lead = (1, len(SCRAPED))
    for answer in ("2021-12-23", "December 23, 2021", "el 23 de diciembre de 2021", "2021"):
        assert copies_the_dateline(answer, SCRAPED, *lead), answer
    assert not copies_the_dateline("2", SCRAPED, *lead)  # a number of the sentence itself
    assert not copies_the_dateline("2 windows", SCRAPED, *lead)
    assert not copies_the_dateline("date 2021-12-23 LaSalud.mx.-The IMSS", SCRAPED, *lead)  # more than a date
    assert not copies_the_dateline("2021-12-23", SCRAPED, 30, len(SCRAPED))  # cited past the date
    assert not copies_the_dateline("2021-12-23", "The meeting closed on 2021-12-23.", 0, 34)


def test_a_question_about_the_article_itself_may_be_answered_with_its_date() -> None:
    assert asks_about_the_article("¿Qué día se difundió la nota en español?")
    assert asks_about_the_article("When was the article published?")
    assert not asks_about_the_article("On what date will the windows start operating?")
    assert not asks_about_the_article("¿En qué año se inauguró el Centro Vacacional?")
    assert not asks_about_the_article("Which public body runs it?")
