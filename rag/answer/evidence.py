"""Evidence: the sentences of the retrieved passages, ranked by how well they match the question."""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np

from rag.answer.answer_types import AnswerType, answer_type, holds
from rag.lru import LRU
from rag.sentences import split_sentences
from rag.text import fold_accents, stopwords

if TYPE_CHECKING:
    from llama_index.core.schema import NodeWithScore

    from rag.answer.rerank import SentenceReranker

_WORD = re.compile(r"\w+")
# Measured on the tune half of eval/qa.jsonl (eval/README.md): weight 1.0 and 5-letter stems put the
# answer in the first three passages for 87.5% of answerable questions, against 71.2% before.
LEXICAL_WEIGHT = 1.0
STEM_CHARS = 5
# Tune half: the answer's sentence ranked first for 72.9% of questions instead of 68.8%.
TYPE_WEIGHT = 0.2
# Across languages, a sentence that puts a number right before what the translated "how many"
# question counts ("837 acuerdos") all but holds the answer (rag.answer.counts.gives_the_count).
# Tune half: xen-01's sentence first once the question is translated (was third); 0.5 and 0.8
# ranked alike, 0.2-0.3 moved it to second only. Only through the translation (within a language
# the stem overlap already sees the noun), and only for a sentence that, with its article's opening,
# names what the question names: on XQuAD the bonus lifted "racking up 88 tackles", another
# player's, for "How many tackles did Luke Kuechly register?" (eval/README.md, thirteenth round).
COUNT_WEIGHT = 0.5
# The reranker's similarity is added to the first cosine, not put in its place. e5's cosines lie in a
# narrow band (0.75-0.89 on the seeds) where the stem overlap (0-0.5) drowned them; weighted 4x they count.
# Tune half of eval/qa.jsonl, questions answered by one sentence, 5 articles ranked: that sentence is in the
# first three for 91.3% of them instead of 84.8%, and first for 82.6% as before (eval/README.md).
RERANK_WEIGHT = 4.0
# A sentence leans on its article's opening (title and lead) for what it is about: "Detalló que
# ... se suscribieron 837 acuerdos" never names the meeting its headline names. A question stem
# the sentence lacks but the article's first TOPIC_CHARS characters hold counts at TOPIC_WEIGHT.
# Chosen on the tune half of eval/qa.jsonl and XQuAD's first 300 questions; on XQuAD's other 312
# the answer's sentence is first or second more often in all three settings (eval/README.md,
# eleventh round).
TOPIC_WEIGHT = 0.3
TOPIC_CHARS = 400
# The stems of each article's opening (`opening_stems`), by file name.
Topics = Mapping[str, frozenset[str]]


@dataclass(frozen=True)
class Evidence:
    """One candidate sentence; `text == file[start:end]` for the file `source`."""

    source: str
    start: int
    end: int
    text: str
    score: float
    cosine: float


def content_words(text: str) -> set[str]:
    """Accent-folded lowercase words that are not stopwords."""
    stop = stopwords()
    return {w for w in _WORD.findall(fold_accents(text)) if w not in stop}


def stems(text: str) -> set[str]:
    """Content words cut to their first STEM_CHARS letters: 'appointments' and 'appointment' meet,
    and so do many Spanish and English cognates ('médicas'/'medical', 'directora'/'director')."""
    return {w[:STEM_CHARS] for w in content_words(text)}


def lexical_overlap(question: str, sentence: str, topic: frozenset[str] = frozenset()) -> float:
    """Share of the question's stemmed content words that the sentence contains; a word it lacks
    that its article's opening (`topic`, from `opening_stems`) holds counts TOPIC_WEIGHT."""
    wanted = stems(question)
    if not wanted:
        return 0.0
    held = wanted & stems(sentence)
    inherited = (wanted - held) & topic
    return (len(held) + TOPIC_WEIGHT * len(inherited)) / len(wanted)


def opening_stems(article: str) -> frozenset[str]:
    """The stems of an article's opening (its title and lead), which its sentences lean on."""
    return frozenset(stems(article[:TOPIC_CHARS]))


class BatchEmbedder(Protocol):
    """What SentenceEmbeddings needs of an embedder (llama-index's BaseEmbedding has it)."""

    def get_text_embedding_batch(self, texts: list[str]) -> Iterable[Any]: ...


class SentenceEmbeddings:
    """Embeds sentences with an embedder (the index's, or the reranker's), remembering recent ones."""

    def __init__(self, embedder: BatchEmbedder, size: int = 20_000) -> None:
        self.embedder = embedder
        self._vectors: LRU[np.ndarray] = LRU(size)
        # One caller embeds at a time. Questions that arrive together over a cold cache (a fresh
        # replica under load) would otherwise each embed the same article sentences, and the
        # first wave ran past its deadline (docs/performance.md).
        self._lock = threading.Lock()

    def __call__(self, texts: list[str]) -> np.ndarray:
        with self._lock:
            fresh: dict[str, np.ndarray] = {}
            missing = self._vectors.missing(texts)
            if missing:
                vectors = self.embedder.get_text_embedding_batch(missing)
                for text, vector in zip(missing, vectors, strict=True):
                    fresh[text] = np.asarray(vector, dtype=np.float32)
                    self._vectors.put(text, fresh[text])
            return np.stack([fresh[t] if t in fresh else self._vectors.get(t) for t in texts])


Candidate = tuple[str, int, int, str]  # source, start, end, text


def bonus(
    question: str,
    kind: AnswerType,
    sentence: str,
    translations: Sequence[str] = (),
    topic: frozenset[str] = frozenset(),
) -> float:
    """What a sentence earns beyond its similarity: stem overlap (with the question, or with its
    translation when that overlaps more; its article's opening `topic` counted in), holding the
    kind of answer, and giving the count a translation of the question asks for."""
    overlap = max(lexical_overlap(q, sentence, topic) for q in (question, *translations))
    counted = kind is AnswerType.NUMBER and any(_gives_the_count(q, sentence, topic) for q in translations)
    return LEXICAL_WEIGHT * overlap + TYPE_WEIGHT * holds(kind, sentence) + COUNT_WEIGHT * counted


def _gives_the_count(question: str, sentence: str, topic: frozenset[str]) -> bool:
    """The sentence gives the count the question asks for (rag.answer.counts.gives_the_count) of
    what the question names: each name it gives is in the sentence or its article's opening."""
    from rag.answer.citations import name_words  # both import this module's stems
    from rag.answer.counts import gives_the_count

    if not gives_the_count(question, sentence):
        return False
    held = stems(sentence) | topic
    return all(any(w[:STEM_CHARS] in held for w in words) for _, words in name_words(question))


def file_sentences(
    passages: list[NodeWithScore], read_file: Callable[[str], str | None], max_files: int
) -> list[Candidate]:
    """Every sentence of the files the best `max_files` passages come from.

    The passages point at the right article far more often than they hold the answering
    sentence (chunks are short), so the whole article is searched.
    """
    sources: dict[str, str] = {}
    for hit in passages:
        meta = hit.node.metadata
        if len(sources) < max_files:
            sources.setdefault(str(meta["source"]), str(meta.get("language", "en")))
    candidates = []
    for source, language in sources.items():
        text = read_file(source)
        if text:
            candidates += [(source, a, b, t) for a, b, t in _file_sentences(text, language)]
    return candidates


def chunk_sentences(passages: list[NodeWithScore]) -> list[Candidate]:
    """The sentences of the passages themselves, without repeats (overlapping chunks)."""
    seen: dict[tuple[str, int], Candidate] = {}
    for hit in passages:
        meta = hit.node.metadata
        chunk = hit.node.get_content()
        offset = int(meta["start"])
        for span in split_sentences(chunk, language=str(meta.get("language", "en"))):
            key = (str(meta["source"]), offset + span.start)
            seen.setdefault(key, (key[0], key[1], offset + span.end, span.text))
    return list(seen.values())


def rank_evidence(
    question: str,
    query_embedding: list[float],
    candidates: list[Candidate],
    embed: SentenceEmbeddings,
    limit: int,
    translations: Sequence[str] = (),
    topics: Topics | None = None,
) -> list[Evidence]:
    """Rank candidate sentences: cosine similarity, plus LEXICAL_WEIGHT times stem overlap, plus
    TYPE_WEIGHT when the sentence holds the kind of answer asked for (a number for "how many").

    `translations` are the question in the corpus's other languages: stems do not cross
    languages, so a sentence's overlap is the best over the question and its translations.
    `topics` holds each file's opening stems (`opening_stems`), counted in the overlap."""
    topics = topics or {}
    if not candidates:
        return []
    kind = answer_type(question)
    vectors = embed([c[3] for c in candidates])
    query = np.asarray(query_embedding, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1) * (np.linalg.norm(query) or 1.0)
    cosines = vectors @ query / np.where(norms == 0, 1.0, norms)
    ranked = [
        Evidence(
            src,
            start,
            end,
            text,
            float(cos + bonus(question, kind, text, translations, topics.get(src, frozenset()))),
            float(cos),
        )
        for (src, start, end, text), cos in zip(candidates, cosines, strict=True)
    ]
    ranked.sort(key=lambda e: e.score, reverse=True)
    return ranked[:limit]


@dataclass(frozen=True)
class Passage:
    """A ranked sentence with its neighbours: `text == file[start:end]` for the file `source`.

    `sentences` are the passage's sentences in file order, each a citable span; `score` is the
    best score of the ranked sentences it holds; `language` is its article's.
    """

    source: str
    start: int
    end: int
    text: str
    sentences: tuple[Evidence, ...]
    score: float
    language: str = "en"


@lru_cache(maxsize=256)
def _file_sentences(text: str, language: str) -> tuple[tuple[int, int, str], ...]:
    return tuple((s.start, s.end, s.text) for s in split_sentences(text, language=language))


def widen(
    ranked: list[Evidence],
    read_file: Callable[[str], str | None],
    language_of: Callable[[str], str],
    limit: int,
    before: int = 0,
    after: int = 0,
) -> list[Passage]:
    """Passages around the best sentences: each with `before`/`after` neighbours from its file.

    A sentence often leans on its neighbour (a pronoun, "he said", a number in the previous
    line), so the model reads it in context. Passages that touch or overlap in one file merge.
    Returns at most `limit` passages, best first.
    """
    windows: list[tuple[str, int, int, float]] = []  # source, first and last sentence index, score
    texts: dict[str, str] = {}
    spans_of: dict[str, tuple[tuple[int, int, str], ...]] = {}
    for item in ranked:
        if item.source not in spans_of:
            texts[item.source] = read_file(item.source) or ""
            spans_of[item.source] = _file_sentences(texts[item.source], language_of(item.source))
        spans = spans_of[item.source]
        index = next((i for i, s in enumerate(spans) if s[0] <= item.start < s[1]), None)
        if index is None:
            continue
        first, last = max(0, index - before), min(len(spans) - 1, index + after)
        merged = False
        for n, (source, a, b, score) in enumerate(windows):
            if source == item.source and first <= b and a <= last:
                windows[n] = (source, min(a, first), max(b, last), score)
                merged = True
                break
        if not merged:
            if len(windows) == limit:
                continue
            windows.append((item.source, first, last, item.score))
    scored = {(e.source, e.start): e for e in ranked}
    passages = []
    for source, a, b, score in windows:
        spans = spans_of[source][a : b + 1]
        start, end = spans[0][0], spans[-1][1]
        sentences = tuple(
            Evidence(source, s, e, t, scored[source, s].score, scored[source, s].cosine)
            if (source, s) in scored
            else Evidence(source, s, e, t, 0.0, 0.0)
            for s, e, t in spans
        )
        passages.append(
            Passage(source, start, end, texts[source][start:end], sentences, score, language_of(source))
        )
    return passages


def rerank(
    question: str,
    ranked: list[Evidence],
    reranker: SentenceReranker | None,
    top: int,
    translations: Sequence[str] = (),
    topics: Topics | None = None,
) -> list[Evidence]:
    """The best `top` sentences re-ordered by their first cosine plus RERANK_WEIGHT times the
    reranker's similarity (stem overlap, with `topics` as in `rank_evidence`, and answer-type
    bonus kept); the rest follow unchanged. Scores are not changed, so thresholds on them keep
    their meaning."""
    if reranker is None or len(ranked) < 2:
        return ranked
    head, tail = ranked[:top], ranked[top:]
    openings = [(topics or {}).get(e.source, frozenset()) for e in head]
    keys = closeness(
        question, [e.text for e in head], reranker, translations, [e.cosine for e in head], openings
    )
    order = sorted(range(len(head)), key=lambda n: keys[n], reverse=True)
    return [head[n] for n in order] + tail


def closeness(
    question: str,
    texts: list[str],
    reranker: SentenceReranker | None,
    translations: Sequence[str] = (),
    base: Sequence[float] | None = None,
    openings: Sequence[frozenset[str]] | None = None,
) -> list[float]:
    """How well each text matches the question, on the reranker's scale: its `base` score (0 when
    none is given), plus RERANK_WEIGHT times the reranker's similarity (0 without a reranker), plus
    the stem-overlap (each text's article opening stems in `openings` counted in) and answer-type bonus.
    `rerank` orders sentences by it with their first cosine as the base; a list's items are chosen
    by it without one (rag.answer.listing)."""
    kind = answer_type(question)
    similarity = reranker.similarities(question, texts) if reranker is not None else [0.0] * len(texts)
    bases = [0.0] * len(texts) if base is None else base
    stems_of_opening = [frozenset[str]()] * len(texts) if openings is None else openings
    return [
        b + RERANK_WEIGHT * float(s) + bonus(question, kind, t, translations, o)
        for t, s, b, o in zip(texts, similarity, bases, stems_of_opening, strict=True)
    ]
