"""Saved web pages: the article's text and metadata, without navigation, ads, scripts or comments.

trafilatura is built for news pages; its output is plain text, so markup in the page (a
`<script>` included) never reaches the index or the chat page as markup.
"""

from __future__ import annotations

import re

from rag.errors import CorpusError, FileTypeError
from rag.ingest.readers import Extracted

_MARKUP = re.compile(rb"<\s*(!doctype\s+html|html|head|body|article|p|div|title)\b", re.IGNORECASE)


def read_html(name: str, data: bytes) -> Extracted:
    """The main text of the page; CorpusError when it is not HTML or holds no article text."""
    if b"\x00" in data[:8192] or not _MARKUP.search(data[:65536]):
        raise FileTypeError(f"{name}: not an HTML page (the content does not match the extension)")
    import trafilatura

    found = trafilatura.bare_extraction(
        data,
        with_metadata=True,
        include_comments=False,
        include_tables=True,
        deduplicate=False,
        output_format="python",
    )
    text = getattr(found, "text", None) if found is not None else None
    if not text or not text.strip():
        raise CorpusError(f"{name}: no article text found in the page")
    return Extracted(
        text=text,
        title=getattr(found, "title", None) or None,
        date=getattr(found, "date", None) or None,
        author=getattr(found, "author", None) or None,
    )
