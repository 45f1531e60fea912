"""The real default models behind every interface: the chat page in chromium and the openai client."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import openai
import pytest
from playwright.sync_api import expect

from api.app import create_app
from rag.service import RagService
from tests.api.browser import chromium
from tests.api.support import serve

pytestmark = pytest.mark.slow
QUESTION = "How many appointments does the IMSS require at Cofepris every two months?"
# Set to a path to keep the screenshot (the README's docs/chat-page.png is made this way).
SCREENSHOT_COPY = os.environ.get("RAG_TEST_SCREENSHOT")


def test_the_chat_page_answers_with_a_highlighted_citation(real_service: RagService, tmp_path: Path) -> None:
    with serve(create_app(real_service.settings, service=real_service)) as url, chromium() as browser:
        page = browser.new_page(viewport={"width": 1280, "height": 720})
        page.goto(url)
        page.fill("#question", QUESTION)
        page.click("#send")
        answer = page.locator(".message.assistant").last
        expect(answer.locator(".chip").first).to_be_visible(timeout=60_000)
        assert "170" in answer.locator(".text").inner_text()
        answer.locator(".chip").first.click()
        quote = page.locator("#source-text mark")
        expect(quote).to_be_visible()
        expect(quote).to_contain_text("170 appointments")
        shot = tmp_path / "chat-page.png"
        page.screenshot(path=shot)
    assert shot.stat().st_size > 10_000
    if SCREENSHOT_COPY:
        shutil.copy(shot, SCREENSHOT_COPY)


def test_the_openai_client_gets_verified_citations(real_service: RagService) -> None:
    with serve(create_app(real_service.settings, service=real_service)) as url:
        client = openai.OpenAI(base_url=url + "/v1", api_key="unused", max_retries=0)
        completion = client.chat.completions.create(
            model="articles-qa", messages=[{"role": "user", "content": QUESTION}]
        )
    content = completion.choices[0].message.content or ""
    citations = completion.model_extra["citations"]  # type: ignore[index]
    assert "170" in content and "Sources:" in content
    assert citations and all(c["quote"] in content for c in citations)
    text = (real_service.settings.corpus_dir / citations[0]["source"]).read_text()
    assert text[citations[0]["start"] : citations[0]["end"]] == citations[0]["quote"]
    annotations = completion.choices[0].message.annotations or []
    assert len(annotations) == len(citations)
    for n, annotation in enumerate(annotations, 1):
        span = annotation.url_citation
        assert content[span.start_index : span.end_index] == f"[{n}]"
        assert span.url == citations[n - 1]["url"]
