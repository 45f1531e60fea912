"""Bad input on every endpoint: each gets a 4xx JSON error with a message, never a 500.

What tests/api/test_*_routes.py already check per endpoint (empty, over-long and non-string
questions, unknown fields, one invalid JSON body, a 413 on /ask, path traversal on /documents)
is not repeated; this file covers the rest across all endpoints.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from rag.service import RagService
from rag.settings import Settings
from tests.conftest import SEEDS
from tests.fakes import KeywordEmbedding, ScriptedLLM

JSON = {"content-type": "application/json"}
CHAT = "/v1/chat/completions"
QUESTION_ENDPOINTS = ["/ask", "/ask/stream", CHAT]
POST_ENDPOINTS = [*QUESTION_ENDPOINTS, "/ingest"]


def body_for(path: str, question: object, **extra: object) -> dict[str, object]:
    """A request body for `path` that carries `question` where that endpoint expects it."""
    if path == CHAT:
        return {"model": "articles-qa", "messages": [{"role": "user", "content": question}], **extra}
    return {"question": question, **extra}


def assert_json_4xx(response, status: int | None = None) -> str:  # type: ignore[no-untyped-def]
    """The response is a 4xx JSON error with a non-empty message; returns the message."""
    assert 400 <= response.status_code < 500, (response.status_code, response.text[:300])
    if status is not None:
        assert response.status_code == status, response.text[:300]
    assert response.headers["content-type"].startswith("application/json")
    message = response.json()["error"]
    assert isinstance(message, str) and message.strip()
    return message


@pytest.fixture(scope="module")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """One app for the whole module: no request here changes anything."""
    workdir = tmp_path_factory.mktemp("bad-input")
    shutil.copytree(SEEDS, workdir / "corpus")
    return Settings(data_dir=workdir / "data", corpus_dir=workdir / "corpus")


@pytest.fixture(scope="module")
def quiet_client(settings: Settings) -> Iterator[TestClient]:
    """The app's errors come back as responses (a 500 stays a 500 instead of raising here)."""
    service = RagService(settings, embedder=KeywordEmbedding(), llm=ScriptedLLM())
    with TestClient(create_app(settings, service=service), raise_server_exceptions=False) as client:
        yield client


@pytest.mark.parametrize("path", POST_ENDPOINTS)
@pytest.mark.parametrize(
    "raw",
    [
        b'{"question": "caf\xe9 \xff\xfe"}',  # Latin-1 and stray bytes inside a JSON string
        b"\xff\xfe\x00{",  # a UTF-16 byte-order mark, then junk
        b"\xc3\x28",  # a truncated two-byte sequence
        b'{"question": "\xed\xa0\x80"}',  # a UTF-8-encoded surrogate (invalid in UTF-8)
    ],
    ids=["latin1-in-string", "utf16-bom", "truncated-sequence", "encoded-surrogate"],
)
def test_invalid_utf8_bodies_get_422(quiet_client: TestClient, path: str, raw: bytes) -> None:
    assert_json_4xx(quiet_client.post(path, content=raw, headers=JSON), 422)


@pytest.mark.parametrize("path", POST_ENDPOINTS)
@pytest.mark.parametrize(
    "raw",
    [b"{not json", b'{"question": "hi",}', b"[" * 20_000 + b"]" * 20_000, b"\x00"],
    ids=["broken", "trailing-comma", "nested-20000-deep", "nul"],
)
def test_invalid_json_gets_422_on_every_endpoint(quiet_client: TestClient, path: str, raw: bytes) -> None:
    assert_json_4xx(quiet_client.post(path, content=raw, headers=JSON), 422)


@pytest.mark.parametrize("path", POST_ENDPOINTS)
@pytest.mark.parametrize("raw", [b"null", b"[]", b'"a question"', b"42", b"true"])
def test_json_that_is_not_an_object_gets_422(quiet_client: TestClient, path: str, raw: bytes) -> None:
    if path == "/ingest" and raw == b"null":
        pytest.skip("/ingest takes an optional body: null means the defaults")
    assert_json_4xx(quiet_client.post(path, content=raw, headers=JSON), 422)


@pytest.mark.parametrize("path", QUESTION_ENDPOINTS)
def test_an_empty_body_gets_422(quiet_client: TestClient, path: str) -> None:
    assert_json_4xx(quiet_client.post(path, content=b"", headers=JSON), 422)


@pytest.mark.parametrize("path", QUESTION_ENDPOINTS)
@pytest.mark.parametrize(
    ("question", "message"),
    [
        ("", "empty"),
        (" \n\t\u3000 ", "empty"),
        ("x" * 2001, "limit is 2000"),
        ("\ud800 IMSS appointments", "Unicode"),  # a lone surrogate: valid JSON, not valid text
    ],
    ids=["empty", "whitespace", "over-long", "lone-surrogate"],
)
def test_unusable_questions_get_422_on_every_question_endpoint(
    quiet_client: TestClient, path: str, question: str, message: str
) -> None:
    raw = json.dumps(body_for(path, question)).encode()  # ensure_ascii keeps \ud800 escaped
    assert message in assert_json_4xx(quiet_client.post(path, content=raw, headers=JSON), 422)


@pytest.mark.parametrize("path", QUESTION_ENDPOINTS)
@pytest.mark.parametrize("question", [None, 42, 4.5, True, ["a"], {"text": "a"}])
def test_non_string_questions_get_422(quiet_client: TestClient, path: str, question: object) -> None:
    assert_json_4xx(quiet_client.post(path, json=body_for(path, question)), 422)


@pytest.mark.parametrize("path", ["/ask", "/ask/stream"])
@pytest.mark.parametrize(
    "history",
    [["q"] * 51, [1, 2], "not a list", [None], ["\ud800"]],
    ids=["too-many", "numbers", "string", "null-item", "lone-surrogate"],
)
def test_bad_history_is_refused(quiet_client: TestClient, path: str, history: object) -> None:
    raw = json.dumps({"question": "How many appointments?", "history": history}).encode()
    response = quiet_client.post(path, content=raw, headers=JSON)
    if path == "/ask/stream" and response.status_code == 200:
        # The history is read on the worker, after the stream began: an error event, not a crash.
        assert 'event: error\ndata: {"error":' in response.text and '"status": 422' in response.text
        return
    assert_json_4xx(response, 422)


@pytest.mark.parametrize("path", POST_ENDPOINTS)
def test_unknown_fields_get_422(quiet_client: TestClient, path: str) -> None:
    if path == CHAT:
        pytest.skip("the OpenAI endpoint accepts (and ignores) sampling options by design")
    body = {"rebuild": False, "top_k": 3} if path == "/ingest" else {"question": "hi", "top_k": 3}
    assert "top_k" in assert_json_4xx(quiet_client.post(path, json=body), 422)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"model": "articles-qa", "messages": [{"role": "user", "content": "hi"}] * 201}, "messages"),
        ({"model": "articles-qa", "messages": [{"role": "user", "content": "hi"}], "n": 0}, "n:"),
        ({"model": "articles-qa", "messages": [{"role": "user", "content": "hi"}], "n": -5}, "n:"),
        ({"model": "articles-qa", "messages": [{"role": "user", "content": "hi"}], "stream": "x"}, "stream"),
        ({"model": ["articles-qa"], "messages": [{"role": "user", "content": "hi"}]}, "model"),
        ({"model": "articles-qa", "messages": "hi"}, "messages"),
        ({"model": "articles-qa", "messages": [{"content": "hi"}]}, "role"),
        ({"model": "articles-qa", "messages": [{"role": "user", "content": [{"text": "hi"}]}]}, "content"),
        (
            {"model": "articles-qa", "messages": [{"role": "user", "content": [{"type": "image_url"}]}]},
            "empty",
        ),
    ],
)
def test_out_of_range_chat_parameters_get_422(quiet_client: TestClient, body: dict, message: str) -> None:
    assert message in assert_json_4xx(quiet_client.post(CHAT, json=body), 422)


@pytest.mark.parametrize("rebuild", [2, "maybe", [True], {"x": 1}, None])
def test_out_of_range_ingest_parameters_get_422(quiet_client: TestClient, rebuild: object) -> None:
    assert "rebuild" in assert_json_4xx(quiet_client.post("/ingest", json={"rebuild": rebuild}), 422)


@pytest.mark.parametrize("path", POST_ENDPOINTS)
def test_huge_bodies_get_413_on_every_endpoint(
    quiet_client: TestClient, settings: Settings, path: str
) -> None:
    limit = settings.server.max_body_bytes
    raw = json.dumps(body_for(path, "y" * (limit + 10))).encode()
    assert str(limit) in assert_json_4xx(quiet_client.post(path, content=raw, headers=JSON), 413)


@pytest.mark.parametrize("path", POST_ENDPOINTS)
def test_a_lying_content_length_is_not_trusted(
    quiet_client: TestClient, settings: Settings, path: str
) -> None:
    """A small declared length with a big body is still counted while it is read."""
    limit = settings.server.max_body_bytes

    def chunks():  # type: ignore[no-untyped-def]
        yield b'{"question": "'
        for _ in range(limit // 4096 + 2):
            yield b"z" * 4096
        yield b'"}'

    response = quiet_client.post(path, content=chunks(), headers=JSON)
    assert_json_4xx(response, 413)


@pytest.mark.parametrize("path", POST_ENDPOINTS)
def test_a_non_json_content_type_gets_422(quiet_client: TestClient, path: str) -> None:
    response = quiet_client.post(path, content=b"question=hi", headers={"content-type": "text/plain"})
    assert_json_4xx(response, 422)


@pytest.mark.parametrize(
    "path",
    [
        "/documents/%00",
        "/documents/nope.txt%00.txt",
        "/documents/" + "a" * 5000,
        "/documents/%ff%fe",
        "/documents/%C0%AF..%C0%AFetc%C0%AFpasswd",  # overlong-encoded slash
        "/documents/..%5C..%5Cpyproject.toml",
        "/documents/%2e%2e%2fpyproject.toml",
        "/documents/seeds%2F000_3aed9b3397ca7b37.txt",
        "/documents/~root",
        "/documents/000_3aed9b3397ca7b37.TXT",
    ],
)
def test_unknown_documents_and_traversal_get_404(quiet_client: TestClient, path: str) -> None:
    assert_json_4xx(quiet_client.get(path), 404)


@pytest.mark.parametrize(
    ("method", "path"),
    [("GET", "/ask"), ("GET", "/ask/stream"), ("GET", CHAT), ("PUT", "/ingest"), ("PUT", "/documents/x")],
)
def test_wrong_methods_get_a_json_405(quiet_client: TestClient, method: str, path: str) -> None:
    assert_json_4xx(quiet_client.request(method, path), 405)
