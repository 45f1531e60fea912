"""Keyword retrieval: a BM25 index built at ingest time, saved next to Chroma, loaded at start-up."""

from __future__ import annotations

import hashlib
import json
import shutil
import time
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from rag.text import fold_accents, stopwords

if TYPE_CHECKING:
    from llama_index.core.schema import BaseNode
    from llama_index.retrievers.bm25 import BM25Retriever

FINGERPRINT_FILE = "rag_fingerprint.json"


class AccentFolder:
    """A bm25s "stemmer" that folds case and accents, so 'cuantas' matches 'Cuántas'.

    No real stemming: the corpus mixes English and Spanish, and one language's stemmer
    mangles the other's words.
    """

    def stemWords(self, words: Iterable[str]) -> list[str]:  # noqa: N802 - bm25s calls this name
        return [fold_accents(w) for w in words]


def fingerprint(chunk_ids: Iterable[str]) -> str:
    """Identifies an exact set of chunks, to tell whether a saved BM25 index is current."""
    digest = hashlib.sha256()
    for chunk_id in sorted(chunk_ids):
        digest.update(chunk_id.encode())
        digest.update(b"\0")
    return digest.hexdigest()


def _retriever(nodes: list[BaseNode] | None = None, existing=None, top_k: int = 10) -> BM25Retriever:
    from llama_index.retrievers.bm25 import BM25Retriever

    return BM25Retriever(
        nodes=nodes,
        existing_bm25=existing,
        stemmer=AccentFolder(),
        language=sorted(stopwords()),  # type: ignore[arg-type]  # bm25s takes a word list; llama-index types a str
        similarity_top_k=top_k,
    )


def build_bm25(nodes: list[BaseNode], path: Path) -> None:
    """Index `nodes` and save the index to `path`, replacing any previous one atomically."""
    staging = path.with_name(path.name + ".new")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    if nodes:
        _retriever(nodes).persist(str(staging))
    documents = len({n.metadata.get("source") for n in nodes})
    (staging / FINGERPRINT_FILE).write_text(
        json.dumps(
            {
                "fingerprint": fingerprint(n.node_id for n in nodes),
                "chunks": len(nodes),
                "documents": documents,
            }
        )
    )
    old = path.with_name(path.name + ".old")
    shutil.rmtree(old, ignore_errors=True)
    if path.exists():
        path.rename(old)
    staging.rename(path)
    shutil.rmtree(old, ignore_errors=True)


def saved_fingerprint(path: Path) -> str | None:
    try:
        return json.loads((path / FINGERPRINT_FILE).read_text())["fingerprint"]
    except (OSError, ValueError, KeyError):
        return None


def saved_counts(path: Path) -> dict[str, int] | None:
    """Chunks and documents the saved index covers (written at ingest), without reading Chroma."""
    try:
        saved = json.loads((path / FINGERPRINT_FILE).read_text())
        return {"chunks": int(saved["chunks"]), "documents": int(saved["documents"])}
    except (OSError, ValueError, KeyError, TypeError):
        return None


def load_bm25(path: Path, top_k: int, attempts: int = 5) -> BM25Retriever | None:
    """The saved BM25 retriever, or None when there is none or it indexes no chunks.

    An ingest in another thread or process swaps the index folder by two renames; a load that
    falls between them (or reads a folder being moved away) waits briefly and tries again.
    """
    for attempt in range(attempts):
        swapping = path.with_name(path.name + ".new").exists() or path.with_name(path.name + ".old").exists()
        try:
            loaded = _load(path, top_k)
        except (FileNotFoundError, NotADirectoryError):
            loaded = None
        else:
            if loaded is not None or not swapping:
                return loaded
        if attempt < attempts - 1:
            time.sleep(0.1 * (attempt + 1))
    return _load(path, top_k)


def _load(path: Path, top_k: int) -> BM25Retriever | None:
    import bm25s

    if saved_fingerprint(path) is None or not (path / "params.index.json").exists():
        return None
    existing = bm25s.BM25.load(str(path), load_corpus=True)
    return _retriever(existing=existing, top_k=top_k)
