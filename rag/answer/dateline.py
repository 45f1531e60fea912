"""An article's own date is when it was published, not when what it reports happened.

Front matter's `date: 2021-12-22T20:08:00` and a scraped dateline ("date 2021-12-23 LaSalud.mx.-The
IMSS and Cofepris signed …") sit in the lead sentence, and the small models copy them for any
"when" question ("On what date will the windows start operating?", "¿En qué año se inauguró …?").
Such an answer is taken only for a question about the article itself.
"""

from __future__ import annotations

import re

from rag.answer.citations import numbers_in
from rag.answer.dates import MONTH_NAMES
from rag.answer.evidence import content_words

# Where an article's header ends: front matter and a dateline come before the body.
HEAD_CHARS = 1500
_DATELINE = re.compile(
    r"^[ \t]*(?:date|fecha|published|publicado|publicada)[ \t]*:?[ \t]*[\"']?"
    r"(?P<date>\d{4}-\d{2}-\d{2}(?:[T ][\d:.]+(?:Z|[+-]\d{2}:?\d{2})?)?)",
    re.IGNORECASE | re.MULTILINE,
)
# Words of a question about the article rather than what it reports: "When was the note published?"
_ABOUT_THE_ARTICLE = re.compile(
    r"\b(?:publish\w*|publication|posted|dated|article|note|"
    r"public[oóa]\w*|difund\w*|nota|art[ií]culo|noticia)\b",
    re.IGNORECASE,
)


def publication_date(article: str) -> tuple[int, int] | None:
    """Where the article's own date lies (a `date:` line of its header), or None."""
    match = _DATELINE.search(article[:HEAD_CHARS])
    return None if match is None else match.span("date")


def asks_about_the_article(question: str) -> bool:
    """Whether the question asks about the article itself (when it was published)."""
    return _ABOUT_THE_ARTICLE.search(question) is not None


def copies_the_dateline(answer: str, article: str, start: int, end: int) -> bool:
    """Whether `answer`, cited from `article[start:end]`, is the article's own date: a date (or a
    year) whose every number is one of that date's, and none occurs elsewhere in the sentence."""
    span = publication_date(article)
    wanted = numbers_in(answer)
    if span is None or not wanted or not (start <= span[0] < end):
        return False
    if {w for w in content_words(answer) if not w.isdigit()} - MONTH_NAMES:
        return False  # more than a date: the answer holds words of the sentence too
    rest = article[start : span[0]] + " " + article[span[1] : end]
    return wanted <= numbers_in(article[span[0] : span[1]]) and not wanted & numbers_in(rest)
