"""The article index: one Chroma collection of chunks, plus what it records about itself.

The collection is the single source of truth: every chunk carries its file's name and
content hash and the number of chunks of that file, so the next ingest can tell finished,
half-written and stale files apart even after a crash.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from rag.errors import IndexMismatchError, StoreUnavailableError

if TYPE_CHECKING:
    import chromadb
    from chromadb.api.types import GetResult, Include
    from llama_index.core.schema import BaseNode
    from llama_index.vector_stores.chroma import ChromaVectorStore

EMBED_MODEL_KEY = "rag_embed_model"
EMBED_DIM_KEY = "rag_embed_dim"
# Dense retrieval ranks by cosine distance.
COSINE_SPACE = {"hnsw:space": "cosine"}
_GET_PAGE = 5000


@contextmanager
def store_errors() -> Iterator[None]:
    """A Chroma server that cannot be reached becomes StoreUnavailableError (HTTP 503). Its
    client reconnects on the next call, so service resumes when the server is back."""
    import httpx

    try:
        yield
    except httpx.TransportError as exc:
        raise StoreUnavailableError(
            f"the vector store (Chroma server) cannot be reached: {exc}; answers resume when it is back"
        ) from exc


@dataclass
class FileState:
    """What the index holds for one source file."""

    chunk_ids_by_sha: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    expected_chunks: dict[str, int] = field(default_factory=dict)

    def is_complete(self, sha256: str) -> bool:
        ids = self.chunk_ids_by_sha.get(sha256, [])
        return bool(ids) and len(ids) == self.expected_chunks.get(sha256, -1)

    def ids_except(self, sha256: str | None) -> list[str]:
        return [i for sha, ids in self.chunk_ids_by_sha.items() if sha != sha256 for i in ids]

    @property
    def all_ids(self) -> list[str]:
        return self.ids_except(None)


class ArticleIndex:
    """A Chroma collection bound to one embedder, with manifest and bulk-read helpers."""

    def __init__(self, client: chromadb.ClientAPI, name: str, embed_model: str, embed_dim: int):
        self.client = client
        self.name = name
        self.embed_model = embed_model
        self.embed_dim = embed_dim
        self._collection: chromadb.Collection | None = None

    @property
    def collection(self) -> chromadb.Collection:
        if self._collection is None:
            self._collection = self._open()
        return self._collection

    def _open(self) -> chromadb.Collection:
        # embedding_function=None: we always pass vectors; Chroma's default would download ONNX.
        collection = self.client.get_or_create_collection(
            self.name,
            embedding_function=None,
            metadata={**COSINE_SPACE, EMBED_MODEL_KEY: self.embed_model, EMBED_DIM_KEY: self.embed_dim},
        )
        meta = collection.metadata or {}
        built_with = (meta.get(EMBED_MODEL_KEY), meta.get(EMBED_DIM_KEY))
        if built_with != (self.embed_model, self.embed_dim):
            raise IndexMismatchError(
                f"the index {self.name!r} was built with embedder {built_with[0]!r} "
                f"(dimension {built_with[1]}), but {self.embed_model!r} (dimension "
                f"{self.embed_dim}) is configured. Run `rag ingest --rebuild` to re-embed the "
                "corpus, or set RAG_STORE__COLLECTION to keep one collection per embedder."
            )
        return collection

    def recreate(self) -> None:
        """Drop the collection and start empty (used by `rag ingest --rebuild`)."""
        existing = {c if isinstance(c, str) else c.name for c in self.client.list_collections()}
        if self.name in existing:
            self.client.delete_collection(self.name)
        self._collection = None

    def vector_store(self) -> ChromaVectorStore:
        from llama_index.vector_stores.chroma import ChromaVectorStore

        return ChromaVectorStore(chroma_collection=self.collection)

    def count(self) -> int:
        with store_errors():
            return self.collection.count()

    def _pages(self, include: Include) -> Iterator[GetResult]:
        offset = 0
        while True:
            with store_errors():
                page = self.collection.get(include=include, limit=_GET_PAGE, offset=offset)
            if not page["ids"]:
                return
            yield page
            offset += len(page["ids"])

    def chunk_texts(self, sources: set[str]) -> list[str]:
        """The stored text of every chunk of the given files (what the embedder was given)."""
        return [
            str(text)
            for page in self._pages(["documents", "metadatas"])
            for text, meta in zip(page["documents"] or [], page["metadatas"] or [], strict=True)
            if meta.get("source") in sources
        ]

    def ids(self) -> list[str]:
        """Every chunk id (no metadata read: several times faster than `manifest`)."""
        return [i for page in self._pages([]) for i in page["ids"]]

    def manifest(self) -> dict[str, FileState]:
        """Per source file: chunk ids grouped by content hash, and the expected chunk counts."""
        files: dict[str, FileState] = defaultdict(FileState)
        for page in self._pages(["metadatas"]):
            for chunk_id, meta in zip(page["ids"], page["metadatas"] or [], strict=True):
                state = files[str(meta.get("source", ""))]
                sha = str(meta.get("doc_sha256", ""))
                state.chunk_ids_by_sha[sha].append(chunk_id)
                count = meta.get("n_chunks")
                state.expected_chunks[sha] = count if isinstance(count, int) else -1
        return dict(files)

    def documents(self) -> list[dict[str, Any]]:
        """Name, title, date, language and chunk count of every indexed file, by name."""
        found: dict[str, dict[str, Any]] = {}
        for page in self._pages(["metadatas"]):
            for meta in page["metadatas"] or []:
                name = str(meta.get("source", ""))
                entry = found.setdefault(
                    name,
                    {
                        "name": name,
                        "title": str(meta.get("title") or name),
                        "date": str(meta.get("date") or ""),
                        "language": str(meta.get("language") or ""),
                        "chunks": 0,
                    },
                )
                entry["chunks"] += 1
        return [found[name] for name in sorted(found)]

    def add(self, nodes: Sequence[BaseNode]) -> None:
        if nodes:
            self.vector_store().add(list(nodes))

    def delete(self, ids: list[str]) -> None:
        for start in range(0, len(ids), _GET_PAGE):
            self.collection.delete(ids=ids[start : start + _GET_PAGE])

    def all_nodes(self) -> list[BaseNode]:
        """Every chunk as a llama-index node (text and metadata, no vectors)."""
        from llama_index.core.vector_stores.utils import metadata_dict_to_node

        nodes = []
        for page in self._pages(["metadatas", "documents"]):
            for meta, text in zip(page["metadatas"] or [], page["documents"] or [], strict=True):
                node = metadata_dict_to_node(dict(meta), text=text)
                nodes.append(node)
        return nodes
