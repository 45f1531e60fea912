"""The item of a listing sentence that a question is about.

Press releases name people and bodies in one long sentence: "Through videoconference
participated: A, Director General of X; B, head of Y; and C, titular of Z". Reading the whole
list, the small models copy a neighbour's name or post (the employers' substitute director
answered with the titular one), or find nothing and say so. Shown only the item the question
is about, with the list's head ("Through videoconference participated: B, head of Y"), they
copy the right one (eval/README.md, tenth round).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

# Items of a list are separated by semicolons; commas separate a person from their post.
ITEM_SEPARATOR = ";"
# Two parts are more often two clauses of one story ("Lady Gaga sang the anthem; Marlee Matlin
# translated it"), where the second leans on the first; on XQuAD reading one part lost answers.
MIN_ITEMS = 3
# Fewer words than this is not an item (a stray semicolon, an abbreviation).
MIN_ITEM_WORDS = 3
_LEADING_CONJUNCTIONS = ("and ", "y ", "e ")

# Scores each candidate text against the question (higher is closer).
ItemScorer = Callable[[list[str]], Sequence[float]]


def list_items(sentence: str) -> list[str]:
    """The items of a listing sentence, each with the list's head (the words before the first
    colon, when the first item has one); [] when the sentence is not a list of MIN_ITEMS or more."""
    parts = [p.strip() for p in sentence.split(ITEM_SEPARATOR)]
    if len(parts) < MIN_ITEMS or any(len(p.split()) < MIN_ITEM_WORDS for p in parts):
        return []
    head, colon, first = parts[0].partition(":")
    lead = f"{head.strip()}: " if colon and first.strip() else ""
    parts[0] = first.strip() if lead else parts[0]
    return [lead + _without_conjunction(p) for p in parts]


def item_asked_about(sentence: str, score: ItemScorer) -> str | None:
    """The item of a listing sentence that scores best against the question (`score` sees the
    items with the list's head); None when the sentence is not a list."""
    items = list_items(sentence)
    if not items:
        return None
    scores = list(score(items))
    return items[max(range(len(items)), key=lambda n: scores[n])]


def _without_conjunction(item: str) -> str:
    lowered = item.lower()
    for word in _LEADING_CONJUNCTIONS:
        if lowered.startswith(word):
            return item[len(word) :].lstrip()
    return item
