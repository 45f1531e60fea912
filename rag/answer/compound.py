"""Compound questions: "How many X were signed, and who heads Y?" asks two things.

The pipeline answers from one passage per model call, so a question whose parts are answered in
two places (often two articles) is split and each part answered on its own. The rules are plain, as
for follow-ups: two questions joined by a comma and "and"/"y", each opening with a question word;
"Who are A and B?" ("¿Quiénes son A y B?"); and a question that ends on two full names joined by
"and"/"y" ("¿Qué cargos tienen Célida Duque Molina y Javier Guerrero García?"), asked of each.
"""

from __future__ import annotations

import re

_ENGLISH = r"who|whom|whose|what|which|how|when|where|why"
# Spanish question words with their accents: without one, "y que" and "y donde" join clauses.
_SPANISH = r"quién|quiénes|qué|cuál|cuáles|cuánto|cuánta|cuántos|cuántas|cuándo|dónde|cómo|por qué"
_FIRST = re.compile(
    rf"^\s*¿?\s*(?:{_ENGLISH}|{_SPANISH}|quien|que|cual|cuant|cuando|donde|como)", re.IGNORECASE
)
_JOIN = re.compile(rf",\s+(?:and|y|e)\s+(?=(?:{_ENGLISH}|{_SPANISH})\b)", re.IGNORECASE)
# A later part that points back ("and what are their positions?") cannot stand alone.
_BACK_REFERENCE = re.compile(
    r"\b(their|theirs|they|them|its|his|her|hers|these|those|both|each|"
    r"su|sus|ellos|ellas|estos|estas|ambos|ambas|cada uno)\b",
    re.IGNORECASE,
)


# A capitalised word, not an acronym ("IMSS Célida Duque Molina" is not one name).
_CAPITAL = r"[A-ZÁÉÍÓÚÑ][a-záéíóúñü][\w-]*"
# A full name: two or more capitalised words, "de", "del", "la" between them ("Rogelio Ramírez de la O").
_FULL_NAME = rf"{_CAPITAL}(?:\s+(?:(?:de|del|la|los)\s+)*(?:{_CAPITAL}|[A-Z]\b))+"
# The pair ends the question, or comes just before its last word ("… and Raquel Buenrostro hold?").
_NAME_PAIR = re.compile(rf"(?<=\s)({_FULL_NAME})\s+(?:and|y|e)\s+({_FULL_NAME})(?=(?:\s+[a-z]+)?\s*\?\s*$)")
_WHO_ARE = re.compile(r"^\s*(¿?)\s*(?:who are|quiénes son|quienes son)\s+(.+?)\s*\?\s*$", re.IGNORECASE)
# Where "Who are A and B?" divides: "and"/"y" before an article or a capital.
_PERSON_JOIN = re.compile(r"\s+(?:and|y|e)\s+(?=(?:the|el|la)\s|[A-ZÁÉÍÓÚÑ])")


def split_compound(question: str) -> list[str]:
    """The question's parts, each written as a question of its own; [question] when it has one."""
    text = question.strip()
    if not _FIRST.match(text):
        return [question]
    people = _split_people(text)
    if people:
        return people
    pieces = _JOIN.split(text)
    if len(pieces) < 2 or any(_BACK_REFERENCE.search(p) for p in pieces[1:]):
        return [question]
    spanish = text.lstrip().startswith("¿")
    parts = []
    for piece in pieces:
        body = piece.strip().lstrip("¿").rstrip("?").strip()
        if not body:
            return [question]
        body = body[0].upper() + body[1:]
        parts.append(f"¿{body}?" if spanish else f"{body}?")
    return parts


def _split_people(text: str) -> list[str]:
    """ "Who are A and B?" as "Who is A?" and "Who is B?"; a question ending on two full names as
    the same question of each; [] when the question is not one of these, or divides more than one
    way ("the Secretary of Finance and Public Credit and the governor" is left whole)."""
    who = _WHO_ARE.match(text)
    if who:
        joins = list(_PERSON_JOIN.finditer(who.group(2)))
        if len(joins) != 1:
            return []
        cut = joins[0]
        people = [who.group(2)[: cut.start()], who.group(2)[cut.end() :]]
        spanish = bool(who.group(1)) or who.group(0).lstrip().lower().startswith("qui")
        return [f"¿Quién es {p}?" if spanish else f"Who is {p}?" for p in people]
    pairs = list(_NAME_PAIR.finditer(text))
    if len(pairs) != 1:
        return []
    pair = pairs[0]
    return [text[: pair.start()] + name + text[pair.end() :] for name in pair.groups()]
