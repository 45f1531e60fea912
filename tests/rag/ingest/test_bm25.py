from pathlib import Path

from rag.ingest import bm25
from rag.service import RagService
from rag.settings import Settings
from tests.fakes import KeywordEmbedding


def test_ingest_records_document_and_chunk_counts_next_to_bm25(settings: Settings, tmp_path: Path) -> None:
    """What /health can read instead of scanning every chunk's metadata."""
    service = RagService(settings, embedder=KeywordEmbedding())
    report = service.ingest()

    assert bm25.saved_counts(service.bm25_dir) == {"chunks": report.chunks_total, "documents": 5}
    assert bm25.saved_counts(tmp_path / "nowhere") is None
