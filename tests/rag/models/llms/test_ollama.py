"""The ollama backend against FakeOllama (see fake_ollama.py: no real Ollama server can be installed
here, so a small stdlib HTTP server speaks the parts of Ollama's API the client calls)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from llama_index.core.llms import ChatMessage

from rag.components import check_llm, make_llm
from rag.errors import LLMUnavailableError
from rag.settings import LLMSettings
from tests.rag.models.llms.fake_ollama import FakeOllama


def _answer(messages: list[dict[str, Any]]) -> str:
    return "Paris" if "France" in messages[-1]["content"] else "none"


def _settings(url: str, **overrides: Any) -> LLMSettings:
    return LLMSettings(**{"backend": "ollama", "model": "qwen2.5:0.5b", "base_url": url, **overrides})


@pytest.fixture
def ollama() -> FakeOllama:
    with FakeOllama(["qwen2.5:0.5b", "llama3:latest"], _answer) as server:
        yield server


QUESTION = [ChatMessage(role="user", content="What is the capital of France?")]


def test_chat_sends_our_sampling_settings_and_returns_the_reply(ollama: FakeOllama, tmp_path: Path) -> None:
    llm = make_llm(_settings(ollama.url, seed=7, max_new_tokens=32), tmp_path)
    assert llm.chat(QUESTION).message.content == "Paris"
    method, path, body = ollama.requests[-1]
    assert (method, path, body["model"], body["stream"]) == ("POST", "/api/chat", "qwen2.5:0.5b", False)
    assert body["messages"][-1] == {"role": "user", "content": "What is the capital of France?"}
    assert body["options"] == {"temperature": 0.0, "num_ctx": 4096, "seed": 7, "num_predict": 32}
    assert all(p != "/api/show" for _, p, _ in ollama.requests)  # the context window is ours


def test_streamed_deltas_add_up_to_the_reply(ollama: FakeOllama, tmp_path: Path) -> None:
    llm = make_llm(_settings(ollama.url), tmp_path)
    ollama.reply = lambda _: "It is Paris, in France."
    deltas = [chunk.delta for chunk in llm.stream_chat(QUESTION)]
    assert len(deltas) > 2 and "".join(d or "" for d in deltas) == "It is Paris, in France."
    assert ollama.requests[-1][2]["stream"] is True


def test_check_passes_and_accepts_a_name_without_its_latest_tag(ollama: FakeOllama, tmp_path: Path) -> None:
    assert check_llm(_settings(ollama.url), tmp_path) == f"ollama qwen2.5:0.5b at {ollama.url}"
    assert check_llm(_settings(ollama.url, model="llama3"), tmp_path).startswith("ollama llama3")
    assert ollama.requests[-1][:2] == ("GET", "/api/tags")


def test_a_model_the_server_has_not_pulled_is_a_clear_error(ollama: FakeOllama, tmp_path: Path) -> None:
    with pytest.raises(
        LLMUnavailableError, match=r"does not serve model 'mistral'.*llama3:latest, qwen2.5:0.5b"
    ):
        check_llm(_settings(ollama.url, model="mistral"), tmp_path)
    # Had the check been skipped, the answer fails with the same kind of error, not a stack trace.
    with pytest.raises(LLMUnavailableError, match="mistral"):
        make_llm(_settings(ollama.url, model="mistral"), tmp_path).chat(QUESTION)


def test_a_rejected_key_is_a_clear_error(tmp_path: Path) -> None:
    with FakeOllama(["qwen2.5:0.5b"], _answer, api_key="right") as server:
        with pytest.raises(LLMUnavailableError, match="rejected the API key"):
            check_llm(_settings(server.url, api_key="wrong"), tmp_path)
        assert check_llm(_settings(server.url, api_key="right"), tmp_path)
        assert (
            make_llm(_settings(server.url, api_key="right"), tmp_path).chat(QUESTION).message.content
            == "Paris"
        )


def test_an_unreachable_server_is_a_clear_error(tmp_path: Path) -> None:
    with FakeOllama(["qwen2.5:0.5b"], _answer) as stopped:
        url = stopped.url
    with pytest.raises(LLMUnavailableError, match=f"cannot reach the LLM server at {url}/api/tags"):
        check_llm(_settings(url, probe_timeout=2), tmp_path)
    with pytest.raises(LLMUnavailableError, match="failed"):
        list(make_llm(_settings(url), tmp_path).stream_chat(QUESTION))


def test_a_server_that_is_not_ollama_is_a_clear_error(ollama: FakeOllama, tmp_path: Path) -> None:
    with pytest.raises(LLMUnavailableError, match="HTTP 404"):
        check_llm(_settings(ollama.url + "/api"), tmp_path)
