"""Pure scoring functions for the evaluation harness: answers, retrieval, citations, statistics."""

from __future__ import annotations

import math
import random
import re
import string
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from functools import lru_cache

from rag.text import fold_accents, strip_accents

NEEDS = ("all", "any")
_SPACES = re.compile(r"\s+")
_ARTICLES = re.compile(r"\b(a|an|the|el|la|los|las|un|una|unos|unas)\b")
_ASCII_PUNCTUATION = frozenset(string.punctuation)


fold = fold_accents  # lowercase and strip accents, as the pipeline's keyword search does


@lru_cache(maxsize=1024)
def compile_accept(pattern: str) -> re.Pattern[str]:
    """The accept pattern as matched: accents stripped, case-insensitive; raises re.error if invalid."""
    # Only accents are folded: lowercasing the pattern would turn \D, \S, \W, \B into \d, \s, \w, \b.
    return re.compile(strip_accents(pattern), re.IGNORECASE)


def accept_match(answer: str, patterns: Iterable[str]) -> bool:
    """True when any accept regex matches the answer, ignoring case and accents."""
    folded = fold(answer)
    return any(compile_accept(p).search(folded) for p in patterns)


def normalize_answer(text: str) -> str:
    """SQuAD normalisation with English and Spanish articles removed and accents folded."""
    text = unicodedata.normalize("NFC", text).lower()
    text = "".join(
        c for c in text if c not in _ASCII_PUNCTUATION and not unicodedata.category(c).startswith("P")
    )
    # Articles go before accents are folded, so the pronoun 'él' is not taken for the article 'el'.
    text = _ARTICLES.sub(" ", text)
    return " ".join(fold(text).split())


_NUMBER_WORDS = {
    word: str(value)
    for words in (
        "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
        "sixteen seventeen eighteen nineteen twenty",
        "cero uno dos tres cuatro cinco seis siete ocho nueve diez once doce trece catorce quince "
        "dieciseis diecisiete dieciocho diecinueve veinte",
    )
    for value, word in enumerate(words.split())
}
_NUMBER_WORD = re.compile(r"\b(" + "|".join(_NUMBER_WORDS) + r")\b")


def digits_for_number_words(normalized: str) -> str:
    """A normalised answer with the number words up to twenty written as digits ('four' and
    'cuatro' -> '4'), so '4' and 'four' count as the same answer."""
    return _NUMBER_WORD.sub(lambda m: _NUMBER_WORDS[m.group(1)], normalized)


def token_f1(prediction: str, reference: str) -> float:
    """SQuAD token-overlap F1 between normalised prediction and reference."""
    predicted = normalize_answer(prediction).split()
    expected = normalize_answer(reference).split()
    if not predicted or not expected:
        return float(predicted == expected)
    common = sum((Counter(predicted) & Counter(expected)).values())
    if common == 0:
        return 0.0
    precision = common / len(predicted)
    recall = common / len(expected)
    return 2 * precision * recall / (precision + recall)


def exact_match(prediction: str, reference: str) -> bool:
    """True when the normalised prediction equals the normalised reference."""
    return normalize_answer(prediction) == normalize_answer(reference)


def contains_gold(prediction: str, golds: Sequence[str], numbers_as_digits: bool = False) -> bool:
    """True when some non-empty normalised gold occurs in the normalised prediction, on word
    boundaries; with `numbers_as_digits`, number words up to twenty on either side count as digits."""

    def normal(text: str) -> str:
        text = normalize_answer(text)
        return digits_for_number_words(text) if numbers_as_digits else text

    # Padding with spaces keeps '170' from matching inside '1700'.
    padded = f" {normal(prediction)} "
    return any(gold and f" {gold} " in padded for gold in map(normal, golds))


def _check_need(need: str) -> None:
    if need not in NEEDS:
        raise ValueError(f"need must be one of {NEEDS}, got {need!r}")


def _gold_set(gold_files: Iterable[str]) -> set[str]:
    gold = set(gold_files)
    if not gold:
        raise ValueError("no gold files: retrieval and citation recall are undefined (unanswerable item?)")
    return gold


def dedupe(ranked: Iterable[str]) -> list[str]:
    """The ranked list without repeats, each name kept at its first rank."""
    return list(dict.fromkeys(ranked))


def _top(retrieved: Iterable[str], k: int) -> set[str]:
    if k < 1:
        raise ValueError(f"k must be at least 1, got {k}")
    return set(dedupe(retrieved)[:k])


def hit_at_k(retrieved: Sequence[str], gold_files: Iterable[str], k: int, need: str = "all") -> bool:
    """need='all': every gold file is in the top k; need='any': at least one is."""
    _check_need(need)
    gold = _gold_set(gold_files)
    found = gold & _top(retrieved, k)
    return bool(found) if need == "any" else found == gold


def recall_at_k(retrieved: Sequence[str], gold_files: Iterable[str], k: int, need: str = "all") -> float:
    """Share of gold files in the top k (need='any': 1.0 if any of them is, else 0.0)."""
    _check_need(need)
    gold = _gold_set(gold_files)
    found = gold & _top(retrieved, k)
    if need == "any":
        return float(bool(found))
    return len(found) / len(gold)


def reciprocal_rank(retrieved: Sequence[str], gold_files: Iterable[str]) -> float:
    """1/rank of the first gold file in the deduplicated ranking, 0.0 if none is retrieved."""
    gold = _gold_set(gold_files)
    for rank, name in enumerate(dedupe(retrieved), start=1):
        if name in gold:
            return 1.0 / rank
    return 0.0


def citation_precision(cited_files: Iterable[str], gold_files: Iterable[str]) -> float | None:
    """Share of distinct cited files that are gold; None when nothing is cited."""
    cited = set(cited_files)
    if not cited:
        return None
    return len(cited & set(gold_files)) / len(cited)


def citation_recall(cited_files: Iterable[str], gold_files: Iterable[str], need: str = "all") -> float:
    """Share of gold files cited (need='any': 1.0 if any gold file is cited, else 0.0)."""
    _check_need(need)
    gold = _gold_set(gold_files)
    found = gold & set(cited_files)
    if need == "any":
        return float(bool(found))
    return len(found) / len(gold)


def quote_valid(citation: Mapping[str, object], read_file: Callable[[str], str | None]) -> bool:
    """True when the cited file exists and text[start:end] equals the quote, whitespace collapsed."""
    source, quote = citation.get("source"), citation.get("quote")
    start, end = citation.get("start"), citation.get("end")
    if not isinstance(source, str) or not isinstance(quote, str):
        return False
    # bool is an int subclass; True/False offsets are a bug upstream, not offsets.
    if (
        not (isinstance(start, int) and isinstance(end, int))
        or isinstance(start, bool)
        or isinstance(end, bool)
    ):
        return False
    text = read_file(source)
    # Explicit bounds: slicing would silently clip offsets past the end of the file.
    if text is None or not 0 <= start < end <= len(text):
        return False
    return " ".join(text[start:end].split()) == " ".join(quote.split())


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0-100) with linear interpolation, as numpy's default; nan when empty."""
    if not 0 <= q <= 100:
        raise ValueError(f"q must be within [0, 100], got {q}")
    if not values:
        return math.nan
    ordered = sorted(values)
    position = (len(ordered) - 1) * q / 100
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def bootstrap_ci(
    values: Sequence[float], n_resamples: int = 1000, alpha: float = 0.05, seed: int = 0
) -> tuple[float, float]:
    """Percentile-bootstrap (1 - alpha) confidence interval of the mean, deterministic for a seed."""
    if not 0 < alpha < 1:
        raise ValueError(f"alpha must be within (0, 1), got {alpha}")
    if n_resamples < 1:
        raise ValueError(f"n_resamples must be at least 1, got {n_resamples}")
    if not values:
        return math.nan, math.nan
    if len(values) == 1:
        return float(values[0]), float(values[0])
    rng = random.Random(seed)
    n = len(values)
    means = [sum(rng.choices(values, k=n)) / n for _ in range(n_resamples)]
    return percentile(means, 100 * alpha / 2), percentile(means, 100 * (1 - alpha / 2))


def refusal_correct(item_answerable: bool, refused: bool) -> bool:
    """True when the system refused exactly the unanswerable questions."""
    return refused != item_answerable


def evidence_recall(evidence: Sequence[str], patterns: Iterable[str], k: int) -> bool:
    """True when an accept pattern matches within the first k evidence passages the model reads."""
    if k < 1:
        raise ValueError(f"k must be at least 1, got {k}")
    return accept_match("\n".join(evidence[:k]), patterns)
