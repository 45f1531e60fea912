import pytest

from rag.answer.followup import is_followup, resolve


@pytest.mark.parametrize(
    "question",
    ["and in 2019?", "And what about Madrid?", "¿Y en 2019?", "y el IMSS?", "what about Sinaloa", "In 2019?"],
)
def test_short_or_connected_questions_are_follow_ups(question: str) -> None:
    assert is_followup(question)


def test_a_full_question_stands_alone_even_with_earlier_ones() -> None:
    question = "How many appointments does the IMSS require every two months?"
    turn = resolve(question, ["Who won the match?"])
    assert (turn.search, turn.prompt) == (question, question)


def test_a_follow_up_is_searched_and_asked_with_the_last_earlier_question() -> None:
    turn = resolve("and in 2019?", ["How many people died in 2020?", "  "])
    assert turn.asked == "and in 2019?"
    assert turn.search == "How many people died in 2020? and in 2019?"
    assert turn.prompt == "and in 2019? (this follows the earlier question: How many people died in 2020?)"


def test_without_earlier_questions_a_short_question_is_left_alone() -> None:
    assert resolve("Who is Svarch?").search == "Who is Svarch?"
