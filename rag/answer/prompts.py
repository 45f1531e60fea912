"""Prompt texts and the refusal phrases; code and tests share these constants."""

from __future__ import annotations

from rag.answer.answer_types import AnswerType, asks_for_several

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
# Told "a name", the model answered "who signed as witnesses?" with the first of two (tune: en-43);
# told "the name or names" for every "who", it changed 11 of 231 XQuAD answers to singular questions,
# losing 3 right ones (eval/README.md, nineteenth and twentieth rounds). So only plural questions get it.
SEVERAL_NAMES_HINT = "Answer with the name or names."
# A worked example shown before a passage the model hesitated over (as an earlier turn of the chat):
# a made-up sentence, about nothing in any corpus, a question worded differently from it, and an
# answer of a few words copied from it. Small models say "none" when a question paraphrases its
# sentence; after this example they answer such questions, or refuse with more confidence.
READ_EXAMPLE = (
    "During the visit, the minister asked the regional offices to speed up the delivery of school "
    "textbooks before classes start.",
    "What did the official request from the local branches?",
    AnswerType.OTHER,
    "To speed up the delivery of school textbooks.",
)
# Whether a number counts what a "how many" question asks about, when the sentence names it with
# other words ("directivos" for "managers", "participantes" for "people"): only the probability
# of NONE at the first token is read (eval/README.md, twenty-third round).
SAME_COUNT = (
    "Question: how many {asked}?\nSentence: ... {number} {counted} ...\n\n"
    "Does the number in the sentence count {asked}? Another language or a synonym counts. "
    "If it does not, write only " + NO_ANSWER + "; if it does, write yes."
)
TRANSLATE = "Translate into {language}: {text}\n\nWrite only the translation."
# Without "Do not answer it" the small models answer questions they are asked to translate, with
# invented names (4 of 23 tune questions; none with it).
TRANSLATE_QUESTION = (
    "Translate this question into {language}. Do not answer it.\n\n"
    "Question: {question}\n\nWrite only the translated question."
)


def answer_hint(question: str, kind: AnswerType) -> str:
    """What the reader is told to write for a question of this kind."""
    if kind is AnswerType.PERSON and asks_for_several(question):
        return SEVERAL_NAMES_HINT
    return ANSWER_HINTS[kind]


def refusal(language: str) -> str:
    """The refusal phrase in `language` (English when the language has none)."""
    return REFUSALS.get(language, REFUSALS["en"])


def language_name(code: str) -> str:
    return LANGUAGE_NAMES.get(code, "the language of the question")


def is_refusal(text: str) -> bool:
    """True when the model's reply says there is no answer."""
    lowered = text.lower()
    return NO_ANSWER in text or any(p.rstrip(".").lower() in lowered for p in REFUSALS.values())


def read_one(passage: str, question: str, kind: AnswerType) -> str:
    """The reading prompt (READ_ONE) for `question` over `passage`, with the hint for its `kind`."""
    return READ_ONE.format(passage=passage, question=question, hint=answer_hint(question, kind))


def read_example() -> tuple[str, str]:
    """READ_EXAMPLE as a (user message, model reply) pair of the reading prompt."""
    passage, question, kind, answer = READ_EXAMPLE
    return read_one(passage, question, kind), answer
