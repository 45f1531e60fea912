"""Text normalisation shared by keyword search, evidence ranking and evaluation."""

import unicodedata


def strip_accents(text: str) -> str:
    """`text` in NFKD form without combining marks ('Pérez' -> 'Perez')."""
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def fold_accents(text: str) -> str:
    """Lowercase and strip accents ('Zoé' -> 'zoe')."""
    return strip_accents(text.lower())
