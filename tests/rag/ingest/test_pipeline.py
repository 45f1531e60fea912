import threading
import time
from collections import Counter
from pathlib import Path

import chromadb
import pytest

from rag.errors import IndexMismatchError
from rag.ingest import bm25
from rag.service import RagService
from rag.settings import Settings
from tests.fakes import KeywordEmbedding


@pytest.fixture
def service(settings: Settings, embedder: KeywordEmbedding) -> RagService:
    return RagService(settings, embedder=embedder)


def _chunk_ids(service: RagService) -> list[str]:
    return [i for state in service.index.manifest().values() for i in state.all_ids]


def test_every_chunk_points_at_its_exact_text_in_the_file(service: RagService, corpus: Path) -> None:
    report = service.ingest()
    assert len(report.added) == 5 and report.chunks_total == service.index.count() > 5
    for node in service.index.all_nodes():
        meta = node.metadata
        text = (corpus / meta["source"]).read_text()
        assert text[meta["start"] : meta["end"]] == node.get_content()
        assert meta["language"] in {"en", "es"}
    front_matter_end = (corpus / "001_1f89d300ecf0cc92.txt").read_text().index("El Instituto")
    starts = [
        n.metadata["start"] for n in service.index.all_nodes() if n.metadata["source"].startswith("001")
    ]
    assert min(starts) == front_matter_end


def test_reingest_skips_unchanged_replaces_changed_removes_deleted(service: RagService, corpus: Path) -> None:
    first = service.ingest()
    again = service.ingest()
    assert len(again.unchanged) == 5 and again.chunks_written == 0
    assert again.chunks_total == first.chunks_total

    changed = corpus / "004_545f95529ab4eb61.txt"
    changed.write_text(changed.read_text() + "\nUn párrafo nuevo sobre 42 hospitales.\n")
    (corpus / "002_dc32ab27597cd9fc.txt").unlink()
    report = service.ingest()
    assert report.updated == ["004_545f95529ab4eb61.txt"]
    assert report.removed == ["002_dc32ab27597cd9fc.txt"]
    ids = _chunk_ids(service)
    assert len(ids) == len(set(ids)) == service.index.count()
    sources = Counter(n.metadata["source"] for n in service.index.all_nodes())
    assert "002_dc32ab27597cd9fc.txt" not in sources
    assert any("42 hospitales" in n.get_content() for n in service.index.all_nodes())


def test_a_half_written_index_is_repaired_to_match_a_clean_build(
    service: RagService, settings: Settings, embedder: KeywordEmbedding, tmp_path: Path
) -> None:
    service.ingest()
    clean = sorted(_chunk_ids(service))
    # Simulate a crash: one file lost some chunks, another kept a stale copy of an old version.
    manifest = service.index.manifest()
    partial = manifest["003_5269122b5114297c.txt"].all_ids
    service.index.delete(partial[:3])
    stale = service.index.all_nodes()[0]
    stale.id_ = stale.node_id.replace(stale.metadata["doc_sha256"][:16], "0" * 16)
    stale.metadata["doc_sha256"] = "0" * 64
    stale.embedding = embedder.get_text_embedding(stale.get_content())
    service.index.add([stale])

    report = service.ingest()
    assert report.updated == ["003_5269122b5114297c.txt"]
    assert sorted(_chunk_ids(service)) == clean


def test_an_index_built_with_another_embedder_is_refused(settings: Settings) -> None:
    client = chromadb.PersistentClient(path=str(settings.data_dir / "chroma"))
    RagService(settings, embedder=KeywordEmbedding(1024), chroma_client=client).ingest()
    other = RagService(settings, embedder=KeywordEmbedding(128), chroma_client=client)
    with pytest.raises(IndexMismatchError, match="rag ingest --rebuild"):
        other.index.count()
    other.ingest(rebuild=True)
    assert other.index.count() > 0


def test_a_bm25_load_during_the_folder_swap_waits_for_the_new_index(
    settings: Settings, embedder: KeywordEmbedding, tmp_path: Path
) -> None:
    service = RagService(settings, embedder=embedder)
    service.ingest()
    path = service.bm25_dir
    moved = path.with_name(path.name + ".old")
    path.rename(moved)  # the moment between the two renames of build_bm25

    def finish_swap() -> None:
        time.sleep(0.2)
        moved.rename(path)

    swapper = threading.Thread(target=finish_swap)
    swapper.start()
    loaded = bm25.load_bm25(path, top_k=3)
    swapper.join()
    assert loaded is not None
    assert loaded.retrieve("Cofepris")
