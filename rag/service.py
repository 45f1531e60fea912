"""Wires settings and components into one object that ingests and answers."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from rag.answer.assistant import Assistant, Trace, validate_earlier, validate_question
from rag.answer.evidence import SentenceEmbeddings
from rag.answer.generation import GenerationQueue, Ticket
from rag.answer.request import OpenQuestion
from rag.components import (
    check_llm,
    embedder_id,
    llm_label,
    make_chroma_client,
    make_embedder,
    make_llm,
    make_reranker,
)
from rag.errors import CorpusError, IndexNotReadyError, RagError, StoreUnavailableError
from rag.ingest import bm25
from rag.ingest.corpus import read_corpus
from rag.ingest.index import ArticleIndex
from rag.ingest.pipeline import Ingestor, IngestReport, ingest_lock
from rag.ingest.readers import Extracted, read_document
from rag.ingest.uploads import AddReport, add_files, remove_file
from rag.language import make_language_detector
from rag.lru import LRU
from rag.retrieve.hybrid import HybridRetriever
from rag.settings import Settings
from rag.types import Answer, DocumentInfo, Health, HealthStatus, QueueState

if TYPE_CHECKING:
    from collections.abc import Sequence

    import chromadb
    from llama_index.core.base.embeddings.base import BaseEmbedding
    from llama_index.core.llms import LLM

log = logging.getLogger(__name__)

# How often (seconds) a service looks whether another replica changed the shared keyword index.
RELOAD_CHECK_S = 1.0


class CorpusFiles:
    """Reads corpus files by name, as their readers extract them, refusing anything that is not a
    file directly in the folder. Extractions are remembered per file version (PDFs and web pages
    are not free to read again for every citation)."""

    def __init__(self, corpus_dir: Path) -> None:
        self.corpus_dir = corpus_dir
        self._read: LRU[Extracted | None] = LRU(64)

    def path(self, name: str) -> Path | None:
        if not name or name != Path(name).name or name.startswith("."):
            return None
        path = self.corpus_dir / name
        return path if path.is_file() else None

    def extracted(self, name: str) -> Extracted | None:
        """The file as ingest read it; None when it is not a readable corpus file."""
        path = self.path(name)
        if path is None:
            return None
        try:
            stat = path.stat()
        except OSError:
            return None
        version = f"{name}\0{stat.st_mtime_ns}\0{stat.st_size}"
        return self._read.get_or_compute(version, lambda _: _extract(path))

    def __call__(self, name: str) -> str | None:
        """The text citation offsets index into."""
        found = self.extracted(name)
        return found.text if found is not None else None

    def page(self, name: str, offset: int) -> int | None:
        """The PDF page holding `offset`; None for files without pages."""
        found = self.extracted(name)
        return found.page_at(offset) if found is not None else None


def _extract(path: Path) -> Extracted | None:
    try:
        return read_document(path.name, path.read_bytes())
    except (OSError, CorpusError):
        return None


class RagService:
    """The whole pipeline. Components can be passed in (tests pass fakes); otherwise built."""

    def __init__(
        self,
        settings: Settings,
        embedder: BaseEmbedding | None = None,
        llm: LLM | None = None,
        chroma_client: chromadb.ClientAPI | None = None,
    ) -> None:
        self.settings = settings
        self.embedder = embedder or make_embedder(settings.embedding)
        self._llm = llm
        self._llm_given = llm is not None  # passed in (tests, tools): nothing to check
        self.detect_language = make_language_detector(settings.languages)
        dim = len(self.embedder.get_text_embedding("dimension probe"))
        client = chroma_client or make_chroma_client(settings.store, settings.data_dir)
        self.index = ArticleIndex(client, settings.store.collection, embedder_id(self.embedder), dim)
        self.files = CorpusFiles(settings.corpus_dir)
        self.sentence_embeddings = SentenceEmbeddings(self.embedder)
        self.reranker = make_reranker(settings.answer, settings.embedding.threads)
        self._assistant: Assistant | None = None
        self._lock = threading.Lock()
        # One assistant build at a time: the others wait and reuse it. Loading the keyword index
        # from many threads at once also trips a CPython < 3.11.8 parser race in numpy.load.
        self._build_lock = threading.Lock()
        self.queue = GenerationQueue(
            settings.server.queue_size, settings.server.request_timeout_s, settings.server.model_concurrency
        )
        # ((chunk count, keyword-index fingerprint), summary)
        self._documents: tuple[tuple[int, str | None], list[DocumentInfo]] | None = None
        self._keyword_version: str | None = None  # fingerprint of the BM25 index the assistant uses
        self._checked_at = 0.0

    @property
    def bm25_dir(self) -> Path:
        return self.settings.data_dir / "bm25" / self.settings.store.collection

    @property
    def llm(self) -> LLM:
        with self._lock:
            if self._llm is None:
                self._llm = make_llm(self.settings.llm, self.settings.data_dir)
            return self._llm

    def ingest(
        self,
        corpus_dir: Path | None = None,
        rebuild: bool = False,
        show_progress: bool = False,
        wait: bool = True,
    ) -> IngestReport:
        """Bring the index in line with the corpus folder (incremental unless `rebuild`).

        One ingest runs at a time across every process sharing the data folder; with `wait=False`
        a running one makes this raise IngestBusyError instead of waiting (HTTP answers 409).
        """
        folder = corpus_dir or self.settings.corpus_dir
        with ingest_lock(self.settings.data_dir, wait=wait):
            articles, skipped = read_corpus(
                folder, self.detect_language, self.settings.chunking.max_file_bytes
            )
            if rebuild:
                self.index.recreate()
            ingestor = Ingestor(
                self.index, self.embedder, self.settings.chunking, self.bm25_dir, show_progress
            )
            report = ingestor.run(articles, skipped)
        if corpus_dir is not None:
            self.files = CorpusFiles(corpus_dir)
        with self._lock:
            self._assistant = None  # pick up the new BM25 index on the next question
        return report

    def assistant(self) -> Assistant:
        with self._lock:
            seen = self._assistant
            if seen is not None and not self._index_changed_elsewhere():
                return seen
        with self._build_lock:
            with self._lock:
                if self._assistant is not None and self._assistant is not seen:
                    return self._assistant  # another thread built it while this one waited
            return self._build_assistant()

    def _build_assistant(self) -> Assistant:
        if self.index.count() == 0:
            raise IndexNotReadyError("the index is empty: run `rag ingest` first.")
        self._keyword_version = bm25.saved_fingerprint(self.bm25_dir)
        keyword = bm25.load_bm25(self.bm25_dir, self.settings.retrieval.candidates)
        retriever = HybridRetriever(self.index, self.embedder, keyword, self.settings.retrieval)
        assistant = Assistant(
            retriever,
            self.llm,
            self.sentence_embeddings,
            self.detect_language,
            self.files,
            self.settings,
            self.queue,
            reranker=self.reranker,
            page_of=self.files.page,
            corpus_languages=sorted({d.language for d in self.documents() if d.language}),
        )
        with self._lock:
            self._assistant = assistant
        return assistant

    def _index_changed_elsewhere(self) -> bool:
        """True when another process (a replica sharing the data folder) has ingested since the
        keyword index was loaded. Looked at most once per RELOAD_CHECK_S, so a replica sees an
        ingest made elsewhere within about that long."""
        now = time.monotonic()
        if now - self._checked_at < RELOAD_CHECK_S:
            return False
        self._checked_at = now
        return bm25.saved_fingerprint(self.bm25_dir) != self._keyword_version

    def check_llm(self) -> str:
        """Fail with a RagError naming the fix when the configured LLM cannot be used."""
        if self._llm_given:
            return "given"
        return check_llm(self.settings.llm, self.settings.data_dir)

    def warm_up(self) -> None:
        """Check and load the LLM, the BM25 index and the embedder before the first question."""
        self.check_llm()
        assistant = self.assistant()
        assistant.retriever.embed_query("warm-up")
        _ = self.llm

    def open_question(self, question: object, earlier: Sequence[str] = ()) -> OpenQuestion:
        """Check a question and take its place in the generation queue, before any answer work.

        Raises QuestionError for an unusable question, IndexNotReadyError when nothing is indexed
        and BusyError when the queue is full, so that a server can refuse before a response
        (or a stream) starts. Release the place when done (`answer()` or `with` does it).
        """
        text = validate_question(question, self.settings.answer.max_question_chars)
        history = validate_earlier(earlier)
        assistant = self.assistant()
        return OpenQuestion(assistant, text, history, self.queue.admit())

    def admit(self) -> Ticket:
        """A place in the generation queue (BusyError when it is full); release it when done."""
        return self.queue.admit()

    def ask(
        self,
        question: str,
        earlier: Sequence[str] = (),
        ticket: Ticket | None = None,
        on_token: Callable[[int, str], None] | None = None,
    ) -> Answer:
        """Answer a question (see Assistant.ask)."""
        return self.assistant().ask(question, earlier, ticket, on_token)

    def ask_traced(self, question: str, earlier: Sequence[str] = ()) -> tuple[Answer, Trace]:
        """Answer a question, with the files retrieved and the passages read (for evaluation)."""
        return self.assistant().ask_traced(question, earlier)

    def documents(self) -> list[DocumentInfo]:
        """One entry per indexed file, sorted by name (re-read only when the index changed)."""
        # The chunk count alone misses a file replaced by one of the same length; the keyword
        # index's fingerprint (every chunk id, which holds its file's hash) does not, in any replica.
        version = (self.index.count(), bm25.saved_fingerprint(self.bm25_dir))
        cached = self._documents
        if cached is not None and cached[0] == version:
            return cached[1]
        summary = [DocumentInfo(**info) for info in self.index.documents()]
        self._documents = (version, summary)
        return summary

    def document(self, name: str) -> tuple[DocumentInfo, str] | None:
        """An indexed corpus file and its text as ingest read it (for HTML, PDF and Word files, the
        extracted text citations index into); None when unknown."""
        info = next((d for d in self.documents() if d.name == name), None)
        text = self.files(name) if info is not None else None
        return (info, text) if info is not None and text is not None else None

    def add_documents(self, uploads: Sequence[tuple[str, bytes]], wait: bool = True) -> AddReport:
        """Store uploaded files (name, bytes) in the corpus folder and index them (see add_files);
        `wait` as for `ingest`."""
        return add_files(
            self.settings.corpus_dir,
            uploads,
            self.settings.chunking.max_file_bytes,
            lambda: self.ingest(wait=wait),
        )

    def remove_document(self, name: str, wait: bool = True) -> IngestReport:
        """Delete a corpus file and its chunks; `wait` as for `ingest`."""
        return remove_file(self.settings.corpus_dir, name, lambda: self.ingest(wait=wait))

    def original(self, name: str) -> Path | None:
        """The file of an indexed document as it was added (to download it); None when unknown."""
        if not any(d.name == name for d in self.documents()):
            return None
        return self.files.path(name)

    def _document_count(self) -> int:
        # Written next to the BM25 index at ingest: no scan of every chunk's metadata.
        saved = bm25.saved_counts(self.bm25_dir)
        return saved["documents"] if saved is not None else len(self.documents())

    def health(self) -> Health:
        """Readiness and what is loaded; names the server (LLM or Chroma) that cannot be reached."""
        store_error = None
        try:
            chunks = self.index.count()
        except StoreUnavailableError as exc:
            chunks, store_error = 0, str(exc)
        llm_error = None
        if self.settings.llm.backend in ("openai", "ollama"):  # a server that may have gone away
            try:
                self.check_llm()
            except RagError as exc:
                llm_error = str(exc)
        status: HealthStatus = "ok" if chunks else "empty"
        if llm_error is not None:
            status = "llm unavailable"
        if store_error is not None:
            status = "store unavailable"
        return Health(
            status=status,
            embedding_model=self.index.embed_model,
            llm=llm_label(self.settings.llm),
            llm_backend=self.settings.llm.backend,
            llm_error=llm_error,
            store_error=store_error,
            documents=self._document_count() if chunks else 0,
            chunks=chunks,
            queue=QueueState(waiting_or_running=self.queue.admitted, capacity=self.queue.capacity),
        )
