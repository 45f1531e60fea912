"""Readers by file type: each turns a file's bytes into the text citations index into.

The type is chosen by the extension and checked against the content (magic bytes), so a file
whose extension lies is refused with the reason. Every reader returns the same `Extracted`:
the text, the metadata it found, and for PDFs where each page starts in that text.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field

from rag.errors import FileTypeError


@dataclass(frozen=True)
class Extracted:
    """A file as text. `page_starts[i]` is the offset where page i+1 begins (PDFs only)."""

    text: str
    title: str | None = None
    date: str | None = None
    author: str | None = None
    page_starts: tuple[int, ...] = ()
    # Whether `text` may open with YAML front matter (plain text and Markdown only).
    front_matter: bool = False
    extra: dict[str, str] = field(default_factory=dict)

    def page_at(self, offset: int) -> int | None:
        """The 1-based page holding `offset`; None for files without pages."""
        if not self.page_starts:
            return None
        return max(1, bisect_right(self.page_starts, offset))


SUFFIXES = {".txt": "plain", ".md": "plain", ".html": "html", ".htm": "html", ".pdf": "pdf", ".docx": "word"}


def supported(name: str) -> bool:
    """True when the file's extension names a type the service reads."""
    return _suffix(name) in SUFFIXES


def read_document(name: str, data: bytes) -> Extracted:
    """The file's text and metadata; CorpusError says why a file cannot be read."""
    kind = SUFFIXES.get(_suffix(name))
    if kind == "plain":
        from rag.ingest.readers.plain import read_plain

        return read_plain(name, data)
    if kind == "html":
        from rag.ingest.readers.html import read_html

        return read_html(name, data)
    if kind == "pdf":
        from rag.ingest.readers.pdf import read_pdf

        return read_pdf(name, data)
    if kind == "word":
        from rag.ingest.readers.word import read_word

        return read_word(name, data)
    raise FileTypeError(f"{name}: not a supported file type ({', '.join(sorted(SUFFIXES))})")


def _suffix(name: str) -> str:
    dot = name.rfind(".")
    return name[dot:].lower() if dot > 0 else ""
