"""Evidence: the sentences of the retrieved passages, ranked by how well they match the question."""

from __future__ import annotations

import re
from collections import OrderedDict
from dataclasses import dataclass
from functools import cache
from threading import Lock
from typing import TYPE_CHECKING

import numpy as np

from rag.sentences import split_sentences
from rag.text import fold_accents

if TYPE_CHECKING:
    from llama_index.core.base.embeddings.base import BaseEmbedding
    from llama_index.core.schema import NodeWithScore

_WORD = re.compile(r"\w+")
LEXICAL_WEIGHT = 0.5


@dataclass(frozen=True)
class Evidence:
    """One candidate sentence; `text == file[start:end]` for the file `source`."""

    source: str
    start: int
    end: int
    text: str
    score: float
    cosine: float


@cache
def _stopwords() -> frozenset[str]:
    from bm25s.stopwords import STOPWORDS_EN, STOPWORDS_SPANISH

    return frozenset(fold_accents(w) for w in (*STOPWORDS_EN, *STOPWORDS_SPANISH))


def content_words(text: str) -> set[str]:
    """Accent-folded lowercase words that are not stopwords."""
    stop = _stopwords()
    return {w for w in _WORD.findall(fold_accents(text)) if w not in stop}


def lexical_overlap(question: str, sentence: str) -> float:
    """Share of the question's content words that the sentence contains."""
    wanted = content_words(question)
    return len(wanted & content_words(sentence)) / len(wanted) if wanted else 0.0


class SentenceEmbeddings:
    """Embeds sentences with the index's embedder, remembering recent ones."""

    def __init__(self, embedder: BaseEmbedding, size: int = 20_000) -> None:
        self.embedder = embedder
        self._items: OrderedDict[str, np.ndarray] = OrderedDict()
        self._size = size
        self._lock = Lock()

    def __call__(self, texts: list[str]) -> np.ndarray:
        with self._lock:
            missing = list(dict.fromkeys(t for t in texts if t not in self._items))
        if missing:
            vectors = self.embedder.get_text_embedding_batch(missing)
            with self._lock:
                for text, vector in zip(missing, vectors, strict=True):
                    self._items[text] = np.asarray(vector, dtype=np.float32)
                while len(self._items) > self._size:
                    self._items.popitem(last=False)
        with self._lock:
            return np.stack([self._items[t] for t in texts])


def rank_evidence(
    question: str,
    query_embedding: list[float],
    passages: list[NodeWithScore],
    embed: SentenceEmbeddings,
    limit: int,
) -> list[Evidence]:
    """Split passages into sentences and rank them: cosine similarity plus keyword overlap."""
    seen: dict[tuple[str, int], tuple[str, int, int, str]] = {}
    for hit in passages:
        meta = hit.node.metadata
        chunk = hit.node.get_content()
        offset = int(meta["start"])
        for span in split_sentences(chunk, language=str(meta.get("language", "en"))):
            key = (str(meta["source"]), offset + span.start)
            seen.setdefault(key, (key[0], key[1], offset + span.end, span.text))
    if not seen:
        return []
    candidates = list(seen.values())
    vectors = embed([c[3] for c in candidates])
    query = np.asarray(query_embedding, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1) * (np.linalg.norm(query) or 1.0)
    cosines = vectors @ query / np.where(norms == 0, 1.0, norms)
    ranked = [
        Evidence(
            src, start, end, text, float(cos + LEXICAL_WEIGHT * lexical_overlap(question, text)), float(cos)
        )
        for (src, start, end, text), cos in zip(candidates, cosines, strict=True)
    ]
    ranked.sort(key=lambda e: e.score, reverse=True)
    return ranked[:limit]
