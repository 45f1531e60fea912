"""The chat page's article library in real Chromium: add files (picker and drag-and-drop), see
each file's result, remove an article, and the answers change accordingly."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from api.app import create_app
from rag.service import RagService
from rag.settings import Settings
from tests.api.browser import ask, chromium, watched_page
from tests.api.support import serve
from tests.documents import pdf_pages, scanned_pdf
from tests.fakes import ScriptedLLM

QUESTION = "How many inspections does Cofepris plan at the Puebla hospitals?"
PAGES = [
    ["Cofepris reviewed the supply of oncology drugs in Puebla."],
    ["Cofepris plans 45 inspections at the Puebla hospitals next year."],
]


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as browser:
        yield browser


@pytest.fixture
def page(browser: Browser, settings: Settings, service: RagService) -> Iterator[Page]:
    with watched_page(browser) as page, serve(create_app(settings, service=service)) as url:
        page.on("dialog", lambda dialog: dialog.accept())  # the remove confirmation
        page.goto(url)
        yield page


def test_an_uploaded_pdf_answers_and_removing_it_takes_the_answer_away(
    page: Page, llm: ScriptedLLM, tmp_path: Path, settings: Settings
) -> None:
    pdf = tmp_path / "puebla.pdf"
    pdf.write_bytes(pdf_pages("Puebla inspections", PAGES))
    scan = tmp_path / "scan.pdf"
    scan.write_bytes(scanned_pdf())
    expect(page.locator("#status")).to_have_text("ready · 5 articles")

    page.click("#library-open")
    expect(page.locator("#document-list li")).to_have_count(5)
    spanish = page.locator("#document-list li", has_text="001_1f89d300ecf0cc92.txt")
    expect(spanish).to_contain_text("Instalan ventanillas de atención de Cofepris")  # the title first
    expect(spanish.locator(".doc-name")).to_have_text("001_1f89d300ecf0cc92.txt · 2021-12-22")
    page.set_input_files("#file-input", [str(pdf), str(scan)])
    results = page.locator("#upload-results li")
    expect(results).to_have_text(
        ["puebla.pdf: added", "scan.pdf: skipped (scan.pdf: no text layer (scanned PDF?))"], timeout=20_000
    )
    expect(page.locator("#document-list li")).to_have_count(6)
    expect(page.locator("#status")).to_have_text("ready · 6 articles")
    page.click("#library-close")

    llm.enqueue(lambda prompt: "45 inspections" if "45" in prompt else "NONE")
    ask(page, QUESTION)
    answer = page.locator(".message.assistant").last
    expect(answer.locator(".text")).to_have_text("45 inspections", timeout=20_000)
    expect(answer.locator(".chip")).to_have_text(["1 Puebla inspections · page 2"])
    page.screenshot(path=tmp_path / "uploaded-pdf.png")

    page.click("#library-open")
    page.locator("#document-list li", has_text="puebla.pdf").get_by_role("button").click()
    expect(page.locator("#document-list li")).to_have_count(5)
    assert not (settings.corpus_dir / "puebla.pdf").exists()
    page.click("#library-close")
    llm.enqueue(lambda prompt: "NONE", lambda prompt: "NONE")
    ask(page, QUESTION)
    expect(page.locator(".message.assistant").last).to_have_class("message assistant refused", timeout=20_000)


def test_a_dropped_file_is_added_and_a_lying_one_is_refused(page: Page, tmp_path: Path) -> None:
    page.click("#library-open")
    # Drag-and-drop: a DataTransfer with the files, dispatched on the drop zone.
    page.evaluate(
        """async () => {
            const transfer = new DataTransfer();
            transfer.items.add(new File(["Cofepris opened two windows at the IMSS."], "windows.txt"));
            const zone = document.getElementById("drop-zone");
            zone.dispatchEvent(new DragEvent("drop", { dataTransfer: transfer, bubbles: true, cancelable: true }));
        }"""
    )
    expect(page.locator("#upload-results li")).to_have_text(["windows.txt: added"], timeout=20_000)
    fake = tmp_path / "virus.pdf"
    fake.write_bytes(b"MZ\x90\x00" + bytes(64))
    page.set_input_files("#file-input", str(fake))
    expect(page.locator("#upload-results li")).to_have_text(
        ["virus.pdf: not a PDF (the content does not match the .pdf extension)"]
    )
