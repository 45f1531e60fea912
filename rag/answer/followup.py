"""Follow-up questions in a conversation ("and in 2019?", "¿y en Madrid?").

A small local model cannot be trusted to rewrite a question, so the rule is plain: a short
question, or one that opens with a connective, is read together with the previous one.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

_CONNECTIVES = re.compile(
    r"^\s*[¿¡]?\s*(and|also|what about|how about|same for|y|e|también|tambien|"
    r"qué hay de|que hay de|y qué|y que)\b",
    re.IGNORECASE,
)
_SHORT_WORDS = 4


@dataclass(frozen=True)
class Turn:
    """The question as asked and what retrieval and the model should read."""

    asked: str
    search: str  # text used for retrieval and language detection
    prompt: str  # question shown to the model


def is_followup(question: str) -> bool:
    """True when the question leans on an earlier one."""
    return bool(_CONNECTIVES.match(question)) or len(question.split()) <= _SHORT_WORDS


def resolve(question: str, earlier: Sequence[str] = ()) -> Turn:
    """Combine a follow-up with the last earlier question; other questions stand alone."""
    previous = next((q.strip() for q in reversed(earlier) if q.strip()), "")
    if not previous or not is_followup(question):
        return Turn(question, question, question)
    return Turn(
        asked=question,
        search=f"{previous} {question}",
        prompt=f"{question} (this follows the earlier question: {previous})",
    )
