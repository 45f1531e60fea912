"""POST /ask and POST /ask/stream: one question in, the answer contract out."""

from __future__ import annotations

from collections.abc import AsyncIterator

from fastapi import APIRouter
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, ConfigDict, Field
from starlette.background import BackgroundTask

from api.deps import Service
from api.errors import error_body
from api.links import LinkBase, with_links
from api.streaming import answer_events, sse
from rag.types import Answer

router = APIRouter(tags=["ask"])


class AskRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    question: str = Field(
        description="The question, in English or Spanish.", examples=["¿Cuántas citas requiere el IMSS?"]
    )
    history: list[str] = Field(
        default_factory=list,
        max_length=50,
        description="Earlier questions of the conversation, oldest first; a short follow-up such as "
        "'and in 2019?' is read together with the last one.",
    )


@router.post("/ask", response_model=Answer, summary="Answer a question with verified citations")
def ask(body: AskRequest, service: Service, base: LinkBase) -> Answer:
    with service.open_question(body.question, body.history) as question:
        return with_links(question.answer(), base)


STREAM_DESCRIPTION = """Server-Sent Events:

* `token` — `{"text": "...", "attempt": 1}` while the model writes. This is the model's draft:
  a later `attempt` replaces the earlier draft, and the final answer may differ (citation
  markers removed, or a refusal when no citation could be verified).
* `final` — the answer contract, exactly as `POST /ask` returns it.
* `error` — `{"error": "...", "status": 503}` when the question fails after the stream began.

Invalid questions, a full queue and a missing index fail before the stream starts, with the
same JSON errors as `POST /ask`. Closing the connection stops generation."""


@router.post(
    "/ask/stream",
    summary="Answer a question, streaming the model's tokens (Server-Sent Events)",
    description=STREAM_DESCRIPTION,
    response_class=StreamingResponse,
    responses={200: {"content": {"text/event-stream": {}}, "description": "token events, then final"}},
)
async def ask_stream(body: AskRequest, service: Service, base: LinkBase) -> StreamingResponse:
    # 422, or 503 (nothing indexed, queue full), now: never a stream that starts and then fails.
    question = service.open_question(body.question, body.history)

    async def events() -> AsyncIterator[str]:
        try:
            async for name, data in answer_events(question):
                yield sse(name, with_links(data, base).model_dump() if isinstance(data, Answer) else data)
        except Exception as exc:  # a stream that already said 200 must still end with an error event
            status, payload, _ = error_body(exc)
            yield sse("error", {**payload, "status": status})

    return StreamingResponse(
        events(),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
        background=BackgroundTask(question.release),  # also when the stream never started
    )
