"""Ordinals that tell events apart: the Third Central Regional Meeting is not the Fourth.

An article about one meeting of a series answers every question about the series as well as the
small models can tell: "How many agreements were signed at the Third Central Regional Meeting?"
was answered with the Fourth's 837. A question that numbers a named event or body ("the Third
Central Regional Meeting", "la Quinta Reunión") is answered only from articles that give that
ordinal somewhere, in either language (tercera, third, 3rd, III).
"""

from __future__ import annotations

import re

from rag.text import fold_accents

_WORDS = {
    1: "first primer primero primera",
    2: "second segundo segunda",
    3: "third tercer tercero tercera",
    4: "fourth cuarto cuarta",
    5: "fifth quinto quinta",
    6: "sixth sexto sexta",
    7: "seventh septimo septima setimo setima",
    8: "eighth octavo octava",
    9: "ninth noveno novena",
    10: "tenth decimo decima",
}
_ORDINAL = {word: n for n, words in _WORDS.items() for word in words.split()}
_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4, "v": 5, "vi": 6, "vii": 7, "viii": 8, "ix": 9, "x": 10}
# "3rd", "4th", "4.ª", "3er", "5o": an ordinal written with digits.
_NUMERAL = re.compile(r"\b(\d{1,2})(?:st|nd|rd|th|er|\.?[ºª°]|[oa])\b", re.IGNORECASE)
_WORD = re.compile(r"[^\W\d_]+")
# A word and the next one: an ordinal names something when it or the next word is capitalised.
_PAIR = re.compile(r"(?=\b([^\W\d_]+)\s+([^\W\d_]+))")
# Titles an ordinal is part of, not a count: "Primer Ministro" is the Prime Minister, "First Lady" is
# "Primera Dama"; an article in the other language gives no ordinal for them.
_TITLES = frozenset(
    "ministro ministra minister premier dama lady secretario secretaria secretary lord".split()
)


def named_ordinals(question: str) -> set[int]:
    """The ordinals the question gives to a name ("the Third Central Regional Meeting", "the Fourth
    meeting", "la Cuarta Reunión" -> {3}, {4}, {4}); lowercase ordinals before lowercase words ("the
    third quarter", "por primera vez") and the question's capitalised first word are left out."""
    text = question.lstrip("¿¡\"' ")
    found = set()
    for match in _PAIR.finditer(text):
        word, following = match.group(1), match.group(2)
        number = _ORDINAL.get(fold_accents(word))
        capitalised = (word[0].isupper() and match.start() > 0) or following[0].isupper()
        if number is not None and capitalised and fold_accents(following) not in _TITLES:
            found.add(number)
    return found


def ordinals_in(text: str) -> set[int]:
    """Every ordinal the text gives: words of either language, numerals ("4th", "4.ª") and
    Roman numerals ("World War II", "Super Bowl XXXIII" gives none: only I to X count)."""
    found = {_ORDINAL[w] for w in map(fold_accents, _WORD.findall(text)) if w in _ORDINAL}
    found |= {int(m.group(1)) for m in _NUMERAL.finditer(text)}
    found |= {_ROMAN[w.lower()] for w in re.findall(r"\b[IVX]{1,4}\b", text) if w.lower() in _ROMAN}
    return found


def unknown_ordinals(question: str, articles: list[str]) -> set[int]:
    """The ordinals the question gives to a name that none of the cited `articles` gives."""
    wanted = named_ordinals(question)
    if not wanted:
        return set()
    given = set().union(*(ordinals_in(a) for a in articles))
    return wanted - given
