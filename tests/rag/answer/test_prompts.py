import re

from rag.answer import prompts
from rag.answer.answer_types import AnswerType, answer_type
from rag.text import fold_accents


def _words(text: str) -> str:
    return " ".join(re.findall(r"\w+", fold_accents(text).lower()))


def test_the_worked_example_answers_a_paraphrase_with_words_copied_from_its_sentence() -> None:
    sentence, question, kind, answer = prompts.READ_EXAMPLE
    assert _words(answer) in _words(sentence)
    assert answer_type(question) is kind  # shown with the hint the pipeline gives such a question
    shared = set(_words(question).split()) & set(_words(sentence).split())
    assert shared <= {"the", "from", "what"}  # the question is worded differently from the sentence


def test_the_worked_example_is_a_reading_prompt_with_its_reply() -> None:
    sentence, question, kind, answer = prompts.READ_EXAMPLE
    user, reply = prompts.read_example()
    assert user == prompts.READ_ONE.format(
        passage=sentence, question=question, hint=prompts.ANSWER_HINTS[kind]
    )
    assert reply == answer


def test_only_a_plural_who_question_is_told_that_several_names_may_answer_it() -> None:
    assert prompts.answer_hint("Who is the head of Cofepris?", AnswerType.PERSON) == "Answer with a name."
    several = prompts.answer_hint("¿Quiénes firmaron como testigos?", AnswerType.PERSON)
    assert several == prompts.SEVERAL_NAMES_HINT != prompts.ANSWER_HINTS[AnswerType.PERSON]
    # plural wording matters only to "who": "which two" is a question of no particular kind
    assert prompts.answer_hint("Which two officials signed it?", AnswerType.OTHER) == "Answer in a few words."
