"""An OpenAI-compatible LLM server that only pretends: a set delay before the first token, a set
token rate and a set number of parallel slots, like vLLM or llama.cpp's server minus the model.

For scale tests where no GPU is: `rag serve` with `RAG_LLM__BACKEND=openai` against it does all
of its own work (retrieval, evidence, verification) while the model's time is simulated. The
reply is the first number of the prompt's "Sentence:" line (so answers get verified citations),
else NONE. `GET /stats` tells how many requests it took and the most it ran at once.

`PUT /fault` with `{"fault": ...}` makes it misbehave until set back to null, for fault tests:
"stall" (takes the request and never answers), "stall_midway" (starts a stream, then sends
nothing more), "error" (HTTP 500), "garbage" (a 200 whose stream chunks are not JSON) or "page"
(a 200 with a web page instead of a stream, as a misconfigured proxy sends).

    python -m eval.load.fake_llm --port 8081 --latency 0.5 --tokens-per-s 40 --slots 4
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import time
import uuid
from collections.abc import AsyncIterator
from typing import Any

from fastapi import FastAPI, HTTPException, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response, StreamingResponse

MODEL = "fake"
FAULTS = ("stall", "stall_midway", "error", "garbage", "page")
_SENTENCE = re.compile(r"Sentence: (.*)")
_NUMBER = re.compile(r"\d[\d,.]*")


def reply_for(messages: list[dict[str, Any]]) -> str:
    """The first number of the reading prompt's sentence, or NONE."""
    prompt = str(messages[-1].get("content") or "") if messages else ""
    sentence = _SENTENCE.search(prompt)
    number = _NUMBER.search(sentence.group(1)) if sentence else None
    return number.group(0).rstrip(",.") if number else "NONE"


def fake_llm_app(latency_s: float = 0.5, tokens_per_s: float = 40.0, slots: int = 4) -> FastAPI:
    """The fake server; each request holds one of `slots` for its whole generation."""
    app = FastAPI(title="fake LLM server")
    stats = {"requests": 0, "in_flight": 0, "peak_in_flight": 0, "waited": 0}
    gate: dict[str, asyncio.Semaphore] = {}
    fault: dict[str, str | None] = {"now": None}

    async def generate(text: str) -> AsyncIterator[str]:
        slot = gate.setdefault("slots", asyncio.Semaphore(slots))
        stats["requests"] += 1
        if slot.locked():
            stats["waited"] += 1
        async with slot:
            stats["in_flight"] += 1
            stats["peak_in_flight"] = max(stats["peak_in_flight"], stats["in_flight"])
            try:
                await asyncio.sleep(latency_s)
                pieces = re.findall(r"\S+\s*", text) or [text]
                for piece in pieces:
                    yield piece
                    await asyncio.sleep(1 / tokens_per_s)
            finally:
                stats["in_flight"] -= 1

    @app.get("/v1/models")
    def models() -> dict[str, Any]:
        return {
            "object": "list",
            "data": [{"id": MODEL, "object": "model", "created": 0, "owned_by": "fake"}],
        }

    @app.get("/stats")
    def read_stats() -> dict[str, int]:
        return dict(stats)

    @app.put("/fault")
    async def set_fault(request: Request) -> dict[str, str | None]:
        wanted = (await request.json()).get("fault")
        if wanted is not None and wanted not in FAULTS:
            raise HTTPException(422, f"fault must be null or one of {FAULTS}")
        fault["now"] = wanted
        return {"fault": wanted}

    async def misbehave(request: Request, now: str, stream: bool) -> Response:
        stats["requests"] += 1
        if now == "stall":
            while not await request.is_disconnected():  # until the client gives up
                await asyncio.sleep(0.05)
            return Response(status_code=204)
        if now == "error":
            return JSONResponse({"error": {"message": "simulated server error", "type": "server_error"}}, 500)
        if now == "page" or (now == "garbage" and not stream):
            return HTMLResponse("<html><body>simulated web page</body></html>")

        async def events() -> AsyncIterator[str]:
            if now == "garbage":
                yield "data: <html>simulated garbage</html>\n\n"
                return
            yield 'data: {"id": "x", "object": "chat.completion.chunk", "created": 0, "model": "fake", '
            yield '"choices": [{"index": 0, "delta": {"role": "assistant", "content": ""}}]}\n\n'
            await asyncio.Event().wait()  # stall_midway: nothing more (cancelled when the client leaves)

        return StreamingResponse(events(), media_type="text/event-stream")

    @app.post("/v1/chat/completions", response_model=None)
    async def chat(request: Request) -> Response:
        body = await request.json()
        if fault["now"] is not None:
            return await misbehave(request, fault["now"], bool(body.get("stream")))
        text = reply_for(body.get("messages") or [])
        ident, created = f"chatcmpl-{uuid.uuid4().hex}", int(time.time())
        if not body.get("stream"):
            content = "".join([piece async for piece in generate(text)])
            message = {"role": "assistant", "content": content}
            return JSONResponse(
                {
                    "id": ident,
                    "object": "chat.completion",
                    "created": created,
                    "model": MODEL,
                    "choices": [{"index": 0, "message": message, "finish_reason": "stop"}],
                    "usage": {
                        "prompt_tokens": 0,
                        "completion_tokens": len(content.split()),
                        "total_tokens": 0,
                    },
                }
            )

        def chunk(delta: dict[str, str], finish: str | None = None) -> str:
            choice = {"index": 0, "delta": delta, "finish_reason": finish}
            payload = {"id": ident, "object": "chat.completion.chunk", "created": created, "model": MODEL}
            return f"data: {json.dumps(payload | {'choices': [choice]})}\n\n"

        async def events() -> AsyncIterator[str]:
            yield chunk({"role": "assistant", "content": ""})
            async for piece in generate(text):
                yield chunk({"content": piece})
            yield chunk({}, "stop")
            yield "data: [DONE]\n\n"

        return StreamingResponse(events(), media_type="text/event-stream")

    return app


def main() -> None:
    import uvicorn

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8081)
    parser.add_argument("--latency", type=float, default=0.5, help="seconds before the first token")
    parser.add_argument("--tokens-per-s", type=float, default=40.0, help="generation rate per request")
    parser.add_argument("--slots", type=int, default=4, help="requests generated at once; more wait")
    args = parser.parse_args()
    app = fake_llm_app(args.latency, args.tokens_per_s, args.slots)
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning")


if __name__ == "__main__":
    main()
