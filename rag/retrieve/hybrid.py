"""Hybrid retrieval: dense (Chroma) + BM25, fused by reciprocal rank."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from llama_index.core.retrievers import BaseRetriever
from llama_index.core.schema import NodeWithScore, QueryBundle

from rag.ingest.index import store_errors
from rag.lru import LRU
from rag.settings import RetrievalSettings

if TYPE_CHECKING:
    from llama_index.core.base.embeddings.base import BaseEmbedding
    from llama_index.retrievers.bm25 import BM25Retriever

    from rag.ingest.index import ArticleIndex

RRF_K = 60.0


@dataclass
class Retrieval:
    """Fused passages, the query's embedding (evidence ranking reuses it), and the rankings
    they were fused from (a later search with the query's translations reuses them)."""

    nodes: list[NodeWithScore]
    query_embedding: list[float]
    rankings: list[list[NodeWithScore]] = field(default_factory=list)


def is_indexed_chunk(hit: NodeWithScore) -> bool:
    """False for a hit whose record is gone: Chroma finds the id in its vector index, then the
    chunk is deleted (a re-ingest replacing its file) before its metadata is read, and
    llama-index hands back an empty node without source or offsets."""
    metadata = hit.node.metadata
    return "source" in metadata and "start" in metadata


def reciprocal_rank_fusion(rankings: list[list[NodeWithScore]], top_k: int) -> list[NodeWithScore]:
    """Merge ranked lists: score = sum of 1 / (RRF_K + rank) over the lists a node is in."""
    scores: dict[str, float] = {}
    first_seen: dict[str, NodeWithScore] = {}
    for ranking in rankings:
        for rank, hit in enumerate(ranking):
            node_id = hit.node.node_id
            scores[node_id] = scores.get(node_id, 0.0) + 1.0 / (RRF_K + rank + 1)
            first_seen.setdefault(node_id, hit)
    ordered = sorted(scores, key=lambda i: scores[i], reverse=True)[:top_k]
    return [NodeWithScore(node=first_seen[i].node, score=scores[i]) for i in ordered]


class HybridRetriever(BaseRetriever):
    """Dense + BM25 retrieval fused by reciprocal rank.

    The fusion is written here (a dozen lines) rather than taken from QueryFusionRetriever so
    that dense hits whose chunk was deleted mid-query (a re-ingest in flight) are dropped before
    they take a rank; the query is embedded once, for Chroma and for evidence ranking.
    """

    def __init__(
        self,
        index: ArticleIndex,
        embedder: BaseEmbedding,
        bm25: BM25Retriever | None,
        settings: RetrievalSettings,
    ) -> None:
        from llama_index.core import VectorStoreIndex

        super().__init__()
        self.settings = settings
        self.embedder = embedder
        vector_index = VectorStoreIndex.from_vector_store(index.vector_store(), embed_model=embedder)
        self.dense = vector_index.as_retriever(similarity_top_k=settings.candidates)
        self.bm25 = bm25
        if bm25 is not None:
            bm25.similarity_top_k = min(settings.candidates, bm25.similarity_top_k or settings.candidates)
        self._queries: LRU[list[float]] = LRU(512)  # repeated questions skip the embedder

    def embed_query(self, text: str) -> list[float]:
        return self._queries.get_or_compute(text, self.embedder.get_query_embedding)

    def search(self, query: str) -> Retrieval:
        """The `top_k` best passages for `query`, dense and keyword rankings fused."""
        embedding = self.embed_query(query)
        bundle = QueryBundle(query_str=query, embedding=embedding)
        with store_errors():
            dense_hits = [h for h in self.dense.retrieve(bundle) if is_indexed_chunk(h)]
        return self._fused([dense_hits, self._keyword_hits(query)], embedding)

    def translated(self, found: Retrieval, translations: Sequence[str]) -> Retrieval:
        """`found` with a keyword ranking per translation (the query in the corpus's other
        languages) fused in: the dense embedder already crosses languages, BM25 does not. The
        dense ranking and the query's own keyword ranking are reused, not searched again."""
        rankings = found.rankings + [self._keyword_hits(q) for q in translations]
        return self._fused(rankings, found.query_embedding)

    def _fused(self, rankings: list[list[NodeWithScore]], embedding: list[float]) -> Retrieval:
        fused = reciprocal_rank_fusion(rankings, self.settings.top_k)
        return Retrieval(nodes=fused, query_embedding=embedding, rankings=rankings)

    def _keyword_hits(self, query: str) -> list[NodeWithScore]:
        if self.bm25 is None:
            return []
        return [h for h in self.bm25.retrieve(QueryBundle(query_str=query)) if (h.score or 0) > 0]

    def _retrieve(self, query_bundle: QueryBundle) -> list[NodeWithScore]:
        return self.search(query_bundle.query_str).nodes
