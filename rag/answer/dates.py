"""Dates translated by rule, not by the model: month and weekday names between English and Spanish.

A date is the commonest short answer copied from an article in the other language, and the small
model translates it loosely ("3 agosto" for "3 August", or a different day). A table is exact.
"""

from __future__ import annotations

import re

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
