"""Answer latency through the service vs the models alone on exactly the same inputs.

The served Assistant runs unchanged; its embedder and reader are wrapped by recorders that pass
every call through (the reading is streamed so the first text can be timed) and keep the
inputs. The same inputs are then replayed on the bare models (the embedder's own batch method,
a fresh reader on the llama.cpp model) in the same process, so the difference is the
non-model overhead: retrieval stores, evidence ranking, prompt building, llama-index wrappers,
citation checks.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from eval.bench.measures import OtherLoad, percentile
from rag.answer.reader import Reader, Reading, make_reader

if TYPE_CHECKING:
    from llama_index.core.llms import ChatMessage

    from rag.answer.assistant import Assistant


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
    """One model call: its messages, when it started, its first text and its end (perf_counter)."""

    messages: list[ChatMessage]
    started: float
    first_token: float | None
    finished: float
    text: str
    keep: str | None = None  # the passage the reader was told later prompts repeat


class RecordingReader:
    """Passes readings through (`Assistant.reader`) and records each call with its timings."""

    def __init__(self, inner: Reader) -> None:
        self.inner = inner
        self.calls: list[LLMCall] = []

    def read(
        self,
        messages: Sequence[ChatMessage],
        on_text: Callable[[str], None] | None = None,
        check: Callable[[], None] | None = None,
        stop_at: float = 1.0,
        keep: str | None = None,
    ) -> Reading:
        started = time.perf_counter()
        first: list[float] = []

        def seen(piece: str) -> None:
            if not first:
                first.append(time.perf_counter())
            if on_text is not None:
                on_text(piece)

        reading = self.inner.read(messages, seen, check, stop_at, keep)
        finished = time.perf_counter()
        self.calls.append(
            LLMCall(list(messages), started, first[0] if first else None, finished, reading.text, keep)
        )
        return reading


@dataclass
class RawLLM:
    """The same reading done again on the bare llama.cpp model, starting from an empty context."""

    model: Any
    reader: Reader

    @classmethod
    def of(cls, llm: Any, draft_tokens: int = 0) -> RawLLM | None:
        reader = make_reader(llm, draft_tokens=draft_tokens)  # decoding as served, no states kept
        model = getattr(reader, "llama", None)
        return cls(model, reader) if model is not None else None

    def reset(self) -> None:
        """Forget the evaluated prompt, so the next call evaluates its whole prompt."""
        self.model.reset()

    def generate(
        self, messages: list[ChatMessage], stop_at: float, keep: str | None = None
    ) -> tuple[float | None, float, str]:
        """(seconds to the first text, total seconds, text) for one reading, evaluated in the same
        segments as the served one (`keep`) but with no state kept from earlier prompts."""
        started = time.perf_counter()
        first: list[float] = []
        reading = self.reader.read(messages, lambda _: first.append(time.perf_counter()), None, stop_at, keep)
        return (first[0] - started if first else None), time.perf_counter() - started, reading.text


def _raw_embedding_seconds(embedder: Any, recorder: RecordingEmbedder) -> float:
    # The embedder's own methods, not llama-index's public wrappers: the bench reports the
    # framework's overhead as served time minus model time, so the dispatch must not count as model.
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
    reader = assistant.reader
    raw = RawLLM.of(assistant.llm, assistant.settings.llm.draft_tokens)
    recording_llm = RecordingReader(reader)
    stop_at = assistant.settings.answer.no_answer_threshold
    rows = []
    load = OtherLoad()
    try:
        assistant.reader = recording_llm
        for question in questions:
            recorder = RecordingEmbedder(embedder)
            # The recorder wraps the real embedder and times each call; it duck-types BaseEmbedding.
            assistant.retriever.embedder = recorder  # type: ignore[assignment]
            assistant.sentence_embeddings.embedder = recorder
            recording_llm.calls = []
            if raw is not None:
                raw.reset()  # the replay below starts from an empty context too
            started = time.perf_counter()
            answer = assistant.ask(question)
            total = time.perf_counter() - started
            assistant.retriever.embedder = embedder
            assistant.sentence_embeddings.embedder = embedder
            rows.append(
                _row(question, answer, started, total, recording_llm.calls, raw, embedder, recorder, stop_at)
            )
    finally:
        assistant.reader = reader
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
    stop_at: float,
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
        replays = [raw.generate(c.messages, stop_at, c.keep) for c in calls]
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
