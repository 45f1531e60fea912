"""Readers by file type: what each extracts, and what each bad file gets."""

from __future__ import annotations

import re

import pytest

from rag.errors import CorpusError
from rag.ingest.readers import read_document, supported
from tests.documents import encrypted_pdf, news_page, pdf_pages, scanned_pdf, word_file

APPOINTMENTS = (
    "The IMSS is the user with the most appointments, requiring at least 170 appointments every two months."
)
WINDOWS = "The IMSS and Cofepris signed an agreement to install two windows in the central offices."


def test_a_web_page_gives_the_article_without_navigation_scripts_or_comments() -> None:
    page = read_document("news.html", news_page("Cofepris windows at the IMSS", [WINDOWS, APPOINTMENTS]))
    assert page.title == "Cofepris windows at the IMSS"
    assert WINDOWS in page.text and APPOINTMENTS in page.text
    for noise in ("Sports", "Buy now", "pwned", "injected", "color: red", "a comment", "All rights reserved"):
        assert noise not in page.text
    assert page.page_starts == () and page.page_at(10) is None


def test_a_pdf_gives_its_pages_with_hyphens_repaired_and_running_lines_dropped() -> None:
    pages = [
        ["The IMSS and Cofepris signed an agree-", "ment to install two windows in the central offices."],
        [
            "The IMSS is the user with the most appointments, requiring",
            "at least 170 appointments every two months.",
        ],
    ]
    pdf = read_document("news.pdf", pdf_pages("Cofepris windows", pages))
    assert pdf.title == "Cofepris windows"
    assert pdf.text == f"{WINDOWS}\n\n{APPOINTMENTS}"
    assert pdf.page_starts == (0, len(WINDOWS) + 2)
    assert pdf.page_at(0) == 1 and pdf.page_at(pdf.text.index("170")) == 2
    assert "LaSalud.mx" not in pdf.text and "Page" not in pdf.text


def test_a_word_file_gives_its_paragraphs_in_order() -> None:
    word = read_document("news.docx", word_file("Cofepris windows", [WINDOWS, APPOINTMENTS]))
    assert word.title == "Cofepris windows"
    assert word.text == f"Cofepris windows\n\n{WINDOWS}\n\n{APPOINTMENTS}"


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("scan.pdf", scanned_pdf(), "no text layer (scanned PDF?)"),
        ("locked.pdf", encrypted_pdf(), "encrypted PDF"),
        ("program.pdf", b"MZ\x90\x00\x03\x00\x00\x00" + bytes(200), "not a PDF"),
        ("broken.pdf", b"%PDF-1.7\n garbage", "cannot read the PDF"),
        ("notes.docx", b"just some text, not a zip", "not a Word file"),
        ("archive.docx", b"PK\x03\x04" + bytes(60), "cannot read the Word file"),
        ("image.html", b"\x89PNG\r\n\x1a\n" + bytes(100), "not an HTML page"),
        ("empty.html", b"<html><body><script>load()</script></body></html>", "no article text"),
        ("latin1.txt", "Cofepris año".encode("latin-1"), "not valid UTF-8"),
        ("program.exe", b"MZ", "not a supported file type"),
    ],
)
def test_a_file_that_cannot_be_read_says_why(name: str, data: bytes, reason: str) -> None:
    with pytest.raises(CorpusError, match=re.escape(reason)):
        read_document(name, data)


def test_types_are_chosen_by_extension_in_any_case() -> None:
    assert all(supported(n) for n in ("a.txt", "b.MD", "c.html", "d.HTM", "e.pdf", "f.docx"))
    assert not any(supported(n) for n in ("a.doc", "b.pdfx", "pdf", ".pdf", "c"))
