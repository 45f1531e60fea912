import json

import pytest
from fastapi.testclient import TestClient

from rag.service import RagService
from tests.api.support import APPOINTMENTS, cite_appointments
from tests.fakes import ScriptedLLM


def parse_events(body: str) -> list[tuple[str, dict]]:
    events = []
    for block in body.strip().split("\n\n"):
        lines = dict(line.split(": ", 1) for line in block.splitlines())
        events.append((lines["event"], json.loads(lines["data"])))
    return events


def test_tokens_stream_then_the_final_contract(client: TestClient, llm: ScriptedLLM) -> None:
    llm.enqueue(cite_appointments)
    response = client.post("/ask/stream", json={"question": APPOINTMENTS})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/event-stream")
    events = parse_events(response.text)
    names = [name for name, _ in events]
    assert names[-1] == "final" and set(names[:-1]) == {"token"} and len(names) > 2
    draft = "".join(data["text"] for _, data in events[:-1])
    assert draft.startswith("At least 170 appointments")
    final = events[-1][1]
    assert set(final) == {"answer", "refused", "language", "citations", "timings_ms", "usage"}
    assert (
        final["answer"] == "At least 170 appointments"
        and final["citations"][0]["source"] == "000_3aed9b3397ca7b37.txt"
    )


@pytest.mark.parametrize(
    ("payload", "status", "message"),
    [
        ({"question": ""}, 422, "empty"),
        ({"question": "x" * 2001}, 422, "limit is 2000"),
        ({"question": "hi", "stream": True}, 422, "stream: Extra inputs are not permitted"),
        ({"question": "hi", "history": "not a list"}, 422, "history"),
    ],
)
def test_bad_questions_fail_before_the_stream(
    client: TestClient, payload: dict, status: int, message: str
) -> None:
    response = client.post("/ask/stream", json=payload)
    assert response.status_code == status
    assert response.headers["content-type"] == "application/json"
    assert message in response.json()["error"]


def test_a_full_queue_gets_503_with_retry_after(client: TestClient, service: RagService) -> None:
    held = [service.admit() for _ in range(service.queue.size + 1)]
    try:
        for path in ("/ask", "/ask/stream"):
            response = client.post(path, json={"question": APPOINTMENTS})
            assert response.status_code == 503
            assert int(response.headers["retry-after"]) >= 1
            assert "busy" in response.json()["error"]
    finally:
        for ticket in held:
            ticket.release()
