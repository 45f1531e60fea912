"""Read the article folder: one Article per file, with its metadata, title and content hash.

Offsets everywhere in the service are character offsets into the file's text as its reader
extracts it (`rag.ingest.readers`: the decoded file for .txt/.md, the article text for web pages,
PDFs and Word files), so a citation's `start`/`end` can be checked against that text.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field

from rag.errors import CorpusError
from rag.ingest.readers import SUFFIXES, Extracted, read_document, supported

log = logging.getLogger(__name__)

ARTICLE_SUFFIXES = tuple(SUFFIXES)
_FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(.*?)\r?\n---[ \t]*(?:\r?\n|\Z)", re.DOTALL)
_MAX_TITLE_CHARS = 160


@dataclass(frozen=True)
class Article:
    """One article file. `name` is the file name: the key citations use."""

    name: str
    text: str
    body_start: int
    sha256: str
    title: str
    date: str | None = None
    tags: tuple[str, ...] = ()
    language: str = "und"
    extra: dict[str, str] = field(default_factory=dict)
    page_starts: tuple[int, ...] = ()  # PDFs: the offset where each page begins

    @property
    def body(self) -> str:
        return self.text[self.body_start :]


class SkippedFile(BaseModel):
    """A file that was not ingested, and why."""

    model_config = ConfigDict(frozen=True)

    name: str = Field(description="File name in the corpus folder.")
    reason: str = Field(description="Why it was skipped (binary, empty, too large, ...).")


def _as_text(value: object) -> str:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return str(value).strip()


def parse_front_matter(text: str) -> tuple[dict[str, object], int]:
    """Return the YAML front matter as a dict and the offset where the body starts.

    Text without front matter, or with front matter that is not a YAML mapping, gives ({}, 0).
    """
    match = _FRONT_MATTER.match(text)
    if not match:
        return {}, 0
    try:
        data = yaml.safe_load(match.group(1))
    except yaml.YAMLError as exc:
        log.warning("front matter is not valid YAML, treating it as text: %s", exc)
        return {}, 0
    if not isinstance(data, dict):
        return {}, 0
    body_start = match.end()
    while body_start < len(text) and text[body_start] in "\r\n":
        body_start += 1
    return {str(k): v for k, v in data.items()}, body_start


def _title_from_body(body: str, fallback: str) -> str:
    for line in body.splitlines():
        line = line.strip()
        if line:
            return line if len(line) <= _MAX_TITLE_CHARS else fallback
    return fallback


def build_article(name: str, text: str | Extracted, detect_language: Callable[[str], str]) -> Article:
    """Make an Article from a file's text (plain text may open with YAML front matter) or from
    what a reader extracted: metadata, title, language, content hash."""
    doc = text if isinstance(text, Extracted) else Extracted(text=text, front_matter=True)
    text = doc.text
    found_meta = {"title": doc.title, "date": doc.date, "author": doc.author}
    meta, body_start = parse_front_matter(text) if doc.front_matter else ({}, 0)
    meta = {**{k: v for k, v in found_meta.items() if v}, **meta}
    body = text[body_start:]
    if not body.strip():
        raise CorpusError(f"{name}: no text")
    found = meta.get("tags") or ()
    tags = found if isinstance(found, list | tuple) else (found,)  # one tag may be written bare
    title = _as_text(meta["title"]) if meta.get("title") else _title_from_body(body, name)
    extra = {
        k: _as_text(v)
        for k, v in meta.items()
        if k not in {"title", "date", "tags"} and v is not None and not isinstance(v, list | dict)
    }
    return Article(
        name=name,
        text=text,
        body_start=body_start,
        sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(),
        title=title,
        date=_as_text(meta["date"]) if meta.get("date") else None,
        tags=tuple(_as_text(t) for t in tags if t is not None),
        language=detect_language(body),
        extra=extra,
        page_starts=doc.page_starts,
    )


def read_corpus(
    corpus_dir: Path, detect_language: Callable[[str], str], max_file_bytes: int
) -> tuple[list[Article], list[SkippedFile]]:
    """Read every article file in `corpus_dir` (not recursive), sorted by name.

    Unreadable, binary, non-UTF-8, empty or oversized files are skipped with a warning and
    reported; the rest are returned. A missing or empty folder raises CorpusError.
    """
    if not corpus_dir.is_dir():
        raise CorpusError(f"corpus folder {corpus_dir} does not exist; set RAG_CORPUS_DIR.")
    articles: list[Article] = []
    skipped: list[SkippedFile] = []
    for path in sorted(corpus_dir.iterdir()):
        if not path.is_file() or path.name.startswith("."):
            continue
        if not supported(path.name):
            skipped.append(SkippedFile(name=path.name, reason=f"not a {'/'.join(ARTICLE_SUFFIXES)} file"))
            continue
        try:
            size = path.stat().st_size
            if size > max_file_bytes:
                raise CorpusError(f"{path.name}: {size} bytes, over the {max_file_bytes} limit")
            articles.append(
                build_article(path.name, read_document(path.name, path.read_bytes()), detect_language)
            )
        except (CorpusError, OSError) as exc:
            skipped.append(SkippedFile(name=path.name, reason=str(exc)))
    for item in skipped:
        log.warning("skipped %s: %s", item.name, item.reason)
    if not articles:
        raise CorpusError(
            f"corpus folder {corpus_dir} has no readable article files ({', '.join(ARTICLE_SUFFIXES)})."
        )
    return articles, skipped
