"""Article files of the types the service reads, made from text: a saved news web page, a PDF
with running headers and page footers, a Word file. Used by `rag bench --formats` and the tests."""

from __future__ import annotations

import io

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
