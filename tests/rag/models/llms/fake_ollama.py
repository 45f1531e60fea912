"""A stand-in for an Ollama server: the three endpoints llama-index's Ollama LLM and our check call.

No Ollama server can be installed here, so this speaks just enough of its HTTP API, as read from the
installed `ollama` client and `llama_index.llms.ollama` sources: GET /api/tags (the model list),
POST /api/chat with `stream: false` (one JSON object) or `stream: true` (one JSON object per line,
the last with `done: true`), and POST /api/show (model info; only asked when no context window is set).
Errors are `{"error": ...}` with a 4xx status, as Ollama sends them.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

Reply = Callable[[list[dict[str, Any]]], str]


class FakeOllama:
    """Serves `models` on 127.0.0.1 (a free port); `reply` maps the chat messages to the answer."""

    def __init__(self, models: list[str], reply: Reply, api_key: str | None = None) -> None:
        self.models = models
        self.reply = reply
        self.api_key = api_key
        self.requests: list[tuple[str, str, dict[str, Any]]] = []
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def __enter__(self) -> FakeOllama:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:  # keep test output quiet
                pass

            def _send(self, status: int, body: dict[str, Any]) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _authorised(self) -> bool:
                if fake.api_key and self.headers.get("Authorization") != f"Bearer {fake.api_key}":
                    self._send(401, {"error": "unauthorized"})
                    return False
                return True

            def do_GET(self) -> None:
                fake.requests.append(("GET", self.path, {}))
                if not self._authorised():
                    return
                if self.path != "/api/tags":
                    self._send(404, {"error": "not found"})
                    return
                listed = [{"name": m, "model": m, "size": 1000, "digest": "0" * 12} for m in fake.models]
                self._send(200, {"models": listed})

            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
                fake.requests.append(("POST", self.path, body))
                if not self._authorised():
                    return
                if body.get("model") not in fake.models:
                    self._send(404, {"error": f"model '{body.get('model')}' not found"})
                elif self.path == "/api/show":
                    self._send(
                        200, {"modelinfo": {"general.architecture": "qwen2", "qwen2.context_length": 2048}}
                    )
                elif self.path == "/api/chat":
                    self._chat(body)
                else:
                    self._send(404, {"error": "not found"})

            def _chat(self, body: dict[str, Any]) -> None:
                text = fake.reply(body["messages"])
                final = {"model": body["model"], "done": True, "done_reason": "stop", "prompt_eval_count": 7}
                if not body.get("stream"):
                    self._send(
                        200, {**final, "message": {"role": "assistant", "content": text}, "eval_count": 3}
                    )
                    return
                self.send_response(200)
                self.send_header("Content-Type", "application/x-ndjson")
                self.end_headers()
                pieces = [text[i : i + 3] for i in range(0, len(text), 3)]
                for piece in pieces:
                    line = {
                        "model": body["model"],
                        "done": False,
                        "message": {"role": "assistant", "content": piece},
                    }
                    self.wfile.write(json.dumps(line).encode() + b"\n")
                done = {**final, "message": {"role": "assistant", "content": ""}, "eval_count": len(pieces)}
                self.wfile.write(json.dumps(done).encode() + b"\n")

        return Handler
