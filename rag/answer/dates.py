"""Dates translated by rule, not by the model: month and weekday names between English and Spanish.

A date is the commonest short answer copied from an article in the other language, and the small
model translates it loosely ("3 agosto" for "3 August", or a different day). A table is exact.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rag.answer.evidence import stems
from rag.text import fold_accents

_MONTHS = {
    "en": "january february march april may june july august september october november december".split(),
    "es": "enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre diciembre".split(),
}
_WEEKDAYS = {
    "en": "monday tuesday wednesday thursday friday saturday sunday".split(),
    "es": "lunes martes miércoles jueves viernes sábado domingo".split(),
}
_MONTH = {fold_accents(m): n for names in _MONTHS.values() for n, m in enumerate(names)} | {"setiembre": 8}
# Month names of both languages, accent-folded.
MONTH_NAMES = frozenset(_MONTH)
_WEEKDAY = {fold_accents(d): n for names in _WEEKDAYS.values() for n, d in enumerate(names)}
_M = r"(?P<month>[^\W\d_]+)"
_D = r"(?P<day>\d{1,2})(?:st|nd|rd|th|º|°)?"
_Y = r"(?P<year>\d{4})"
# Day first ("3 August 2021", "3 de agosto de 2021", "the 3rd of August"), month first
# ("August 3, 2021", "agosto 3"), or a month with its year ("August 2021", "agosto de 2021").
_FORMS = [
    re.compile(rf"(?:the |el )?{_D} (?:of |de )?{_M}(?:,? (?:of |de |del )?{_Y})?"),
    re.compile(rf"{_M} {_D}(?:,? (?:of |de |del )?{_Y})?"),
    re.compile(rf"(?:in |en )?{_M}(?: (?:of |de |del )?{_Y})?"),
]


def translate_date(text: str, language: str) -> str | None:
    """`text` written in `language` ('en' or 'es') when the whole of it is a date or a weekday;
    None when it is anything else (the model translates it instead)."""
    if language not in _MONTHS:
        return None
    folded = fold_accents(text).strip().rstrip(".").strip()
    if folded in _WEEKDAY:
        weekday = _WEEKDAYS[language][_WEEKDAY[folded]]
        return weekday.capitalize() if language == "en" else weekday
    for form in _FORMS:
        match = form.fullmatch(folded)
        if match and match["month"] in _MONTH:
            parts = match.groupdict()
            month = _MONTHS[language][_MONTH[match["month"]]]
            return _written(language, month, parts.get("day"), parts.get("year"))
    return None


def _written(language: str, month: str, day: str | None, year: str | None) -> str:
    if language == "es":
        date = f"{int(day)} de {month}" if day else month
        return f"{date} de {year}" if year else date
    month = month.capitalize()
    date = f"{month} {int(day)}" if day else month
    if year:
        return f"{date}, {year}" if day else f"{date} {year}"
    return date


@dataclass(frozen=True)
class _Mention:
    """A date in a folded text: where it lies and what it says (None where it does not say)."""

    start: int
    end: int
    day: int | None
    month: int
    year: str | None

    def same_date(self, other: _Mention) -> bool:
        return self.month == other.month and all(
            a is None or b is None or a == b for a, b in ((self.day, other.day), (self.year, other.year))
        )


_CLAUSE_END = re.compile(r"[,;:()]")


def _mentions(folded: str) -> list[_Mention]:
    """The dates of a folded text in order, the longest form winning where two overlap."""
    found = []
    for form in _FORMS:
        for match in form.finditer(folded):
            parts = match.groupdict()
            day = parts.get("day")
            year = parts.get("year")
            if match["month"] not in _MONTH or (match["month"] == "may" and not day and not year):
                continue  # a bare "may" is the verb
            found.append(
                _Mention(match.start(), match.end(), int(day) if day else None, _MONTH[match["month"]], year)
            )
    kept: list[_Mention] = []
    for m in sorted(found, key=lambda m: m.start - m.end):
        if all(m.end <= k.start or k.end <= m.start for k in kept):
            kept.append(m)
    return sorted(kept, key=lambda m: m.start)


def date_asked_about(question: str, answer: str, sentence: str) -> str | None:
    """The date of `sentence` the question asks about, when the answer copied another one; None
    when the answer stands.

    Each date is judged by the question's word stems in its clause (the part of the sentence
    between commas): "on June 9 the President appointed Ramírez de O as Secretary of Finance,
    position in which it was ratified on 3 August" answers "When was Ramírez de la O
    appointed?" with June 9, though the small models copy 3 August. A date replaces the
    answer only when its clause shares strictly more of those stems.
    """
    folded = fold_accents(sentence)
    if len(folded) != len(sentence):  # positions would not map back to the sentence
        return None
    mentions = _mentions(folded)
    given = _mentions(fold_accents(answer))
    if len(mentions) < 2 or not given:
        return None
    asked = stems(question)

    def shared(m: _Mention) -> int:
        start = max((e.end() for e in _CLAUSE_END.finditer(folded, 0, m.start)), default=0)
        end = next((e.start() for e in _CLAUSE_END.finditer(folded, m.end)), len(folded))
        return len(asked & stems(folded[start:end]))

    scored = [(shared(m), m) for m in mentions]
    copied = [score for score, m in scored if m.same_date(given[0])]
    if not copied:
        return None
    top, best = max(scored, key=lambda pair: pair[0])
    if top <= max(copied):
        return None
    return sentence[best.start : best.end].strip()
