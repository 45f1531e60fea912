"""Article files of every supported type for the tests; the well-formed ones come from the bench's
generators, the broken ones (a scan, an encrypted PDF) are made here."""

from __future__ import annotations

import io

from eval.bench.documents import news_page, pdf_pages, word_file

__all__ = ["encrypted_pdf", "news_page", "pdf_pages", "scanned_pdf", "word_file"]


def scanned_pdf() -> bytes:
    """A PDF with a picture-like shape and no text layer."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4, invariant=1)
    pdf.rect(56, 400, 400, 300, fill=1)
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def encrypted_pdf() -> bytes:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4, encrypt="s3cret", invariant=1)
    pdf.drawString(56, 740, "A secret about Cofepris.")
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()
