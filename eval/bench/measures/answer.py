"""Answer latency through the service vs the models alone on exactly the same inputs.

The served Assistant runs unchanged; its embedder and LLM are wrapped by recorders that pass
every call through (the LLM call is streamed so the first token can be timed) and keep the
inputs. The same inputs are then replayed on the bare models (the embedder's own batch method,
the llama.cpp model on the rendered prompt) in the same process, so the difference is the
non-model overhead: retrieval stores, evidence ranking, prompt building, llama-index wrappers,
citation checks.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from eval.bench.measures import OtherLoad, percentile

if TYPE_CHECKING:
    from llama_index.core.llms import ChatMessage

    from rag.answer import Assistant


class RecordingEmbedder:
    """Passes embedding calls through and remembers what was embedded."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.queries: list[str] = []
        self.batches: list[list[str]] = []

    def get_query_embedding(self, query: str) -> list[float]:
        self.queries.append(query)
        return self.inner.get_query_embedding(query)

    def get_text_embedding_batch(self, texts: list[str], **kwargs: Any) -> list[list[float]]:
        self.batches.append(list(texts))
        return self.inner.get_text_embedding_batch(texts, **kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


@dataclass
class LLMCall:
    """One chat call: its messages, when it started, its first token and its end (perf_counter)."""

    messages: list[ChatMessage]
    started: float
    first_token: float | None
    finished: float
    text: str


class RecordingLLM:
    """Passes chat calls through (streamed, to see the first token) and records each one."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.calls: list[LLMCall] = []

    def stream_chat(self, messages: Sequence[ChatMessage], **kwargs: Any) -> Iterator[Any]:
        started = time.perf_counter()
        first = None
        pieces: list[str] = []
        try:
            for chunk in self.inner.stream_chat(messages, **kwargs):
                if chunk.delta:
                    first = first or time.perf_counter()
                    pieces.append(chunk.delta)
                yield chunk
        finally:
            self.calls.append(LLMCall(list(messages), started, first, time.perf_counter(), "".join(pieces)))

    def chat(self, messages: Sequence[ChatMessage], **kwargs: Any) -> Any:
        from llama_index.core.llms import ChatMessage, ChatResponse

        last = None
        for chunk in self.stream_chat(messages, **kwargs):
            last = chunk
        return ChatResponse(
            message=last.message if last is not None else ChatMessage(role="assistant", content="")
        )

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


@dataclass
class RawLLM:
    """The llama.cpp model under a llama-index LlamaCPP, called directly on a rendered prompt."""

    model: Any
    render: Any
    generate_kwargs: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def of(cls, llm: Any) -> RawLLM | None:
        model = getattr(llm, "_model", None)
        if model is None or not hasattr(model, "create_completion") or not hasattr(llm, "messages_to_prompt"):
            return None
        kwargs = {k: v for k, v in dict(getattr(llm, "generate_kwargs", {})).items() if k != "stream"}
        return cls(model, llm.messages_to_prompt, kwargs)

    def reset(self) -> None:
        """Forget the evaluated prompt, so the next call evaluates its whole prompt."""
        self.model.reset()

    def generate(self, messages: list[ChatMessage]) -> tuple[float | None, float, str]:
        """(seconds to the first token, total seconds, text) for one streamed completion."""
        prompt = self.render(messages)
        started = time.perf_counter()
        first = None
        text = ""
        for part in self.model(prompt=prompt, stream=True, **self.generate_kwargs):
            delta = part["choices"][0]["text"]
            if first is None and delta:
                first = time.perf_counter() - started
            text += delta
        return first, time.perf_counter() - started, text


def _raw_embedding_seconds(embedder: Any, recorder: RecordingEmbedder) -> float:
    started = time.perf_counter()
    for query in recorder.queries:
        embedder._get_query_embedding(query)
    size = getattr(embedder, "embed_batch_size", 32)
    for batch in recorder.batches:
        for start in range(0, len(batch), size):
            embedder._get_text_embeddings(batch[start : start + size])
    return time.perf_counter() - started


def measure_answers(assistant: Assistant, questions: Sequence[str]) -> dict[str, Any]:
    """Per question: served timings split by stage, and the same model work done by the bare models."""
    embedder = assistant.retriever.embedder
    llm = assistant.llm
    raw = RawLLM.of(llm)
    recording_llm = RecordingLLM(llm)
    rows = []
    load = OtherLoad()
    try:
        assistant.llm = recording_llm  # type: ignore[assignment]
        for question in questions:
            recorder = RecordingEmbedder(embedder)
            assistant.retriever.embedder = recorder  # type: ignore[assignment]
            assistant.sentence_embeddings.embedder = recorder  # type: ignore[assignment]
            recording_llm.calls = []
            if raw is not None:
                raw.reset()  # the replay below starts from an empty context too
            started = time.perf_counter()
            answer = assistant.ask(question)
            total = time.perf_counter() - started
            assistant.retriever.embedder = embedder
            assistant.sentence_embeddings.embedder = embedder
            rows.append(_row(question, answer, started, total, recording_llm.calls, raw, embedder, recorder))
    finally:
        assistant.llm = llm
        assistant.retriever.embedder = embedder
        assistant.sentence_embeddings.embedder = embedder
    return {"questions": rows, "summary": summarise(rows), "others_cpu_share": load.share()}


def _row(
    question: str,
    answer: Any,
    started: float,
    total: float,
    calls: list[LLMCall],
    raw: RawLLM | None,
    embedder: Any,
    recorder: RecordingEmbedder,
) -> dict[str, Any]:
    retrieve = answer.timings_ms.retrieve / 1000
    embed_alone = _raw_embedding_seconds(embedder, recorder)
    row: dict[str, Any] = {
        "question": question,
        "refused": answer.refused,
        "answer": answer.answer,
        "llm_calls": len(calls),
        "total_ms": total * 1000,
        "retrieve_ms": retrieve * 1000,
        "embed_alone_ms": embed_alone * 1000,
        "prompt_ms": None,
        "ttft_ms": None,
        "generate_ms": sum(c.finished - c.started for c in calls) * 1000,
        "llm_alone_ms": None,
        "llm_alone_ttft_ms": None,
        "same_text": None,
    }
    if calls:
        row["prompt_ms"] = max(0.0, calls[0].started - started - retrieve) * 1000
        row["ttft_ms"] = (calls[0].first_token - started) * 1000 if calls[0].first_token else None
    if raw is not None and calls:
        raw.reset()
        replays = [raw.generate(c.messages) for c in calls]
        row["llm_alone_ms"] = sum(r[1] for r in replays) * 1000
        first = replays[0][0]
        row["llm_alone_ttft_ms"] = first * 1000 if first is not None else None
        row["same_text"] = all(r[2].strip() == c.text.strip() for r, c in zip(replays, calls, strict=True))
    model_ms = row["embed_alone_ms"] + (row["llm_alone_ms"] or 0.0)
    row["non_model_overhead_ms"] = row["total_ms"] - model_ms if (raw is not None or not calls) else None
    return row


def summarise(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Medians (p50) and p95 of every timing column over the questions that reached the LLM."""
    answered = [r for r in rows if r["llm_calls"]]
    summary: dict[str, Any] = {"questions": len(rows), "reached_llm": len(answered)}
    for key in (
        "total_ms",
        "retrieve_ms",
        "prompt_ms",
        "ttft_ms",
        "generate_ms",
        "llm_alone_ms",
        "llm_alone_ttft_ms",
        "embed_alone_ms",
        "non_model_overhead_ms",
    ):
        values = [r[key] for r in answered if r[key] is not None]
        summary[key] = {"p50": percentile(values, 50), "p95": percentile(values, 95)}
    return summary
