"""A short HTTP GET that turns every way a model server can fail into one clear error."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any

from rag.errors import LLMUnavailableError


def auth_headers(api_key: str | None) -> dict[str, str]:
    """`Authorization: Bearer <key>` when a key is set."""
    return {"Authorization": f"Bearer {api_key}"} if api_key else {}


def get_json(url: str, headers: dict[str, str], timeout: float, what: str) -> Any:
    """GET `url` and decode its JSON body; `what` names the setting to fix in the message."""
    request = urllib.request.Request(url, headers={"Accept": "application/json", **headers})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            body = response.read()
    except urllib.error.HTTPError as exc:
        if exc.code in (401, 403):
            raise LLMUnavailableError(
                f"{url} rejected the API key (HTTP {exc.code}): set RAG_LLM__API_KEY to a key the "
                "server accepts."
            ) from None
        raise LLMUnavailableError(f"{url} answered HTTP {exc.code}: is {what} right?") from None
    except (urllib.error.URLError, TimeoutError, ConnectionError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        raise LLMUnavailableError(
            f"cannot reach the LLM server at {url} ({reason}): start it, or fix {what}."
        ) from None
    try:
        return json.loads(body)
    except ValueError:
        raise LLMUnavailableError(f"{url} did not answer JSON: is {what} right?") from None


def require_model(model: str, served: list[str], url: str, aliases: tuple[str, ...] = ()) -> None:
    """Raise unless the server lists `model` (or one of its aliases)."""
    if model in served or any(alias in served for alias in aliases):
        return
    listed = ", ".join(sorted(served)) or "none"
    raise LLMUnavailableError(
        f"the server at {url} does not serve model {model!r} (it lists: {listed}): "
        "set RAG_LLM__MODEL to one of those."
    )


def not_a_model_list(url: str, what: str) -> LLMUnavailableError:
    """The error for a server that answered, but not with the model list expected."""
    return LLMUnavailableError(f"{url} did not answer with a list of models: is {what} right?")
