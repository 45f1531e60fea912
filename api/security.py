"""Optional bearer-token access: on when RAG_API_KEY is set."""

from __future__ import annotations

import secrets
from typing import Annotated

from fastapi import Depends, HTTPException
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from api.deps import AppSettings

_bearer = HTTPBearer(auto_error=False, description="Required only when the server sets RAG_API_KEY.")


def require_api_key(
    settings: AppSettings, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
) -> None:
    """401 unless the request carries the configured key (compared in constant time)."""
    key = settings.api_key
    if key is None:
        return
    given = credentials.credentials if credentials is not None else ""
    if not secrets.compare_digest(given.encode(), key.get_secret_value().encode()):
        raise HTTPException(
            status_code=401,
            detail="missing or wrong API key: send `Authorization: Bearer <key>`",
            headers={"WWW-Authenticate": "Bearer"},
        )
