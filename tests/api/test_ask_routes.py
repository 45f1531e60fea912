import pytest
from fastapi.testclient import TestClient

from tests.api.support import APPOINTMENTS, cite_appointments
from tests.fakes import ScriptedLLM


def test_ask_returns_the_answer_contract(client: TestClient, llm: ScriptedLLM) -> None:
    llm.enqueue(cite_appointments)
    response = client.post("/ask", json={"question": APPOINTMENTS})
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"answer", "refused", "language", "citations", "timings_ms", "usage"}
    assert (
        body["answer"] == "At least 170 appointments"
        and body["refused"] is False
        and body["language"] == "en"
    )
    assert set(body["citations"][0]) == {"source", "quote", "start", "end", "page", "url"}
    citation = body["citations"][0]
    assert citation["url"] == (
        f"http://testserver/?doc={citation['source']}&start={citation['start']}&end={citation['end']}"
    )
    assert set(body["timings_ms"]) == {"retrieve", "generate", "total"}


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ({"question": ""}, "empty"),
        ({"question": "  \t "}, "empty"),
        ({"question": "x" * 2001}, "limit is 2000"),
        ({"question": 42}, "question: Input should be a valid string"),
        ({}, "question: Field required"),
        ({"question": "hi", "top_k": 3}, "top_k: Extra inputs are not permitted"),
    ],
)
def test_bad_questions_get_422_with_a_message(client: TestClient, payload: dict, message: str) -> None:
    response = client.post("/ask", json=payload)
    assert response.status_code == 422
    assert message in response.json()["error"]


def test_invalid_json_gets_422(client: TestClient) -> None:
    response = client.post("/ask", content=b"{not json", headers={"content-type": "application/json"})
    assert response.status_code == 422
    assert "JSON" in response.json()["error"]


def test_health_reports_models_and_counts(client: TestClient) -> None:
    body = client.get("/health").json()
    assert body["status"] == "ok"
    assert body["documents"] == 5 and body["chunks"] > 5
    assert body["embedding_model"] == "keyword-hash-1024"


def test_openapi_documents_every_endpoint(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    assert set(spec["paths"]) == {
        "/ask",
        "/ask/stream",
        "/v1/models",
        "/v1/chat/completions",
        "/documents",
        "/documents/{name}",
        "/documents/{name}/original",
        "/ingest",
        "/health",
    }
    assert "Answer" in spec["components"]["schemas"] and "DocumentInfo" in spec["components"]["schemas"]
    assert client.get("/docs").status_code == 200
