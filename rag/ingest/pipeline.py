"""Incremental ingestion: articles -> sentence-aware chunks -> embeddings -> Chroma (+ BM25).

Unchanged files (same content hash, all chunks present) are skipped, changed files are
replaced, deleted files removed. A file's new chunks are written before its old ones are
deleted, so a reader never sees it missing, and a crash at any point leaves a state the
next run repairs.
"""

from __future__ import annotations

import fcntl
import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import BaseModel, Field, field_serializer

from rag.errors import IngestBusyError
from rag.ingest import bm25
from rag.ingest.corpus import Article, SkippedFile
from rag.ingest.index import ArticleIndex
from rag.settings import ChunkingSettings

if TYPE_CHECKING:
    from llama_index.core.base.embeddings.base import BaseEmbedding
    from llama_index.core.node_parser import SentenceSplitter
    from llama_index.core.schema import BaseNode

log = logging.getLogger(__name__)

# Files embedded per pipeline run: bounds memory on large corpora and limits lost work on a crash.
FILES_PER_BATCH = 64
_METADATA_KEYS = ("source", "title", "date", "language", "doc_sha256", "start", "end", "n_chunks")


class IngestReport(BaseModel):
    """What an ingest run did, file by file (also the body of `POST /ingest`)."""

    added: list[str] = Field(default_factory=list, description="Files indexed for the first time.")
    updated: list[str] = Field(default_factory=list, description="Files whose content changed.")
    unchanged: list[str] = Field(default_factory=list, description="Files already indexed as they are.")
    removed: list[str] = Field(default_factory=list, description="Files gone from the folder.")
    skipped: list[SkippedFile] = Field(
        default_factory=list, description="Files not ingested (binary, empty, too large...)."
    )
    chunks_written: int = Field(0, ge=0, description="Chunks embedded and stored by this run.")
    chunks_total: int = Field(0, ge=0, description="Chunks in the index after the run.")
    seconds: float = Field(0.0, ge=0, description="Wall-clock time of the run.")

    @field_serializer("seconds")
    def _rounded(self, seconds: float) -> float:
        return round(seconds, 3)

    def summary(self) -> str:
        return (
            f"{len(self.added)} added, {len(self.updated)} updated, {len(self.unchanged)} "
            f"unchanged, {len(self.removed)} removed, {len(self.skipped)} skipped; "
            f"{self.chunks_written} chunks written, {self.chunks_total} in the index "
            f"({self.seconds:.1f} s)"
        )


@contextmanager
def ingest_lock(data_dir: Path, wait: bool = True) -> Iterator[None]:
    """One ingest at a time per data dir, across processes (replicas sharing the data dir).

    With `wait=False` a held lock raises IngestBusyError at once instead of waiting.
    """
    data_dir.mkdir(parents=True, exist_ok=True)
    with open(data_dir / "ingest.lock", "w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX if wait else fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise IngestBusyError(
                "another ingest is running (in this server or a replica sharing its data folder); "
                "try again when it has finished"
            ) from None
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _chunk_id(index: int, document) -> str:
    return f"{document.id_}:{document.metadata['doc_sha256'][:16]}:{index:05d}"


def make_splitter(chunking: ChunkingSettings) -> SentenceSplitter:
    """The chunker ingest uses (llama-index's SentenceSplitter with the configured sizes)."""
    from llama_index.core.node_parser import SentenceSplitter

    return SentenceSplitter(
        chunk_size=chunking.chunk_size,
        chunk_overlap=chunking.chunk_overlap,
        id_func=_chunk_id,
        include_prev_next_rel=False,
    )


class Ingestor:
    """Keeps an ArticleIndex and its BM25 companion in step with a set of articles."""

    def __init__(
        self,
        index: ArticleIndex,
        embedder: BaseEmbedding,
        chunking: ChunkingSettings,
        bm25_dir: Path,
        show_progress: bool = False,
    ) -> None:
        self.index = index
        self.embedder = embedder
        self.bm25_dir = bm25_dir
        self.show_progress = show_progress
        self.splitter = make_splitter(chunking)

    def run(self, articles: list[Article], skipped: list[SkippedFile] | None = None) -> IngestReport:
        """Bring the index in line with `articles`: add, replace and remove as needed."""
        started = time.perf_counter()
        report = IngestReport(skipped=list(skipped or []))
        manifest = self.index.manifest()
        current = {a.name for a in articles}
        to_write: list[Article] = []
        for article in articles:
            state = manifest.get(article.name)
            if state is not None and state.is_complete(article.sha256):
                report.unchanged.append(article.name)
                self.index.delete(state.ids_except(article.sha256))  # leftovers of a crash
            else:
                to_write.append(article)
                (report.updated if state is not None else report.added).append(article.name)
        for name, state in manifest.items():
            if name not in current:
                self.index.delete(state.all_ids)
                report.removed.append(name)
        for start in range(0, len(to_write), FILES_PER_BATCH):
            batch = to_write[start : start + FILES_PER_BATCH]
            report.chunks_written += self._write(batch, manifest)
        chunk_ids = self.index.ids()  # ids only: reading every chunk's metadata again cost 7x more
        report.chunks_total = len(chunk_ids)
        if bm25.saved_fingerprint(self.bm25_dir) != bm25.fingerprint(chunk_ids):
            bm25.build_bm25(self.index.all_nodes(), self.bm25_dir)
        report.seconds = time.perf_counter() - started
        log.info("ingest: %s", report.summary())
        return report

    def chunk(self, articles: list[Article]) -> list[BaseNode]:
        """Split articles into chunks carrying file offsets and citation metadata."""
        from llama_index.core import Document

        documents = [
            Document(
                id_=a.name,
                text=a.body,
                metadata={
                    "source": a.name,
                    "title": a.title,
                    "date": a.date or "",
                    "language": a.language,
                    "doc_sha256": a.sha256,
                    "body_start": a.body_start,
                },
                excluded_embed_metadata_keys=[*_METADATA_KEYS, "body_start"],
                excluded_llm_metadata_keys=[*_METADATA_KEYS, "body_start"],
            )
            for a in articles
        ]
        nodes = self.splitter.get_nodes_from_documents(documents, show_progress=self.show_progress)
        by_source: dict[str, list[BaseNode]] = {}
        texts = {a.name: a for a in articles}
        for node in nodes:
            by_source.setdefault(node.metadata["source"], []).append(node)
        for source, source_nodes in by_source.items():
            article = texts[source]
            for node in source_nodes:
                start, end = _file_offsets(node, article)
                node.metadata.pop("body_start", None)
                node.metadata.update(start=start, end=end, n_chunks=len(source_nodes))
                node.excluded_embed_metadata_keys = list(_METADATA_KEYS)
                node.excluded_llm_metadata_keys = list(_METADATA_KEYS)
        return nodes

    def _write(self, articles: list[Article], manifest: dict) -> int:
        from llama_index.core.ingestion import IngestionPipeline

        nodes = self.chunk(articles)
        pipeline = IngestionPipeline(transformations=[self.embedder], disable_cache=True)
        embedded = pipeline.run(nodes=nodes, show_progress=self.show_progress)
        same_version: list[str] = []
        older_versions: list[str] = []
        for article in articles:
            state = manifest.get(article.name)
            if state is not None:
                same_version += state.chunk_ids_by_sha.get(article.sha256, [])
                older_versions += state.ids_except(article.sha256)
        # A half-written copy of these very versions (same ids) goes first, then every file's new
        # chunks in one write, then the old versions. One Chroma write per batch, not one per file:
        # each write is a transaction that cost ~25 ms, more than embedding a short file.
        self.index.delete(same_version)
        self.index.add(embedded)
        self.index.delete(older_versions)
        return len(embedded)


def _file_offsets(node, article: Article) -> tuple[int, int]:
    """Character offsets of a chunk in its file (the splitter's offsets are body-relative)."""
    text = node.get_content()
    start = node.start_char_idx
    body = article.body
    if start is None or body[start : start + len(text)] != text:
        found = body.find(text)
        start = found if found >= 0 else 0
    end = start + len(text)
    return article.body_start + start, article.body_start + end
