"""Language detection for articles and questions (lingua: offline, accurate on long text)."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from functools import cache

LanguageDetector = Callable[[str], str]

# Short questions are dominated by names ("Who is Zoé Robledo?") that mislead a statistical
# detector, so function words that belong to one language only get the first vote.
_FUNCTION_WORDS = {
    "en": frozenset(
        "the a an of and or is are was were who whom whose what which when where why how "
        "does did do many much to in on at by for with from that this these those has have "
        "had it its be been their his her they he she not".split()
    ),
    "es": frozenset(
        "el la los las un una unos unas del al y o es son fue fueron era quién quien quiénes "
        "qué que cuál cuáles cuándo cuando dónde donde por porqué cómo como cuántos cuántas "
        "cuánto cuánta de en con para se su sus lo le ha han ser está están no".split()
    ),
}
_WORD = re.compile(r"[^\W\d_]+")


@cache
def _lingua(codes: tuple[str, ...]):
    from lingua import IsoCode639_1, Language, LanguageDetectorBuilder

    languages = [Language.from_iso_code_639_1(getattr(IsoCode639_1, c.upper())) for c in codes]
    return LanguageDetectorBuilder.from_languages(*languages).build()


def _vote_by_function_words(text: str, codes: tuple[str, ...]) -> str | None:
    words = [w.lower() for w in _WORD.findall(text)]
    votes = {c: sum(w in _FUNCTION_WORDS[c] for w in words) for c in codes if c in _FUNCTION_WORDS}
    if "es" in votes and ("¿" in text or "¡" in text):
        votes["es"] += 2
    ranked = sorted(votes.items(), key=lambda kv: kv[1], reverse=True)
    if ranked and ranked[0][1] > 0 and (len(ranked) == 1 or ranked[0][1] > ranked[1][1]):
        return ranked[0][0]
    return None


def make_language_detector(codes: Sequence[str]) -> LanguageDetector:
    """A function text -> ISO 639-1 code, choosing among `codes`; the first is the fallback."""
    codes = tuple(c.lower() for c in codes)
    if not codes:
        raise ValueError("at least one language code is needed")

    def detect(text: str) -> str:
        if len(codes) == 1 or not text.strip():
            return codes[0]
        voted = _vote_by_function_words(text[:2000], codes)
        if voted:
            return voted
        found = _lingua(codes).detect_language_of(text)
        return found.iso_code_639_1.name.lower() if found else codes[0]

    return detect


_NAME_OR_NUMBER = re.compile(r"\b[A-ZÁÉÍÓÚÑÜ][\w'’-]*|\S*\d\S*")
# Capitalised words joined by English "of" or "for" are an English title, not a name: "Chamber of
# Deputies" is "Cámara de Diputados" to a Spanish reader. ("and" joins two names as often; Spanish
# particles are not listed: "de la" joins the parts of people's names, "Rogelio Ramírez de la O".)
_ENGLISH_TITLE = re.compile(r"\b[A-Z][\w'’-]*(?:\s+(?:of|for)(?:\s+the)?\s+[A-Z][\w'’-]*)+")
_LONG_WORD = re.compile(r"[^\W\d_]{3,}")
# Capitalised in English but not names: "3 August" must become "3 de agosto" for a Spanish question.
_CALENDAR = frozenset(
    "january february march april may june july august september october november december "
    "monday tuesday wednesday thursday friday saturday sunday".split()
)


def written_in(text: str, language: str, detect: LanguageDetector) -> bool:
    """True when `text` reads as `language`; names and numbers count as every language.

    Capitalised words (except English month and day names and English titles, "Chamber of
    Deputies") and anything holding a digit are set aside first; a text with no word of three or
    more letters left ("Alejandro Svarch Pérez", "170") is in every language.
    """
    text = _ENGLISH_TITLE.sub(lambda m: m.group().lower(), text)
    rest = _NAME_OR_NUMBER.sub(lambda m: m.group() if m.group().lower() in _CALENDAR else " ", text)
    if not _LONG_WORD.search(rest):
        return True
    return detect(rest) == language


def needs_translation(text: str, language: str, detect: LanguageDetector) -> bool:
    """True when an answer copied from an article should be translated into `language`."""
    return not written_in(text, language, detect)
