"""Prompt texts and the refusal phrases; code and tests share these constants."""

from __future__ import annotations

from rag.answer.answer_types import AnswerType

REFUSALS = {
    "en": "The articles don't say.",
    "es": "Los artículos no lo dicen.",
}
LANGUAGE_NAMES = {"en": "English", "es": "Spanish"}
# The model writes this word when no sentence answers; it is never shown to users.
NO_ANSWER = "NONE"

# The reader: evidence first, then the question, then what to write. Measured on the tune half,
# this order beats question-first by a wide margin with the small models.
READER_SYSTEM = "You answer questions about news articles using only the given text."
READ_ONE = (
    "Sentence: {passage}\n\n"
    "Question: {question}\n\n"
    "{hint} Use only the sentence. If the sentence does not answer it, write only " + NO_ANSWER + "."
)
ANSWER_HINTS = {
    AnswerType.NUMBER: "Answer with a number.",
    AnswerType.DATE: "Answer with a date.",
    AnswerType.PERSON: "Answer with a name.",
    AnswerType.PLACE: "Answer with a place.",
    AnswerType.OTHER: "Answer in a few words.",
}
TRANSLATE = "Translate into {language}: {text}\n\nWrite only the translation."
# Without "Do not answer it" the small models answer questions they are asked to translate, with
# invented names (4 of 23 tune questions; none with it).
TRANSLATE_QUESTION = (
    "Translate this question into {language}. Do not answer it.\n\n"
    "Question: {question}\n\nWrite only the translated question."
)


def refusal(language: str) -> str:
    """The refusal phrase in `language` (English when the language has none)."""
    return REFUSALS.get(language, REFUSALS["en"])


def language_name(code: str) -> str:
    return LANGUAGE_NAMES.get(code, "the language of the question")


def is_refusal(text: str) -> bool:
    """True when the model's reply says there is no answer."""
    lowered = text.lower()
    return NO_ANSWER in text or any(p.rstrip(".").lower() in lowered for p in REFUSALS.values())
