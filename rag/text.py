"""Text normalisation shared by keyword search, evidence ranking and evaluation."""

import unicodedata
from functools import cache


def strip_accents(text: str) -> str:
    """`text` in NFKD form without combining marks ('Pérez' -> 'Perez')."""
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


@cache
def stopwords() -> frozenset[str]:
    """English and Spanish stopwords (bm25s's lists), accent-folded."""
    from bm25s.stopwords import STOPWORDS_EN, STOPWORDS_SPANISH

    return frozenset(fold_accents(w) for w in (*STOPWORDS_EN, *STOPWORDS_SPANISH))


def fold_accents(text: str) -> str:
    """Lowercase and strip accents ('Zoé' -> 'zoe')."""
    return strip_accents(text.lower())
