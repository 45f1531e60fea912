"""Whether a number answering "how many X" counts X in the sentence it was copied from.

Small models answer "how many patients…" with the "two" of "two years" and "how many
agreements…" with the "2" of "two windows": the sentence has a number, just not of the thing
asked about. A number is taken as counting something else only on positive evidence — the
word right after it is a content word the question never uses and none of the few words after
it is the counted noun — so "siete al inicio" or "the number of visits was 220" pass. A number
the model was unsure of needs evidence the other way: the counted noun right after it.
"""

from __future__ import annotations

import itertools
import re

from rag.answer.citations import NUMBER_WORDS, numbers_in
from rag.answer.evidence import STEM_CHARS, stems
from rag.text import fold_accents, stopwords

# What follows "how many" in the question (accent-folded): the counted noun starts there.
_HOW_MANY = re.compile(r"\b(?:how many|cuant[oa]s)\b(.*)")
_WORD = re.compile(r"\w+")
# A number as written in a sentence: 837, 1,000, 2.5 or a small number word.
_NUMBER_OR_WORD = re.compile(r"\d+(?:[.,]\d+)*|[^\W\d_]+")
# The words read after the number, up to the end of its phrase.
WINDOW_WORDS = 5
_PHRASE_END = re.compile(r"[.,;:()\[\]«»“”\"?!]")
# Auxiliaries end the counted noun ("how many agreements were signed"); most verbs are not
# stopwords, and a verb of the question found after the number would pass for the noun.
_AUXILIARIES = frozenset(
    "is are was were be been do does did has have had will would can could may might se hay ha han "
    "habia hubo fue fueron es son era eran sera seran".split()
)
# Words that end what a number counts: "220 participantes y se suscribieron 837 acuerdos".
_PHRASE_BREAKS = frozenset("and or y e o u que which who that para to".split())
# A past-tense verb ends the counted noun too: "cuántas enfermeras participaron" counts nurses,
# and "participaron" would pass for the "participantes" of "150 participantes" (same stem).
_PAST_TENSE = re.compile(r"\w{3,}(?:aron|ieron|eron|ed)")
# Units of time (stems): a number of them is in most stories, whatever they are about.
_TIME_UNITS = frozenset("years anos month meses weeks seman days dias hours horas minut".split())
# Words that scale a number rather than name what it counts ("3 million people").
_MAGNITUDES = frozenset("hundred thousand million millions billion cientos mil miles millon millones".split())


def counted_noun(question: str) -> list[str]:
    """The content words naming what a "how many" question counts (at most three, accent-folded);
    [] for other questions."""
    match = _HOW_MANY.search(fold_accents(question))
    if not match:
        return []
    stop = stopwords()
    words: list[str] = []
    for word in _WORD.findall(match.group(1)):
        if word in _AUXILIARIES or (words and _PAST_TENSE.fullmatch(word)):
            break
        if word in stop:
            if words:
                break
            continue  # "how many of the …"
        words.append(word)
        if len(words) == 3:
            break
    return words


def counts_something_else(question: str, answer: str, sentence: str) -> bool:
    """True when every place `sentence` gives the answer's number, it counts a thing the question
    does not ask about; False when it counts the asked thing, or when that cannot be told (not a
    "how many" question, no number, the number not in the sentence, nothing named after it)."""
    noun, places = _noun_and_places(question, answer, sentence)
    if not noun or not places:
        return False
    stop = stopwords()
    asked = stems(question)
    for after in places:
        if noun & {w[:STEM_CHARS] for w in after}:
            return False
        first = after[0] if after else ""
        if not first or first in stop or first.isdigit() or first in NUMBER_WORDS:
            return False  # nothing named right after the number: cannot tell
        if first[:STEM_CHARS] in asked:
            return False
    return True


def counts_the_asked_thing(question: str, answer: str, sentence: str) -> bool:
    """True when, at some place `sentence` gives the answer's number, the first content word after
    it is a word of the counted noun ("cinco Hospitales Generales" for "how many hospitals"):
    positive evidence that the number answers a "how many" question."""
    noun, places = _noun_and_places(question, answer, sentence)
    return _named_right_after(noun, places)


def counted_after(answer: str, sentence: str) -> list[str]:
    """What the sentence counts at each place it gives the answer's number: the words after it
    (accent-folded, up to the end of its phrase, a conjunction or another number, without trailing
    stopwords), e.g. ["directivos del seguro social"]."""
    phrases = []
    for after in _answer_places(answer, sentence):
        words = list(itertools.takewhile(lambda w: w not in _PHRASE_BREAKS and not w.isdigit(), after))
        while words and words[-1] in stopwords():
            words.pop()
        if words:
            phrases.append(" ".join(words))
    return list(dict.fromkeys(phrases))


def _noun_and_places(question: str, answer: str, sentence: str) -> tuple[set[str], list[list[str]]]:
    """The stems of the question's counted noun, and the words after each place the sentence gives
    the answer's number; no places when the question counts nothing or the answer has no number."""
    noun = {w[:STEM_CHARS] for w in counted_noun(question)}
    return noun, _answer_places(answer, sentence) if noun else []


def _answer_places(answer: str, sentence: str) -> list[list[str]]:
    """The words after each place `sentence` gives a number of `answer`; none when it has no number."""
    wanted = numbers_in(answer)
    return _number_places(fold_accents(sentence), wanted) if wanted else []


def _named_right_after(noun: set[str], places: list[list[str]]) -> bool:
    """Whether, at some place, the first content word after the number is a word of the counted
    `noun` (stems)."""
    stop = stopwords()
    return any(next((w for w in after if w not in stop), "")[:STEM_CHARS] in noun for after in places)


def _number_places(folded: str, wanted: set[str] | None = None) -> list[list[str]]:
    """For each place the folded sentence gives one of the `wanted` numbers (any number, digits or
    a small number word, when None), the words after it (up to the end of its phrase, magnitudes
    such as "million" left out)."""
    places = []
    for match in _NUMBER_OR_WORD.finditer(folded):
        token = match.group()
        value = re.sub(r"[.,]", "", token) if token[0].isdigit() else NUMBER_WORDS.get(token)
        if value is None or (wanted is not None and value not in wanted):
            continue
        phrase = _PHRASE_END.split(folded[match.end() :], maxsplit=1)[0]
        places.append([w for w in _WORD.findall(phrase)[:WINDOW_WORDS] if w not in _MAGNITUDES])
    return places


def gives_the_count(question: str, sentence: str) -> bool:
    """True when `sentence` gives a number right before what the "how many" `question` counts:
    the first content word after a number (digits or a small number word) is a word of the counted
    noun ("se suscribieron 837 acuerdos" for "¿cuántos acuerdos…?"). False for other questions,
    and for a count of years, days or hours: "two years after the pandemic" is in every story."""
    counted = counted_noun(question)
    if not counted or counted[0][:STEM_CHARS] in _TIME_UNITS:
        return False
    noun = {w[:STEM_CHARS] for w in counted}
    return _named_right_after(noun, _number_places(fold_accents(sentence)))
