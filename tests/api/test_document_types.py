"""Web pages, PDFs and Word files through the API: ingested, cited (PDFs by page), downloadable."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from playwright.sync_api import expect

from api.app import create_app
from rag.service import RagService
from rag.settings import Settings
from tests.api.browser import chromium
from tests.api.support import APPOINTMENTS, cite_appointments, serve
from tests.documents import news_page, pdf_pages, scanned_pdf, word_file
from tests.fakes import KeywordEmbedding, ScriptedLLM

WINDOWS = "The IMSS and Cofepris signed an agreement to install two windows in the central offices."
PDF_PAGES = [
    ["Cofepris opened a service centre for health records at the IMSS headquarters."],
    [
        "The IMSS is the user with the most appointments, requiring",
        "at least 170 appointments every two months.",
    ],
]


@pytest.fixture
def mixed_corpus(tmp_path: Path) -> Path:
    corpus = tmp_path / "mixed"
    corpus.mkdir()
    (corpus / "windows.html").write_bytes(news_page("Two Cofepris windows at the IMSS", [WINDOWS]))
    (corpus / "appointments.pdf").write_bytes(pdf_pages("IMSS appointments at Cofepris", PDF_PAGES))
    (corpus / "council.docx").write_bytes(
        word_file("IMSS Technical Council", ["The Technical Council met on Wednesday in Mexico City."])
    )
    (corpus / "scan.pdf").write_bytes(scanned_pdf())
    (corpus / "virus.pdf").write_bytes(b"MZ\x90\x00" + bytes(100))
    return corpus


@pytest.fixture
def mixed_service(
    tmp_path: Path, mixed_corpus: Path, embedder: KeywordEmbedding, llm: ScriptedLLM
) -> RagService:
    settings = Settings(data_dir=tmp_path / "data", corpus_dir=mixed_corpus, answer={"rerank": "none"})
    return RagService(settings, embedder=embedder, llm=llm)


@pytest.fixture
def mixed_client(mixed_service: RagService) -> Iterator[TestClient]:
    with TestClient(create_app(mixed_service.settings, service=mixed_service)) as client:
        yield client


def test_every_type_is_ingested_and_unreadable_files_say_why(mixed_client: TestClient) -> None:
    report = mixed_client.post("/ingest", json={"rebuild": True}).json()
    assert sorted(report["added"]) == ["appointments.pdf", "council.docx", "windows.html"]
    assert {s["name"]: s["reason"] for s in report["skipped"]} == {
        "scan.pdf": "scan.pdf: no text layer (scanned PDF?)",
        "virus.pdf": "virus.pdf: not a PDF (the content does not match the .pdf extension)",
    }
    titles = {d["name"]: d["title"] for d in mixed_client.get("/documents").json()}
    assert titles == {
        "appointments.pdf": "IMSS appointments at Cofepris",
        "council.docx": "IMSS Technical Council",
        "windows.html": "Two Cofepris windows at the IMSS",
    }


def test_a_pdf_citation_carries_its_page_and_indexes_the_extracted_text(
    mixed_client: TestClient, llm: ScriptedLLM
) -> None:
    llm.enqueue(cite_appointments)
    answer = mixed_client.post("/ask", json={"question": APPOINTMENTS}).json()
    [citation] = answer["citations"]
    assert citation["source"] == "appointments.pdf" and citation["page"] == 2
    text = mixed_client.get("/documents/appointments.pdf").json()["text"]
    assert text[citation["start"] : citation["end"]] == citation["quote"]
    assert "170 appointments every two months" in citation["quote"] and "\n" not in citation["quote"]


def test_a_citation_from_a_web_page_has_no_page(mixed_client: TestClient, llm: ScriptedLLM) -> None:
    llm.enqueue(lambda prompt: "two windows")
    answer = mixed_client.post(
        "/ask", json={"question": "How many windows did Cofepris install at the IMSS?"}
    ).json()
    [citation] = answer["citations"]
    assert citation["source"] == "windows.html" and citation["page"] is None


def test_the_original_file_downloads_as_an_attachment(mixed_client: TestClient, mixed_corpus: Path) -> None:
    response = mixed_client.get("/documents/appointments.pdf/original")
    assert response.status_code == 200
    assert response.content == (mixed_corpus / "appointments.pdf").read_bytes()
    assert response.headers["content-disposition"] == 'attachment; filename="appointments.pdf"'
    assert response.headers["x-content-type-options"] == "nosniff"
    page = mixed_client.get("/documents/windows.html/original")
    assert page.headers["content-disposition"].startswith("attachment")  # never rendered by the service


@pytest.mark.parametrize("name", ["scan.pdf", "missing.pdf", "..%2Fdata", "%2E%2E"])
def test_only_indexed_files_download(mixed_client: TestClient, name: str) -> None:
    response = mixed_client.get(f"/documents/{name}/original")
    assert response.status_code == 404
    assert "error" in response.json()


def test_the_chat_page_shows_title_and_page_and_offers_the_original(
    mixed_service: RagService, llm: ScriptedLLM
) -> None:
    llm.enqueue(cite_appointments)
    with serve(create_app(mixed_service.settings, service=mixed_service)) as url, chromium() as browser:
        page = browser.new_page(accept_downloads=True)
        page.goto(url)
        page.fill("#question", APPOINTMENTS)
        page.click("#send")
        chip = page.locator(".message.assistant .chip").first
        expect(chip).to_have_text("1 IMSS appointments at Cofepris · page 2", timeout=20_000)
        expect(chip).to_have_attribute("title", re.compile(r"^appointments\.pdf: .*170 appointments"))
        chip.click()
        expect(page.locator("#source-text mark")).to_contain_text("170 appointments every two months")
        expect(page.locator("#source-meta")).to_contain_text("appointments.pdf · page 2")
        with page.expect_download() as download:
            page.click("#source-original")
        assert download.value.suggested_filename == "appointments.pdf"
        assert Path(download.value.path()).read_bytes().startswith(b"%PDF-")
