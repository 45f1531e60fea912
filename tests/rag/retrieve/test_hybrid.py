from typing import Any

import pytest
from llama_index.core.schema import NodeWithScore, TextNode

from rag.retrieve.hybrid import HybridRetriever, reciprocal_rank_fusion
from rag.service import RagService
from rag.settings import Settings
from tests.fakes import KeywordEmbedding, ScriptedLLM

AGREEMENTS = "How many agreements were signed at the Fourth Central Regional Meeting?"
AGREEMENTS_ES = "¿Cuántos acuerdos se suscribieron en la Cuarta Reunión Regional Centro?"


def _hits(*ids: str) -> list[NodeWithScore]:
    return [NodeWithScore(node=TextNode(id_=i, text=i), score=1.0) for i in ids]


def test_fusion_favours_what_several_rankings_agree_on() -> None:
    fused = reciprocal_rank_fusion([_hits("a", "b", "c"), _hits("c", "b"), _hits("b")], top_k=2)
    assert [h.node.node_id for h in fused] == ["b", "c"]
    assert fused[0].score == pytest.approx(1 / 62 + 1 / 62 + 1 / 61)


@pytest.fixture
def retriever(settings: Settings, embedder: KeywordEmbedding, llm: ScriptedLLM) -> HybridRetriever:
    service = RagService(settings, embedder=embedder, llm=llm)
    service.ingest()
    return service.assistant().retriever


def _counting_dense(retriever: HybridRetriever, monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    calls: list[Any] = []
    original = retriever.dense.retrieve

    def retrieve(bundle: Any) -> list[NodeWithScore]:
        calls.append(bundle)
        return original(bundle)

    monkeypatch.setattr(retriever.dense, "retrieve", retrieve)
    return calls


def test_a_translation_adds_its_keyword_ranking_without_a_second_dense_query(
    retriever: HybridRetriever, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = _counting_dense(retriever, monkeypatch)
    found = retriever.search(AGREEMENTS)
    widened = retriever.translated(found, [AGREEMENTS_ES])
    assert len(calls) == 1
    assert widened.query_embedding == found.query_embedding
    assert len(widened.rankings) == len(found.rankings) + 1

    # The fake embedder does not cross languages: only the translation's keywords find Spanish.
    assert found.nodes[0].node.metadata["language"] == "en"
    assert widened.nodes[0].node.metadata["language"] == "es"


def test_without_translations_the_stored_rankings_fuse_to_the_same_passages(
    retriever: HybridRetriever,
) -> None:
    found = retriever.search(AGREEMENTS)
    again = retriever.translated(found, [])
    assert [h.node.node_id for h in again.nodes] == [h.node.node_id for h in found.nodes]
    assert [h.score for h in again.nodes] == [h.score for h in found.nodes]
