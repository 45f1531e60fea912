"""API key, CORS and the body size limit."""

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from rag.service import RagService
from rag.settings import Settings

KEY = "s3cret-key"
PROTECTED = [
    ("POST", "/ask", {"question": "hi"}),
    ("POST", "/ask/stream", {"question": "hi"}),
    ("GET", "/v1/models", None),
    (
        "POST",
        "/v1/chat/completions",
        {"model": "articles-qa", "messages": [{"role": "user", "content": "hi"}]},
    ),
    ("GET", "/documents", None),
    ("GET", "/documents/000_3aed9b3397ca7b37.txt", None),
    ("GET", "/documents/000_3aed9b3397ca7b37.txt/original", None),
    ("POST", "/ingest", None),
]


@pytest.fixture
def keyed(settings: Settings, service: RagService) -> Iterator[TestClient]:
    settings = settings.model_copy(update={"api_key": KEY})
    with TestClient(create_app(Settings.model_validate(settings.model_dump()), service=service)) as client:
        yield client


@pytest.mark.parametrize(("method", "path", "body"), PROTECTED)
@pytest.mark.parametrize(
    "header", [None, "Bearer wrong", "Basic czNjcmV0LWtleQ==", f"Bearer {KEY}x", "Bearer"]
)
def test_missing_or_wrong_keys_get_401(
    keyed: TestClient, method: str, path: str, body: dict | None, header: str | None
) -> None:
    headers = {"Authorization": header} if header else {}
    response = keyed.request(method, path, json=body, headers=headers)
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    assert "API key" in response.json()["error"]


def test_the_right_key_opens_every_endpoint(keyed: TestClient) -> None:
    headers = {"Authorization": f"Bearer {KEY}"}
    assert keyed.get("/documents", headers=headers).status_code == 200
    assert keyed.get("/v1/models", headers=headers).status_code == 200
    assert keyed.post("/ask", json={"question": ""}, headers=headers).status_code == 422  # past the key check


def test_health_and_the_page_stay_open(keyed: TestClient) -> None:
    assert keyed.get("/health").status_code == 200
    page = keyed.get("/")
    assert page.status_code == 200 and "<title>Articles Q&amp;A</title>" in page.text
    assert keyed.get("/static/app.js").status_code == 200


def test_cors_is_off_by_default(client: TestClient) -> None:
    response = client.options(
        "/ask", headers={"Origin": "http://evil.example", "Access-Control-Request-Method": "POST"}
    )
    assert "access-control-allow-origin" not in response.headers


def test_cors_allows_only_the_configured_origins(settings: Settings, service: RagService) -> None:
    settings = Settings.model_validate(
        settings.model_dump() | {"server": {"cors_origins": ["http://ok.example"]}}
    )
    with TestClient(create_app(settings, service=service)) as client:
        allowed = client.options(
            "/ask", headers={"Origin": "http://ok.example", "Access-Control-Request-Method": "POST"}
        )
        denied = client.options(
            "/ask", headers={"Origin": "http://evil.example", "Access-Control-Request-Method": "POST"}
        )
    assert allowed.headers["access-control-allow-origin"] == "http://ok.example"
    assert "access-control-allow-origin" not in denied.headers


def test_bodies_over_the_limit_get_413_before_parsing(client: TestClient, settings: Settings) -> None:
    limit = settings.server.max_body_bytes
    response = client.post(
        "/ask", content=b"{" + b" " * limit + b"}", headers={"content-type": "application/json"}
    )
    assert response.status_code == 413 and str(limit) in response.json()["error"]

    def chunks() -> Iterator[bytes]:  # no Content-Length: counted while read
        for _ in range(limit // 1024 + 2):
            yield b" " * 1024

    response = client.post("/ask", content=chunks(), headers={"content-type": "application/json"})
    assert response.status_code == 413


def test_unknown_paths_get_a_json_404(client: TestClient) -> None:
    response = client.get("/nowhere")
    assert response.status_code == 404 and response.json() == {"error": "Not Found"}
