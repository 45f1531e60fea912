"""PDFs: the text of every page with its page number, hyphenation across line ends repaired and
headers or footers that repeat on every page dropped."""

from __future__ import annotations

import io
import re
from collections import Counter

from rag.errors import CorpusError, FileTypeError
from rag.ingest.readers import Extracted

_HYPHEN_BREAK = re.compile(r"(\w)-\n(?=[a-záéíóúüñ])")
_DIGITS = re.compile(r"\d+")
# A line seen at the top or bottom of this share of the pages is a running header or footer.
_REPEATED_SHARE = 0.6
_EDGE_LINES = 2


def read_pdf(name: str, data: bytes) -> Extracted:
    """Pages joined by blank lines; CorpusError for a file that is not a PDF, cannot be opened
    without a password, or has no text layer (a scan)."""
    if not data.lstrip()[:5] == b"%PDF-":
        raise FileTypeError(f"{name}: not a PDF (the content does not match the .pdf extension)")
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise CorpusError(f"{name}: encrypted PDF (it needs a password)")
        pages = [page.extract_text() or "" for page in reader.pages]
        info = reader.metadata
    except (PdfReadError, ValueError, KeyError, OSError) as exc:
        raise CorpusError(f"{name}: cannot read the PDF ({exc})") from None
    lines = _without_running_lines([_HYPHEN_BREAK.sub(r"\1", page).split("\n") for page in pages])
    texts = [_unwrap(page) for page in lines]
    if not any(t.strip() for t in texts):
        raise CorpusError(f"{name}: no text layer (scanned PDF?)")
    text, starts = "", []
    for page_text in texts:
        if text:
            text += "\n\n"
        starts.append(len(text))
        text += page_text
    title = str(info.title).strip() if info is not None and info.title else None
    return Extracted(text=text, title=title or None, page_starts=tuple(starts))


def _key(line: str) -> str:
    return _DIGITS.sub("#", " ".join(line.split()).lower())


def _without_running_lines(pages: list[list[str]]) -> list[list[str]]:
    """Drop lines at a page's top or bottom that recur (page numbers aside) on most pages."""
    if len(pages) < 2:
        return pages
    seen: Counter[str] = Counter()
    for lines in pages:
        kept = [line for line in lines if line.strip()]
        seen.update({_key(line) for line in kept[:_EDGE_LINES] + kept[-_EDGE_LINES:]})
    running = {key for key, count in seen.items() if count >= max(2, _REPEATED_SHARE * len(pages))}
    result = []
    for lines in pages:
        kept = [line for line in lines if line.strip()]
        edge = set(range(min(_EDGE_LINES, len(kept)))) | set(
            range(max(0, len(kept) - _EDGE_LINES), len(kept))
        )
        result.append([line for n, line in enumerate(kept) if not (n in edge and _key(line) in running)])
    return result


def _unwrap(lines: list[str]) -> str:
    """A page's lines as running text: PDF line breaks are layout, not sentence boundaries."""
    return " ".join(" ".join(line.split()) for line in lines if line.strip())
