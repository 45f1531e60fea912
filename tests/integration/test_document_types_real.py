"""Seed articles saved as a PDF, a web page and a Word file, answered with the real default models."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from playwright.sync_api import expect

from api.app import create_app
from eval.bench.documents import article_paragraphs, paragraph_pages
from rag.service import RagService
from rag.settings import Settings
from tests.api.browser import chromium
from tests.api.support import serve
from tests.documents import news_page, pdf_pages, word_file

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]
SEEDS = ROOT / "seeds"
LINES_PER_PAGE = 18
# Set to a path to keep the screenshot (docs/chat-page-pdf.png is made this way).
SCREENSHOT_COPY = os.environ.get("RAG_TEST_PDF_SCREENSHOT")


def paragraphs(name: str) -> list[str]:
    return article_paragraphs(SEEDS / name)


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory, default_model: Path) -> RagService:
    model = default_model
    work = tmp_path_factory.mktemp("types")
    corpus = work / "corpus"
    corpus.mkdir()
    (corpus / "000_cofepris.pdf").write_bytes(
        pdf_pages(
            "IMSS and Cofepris windows",
            paragraph_pages(paragraphs("000_3aed9b3397ca7b37.txt"), LINES_PER_PAGE),
        )
    )
    (corpus / "001_cofepris.html").write_bytes(
        news_page("Instalan ventanillas de Cofepris en el IMSS", paragraphs("001_1f89d300ecf0cc92.txt"))
    )
    (corpus / "002_unops.docx").write_bytes(
        word_file("IMSS Technical Council and UNOPS", paragraphs("002_dc32ab27597cd9fc.txt"))
    )
    settings = Settings(data_dir=work / "data", corpus_dir=corpus, llm={"model_path": model})
    service = RagService(settings)
    report = service.ingest()
    assert sorted(report.added) == ["000_cofepris.pdf", "001_cofepris.html", "002_unops.docx"]
    return service


def verified(service: RagService, citation) -> bool:  # type: ignore[no-untyped-def]
    text = service.files(citation.source) or ""
    return text[citation.start : citation.end] == citation.quote


def test_an_english_question_is_answered_from_the_pdf_with_its_page(service: RagService) -> None:
    answer = service.ask("How many appointments does the IMSS require at Cofepris every two months?")
    assert "170" in answer.answer
    pdf = [c for c in answer.citations if c.source == "000_cofepris.pdf"]
    assert pdf and all(verified(service, c) for c in answer.citations)
    extracted = service.files.extracted("000_cofepris.pdf")
    assert extracted is not None and len(extracted.page_starts) >= 2
    assert pdf[0].page == extracted.page_at(pdf[0].start) and "170" in pdf[0].quote


def test_a_spanish_question_is_answered_from_the_web_page(service: RagService) -> None:
    answer = service.ask("¿Cuántas citas requiere el IMSS en Cofepris cada bimestre?")
    assert "170" in answer.answer and answer.language == "es"
    assert answer.citations and all(verified(service, c) for c in answer.citations)


def test_a_question_is_answered_from_the_word_file(service: RagService) -> None:
    answer = service.ask("Who is the president of Concanaco-Servytur?")
    assert "López Camps" in answer.answer
    assert [c.source for c in answer.citations] == ["002_unops.docx"]
    assert verified(service, answer.citations[0]) and answer.citations[0].page is None


def test_the_chat_page_cites_the_pdf_by_page(service: RagService, tmp_path: Path) -> None:
    with serve(create_app(service.settings, service=service)) as url, chromium() as browser:
        page = browser.new_page(viewport={"width": 1280, "height": 720})
        page.goto(url)
        page.fill("#question", "How many appointments does the IMSS require at Cofepris every two months?")
        page.click("#send")
        chip = page.locator(".message.assistant .chip", has_text="IMSS and Cofepris windows").first
        expect(chip).to_contain_text("· page ", timeout=60_000)
        chip.click()
        expect(page.locator("#source-text mark")).to_contain_text("170")
        expect(page.locator("#source-meta")).to_contain_text("000_cofepris.pdf · page ")
        shot = tmp_path / "chat-page-pdf.png"
        page.screenshot(path=shot)
    assert shot.stat().st_size > 10_000
    if SCREENSHOT_COPY:
        shutil.copy(shot, SCREENSHOT_COPY)
