"""Any OpenAI-compatible server (vLLM, llama.cpp server, LM Studio, ...) through llama-index's OpenAILike."""

from __future__ import annotations

from typing import ClassVar

import openai
from llama_index.llms.openai_like import OpenAILike

from rag.models.llms import server_url
from rag.models.llms.failures import ReportsServerErrors
from rag.models.llms.probe import auth_headers, get_json, not_a_model_list, require_model
from rag.settings import LLMSettings

# Servers without authentication still need some key for the OpenAI client to start.
NO_KEY = "no-key"
WHAT = "RAG_LLM__BASE_URL (it ends in /v1)"


class ServerLLM(ReportsServerErrors, OpenAILike):
    """OpenAILike whose connection, status and timeout errors become LLMUnavailableError."""

    server_errors: ClassVar[tuple[type[BaseException], ...]] = (openai.APIError,)

    def server_label(self) -> str:
        return str(self.api_base)


def _api_key(settings: LLMSettings) -> str | None:
    return settings.api_key.get_secret_value() if settings.api_key else None


def load_openai_like(settings: LLMSettings) -> OpenAILike:
    """A chat model on the server; the server applies the model's own chat template."""
    extra = {"seed": settings.seed}
    return ServerLLM(
        model=settings.model or "",
        api_base=server_url(settings),
        api_key=_api_key(settings) or NO_KEY,
        is_chat_model=True,
        context_window=settings.context_window,
        max_tokens=settings.max_new_tokens,
        temperature=settings.temperature,
        timeout=settings.request_timeout,
        max_retries=1,
        additional_kwargs=extra,
    )


def check_openai_like(settings: LLMSettings) -> str:
    """Ask the server which models it serves (GET {base_url}/models); raise unless ours is one."""
    url = f"{server_url(settings)}/models"
    body = get_json(url, auth_headers(_api_key(settings)), settings.probe_timeout, WHAT)
    data = body.get("data") if isinstance(body, dict) else None
    if not isinstance(data, list):
        raise not_a_model_list(url, WHAT)
    served = [str(item.get("id")) for item in data if isinstance(item, dict)]
    require_model(settings.model or "", served, url)
    return f"openai {settings.model} at {server_url(settings)}"
