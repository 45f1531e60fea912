"""Compound questions: "How many X were signed, and who heads Y?" asks two things.

The pipeline answers from one passage per model call, so a question whose parts are answered in
two places (often two articles) is split and each part answered on its own. The rule is plain, as
for follow-ups: two questions joined by a comma and "and"/"y", each opening with a question word.
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


def split_compound(question: str) -> list[str]:
    """The question's parts, each written as a question of its own; [question] when it has one."""
    text = question.strip()
    if not _FIRST.match(text):
        return [question]
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
