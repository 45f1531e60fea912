"""Deep links: one URL per citation that opens the article in the chat page, quote highlighted.

The link is `<base>/?doc=<source>&start=<start>&end=<end>`; the page reads those parameters on
load. `<base>` is where the user reaches the service: the `server.public_url` setting when set,
otherwise the request's own address, rewritten by the X-Forwarded-* headers a reverse proxy sets.
"""

from __future__ import annotations

import re
from typing import Annotated
from urllib.parse import urlencode

from fastapi import Depends, Request

from api.deps import AppSettings
from rag.types import Answer, Citation

# What a forwarded header may hold to be used in a link; anything else is ignored.
_HOST = re.compile(r"^[A-Za-z0-9.\-]+(:\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](:\d{1,5})?$")
_PREFIX = re.compile(r"^(/[A-Za-z0-9._~\-%]+)*/?$")


def _forwarded(request: Request, name: str, valid: re.Pattern[str]) -> str | None:
    """The first value of a forwarded header (proxies may chain several), when it is well formed."""
    value = request.headers.get(name, "").split(",")[0].strip()
    return value if value and valid.match(value) else None


def base_url(request: Request, public_url: str | None) -> str:
    """Where users reach the service, without a trailing slash."""
    if public_url:
        return public_url.rstrip("/")
    scheme = _forwarded(request, "x-forwarded-proto", re.compile(r"^https?$")) or request.url.scheme
    host = _forwarded(request, "x-forwarded-host", _HOST) or request.url.netloc
    prefix = _forwarded(request, "x-forwarded-prefix", _PREFIX)
    if prefix is None:
        prefix = str(request.scope.get("root_path", ""))
    return f"{scheme}://{host}{prefix.rstrip('/')}"


def link_base(request: Request, settings: AppSettings) -> str:
    """Dependency: the base of this request's citation links."""
    return base_url(request, settings.server.public_url)


LinkBase = Annotated[str, Depends(link_base)]


def citation_url(base: str, citation: Citation) -> str:
    """The chat page's view of the cited article with the quote highlighted."""
    query = urlencode({"doc": citation.source, "start": citation.start, "end": citation.end})
    return f"{base}/?{query}"


def with_links(answer: Answer, base: str) -> Answer:
    """The answer with a deep link on every citation."""
    citations = [c.model_copy(update={"url": citation_url(base, c)}) for c in answer.citations]
    return answer.model_copy(update={"citations": citations})
