"""A stream that is answered 200 must not then report a full queue.

`rag loadtest` (32 clients, 60 s, real models) once found 6 of 50 `/ask/stream` requests answered
200 followed by an `error` event with status 503: the route only checked the queue's capacity and
the ticket was taken after the 200 went out. Now the route takes the ticket itself.
"""

from __future__ import annotations

from fastapi.testclient import TestClient

from rag.answer.generation import Ticket
from rag.service import RagService
from tests.api.support import APPOINTMENTS, cite_appointments
from tests.fakes import ScriptedLLM


def test_the_last_place_gives_a_complete_stream_and_a_full_queue_a_503(
    client: TestClient, service: RagService, llm: ScriptedLLM
) -> None:
    llm.enqueue(cite_appointments)
    held: list[Ticket] = [service.admit() for _ in range(service.queue.size)]  # one place left
    try:
        response = client.post("/ask/stream", json={"question": APPOINTMENTS})
        assert response.status_code == 200
        assert "event: final" in response.text and "event: error" not in response.text
        assert service.queue.admitted == len(held)  # the stream gave its place back
        held.append(service.admit())  # now full
        for path in ("/ask/stream", "/v1/chat/completions"):
            body = {"question": APPOINTMENTS}
            if path.startswith("/v1"):
                body = {
                    "model": "articles-qa",
                    "messages": [{"role": "user", "content": APPOINTMENTS}],
                    "stream": True,
                }
            full = client.post(path, json=body)
            assert full.status_code == 503, full.text[:300]
            assert int(full.headers["retry-after"]) >= 1
    finally:
        for ticket in held:
            ticket.release()
