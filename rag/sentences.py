"""Sentence spans with exact character offsets, the unit a citation quotes."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

_LINE = re.compile(r"[^\n]+")
_PUNKT_LANGUAGES = {"en": "english", "es": "spanish"}


@dataclass(frozen=True)
class Span:
    """A sentence: `text == source_text[start:end]`."""

    start: int
    end: int
    text: str


@cache
def _punkt(language: str):
    # Punkt parameters ship inside llama-index-core, so no NLTK download is needed.
    import llama_index.core
    import nltk
    from nltk.tokenize.punkt import PunktTokenizer

    bundled = str(Path(llama_index.core.__file__).parent / "_static" / "nltk_cache")
    if bundled not in nltk.data.path:
        nltk.data.path.append(bundled)
    return PunktTokenizer(_PUNKT_LANGUAGES.get(language, "english"))


def split_sentences(text: str, start: int = 0, end: int | None = None, language: str = "en") -> list[Span]:
    """Split `text[start:end]` into sentences; offsets are relative to `text`.

    Line breaks always end a sentence (headlines and bullets have no full stop), then Punkt
    splits each line. Leading and trailing whitespace is trimmed from every span.
    """
    end = len(text) if end is None else end
    tokenizer = _punkt(language)
    spans: list[Span] = []
    for line in _LINE.finditer(text, start, end):
        line_text = line.group()
        for a, b in tokenizer.span_tokenize(line_text):
            piece = line_text[a:b]
            stripped = piece.strip()
            if not stripped:
                continue
            lead = len(piece) - len(piece.lstrip())
            s = line.start() + a + lead
            spans.append(Span(s, s + len(stripped), stripped))
    return spans
