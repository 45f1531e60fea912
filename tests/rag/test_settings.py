"""LLM settings: one backend at a time, each with what it needs, wrong values named clearly."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from rag.settings import LLMSettings, Settings


def test_the_default_is_the_packaged_gguf_through_llama_cpp() -> None:
    llm = Settings().llm
    assert (llm.backend, llm.model_path, llm.model, llm.base_url, llm.api_key) == (
        "llamacpp",
        None,
        None,
        None,
        None,
    )


def test_an_unknown_backend_lists_the_known_ones(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RAG_LLM__BACKEND", "vllm")
    with pytest.raises(ValidationError, match="'llamacpp', 'openai', 'ollama' or 'transformers'"):
        Settings()


@pytest.mark.parametrize("backend", ["openai", "ollama"])
def test_a_server_backend_needs_a_model_name(backend: str) -> None:
    with pytest.raises(ValidationError, match=f"backend '{backend}' needs a model name: set RAG_LLM__MODEL"):
        LLMSettings(backend=backend)


def test_server_settings_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in {
        "BACKEND": "openai",
        "MODEL": "qwen2.5-7b-instruct",
        "BASE_URL": "http://gpu-box:8000/v1",
        "API_KEY": "s3cret",
        "REQUEST_TIMEOUT": "30",
    }.items():
        monkeypatch.setenv(f"RAG_LLM__{name}", value)
    llm = Settings().llm
    assert (llm.backend, llm.model, llm.base_url, llm.request_timeout) == (
        "openai",
        "qwen2.5-7b-instruct",
        "http://gpu-box:8000/v1",
        30.0,
    )
    assert llm.api_key is not None and llm.api_key.get_secret_value() == "s3cret"
    assert "s3cret" not in repr(llm)  # the key never shows up in logs


def test_every_llm_setting_is_described() -> None:
    assert all(field.description for field in LLMSettings.model_fields.values())


@pytest.mark.parametrize("backend", ["llamacpp", "transformers"])
def test_an_in_process_model_takes_one_turn_at_a_time(backend: str) -> None:
    llm = {"backend": backend, "model": "/models/qwen"}
    with pytest.raises(ValidationError, match="runs one generation at a time in this process"):
        Settings(llm=llm, server={"model_concurrency": 4})  # type: ignore[arg-type]
    assert Settings(llm=llm, server={"model_concurrency": 1}).server.model_concurrency == 1  # type: ignore[arg-type]


def test_an_llm_server_may_take_several_turns(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RAG_LLM__BACKEND", "openai")
    monkeypatch.setenv("RAG_LLM__MODEL", "qwen")
    monkeypatch.setenv("RAG_SERVER__MODEL_CONCURRENCY", "16")
    assert Settings().server.model_concurrency == 16


def test_the_question_translation_mode_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    assert Settings().answer.translate_question == "fallback"
    monkeypatch.setenv("RAG_ANSWER__TRANSLATE_QUESTION", "before")
    assert Settings().answer.translate_question == "before"
    monkeypatch.setenv("RAG_ANSWER__TRANSLATE_QUESTION", "true")  # the old boolean names no mode
    with pytest.raises(ValidationError, match="'fallback', 'before' or 'off'"):
        Settings()
