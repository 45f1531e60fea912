"""OpenAI-compatible chat: `GET /v1/models`, `POST /v1/chat/completions` (stream or not).

Citations survive the protocol three times: as numbered markers with a source list in the
message content (what any chat front-end shows), as OpenAI `url_citation` annotations on those
markers, linking to the highlighted quote (what front-ends such as Open WebUI show as source
chips), and as the contract's citation objects in the `citations` extension field (what
programs read).
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import AsyncIterator, Mapping
from typing import Any, Literal

from fastapi import APIRouter, HTTPException
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, ConfigDict, Field
from starlette.background import BackgroundTask

from api.deps import AppSettings, Service
from api.errors import error_body
from api.links import LinkBase, with_links
from api.streaming import answer_events
from rag.answer.request import OpenQuestion
from rag.errors import QuestionError, RagError
from rag.settings import Settings
from rag.types import Answer, Citation

router = APIRouter(prefix="/v1", tags=["openai"])

SOURCES_HEADING = {"en": "Sources", "es": "Fuentes"}


class ContentPart(BaseModel):
    model_config = ConfigDict(extra="allow")

    type: str = Field(description="Only 'text' parts are read.")
    text: str | None = None


class ChatTurn(BaseModel):
    model_config = ConfigDict(extra="allow")

    role: Literal["system", "developer", "user", "assistant", "tool", "function"]
    content: str | list[ContentPart] | None = None

    def text(self) -> str:
        if isinstance(self.content, list):
            return "\n".join(p.text or "" for p in self.content if p.type == "text")
        return self.content or ""


class ChatCompletionRequest(BaseModel):
    # Clients send sampling options (temperature, top_p, max_tokens, ...): accepted and ignored,
    # because answers are produced by the configured, greedy pipeline.
    model_config = ConfigDict(extra="allow")

    model: str = Field(description="Must be the id `GET /v1/models` lists.", examples=["articles-qa"])
    messages: list[ChatTurn] = Field(
        min_length=1,
        max_length=200,
        description="The last message must be the user's question; earlier user messages are used "
        "to read short follow-ups.",
    )
    stream: bool = Field(False, description="Send `chat.completion.chunk` events (SSE).")
    n: int = Field(1, ge=1, le=1, description="Only one choice is produced.")


class ChatCompletion(BaseModel):
    id: str
    object: Literal["chat.completion"] = "chat.completion"
    created: int
    model: str
    choices: list[dict[str, Any]]
    citations: list[Citation] = Field(description="Extension: the verified citations, as in /ask.")
    refused: bool = Field(description="Extension: true when the articles do not say.")


def message_content(answer: Answer, titles: Mapping[str, str]) -> tuple[str, list[dict[str, Any]]]:
    """The answer with [n] markers and a numbered source list, for any chat front-end, and one
    `url_citation` annotation per marker: the citation's deep link, the article's title with a
    short form of the quote, and the marker's span in the content (character offsets)."""
    if answer.refused or not answer.citations:
        return answer.answer, []
    content = f"{answer.answer} "
    annotations = []
    for n, citation in enumerate(answer.citations, 1):
        marker = f"[{n}]"
        title = titles.get(citation.source) or citation.source
        annotations.append(
            {
                "type": "url_citation",
                "url_citation": {
                    "url": citation.url,
                    "title": f"{_short(title, 60)} — “{_short(citation.quote, 80)}”",
                    "start_index": len(content),
                    "end_index": len(content) + len(marker),
                },
            }
        )
        content += marker
    heading = SOURCES_HEADING.get(answer.language, SOURCES_HEADING["en"])
    sources = "\n".join(f'[{n}] {c.source}: "{c.quote}"' for n, c in enumerate(answer.citations, 1))
    return f"{content}\n\n{heading}:\n{sources}", annotations


def _short(text: str, limit: int) -> str:
    """`text` on one line, cut at a word boundary to at most `limit` characters."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    return text[: limit - 1].rsplit(" ", 1)[0].rstrip(",;:") + "…"


def _question(body: ChatCompletionRequest, settings: Settings) -> tuple[str, list[str]]:
    if body.model != settings.server.model_id:
        raise HTTPException(404, f"model {body.model!r} not found; available: {settings.server.model_id}")
    last = body.messages[-1]
    if last.role != "user":
        raise QuestionError("the last message must come from the user")
    earlier = [m.text() for m in body.messages[:-1] if m.role == "user"]
    return last.text(), earlier


@router.get("/models", summary="Models this server answers with (OpenAI format)")
def list_models(settings: AppSettings) -> dict[str, Any]:
    return {
        "object": "list",
        "data": [{"id": settings.server.model_id, "object": "model", "created": 0, "owned_by": "local"}],
    }


@router.post(
    "/chat/completions",
    response_model=ChatCompletion,
    summary="Answer the last user message (OpenAI chat format, with citations)",
    responses={200: {"content": {"text/event-stream": {}}}},
)
async def chat_completions(
    body: ChatCompletionRequest, service: Service, settings: AppSettings, base: LinkBase
) -> Any:
    # 404, 422 or 503 now, before a stream starts.
    question = service.open_question(*_question(body, settings))
    completion_id = f"chatcmpl-{uuid.uuid4().hex}"
    created = int(time.time())
    model = settings.server.model_id

    def finished(answer: Answer) -> tuple[Answer, str, list[dict[str, Any]]]:
        answer = with_links(answer, base)
        titles = {d.name: d.title for d in service.documents()} if answer.citations else {}
        return (answer, *message_content(answer, titles))

    if not body.stream:
        with question:
            answer, content, annotations = finished(await _final_answer(question))
        return ChatCompletion(
            id=completion_id,
            created=created,
            model=model,
            choices=[
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": content, "annotations": annotations},
                    "finish_reason": "stop",
                }
            ],
            citations=answer.citations,
            refused=answer.refused,
        )

    def chunk(delta: dict[str, Any], finish: str | None = None, **extra: object) -> str:
        payload = {
            "id": completion_id,
            "object": "chat.completion.chunk",
            "created": created,
            "model": model,
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
            **extra,
        }
        return f"data: {json.dumps(payload, ensure_ascii=False)}\n\n"

    async def events() -> AsyncIterator[str]:
        # The model's draft is not forwarded: verification may still turn it into a refusal,
        # and OpenAI clients cannot take back text they were sent. The verified answer follows.
        yield chunk({"role": "assistant", "content": ""})
        try:
            answer, content, annotations = finished(await _final_answer(question))
        except Exception as exc:  # headers are sent: the error travels as a chunk
            status, payload, _ = error_body(exc)
            yield f"data: {json.dumps({'error': {'message': payload['error'], 'code': status}})}\n\n"
        else:
            # Annotations travel with the text they point into, before the final chunk.
            yield chunk({"content": content, "annotations": annotations})
            yield chunk(
                {},
                "stop",
                citations=[c.model_dump() for c in answer.citations],
                refused=answer.refused,
            )
        yield "data: [DONE]\n\n"

    return StreamingResponse(
        events(),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache"},
        background=BackgroundTask(question.release),  # also when the stream never started
    )


async def _final_answer(question: OpenQuestion) -> Answer:
    async for name, data in answer_events(question):
        if name == "final":
            return data
    raise RagError("the answer stream ended without an answer")  # pragma: no cover
