"""What kind of answer a question asks for (a number, a date, a name, a place), read from its wording.

Small models answer a "how many" question with a name surprisingly often; telling them the kind
of answer, and preferring evidence sentences that hold one, costs nothing and helps both.
"""

from __future__ import annotations

import re
from enum import Enum

from rag.text import fold_accents


class AnswerType(Enum):
    NUMBER = "number"
    DATE = "date"
    PERSON = "person"
    PLACE = "place"
    OTHER = "other"


# Matched against the accent-folded, lowercased question, in this order.
_QUESTION_PATTERNS = (
    (
        AnswerType.NUMBER,
        re.compile(r"\bhow (many|much)\b|\bcuant[oa]s?\b|\bwhat (number|percentage|amount)\b"),
    ),
    (
        AnswerType.DATE,
        re.compile(
            r"\bwhen\b|\bsince when\b|\bwhat (year|date|day|month)\b|\bon what (date|day)\b|\bin what (year|month)\b"
            r"|\bby what month\b|\bcuando\b|\bque (dia|fecha|ano|mes)\b|\ben que (ano|mes|fecha)\b"
        ),
    ),
    (
        AnswerType.PERSON,
        re.compile(r"^\W*(who|whom|quien|quienes)\b|\b(who|quien|quienes) (is|was|es|fue|era)\b"),
    ),
    (
        AnswerType.PLACE,
        re.compile(r"\bwhere\b|\bdonde\b|\bin what (city|state|place)\b|\ben que (ciudad|estado|lugar)\b"),
    ),
)

# Plural wording: "¿Quiénes…?", "who were…", "which two…", "both", "as witnesses". "their" is left out:
# in "Who did the Broncos beat to win their division?" it is the subject's, not the answer's.
_SEVERAL = re.compile(
    r"\bquienes\b|\bwho (are|were|have)\b|\b(which|what|cuales|que) (two|three|four|dos|tres|cuatro)\b"
    r"|\b(both|ambos|ambas)\b|\bas (?!this\b)[a-z]{3,}s\b"
)
_DIGIT = re.compile(r"\d")
_NUMBER_WORD = re.compile(
    r"\b(one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|hundreds?|thousands?|dozens?|"
    r"uno|una|dos|tres|cuatro|cinco|seis|siete|ocho|nueve|diez|once|doce|cientos|miles|decenas)\b"
)
_MONTH_OR_YEAR = re.compile(
    r"\b(january|february|march|april|may|june|july|august|september|october|november|december|"
    r"enero|febrero|marzo|abril|mayo|junio|julio|agosto|septiembre|octubre|noviembre|diciembre|"
    r"monday|tuesday|wednesday|thursday|friday|saturday|sunday|"
    r"lunes|martes|miercoles|jueves|viernes|sabado|domingo|(19|20)\d\d)\b"
)
_TWO_CAPITALISED = re.compile(r"\b[A-ZÁÉÍÓÚÑ][a-záéíóúñü]+\s+(de\s+(la\s+)?)?[A-ZÁÉÍÓÚÑ][a-záéíóúñü]+")


def answer_type(question: str) -> AnswerType:
    """The kind of answer the question's wording asks for; OTHER when it does not say."""
    folded = fold_accents(question)
    for kind, pattern in _QUESTION_PATTERNS:
        if pattern.search(folded):
            return kind
    return AnswerType.OTHER


def asks_for_several(question: str) -> bool:
    """True when the question is worded in the plural, so its answer may be a list of names."""
    return bool(_SEVERAL.search(fold_accents(question)))


def holds(kind: AnswerType, sentence: str) -> bool:
    """True when the sentence contains something of that kind (always False for OTHER)."""
    match kind:
        case AnswerType.NUMBER:
            return bool(_DIGIT.search(sentence) or _NUMBER_WORD.search(fold_accents(sentence)))
        case AnswerType.DATE:
            return bool(_MONTH_OR_YEAR.search(fold_accents(sentence)))
        case AnswerType.PERSON | AnswerType.PLACE:
            return bool(_TWO_CAPITALISED.search(sentence))
    return False


_CAPITALISED = re.compile(r"\b[A-ZÁÉÍÓÚÑ][\w-]+")


def fits(kind: AnswerType, answer: str) -> bool:
    """True when a short answer is of the kind asked for: 'The owner' does not answer "who",
    'Puebla' does not answer "how many". Answers to OTHER questions always fit."""
    folded = fold_accents(answer)
    match kind:
        case AnswerType.NUMBER:
            return bool(_DIGIT.search(answer) or _NUMBER_WORD.search(folded))
        case AnswerType.DATE:
            return bool(_DIGIT.search(answer) or _MONTH_OR_YEAR.search(folded))
        case AnswerType.PERSON | AnswerType.PLACE:
            from rag.answer.evidence import content_words  # evidence ranking imports this module

            return any(content_words(word) for word in _CAPITALISED.findall(answer))
    return True
