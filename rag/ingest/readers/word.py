"""Word files (.docx): the paragraphs in order, and the document's title and date."""

from __future__ import annotations

import io
import zipfile

from rag.errors import CorpusError, FileTypeError
from rag.ingest.readers import Extracted


def read_word(name: str, data: bytes) -> Extracted:
    """Non-empty paragraphs joined by blank lines; CorpusError for anything that is not a .docx."""
    if not data.startswith(b"PK\x03\x04"):
        raise FileTypeError(f"{name}: not a Word file (the content does not match the .docx extension)")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            if "word/document.xml" not in archive.namelist():
                raise FileTypeError(f"{name}: a zip file, but not a Word document")
        import docx

        document = docx.Document(io.BytesIO(data))
    except (zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise CorpusError(f"{name}: cannot read the Word file ({exc})") from None
    paragraphs = [p.text.strip() for p in document.paragraphs if p.text.strip()]
    if not paragraphs:
        raise CorpusError(f"{name}: no text")
    properties = document.core_properties
    created = properties.created.date().isoformat() if properties.created else None
    return Extracted(
        text="\n\n".join(paragraphs),
        title=(properties.title or "").strip() or None,
        date=created,
        author=(properties.author or "").strip() or None,
    )
