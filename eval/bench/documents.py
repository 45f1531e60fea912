"""Article files of the types the service reads, made from text: a saved news web page, a PDF
with running headers and page footers, a Word file. Used by `rag bench --formats` and the tests."""

from __future__ import annotations

import io
import textwrap
from pathlib import Path

NEWS_PAGE = """<!doctype html>
<html><head><title>{title}</title>
<meta name="author" content="LaSalud.mx">
<script>window.pwned = 1; document.write("<p>injected</p>")</script>
<style>p {{ color: red }}</style></head>
<body>
<nav><a href="/">Home</a> | <a href="/news">News</a> | <a href="/sports">Sports</a></nav>
<div class="ad">Buy now! Best prices on insurance.</div>
<article><h1>{title}</h1>
{paragraphs}
</article>
<!-- a comment that is not article text -->
<footer>Copyright 2021 LaSalud.mx. All rights reserved.</footer>
</body></html>
"""


def article_paragraphs(path: Path) -> list[str]:
    """The paragraphs of a text article (front matter dropped), each on one line."""
    text = path.read_text(encoding="utf-8")
    if text.startswith("---"):
        text = text.split("\n---", 1)[1]
    return [" ".join(p.split()) for p in text.split("\n\n") if p.strip()]


def paragraph_pages(paragraphs: list[str], lines_per_page: int, width: int = 90) -> list[list[str]]:
    """Paragraphs laid out as printed lines (never broken at a hyphen), a blank line between them,
    cut into pages of `lines_per_page` lines: the input of `pdf_pages`."""
    lines = [line for p in paragraphs for line in [*textwrap.wrap(p, width, break_on_hyphens=False), ""]]
    return [lines[n : n + lines_per_page] for n in range(0, len(lines), lines_per_page)]


def news_page(title: str, paragraphs: list[str]) -> bytes:
    """A saved news web page: navigation, an ad, a script, a comment and the article."""
    body = "\n".join(f"<p>{p}</p>" for p in paragraphs)
    return NEWS_PAGE.format(title=title, paragraphs=body).encode("utf-8")


def pdf_pages(title: str, pages: list[list[str]], header: str = "LaSalud.mx - Health news") -> bytes:
    """A PDF with one text line per entry, a running header and a "Page n of N" footer."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4, invariant=1)
    pdf.setTitle(title)
    for number, lines in enumerate(pages, 1):
        pdf.drawString(56, 800, header)
        y = 740
        for line in lines:
            pdf.drawString(56, y, line)
            y -= 16
        pdf.drawString(56, 40, f"Page {number} of {len(pages)}")
        pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def word_file(title: str, paragraphs: list[str]) -> bytes:
    import docx

    document = docx.Document()
    document.core_properties.title = title
    document.add_heading(title, level=1)
    for paragraph in paragraphs:
        document.add_paragraph(paragraph)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
