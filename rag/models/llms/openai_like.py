"""Any OpenAI-compatible server (vLLM, llama.cpp server, LM Studio, ...) through llama-index's OpenAILike."""

from __future__ import annotations

import json
from typing import Any, ClassVar

import httpx
import openai
from llama_index.llms.openai_like import OpenAILike

from rag.errors import GenerationTimeoutError, LLMBadResponseError, LLMUnavailableError, RagError
from rag.models.llms import server_url
from rag.models.llms.deadline import seconds_left
from rag.models.llms.failures import ReportsServerErrors
from rag.models.llms.probe import auth_headers, get_json, not_a_model_list, require_model
from rag.settings import LLMSettings

# Servers without authentication still need some key for the OpenAI client to start.
NO_KEY = "no-key"
WHAT = "RAG_LLM__BASE_URL (it ends in /v1)"
# A timeout this close to the question's deadline (or past it) is the deadline's.
DEADLINE_SLACK_S = 1.0


class ServerLLM(ReportsServerErrors, OpenAILike):
    """OpenAILike whose failures are errors a user can act on: a server that cannot be reached or
    refuses us is a 503 (LLMUnavailableError), one that answers with a server error or an unreadable
    reply a 502 (LLMBadResponseError), one that sends nothing in time a 504 (GenerationTimeoutError).
    It waits no longer than the question's deadline, also for a server that stalls before its first
    token, where the deadline checked between tokens is never reached."""

    # In a stream, httpx's errors and a chunk that is not JSON reach us as they are.
    server_errors: ClassVar[tuple[type[BaseException], ...]] = (
        openai.APIError,
        httpx.TransportError,
        json.JSONDecodeError,
    )

    def server_label(self) -> str:
        return str(self.api_base)

    def _get_model_kwargs(self, **kwargs: Any) -> dict[str, Any]:
        left = seconds_left()
        if left is not None:  # every request of a model turn: never past its question's deadline
            kwargs.setdefault("timeout", max(0.01, min(left, self.timeout)))
        return super()._get_model_kwargs(**kwargs)

    def server_failure(self, exc: BaseException) -> RagError:
        where = f"the LLM server at {self.server_label()}"
        if isinstance(exc, openai.APITimeoutError | httpx.TimeoutException):
            left = seconds_left()
            if left is not None and left < DEADLINE_SLACK_S:
                return GenerationTimeoutError(
                    f"{where} sent nothing before the question's deadline; try again later"
                )
            return GenerationTimeoutError(
                f"{where} sent nothing for {self.timeout:g} s (RAG_LLM__REQUEST_TIMEOUT); try again later"
            )
        bad_status = isinstance(exc, openai.APIStatusError) and exc.status_code >= 500
        # A bare APIError is an error the server put in the stream; the others are replies not understood.
        unreadable = type(exc) is openai.APIError or isinstance(
            exc, openai.APIResponseValidationError | json.JSONDecodeError
        )
        if bad_status or unreadable:
            return LLMBadResponseError(
                f"{where} answered with an error or a reply that cannot be read: {exc}"
            )
        return LLMUnavailableError(f"{where} failed: {exc}")


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
        max_retries=0,  # a retry would start at the deadline and wait as long again; the user may retry
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
