"""The openai backend for real: `python -m llama_cpp.server` serves the default GGUF on 127.0.0.1.

The server is started once for the module (a free port, an API key) and stopped at the end.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from llama_index.core.llms import ChatMessage

from eval.load.servers import free_port, stop
from rag.components import check_llm, default_gguf_path, make_llm
from rag.errors import LLMUnavailableError
from rag.settings import LLMSettings

ROOT = Path(__file__).resolve().parents[4]
ALIAS = "qwen-test"
KEY = "test-key"
QUESTION = [ChatMessage(role="user", content="What is the capital of France? Answer with one word.")]


def _wait_until_serving(url: str, process: subprocess.Popen[bytes], log: Path, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    request = urllib.request.Request(f"{url}/models", headers={"Authorization": f"Bearer {KEY}"})
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"llama_cpp.server exited with {process.returncode}:\n{log.read_text()[-2000:]}")
        try:
            with urllib.request.urlopen(request, timeout=2) as response:
                if ALIAS in json.loads(response.read())["data"][0]["id"]:
                    return
        except OSError:
            time.sleep(0.5)
    pytest.fail(f"llama_cpp.server did not answer within {seconds:.0f} s:\n{log.read_text()[-2000:]}")


@pytest.fixture(scope="module")
def server_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    model = default_gguf_path(ROOT / "data")
    if not model.exists():
        pytest.fail(f"{model} is missing: run `make models` (make test does) before these tests")
    port = free_port()
    log = tmp_path_factory.mktemp("llama-server") / "server.log"
    command = [sys.executable, "-m", "llama_cpp.server", "--model", str(model), "--model_alias", ALIAS]
    command += ["--host", "127.0.0.1", "--port", str(port), "--api_key", KEY]
    command += ["--n_ctx", "2048", "--n_threads", "2", "--seed", "0"]
    with log.open("wb") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/v1"
    try:
        _wait_until_serving(url, process, log)
        yield url
    finally:
        stop(process)


def _settings(url: str, **overrides: Any) -> LLMSettings:
    return LLMSettings(**{"backend": "openai", "model": ALIAS, "base_url": url, "api_key": KEY, **overrides})


@pytest.mark.slow
def test_the_server_answers_a_chat_greedily(server_url: str, tmp_path: Path) -> None:
    llm = make_llm(_settings(server_url), tmp_path)
    first = llm.chat(QUESTION).message.content
    assert first is not None and "Paris" in first
    streamed = "".join(chunk.delta or "" for chunk in llm.stream_chat(QUESTION))
    assert streamed == first  # greedy: the same answer streamed or not


@pytest.mark.slow
def test_check_passes_for_the_served_model(server_url: str, tmp_path: Path) -> None:
    assert check_llm(_settings(server_url), tmp_path) == f"openai {ALIAS} at {server_url}"


@pytest.mark.slow
def test_a_model_name_the_server_does_not_have_is_a_clear_error(server_url: str, tmp_path: Path) -> None:
    with pytest.raises(LLMUnavailableError, match=f"does not serve model 'gpt-4o' \\(it lists: {ALIAS}\\)"):
        check_llm(_settings(server_url, model="gpt-4o"), tmp_path)


@pytest.mark.slow
def test_a_wrong_key_is_a_clear_error_at_start_up_and_mid_answer(server_url: str, tmp_path: Path) -> None:
    with pytest.raises(LLMUnavailableError, match="rejected the API key"):
        check_llm(_settings(server_url, api_key="wrong"), tmp_path)
    with pytest.raises(LLMUnavailableError, match=f"the LLM server at {server_url} failed"):
        make_llm(_settings(server_url, api_key="wrong"), tmp_path).chat(QUESTION)


@pytest.mark.slow
def test_a_base_url_without_v1_is_a_clear_error(server_url: str, tmp_path: Path) -> None:
    with pytest.raises(LLMUnavailableError, match=r"HTTP 404.*RAG_LLM__BASE_URL \(it ends in /v1\)"):
        check_llm(_settings(server_url.removesuffix("/v1")), tmp_path)


def test_an_unreachable_port_is_a_clear_error(tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{free_port()}/v1"
    with pytest.raises(LLMUnavailableError, match=f"cannot reach the LLM server at {url}/models"):
        check_llm(_settings(url, probe_timeout=2), tmp_path)
    with pytest.raises(LLMUnavailableError, match=f"the LLM server at {url} failed"):
        make_llm(_settings(url), tmp_path).chat(QUESTION)
