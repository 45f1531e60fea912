"""Ingestion throughput through the service's pipeline vs the same chunks encoded by the embedder alone."""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from eval.bench.measures import OtherLoad

if TYPE_CHECKING:
    from llama_index.core.base.embeddings.base import BaseEmbedding

    from rag.service import RagService


@dataclass
class IngestStep:
    """One `RagService.ingest` call that added documents, and the raw-embedder baseline."""

    documents: int
    chunks: int
    seconds: float
    raw_chunks: int
    raw_seconds: float
    others_cpu_share: float | None  # other processes' share of the machine during the ingest
    raw_others_cpu_share: float | None

    @property
    def docs_per_s(self) -> float:
        return self.documents / self.seconds if self.seconds else 0.0

    @property
    def chunks_per_s(self) -> float:
        return self.chunks / self.seconds if self.seconds else 0.0

    @property
    def raw_chunks_per_s(self) -> float:
        return self.raw_chunks / self.raw_seconds if self.raw_seconds else 0.0

    @property
    def ratio(self) -> float:
        """Pipeline throughput over raw embedder throughput: 1.0 means no framework overhead."""
        return self.chunks_per_s / self.raw_chunks_per_s if self.raw_chunks_per_s else 0.0

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data.update(
            docs_per_s=self.docs_per_s,
            chunks_per_s=self.chunks_per_s,
            raw_chunks_per_s=self.raw_chunks_per_s,
            ratio=self.ratio,
        )
        return data


def raw_embedding_seconds(embedder: BaseEmbedding, texts: list[str]) -> float:
    """Seconds the embedder's public batch call takes for `texts`, in its configured batches."""
    started = time.perf_counter()
    embedder.get_text_embedding_batch(texts)
    return time.perf_counter() - started


def measure_ingest(service: RagService, corpus_dir: Path, raw_sample: int | None = None) -> IngestStep:
    """Ingest `corpus_dir` incrementally, then encode the new chunks (or every n-th) directly."""
    load = OtherLoad()
    started = time.perf_counter()
    report = service.ingest(corpus_dir)
    seconds = time.perf_counter() - started
    others = load.share()
    added = set(report.added) | set(report.updated)
    texts = service.index.chunk_texts(added)
    if raw_sample and len(texts) > raw_sample:
        texts = texts[:: len(texts) // raw_sample + 1]  # an even spread keeps the length mix
    raw_load = OtherLoad()
    raw_seconds = raw_embedding_seconds(service.embedder, texts)
    return IngestStep(
        documents=len(added),
        chunks=report.chunks_written,
        seconds=seconds,
        raw_chunks=len(texts),
        raw_seconds=raw_seconds,
        others_cpu_share=others,
        raw_others_cpu_share=raw_load.share(),
    )
