"""A model served by Ollama, through llama-index's Ollama LLM."""

from __future__ import annotations

from typing import ClassVar

import httpx
from llama_index.llms.ollama import Ollama
from ollama import ResponseError

from rag.models.llms import server_url
from rag.models.llms.failures import ReportsServerErrors
from rag.models.llms.probe import auth_headers, get_json, not_a_model_list, require_model
from rag.settings import LLMSettings

WHAT = "RAG_LLM__BASE_URL (Ollama's address, without /api)"


class OllamaServerLLM(ReportsServerErrors, Ollama):
    """Ollama whose response, connection and timeout errors become LLMUnavailableError."""

    server_errors: ClassVar[tuple[type[BaseException], ...]] = (
        ResponseError,
        ConnectionError,
        httpx.HTTPError,
    )

    def server_label(self) -> str:
        return self.base_url


def _headers(settings: LLMSettings) -> dict[str, str]:
    return auth_headers(settings.api_key.get_secret_value() if settings.api_key else None)


def load_ollama(settings: LLMSettings) -> Ollama:
    """Chat through POST /api/chat. The context window is set, so /api/show is never needed."""
    return OllamaServerLLM(
        model=settings.model or "",
        base_url=server_url(settings),
        temperature=settings.temperature,
        context_window=settings.context_window,
        request_timeout=settings.request_timeout,
        additional_kwargs={"seed": settings.seed, "num_predict": settings.max_new_tokens},
        is_function_calling_model=False,
        headers=_headers(settings) or None,
    )


def check_ollama(settings: LLMSettings) -> str:
    """GET {base_url}/api/tags lists the pulled models; raise unless ours is one."""
    url = f"{server_url(settings)}/api/tags"
    body = get_json(url, _headers(settings), settings.probe_timeout, WHAT)
    models = body.get("models") if isinstance(body, dict) else None
    if not isinstance(models, list):
        raise not_a_model_list(url, WHAT)
    served = [str(m.get("name") or m.get("model")) for m in models if isinstance(m, dict)]
    model = settings.model or ""
    # Ollama calls "llama3" what it lists as "llama3:latest".
    require_model(model, served, url, aliases=() if ":" in model else (f"{model}:latest",))
    return f"ollama {model} at {server_url(settings)}"
