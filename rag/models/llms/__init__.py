"""LLM adapters that return llama-index `LLM`s, one module per backend (imported only when chosen)."""

from __future__ import annotations

from rag.settings import LLMSettings

DEFAULT_BASE_URLS = {"openai": "http://127.0.0.1:8080/v1", "ollama": "http://127.0.0.1:11434"}


def server_url(settings: LLMSettings) -> str:
    """The configured server URL, or the backend's usual local address; no trailing slash."""
    return (settings.base_url or DEFAULT_BASE_URLS.get(settings.backend, "")).rstrip("/")
