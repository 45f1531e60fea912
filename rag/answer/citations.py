"""From the model's answer to verified citations.

The answer is aligned with the sentences that hold its words and numbers; every citation is
a sentence of a corpus file with its offsets, checked against the file on disk. An answer
whose numbers appear in no chosen sentence is unsupported: small models copy digits wrongly
(170 -> 270).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable

from rag.answer.evidence import STEM_CHARS, Evidence, Passage, content_words, stems
from rag.text import fold_accents, stopwords
from rag.types import Citation

_MARKER = re.compile(r"\[(\d{1,2})\]")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_SPACES = re.compile(r"\s+")
_WORD = re.compile(r"\w+")
NUMBER_WORDS = {
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
    found |= {NUMBER_WORDS[w] for w in content_words(text) if w in NUMBER_WORDS}
    return found


def is_supported(answer: str, sentences: list[str]) -> bool:
    """Every number of the answer occurs in the sentences (names and words are not checked)."""
    available = set().union(*(numbers_in(s) for s in sentences)) if sentences else set()
    return numbers_in(answer) <= available


def normalise_whitespace(text: str) -> str:
    return _SPACES.sub(" ", text).strip()


def verify_citation(
    item: Evidence,
    read_file: Callable[[str], str | None],
    page_of: Callable[[str, int], int | None] | None = None,
) -> Citation | None:
    """A Citation when `item.text` is found in its file at its offsets, else None; `page_of`
    gives the page of an offset for files that have pages (PDFs)."""
    text = read_file(item.source)
    if text is None or not (0 <= item.start < item.end <= len(text)):
        return None
    if normalise_whitespace(text[item.start : item.end]) != normalise_whitespace(item.text):
        return None
    return Citation(
        source=item.source,
        quote=text[item.start : item.end],
        start=item.start,
        end=item.end,
        page=page_of(item.source, item.start) if page_of is not None else None,
    )


def terms(text: str) -> set[str]:
    """What an answer must share with its support: stemmed content words and numbers."""
    return stems(text) | numbers_in(text)


def align(answer: str, passages: list[Passage], most: int = 3) -> list[Evidence]:
    """The sentences of the passages that hold the answer, best first.

    The sentence sharing the most of the answer's terms comes first (ties: the better-ranked
    sentence, then the earlier passage); a further sentence is added only while it covers terms
    the chosen ones miss (an answer naming two facts cites two sentences). Every number of the
    answer must occur in the chosen sentences; otherwise nothing is returned.
    """
    wanted = terms(answer)
    sentences = [s for p in passages for s in p.sentences]
    if not wanted or not sentences:
        return []
    held = [terms(s.text) for s in sentences]
    chosen: list[Evidence] = []
    missing = set(wanted)
    while missing and len(chosen) < most:
        gains = [(len(missing & held[n]), s.score, -n) for n, s in enumerate(sentences)]
        best = max(range(len(sentences)), key=lambda n: gains[n])
        if gains[best][0] == 0:
            break
        chosen.append(sentences[best])
        missing -= held[best]
    if not chosen or not is_supported(answer, [s.text for s in chosen]):
        return []
    return chosen


def coverage(answer: str, support: list[Evidence]) -> float:
    """Share of the answer's terms found in its support sentences (1.0 for an answer copied from them)."""
    wanted = terms(answer)
    if not wanted:
        return 0.0
    found = set().union(*(terms(s.text) for s in support)) if support else set()
    return len(wanted & found) / len(wanted)


_ACRONYM = re.compile(r"\b[A-ZÁÉÍÓÚÑ]{3,}\b")


# "X or Y?", "which team won, between X and Y?": the answer is one of the question's own words.
_CHOICE = re.compile(r"\b(?:or|o|u|between|entre)\b", re.IGNORECASE)


def repeats_the_question(question: str, answer: str) -> bool:
    """True when every term of the answer is already in the question (and it has some): "The
    online tool lets its users change their notices" for "Which online tool lets its users change
    their notices?" names nothing. A question offering a choice ("X or Y?", "between X and Y") is
    never judged."""
    said = terms(answer)
    return bool(said) and said <= terms(question) and not _CHOICE.search(question)


def unknown_acronyms(question: str, sources: list[str]) -> set[str]:
    """Acronyms the question names (ISSSTE, UNOPS) that none of the cited articles contains.

    An answer drawn from an article that never mentions the institution asked about answers
    another question ("How many appointments does the ISSSTE require?" answered from the IMSS
    article). Only whole-word acronyms count, and none in a question written in capitals. An
    acronym the article writes with the same letters in another order counts as named: Spanish
    puts the noun first ("VIH", "SIDA" for "HIV", "AIDS").
    """
    if _in_capitals(question):
        return set()
    wanted = {fold_accents(a) for a in _ACRONYM.findall(question)}
    found = " ".join(fold_accents(s) for s in sources)
    reordered = {_letters(a) for s in sources for a in _ACRONYM.findall(s)}
    return {
        a for a in wanted if not re.search(rf"\b{re.escape(a)}\b", found) and _letters(a) not in reordered
    }


def _letters(acronym: str) -> str:
    """An acronym's letters in alphabetical order, accents folded and lowercased."""
    return "".join(sorted(fold_accents(acronym)))


def _in_capitals(question: str) -> bool:
    """True for a question with no letters or written mostly in capitals: its capitals name nothing."""
    letters = [c for c in question if c.isalpha()]
    return not letters or sum(c.isupper() for c in letters) > len(letters) / 2


# A run of capitalised words, joined by the particles names hold ("Secretaría de la Función Pública").
_NAME_RUN = re.compile(
    r"[A-ZÁÉÍÓÚÑ][\w-]*(?:\s+(?:(?:de|del|la|las|los|of|the|and|y|e)\s+)*[A-ZÁÉÍÓÚÑ][\w-]*)*"
)
# "Consejo Técnico del IMSS": an acronym after "de"/"of" says whose the name is, not which one; an
# article about the IMSS names the IMSS everywhere, so it alone does not name its Technical Council.
_QUALIFIER = re.compile(r"\s+(?:de|del|of)\s+(?:(?:el|la|las|los|the)\s+)?[A-ZÁÉÍÓÚÑ]{2,}$")
# "Según Marcos Bucio, ...", "según el titular del Seguro Social?": who said it is named in the
# article, seldom in the quoted sentence. The attribution runs to the next comma or the end.
_ATTRIBUTION = re.compile(r"\b(?i:seg[uú]n|according to|as described by|per the)\s[^,;?¿]*")
_QUESTION_WORDS = frozenset(
    "who whom whose what which where when why how quien quienes que cual cuales donde cuando "
    "cuanto cuanta cuantos cuantas".split()
)


def missing_names(question: str, sentences: list[str]) -> list[str]:
    """Names the question gives (runs of capitalised words) that the sentences never mention:
    none of a run's words occurs in them, in any of its forms.

    "¿Quién es el gobernador de Hidalgo?" answered from "el gobernador Sergio Salomón expuso"
    answers it for another state. One word of a run is enough ("Ramírez de O" names "Rogelio
    Ramírez de la O"). Only meaningful when the sentences are in the question's language (a
    Spanish sentence says "Hacienda" for "Finance Ministry").
    """
    found = {w for s in sentences for w in _WORD.findall(fold_accents(s))}
    return [
        run
        for run, words in name_words(question)
        if not any(_same_name_word(w, f) for w in words for f in found)
    ]


def name_words(question: str) -> list[tuple[str, list[str]]]:
    """The names a question gives (runs of capitalised words), each with the folded words that can
    name it: the speaker of "according to X" is not asked for, a question's first word is
    capitalised by position, not as a name, and a closing "del IMSS" only says whose the name is.
    [] for a question written in capitals."""
    if _in_capitals(question):
        return []
    text = _ATTRIBUTION.sub(" ", question).lstrip("¿¡\"' ")
    stop = stopwords()
    names = []
    for run in _NAME_RUN.finditer(text):
        words = [fold_accents(w) for w in _WORD.findall(_QUALIFIER.sub("", run.group(0)))]
        if run.start() == 0:
            words = words[1:]
        words = [w for w in words if w not in stop and w not in _QUESTION_WORDS]
        if words:
            names.append((run.group(0), words))
    return names


def _same_name_word(word: str, other: str) -> bool:
    """Whether two folded words are one name word in two forms ("Mexican", "Mexico";
    "Secretary", "Secretariat"): they share a prefix of at least STEM_CHARS characters and three
    quarters of the shorter word; short words must be equal. A bare five-character stem made
    "Concamin" match "Concanaco".
    """
    shorter = min(len(word), len(other))
    if shorter < STEM_CHARS:
        return word == other  # "CTM" is not "CTMx"
    need = max(STEM_CHARS, math.ceil(0.75 * shorter))
    return word[:need] == other[:need]


def answer_clause(answer: str, sentence: str) -> str:
    """The part of the sentence, between semicolons, that holds most of the answer's terms.

    Lists of people put each one's post in their own part ("X, of the CTM; Y, Secretary
    General of the CROM"): the name asked about must be in the answer's part, not elsewhere.
    """
    wanted = terms(answer)
    parts = [p for p in sentence.split(";") if p.strip()] or [sentence]
    return max(parts, key=lambda p: len(wanted & terms(p)))
