"""Deep links on citations: where they point, behind a proxy, and what the page does with them."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.deps import get_settings
from rag.service import RagService
from rag.settings import Settings
from tests.api.support import APPOINTMENTS, cite_appointments
from tests.fakes import ScriptedLLM


def linked_citation(client: TestClient, llm: ScriptedLLM, **headers: str) -> dict:
    llm.enqueue(cite_appointments)
    body = client.post("/ask", json={"question": APPOINTMENTS}, headers=headers).json()
    return body["citations"][0]


def test_a_link_names_the_file_and_the_quote_span(client: TestClient, llm: ScriptedLLM) -> None:
    citation = linked_citation(client, llm)
    url = urlsplit(citation["url"])
    assert (url.scheme, url.netloc, url.path) == ("http", "testserver", "/")
    assert parse_qs(url.query) == {
        "doc": [citation["source"]],
        "start": [str(citation["start"])],
        "end": [str(citation["end"])],
    }


@pytest.mark.parametrize(
    ("headers", "base"),
    [
        ({"X-Forwarded-Proto": "https", "X-Forwarded-Host": "qa.example.org"}, "https://qa.example.org/"),
        (
            {
                "X-Forwarded-Proto": "https, http",  # the first proxy's view counts
                "X-Forwarded-Host": "qa.example.org:8443",
                "X-Forwarded-Prefix": "/articles/",
            },
            "https://qa.example.org:8443/articles/",
        ),
        # Values that do not belong in a URL are ignored, not copied into the link.
        (
            {
                "X-Forwarded-Proto": "javascript",
                "X-Forwarded-Host": "evil.org/x?",
                "X-Forwarded-Prefix": "/a b",
            },
            "http://testserver/",
        ),
    ],
)
def test_links_follow_the_reverse_proxy_headers(
    client: TestClient, llm: ScriptedLLM, headers: dict[str, str], base: str
) -> None:
    assert linked_citation(client, llm, **headers)["url"].startswith(base + "?doc=")


def test_the_root_path_is_part_of_the_link(settings: Settings, service: RagService, llm: ScriptedLLM) -> None:
    with TestClient(create_app(settings, service=service), root_path="/qa") as client:
        assert linked_citation(client, llm)["url"].startswith("http://testserver/qa/?doc=")


def test_a_public_url_setting_wins_over_the_request(
    settings: Settings, service: RagService, llm: ScriptedLLM
) -> None:
    public = settings.model_copy(
        update={"server": settings.server.model_copy(update={"public_url": "https://news.example/qa/"})}
    )
    app = create_app(settings, service=service)
    app.dependency_overrides[get_settings] = lambda: public
    with TestClient(app) as client:
        url = linked_citation(client, llm, **{"X-Forwarded-Host": "other.example"})["url"]
    assert url.startswith("https://news.example/qa/?doc=")


@pytest.mark.parametrize(
    "value", ["example.org", "ftp://example.org", "https://example.org/a?b=1", "https://a b"]
)
def test_a_public_url_that_is_not_an_http_base_is_refused_at_start(value: str) -> None:
    with pytest.raises(ValueError, match="public_url"):
        Settings(server={"public_url": value})  # type: ignore[arg-type]


def test_a_streamed_final_answer_carries_the_links(client: TestClient, llm: ScriptedLLM) -> None:
    llm.enqueue(cite_appointments)
    with client.stream("POST", "/ask/stream", json={"question": APPOINTMENTS}) as response:
        final = response.read().decode().split("event: final\ndata: ")[1]
    assert '"url": "http://testserver/?doc=000_3aed9b3397ca7b37.txt&start=' in final
