"""The chat page in a real headless browser, over a live server with deterministic fake models."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from api.app import create_app
from rag.service import RagService
from rag.settings import Settings
from tests.api.browser import ask, chromium, watched_page
from tests.api.support import APPOINTMENTS, cite_appointments, serve
from tests.fakes import ScriptedLLM

HOSTILE = (
    '---\ntitle: <img src=x onerror="window.pwned=1">Cofepris alert\n---\n'
    "The warning <script>window.pwned = 1</script> about Cofepris was issued on Monday by 42 inspectors.\n"
)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as browser:
        yield browser


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    with watched_page(browser) as page:
        yield page


def test_a_streamed_answer_with_a_chip_that_opens_the_highlighted_quote(
    page: Page, live_server: str, llm: ScriptedLLM, tmp_path: Path
) -> None:
    llm.enqueue(cite_appointments)
    page.goto(live_server)
    expect(page.locator("#status")).to_have_text("ready · 5 articles")
    ask(page, APPOINTMENTS)
    answer = page.locator(".message.assistant").last
    expect(answer.locator(".text")).to_have_text("At least 170 appointments", timeout=20_000)
    expect(answer).not_to_have_class("refused")
    chip = answer.locator(".chip")
    expect(chip).to_have_text("1 000_3aed9b3397ca7b37.txt")
    chip.click()
    quote = page.locator("#source-text mark")
    expect(quote).to_be_visible()
    expect(quote).to_contain_text("requiring at least 170 appointments every two months")
    expect(page.locator("#source-meta")).to_contain_text("000_3aed9b3397ca7b37.txt")
    page.screenshot(path=tmp_path / "chat-page.png")
    assert (tmp_path / "chat-page.png").stat().st_size > 10_000


def test_a_refusal_is_marked_and_spanish_works(page: Page, live_server: str) -> None:
    page.goto(live_server)
    ask(page, "¿Quién ganó la final del Mundial de 2030 en penaltis?")
    answer = page.locator(".message.assistant").last
    expect(answer).to_have_class("message assistant refused", timeout=20_000)
    expect(answer.locator(".badge")).to_have_text("Not in the articles")
    expect(answer.locator(".text")).to_have_text("Los artículos no lo dicen.")
    expect(answer.locator(".chip")).to_have_count(0)


def test_html_from_articles_and_the_model_is_shown_as_text(
    page: Page, settings: Settings, service: RagService, llm: ScriptedLLM
) -> None:
    (settings.corpus_dir / "hostile.md").write_text(HOSTILE)
    llm.enqueue(lambda prompt: "<b onmouseover=alert(1)>42</b> inspectors [1].")
    with serve(create_app(settings, service=service)) as url:
        page.goto(url)
        ask(page, "How many inspectors issued the warning about Cofepris?")
        answer = page.locator(".message.assistant").last
        expect(answer.locator(".text")).to_have_text(
            "<b onmouseover=alert(1)>42</b> inspectors.", timeout=20_000
        )
        answer.locator(".chip").first.click()
        expect(page.locator("#source-text mark")).to_contain_text("<script>window.pwned = 1</script>")
        expect(page.locator("#source-title")).to_contain_text('<img src=x onerror="window.pwned=1">')
        assert page.evaluate("window.pwned") is None
        assert page.locator("#source-text script, .message .text b, #source-title img").count() == 0


def test_the_page_asks_for_the_api_key_once(
    browser: Browser, settings: Settings, service: RagService, llm: ScriptedLLM
) -> None:
    settings = Settings.model_validate(settings.model_dump() | {"api_key": "k3y"})
    llm.enqueue(cite_appointments)
    context = browser.new_context()
    page = context.new_page()
    with serve(create_app(settings, service=service)) as url:
        page.goto(url)
        ask(page, APPOINTMENTS)
        expect(page.locator("#key-dialog")).to_be_visible()
        page.fill("#api-key", "k3y")
        page.click("#key-ok")
        expect(page.locator(".message.assistant .text").last).to_have_text(
            "At least 170 appointments", timeout=20_000
        )
        page.locator(".chip").first.click()  # the stored key also opens the document
        expect(page.locator("#source-text mark")).to_be_visible()
        expect(page.locator("#key-dialog")).to_be_hidden()
    context.close()


def test_busy_and_down_servers_show_an_error_state(page: Page, live_server: str, service: RagService) -> None:
    page.goto(live_server)
    held = [service.admit() for _ in range(service.queue.size + 1)]
    try:
        ask(page, APPOINTMENTS)
        error = page.locator(".message.assistant.error").last
        expect(error).to_contain_text("The server is busy; try again in")
    finally:
        for ticket in held:
            ticket.release()
    page.route("**/ask/stream", lambda route: route.abort())
    ask(page, APPOINTMENTS)
    expect(page.locator(".message.assistant.error").last).to_contain_text("Cannot reach the server.")


def test_a_thinking_state_shows_while_waiting(page: Page, live_server: str, llm: ScriptedLLM) -> None:
    llm.enqueue(cite_appointments)
    page.goto(live_server)
    page.route("**/ask/stream", lambda route: (page.wait_for_timeout(800), route.continue_()))
    ask(page, APPOINTMENTS)
    expect(page.locator(".message.assistant.thinking")).to_be_visible()
    expect(page.locator("#send")).to_be_disabled()
    expect(page.locator(".message.assistant .text").last).to_have_text(
        "At least 170 appointments", timeout=20_000
    )


def test_stop_abandons_the_question_and_frees_the_form(page: Page, live_server: str) -> None:
    page.goto(live_server)
    page.route("**/ask/stream", lambda route: (page.wait_for_timeout(1500), route.continue_()))
    ask(page, APPOINTMENTS)
    expect(page.locator("#stop")).to_be_visible()
    page.click("#stop")
    expect(page.locator(".message.assistant.error").last).to_have_text("ErrorStopped.")
    expect(page.locator("#stop")).to_be_hidden()
    expect(page.locator("#send")).to_be_enabled()


def test_an_openai_annotation_link_opens_the_highlighted_quote(
    page: Page, live_server: str, llm: ScriptedLLM
) -> None:
    llm.enqueue(cite_appointments)
    chat = {"model": "articles-qa", "messages": [{"role": "user", "content": APPOINTMENTS}]}
    body = httpx.post(f"{live_server}/v1/chat/completions", json=chat, timeout=30).json()
    link = body["choices"][0]["message"]["annotations"][0]["url_citation"]["url"]
    page.goto(link)
    quote = page.locator("#source-text mark")
    expect(quote).to_have_text(body["citations"][0]["quote"])
    expect(quote).to_be_in_viewport()
    expect(page.locator("#source-meta")).to_have_text(re.compile("^000_3aed9b3397ca7b37.txt · "))
    expect(page.locator("#status")).to_have_text("ready · 5 articles")  # the chat still works


@pytest.mark.parametrize(
    ("query", "shows"),
    [
        # A stale link (the article changed): the article, unmarked, and why.
        ("doc=000_3aed9b3397ca7b37.txt&start=10&end=999999", "The linked passage is not in this article"),
        ("doc=000_3aed9b3397ca7b37.txt&start=abc&end=5", "The linked passage is not in this article"),
        ("doc=000_3aed9b3397ca7b37.txt&start=50&end=20", "The linked passage is not in this article"),
        ("doc=missing.txt&start=0&end=5", "no indexed document named 'missing.txt'"),
    ],
)
def test_a_bad_citation_link_says_what_is_wrong(page: Page, live_server: str, query: str, shows: str) -> None:
    page.goto(f"{live_server}/?{query}")
    expect(page.locator("#source")).to_be_visible()
    expect(page.locator("#source")).to_contain_text(shows)
    expect(page.locator("#source-text mark")).to_have_count(0)
