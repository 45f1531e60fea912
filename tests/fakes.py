"""Deterministic, inspectable stand-ins for the embedder and the LLM (fast unit tests only)."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from llama_index.core.base.embeddings.base import BaseEmbedding, Embedding
from llama_index.core.base.llms.types import (
    ChatMessage,
    CompletionResponse,
    CompletionResponseGen,
    LLMMetadata,
)
from llama_index.core.llms.callbacks import llm_completion_callback
from llama_index.core.llms.custom import CustomLLM
from pydantic import PrivateAttr

from rag.answer.evidence import content_words
from rag.text import fold_accents


class KeywordEmbedding(BaseEmbedding):
    """Bag of accent-folded content words hashed into a fixed number of dimensions."""

    dimensions: int = 1024

    def __init__(self, dimensions: int = 1024, **kwargs: Any) -> None:
        super().__init__(dimensions=dimensions, model_name=f"keyword-hash-{dimensions}", **kwargs)

    def _vector(self, text: str) -> Embedding:
        vector = np.zeros(self.dimensions)
        for word in content_words(fold_accents(text)):
            bucket = int.from_bytes(hashlib.sha256(word.encode()).digest()[:4], "big") % self.dimensions
            vector[bucket] += 1.0
        norm = np.linalg.norm(vector)
        return (vector / norm if norm else vector).tolist()

    def _get_text_embedding(self, text: str) -> Embedding:
        return self._vector(text)

    def _get_query_embedding(self, query: str) -> Embedding:
        return self._vector(query)

    async def _aget_query_embedding(self, query: str) -> Embedding:
        return self._vector(query)


Reply = str | Callable[[str], str]


class ScriptedLLM(CustomLLM):
    """Replies from a queue (strings, or functions of the prompt); records every prompt it got."""

    _replies: list[Reply] = PrivateAttr(default_factory=list)
    _history: list[str] = PrivateAttr(default_factory=list)

    def __init__(self, replies: Sequence[Reply] = (), **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._replies = list(replies)
        self._history = []

    def enqueue(self, *replies: Reply) -> None:
        self._replies.extend(replies)

    @property
    def history(self) -> list[str]:
        return self._history

    @property
    def metadata(self) -> LLMMetadata:
        return LLMMetadata(model_name="scripted")

    def messages_to_prompt_text(self, messages: Sequence[ChatMessage]) -> str:
        return "\n".join(f"{m.role.value}: {m.content}" for m in messages)

    @llm_completion_callback()
    def complete(self, prompt: str, formatted: bool = False, **kwargs: Any) -> CompletionResponse:
        self._history.append(prompt)
        if not self._replies:
            raise AssertionError(f"ScriptedLLM has no reply left for prompt:\n{prompt}")
        reply = self._replies.pop(0)
        return CompletionResponse(text=reply(prompt) if callable(reply) else reply)

    @llm_completion_callback()
    def stream_complete(self, prompt: str, formatted: bool = False, **kwargs: Any) -> CompletionResponseGen:
        text = self.complete(prompt).text

        def tokens() -> CompletionResponseGen:
            sent = ""
            for word in text.split(" "):
                delta = word if not sent else " " + word
                sent += delta
                yield CompletionResponse(text=sent, delta=delta)

        return tokens()
