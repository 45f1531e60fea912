"""`rag bench --formats`: how fast each file type is read and ingested.

The seed articles are written as plain text, saved web pages, PDFs and Word files (`copies` of
each, every copy made distinct so none is skipped as unchanged). For each type, on its own
folder and index: the reader alone (files/s, and pages/s for PDFs), then `RagService.ingest`
end to end (read, detect language, chunk, embed, store).
"""

from __future__ import annotations

import shutil
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from eval.bench.documents import article_paragraphs, news_page, paragraph_pages, pdf_pages, word_file
from eval.bench.measures import OtherLoad
from eval.tables import markdown_table
from rag.ingest.readers import read_document

if TYPE_CHECKING:
    from llama_index.core.base.embeddings.base import BaseEmbedding

    from rag.ingest.pipeline import IngestReport
    from rag.settings import Settings

LINES_PER_PAGE = 40


def _articles(seeds: Path) -> list[tuple[str, str, list[str]]]:
    """(stem, title, paragraphs) of every seed article, front matter dropped."""
    found = []
    for path in sorted(seeds.glob("*.txt")) + sorted(seeds.glob("*.md")):
        paragraphs = article_paragraphs(path)
        found.append((path.stem, paragraphs[0][:80], paragraphs))
    return found


def _write(kind: str, folder: Path, seeds: Path, copies: int) -> int:
    """Write `copies` files of each seed as `kind`; returns the number of files."""
    folder.mkdir(parents=True, exist_ok=True)
    count = 0
    for copy in range(copies):
        for stem, title, paragraphs in _articles(seeds):
            # A distinct last paragraph per copy: every file is new to the index.
            body = [*paragraphs, f"Copy {copy} of {stem}."]
            name = f"{stem}-{copy}"
            if kind == "txt":
                (folder / f"{name}.txt").write_text("\n\n".join(body), encoding="utf-8")
            elif kind == "html":
                (folder / f"{name}.html").write_bytes(news_page(title, body))
            elif kind == "pdf":
                (folder / f"{name}.pdf").write_bytes(pdf_pages(title, paragraph_pages(body, LINES_PER_PAGE)))
            elif kind == "docx":
                (folder / f"{name}.docx").write_bytes(word_file(title, body))
            count += 1
    return count


def measure_formats(
    settings: Settings, work_dir: Path, seeds: Path, copies: int = 10, embedder: BaseEmbedding | None = None
) -> list[dict[str, Any]]:
    """One row per file type: reader and ingest throughput, and the machine's other load."""
    _warm_up(settings, work_dir, seeds, embedder)
    rows = []
    for kind in ("txt", "html", "pdf", "docx"):
        folder = work_dir / "formats" / kind
        shutil.rmtree(folder, ignore_errors=True)
        files = _write(kind, folder, seeds, copies)
        load = OtherLoad()
        started = time.perf_counter()
        pages = 0
        for path in sorted(folder.iterdir()):
            pages += max(1, len(read_document(path.name, path.read_bytes()).page_starts))
        read_s = time.perf_counter() - started
        report, ingest_s = _ingest(settings, folder, embedder)
        rows.append(
            {
                "type": kind,
                "files": files,
                "pages": pages if kind == "pdf" else None,
                "megabytes": sum(p.stat().st_size for p in folder.iterdir()) / 1e6,
                "read_files_per_s": files / read_s,
                "read_pages_per_s": pages / read_s if kind == "pdf" else None,
                "ingest_files_per_s": files / ingest_s,
                "ingest_chunks_per_s": report.chunks_written / ingest_s,
                "chunks": report.chunks_written,
                "skipped": len(report.skipped),
                "others_cpu_share": load.share(),
            }
        )
    return rows


def _ingest(settings: Settings, folder: Path, embedder: BaseEmbedding | None) -> tuple[IngestReport, float]:
    """`RagService.ingest` of `folder` into a fresh index of its own (beside it); the report and
    the seconds it took."""
    from rag.service import RagService

    store = settings.model_copy(deep=True)
    store.corpus_dir = folder
    store.data_dir = folder.with_name(f"{folder.name}-store")
    store.store.collection = f"formats-{folder.name}"
    shutil.rmtree(store.data_dir, ignore_errors=True)
    service = RagService(store, embedder=embedder)
    started = time.perf_counter()
    report = service.ingest()
    return report, time.perf_counter() - started


def _warm_up(settings: Settings, work_dir: Path, seeds: Path, embedder: BaseEmbedding | None) -> None:
    """One small ingest first, so loading the language detector and the embedder counts for no type."""
    folder = work_dir / "formats" / "warm-up"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    stem, _, paragraphs = _articles(seeds)[0]
    (folder / f"{stem}.txt").write_text("\n\n".join(paragraphs), encoding="utf-8")
    _ingest(settings, folder, embedder)


def formats_markdown(rows: list[dict[str, Any]]) -> str:
    """The rows as a Markdown table."""

    def number(value: float | None, pattern: str = "{:.1f}") -> str:
        return "–" if value is None else pattern.format(value)

    header = (
        "type",
        "files",
        "PDF pages",
        "MB",
        "read files/s",
        "read pages/s",
        "ingest files/s",
        "ingest chunks/s",
        "skipped",
        "others' CPU",
    )
    table = [
        (
            r["type"],
            r["files"],
            number(r["pages"], "{:d}"),
            number(r["megabytes"], "{:.2f}"),
            number(r["read_files_per_s"]),
            number(r["read_pages_per_s"]),
            number(r["ingest_files_per_s"]),
            number(r["ingest_chunks_per_s"]),
            r["skipped"],
            number(None if r["others_cpu_share"] is None else 100 * r["others_cpu_share"], "{:.0f}%"),
        )
        for r in rows
    ]
    return "\n".join(markdown_table(header, table, align="lrrrrrrrrr")) + "\n"
