"""Plain text and Markdown: UTF-8, optionally with YAML front matter."""

from __future__ import annotations

from rag.errors import CorpusError, FileTypeError
from rag.ingest.readers import Extracted


def read_plain(name: str, data: bytes) -> Extracted:
    """The file decoded as UTF-8 (a leading BOM dropped); binary or other encodings are refused."""
    if b"\x00" in data[:8192]:
        raise FileTypeError(f"{name}: looks binary (NUL bytes)")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise CorpusError(f"{name}: not valid UTF-8 ({exc.reason} at byte {exc.start})") from None
    return Extracted(text=text.removeprefix("\ufeff"), front_matter=True)
