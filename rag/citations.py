"""From the model's reply to verified citations.

The model cites sentence numbers; every citation becomes a sentence of a corpus file with
its offsets, checked against the file on disk. A reply whose numbers appear in no cited
sentence is treated as unsupported: small models copy digits wrongly (170 -> 270).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from rag.evidence import Evidence, content_words
from rag.types import Citation

_MARKER = re.compile(r"\[(\d{1,2})\]")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_SPACES = re.compile(r"\s+")
_NUMBER_WORDS = {
    "one": "1", "two": "2", "three": "3", "four": "4", "five": "5", "six": "6", "seven": "7",
    "eight": "8", "nine": "9", "ten": "10", "uno": "1", "una": "1", "dos": "2", "tres": "3",
    "cuatro": "4", "cinco": "5", "seis": "6", "siete": "7", "ocho": "8", "nueve": "9", "diez": "10",
}  # fmt: skip


def split_markers(reply: str) -> tuple[str, list[int]]:
    """The reply without its [n] markers, and the cited numbers in order of first mention."""
    cited = list(dict.fromkeys(int(n) for n in _MARKER.findall(reply)))
    text = _SPACES.sub(" ", _MARKER.sub(" ", reply)).strip()
    text = re.sub(r"\s+([.,;:!?])", r"\1", text)
    if not any(c.isalnum() for c in text):  # leftovers such as "[" of a cut-off marker list
        text = ""
    return text, cited


def numbers_in(text: str) -> set[str]:
    """Numbers in `text`, digits normalised ('1,000' -> '1000') and small number words included."""
    found = {re.sub(r"[.,]", "", n) for n in _NUMBER.findall(text)}
    found |= {_NUMBER_WORDS[w] for w in content_words(text) if w in _NUMBER_WORDS}
    return found


def is_supported(answer: str, sentences: list[str]) -> bool:
    """Every number of the answer occurs in the sentences (names and words are not checked)."""
    available = set().union(*(numbers_in(s) for s in sentences)) if sentences else set()
    return numbers_in(answer) <= available


_NAME = re.compile(r"\b[A-ZÁÉÍÓÚÑ][\w-]+")


def is_grounded(answer: str, question: str, sentence: str) -> bool:
    """Strict check for an answer the model was pushed to give: every number and every
    capitalised word of the answer that the question does not contain occurs in the sentence."""
    if not is_supported(answer, [sentence]):
        return False
    known = content_words(question) | content_words(sentence)
    return all(word in known for name in _NAME.findall(answer) for word in content_words(name))


def _shared_terms(answer_terms: set[str], sentence: str) -> int:
    return len(answer_terms & (content_words(sentence) | numbers_in(sentence)))


def choose_support(answer: str, cited: list[int], evidence: list[Evidence]) -> list[Evidence]:
    """The evidence sentences that back the answer.

    The model's own citations are kept when they contain the answer's numbers and share a
    word with it; otherwise the evidence sentence sharing the most words and numbers with
    the answer is taken (the model often cites a neighbour of the right sentence).
    """
    terms = content_words(answer) | numbers_in(answer)
    chosen = [
        evidence[n - 1]
        for n in cited
        if 1 <= n <= len(evidence) and (not terms or _shared_terms(terms, evidence[n - 1].text))
    ]
    if chosen and is_supported(answer, [e.text for e in chosen]):
        return chosen
    best: Evidence | None = None
    best_overlap = 0
    for item in evidence:
        overlap = _shared_terms(terms, item.text)
        if overlap > best_overlap and is_supported(answer, [item.text]):
            best, best_overlap = item, overlap
    return [best] if best is not None else []


def normalise_whitespace(text: str) -> str:
    return _SPACES.sub(" ", text).strip()


def verify_citation(item: Evidence, read_file: Callable[[str], str | None]) -> Citation | None:
    """A Citation when `item.text` is found in its file at its offsets, else None."""
    text = read_file(item.source)
    if text is None or not (0 <= item.start < item.end <= len(text)):
        return None
    if normalise_whitespace(text[item.start : item.end]) != normalise_whitespace(item.text):
        return None
    return Citation(source=item.source, quote=text[item.start : item.end], start=item.start, end=item.end)
