"""Prompt texts and the refusal phrases; code and tests share these constants."""

from __future__ import annotations

REFUSALS = {
    "en": "The articles don't say.",
    "es": "Los artículos no lo dicen.",
}
LANGUAGE_NAMES = {"en": "English", "es": "Spanish"}
# The model writes this word when no sentence answers; it is never shown to users.
NO_ANSWER = "NONE"

SYSTEM = "You answer questions about news articles. You are given numbered sentences from the articles."

ANSWER_FROM_SENTENCES = (
    "{sentences}\n\n"
    "Question: {question}\n\n"
    "If one of the sentences above answers the question, write the answer in {language} as one "
    "short sentence and put the sentence number in brackets at the end, like [1]. "
    "If none of them answers it, write only " + NO_ANSWER + "."
)

ANSWER_FROM_ONE_SENTENCE = (
    "Sentence: {sentence}\n\n"
    "Question: {question}\n\n"
    "Answer the question in {language} in a few words, using only the sentence. "
    "If the sentence does not answer it, write only " + NO_ANSWER + "."
)

# Used only to overrule a "none" about a strongly matching sentence: no way out, so the reply
# must then pass the strict grounding check (rag.citations.is_grounded).
ANSWER_FROM_BEST_SENTENCE = (
    "Sentence: {sentence}\n\n"
    "Question: {question}\n\n"
    "Answer the question in {language} in a few words, using only the sentence."
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
