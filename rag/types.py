"""The answer contract shared by the CLI, the HTTP API and the evaluation harness."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field


class Citation(BaseModel):
    """A sentence of a corpus file that supports the answer; `quote == file[start:end]`."""

    source: str = Field(description="File name in the corpus, e.g. 000_3aed9b3397ca7b37.txt.")
    quote: str = Field(description="The supporting sentence, verbatim.")
    start: int = Field(
        ge=0,
        description="Character offset of the quote in the file's text (for HTML, PDF and Word files, "
        "the text extracted from them, which GET /documents/{name} returns).",
    )
    end: int = Field(ge=0, description="Character offset just past the quote.")
    page: int | None = Field(
        None, ge=1, description="PDFs: the page the quote starts on (1-based); null for other file types."
    )
    url: str | None = Field(
        None,
        description="Link that opens the article in the chat page with the quote highlighted "
        "(`<base>/?doc=<source>&start=<start>&end=<end>`); set by the HTTP API, null from the library.",
    )


class Timings(BaseModel):
    """Milliseconds spent per stage."""

    retrieve: int = Field(ge=0, description="Retrieval and evidence ranking.")
    generate: int = Field(ge=0, description="LLM generation.")
    total: int = Field(ge=0, description="Whole request.")


class Usage(BaseModel):
    """Model work spent on the answer, in units that do not depend on the machine."""

    llm_calls: int = Field(ge=0, description="Model calls made (0 when refused before the model).")
    prompt_tokens: int | None = Field(
        None, ge=0, description="Prompt tokens the model read; null when the backend does not report them."
    )
    completion_tokens: int | None = Field(
        None, ge=0, description="Tokens the model wrote; null when the backend does not report them."
    )


class Answer(BaseModel):
    """What every interface returns for a question."""

    answer: str = Field(description="Short answer in the question's language, or the refusal.")
    refused: bool = Field(description="True when the articles do not contain the answer.")
    language: str = Field(description="ISO 639-1 code of the question (and the answer).")
    citations: list[Citation] = Field(description="Verified supporting sentences.")
    timings_ms: Timings
    usage: Usage | None = Field(None, description="Model calls and tokens spent on this answer.")


class DocumentInfo(BaseModel):
    """An indexed corpus file."""

    name: str = Field(description="File name in the corpus (the `source` of citations).")
    title: str = Field(description="Title from the front matter or the first line.")
    date: str = Field(description="Date from the front matter, or empty.")
    language: str = Field(description="Detected language (ISO 639-1).")
    chunks: int = Field(ge=0, description="Chunks indexed for the file.")


class QueueState(BaseModel):
    """Occupancy of the generation queue."""

    waiting_or_running: int = Field(ge=0, description="Questions holding a place now.")
    capacity: int = Field(
        ge=1, description="Places in all: `model_concurrency` generating plus `queue_size` waiting."
    )


HealthStatus = Literal["ok", "empty", "llm unavailable", "store unavailable"]


class Health(BaseModel):
    """Readiness and what is loaded."""

    status: HealthStatus = Field(
        description="'ok' when questions can be answered, 'empty' when nothing is indexed, "
        "'llm unavailable' when the LLM server does not answer, 'store unavailable' when the "
        "Chroma server does not."
    )
    embedding_model: str = Field(description="Embedder the index was built with.")
    llm: str = Field(description="The configured LLM (file or model name).")
    llm_backend: str = Field(description="llamacpp, openai, ollama or transformers.")
    llm_error: str | None = Field(description="Why the LLM server cannot be used, when it cannot.")
    store_error: str | None = Field(None, description="Why the Chroma server cannot be used, when it cannot.")
    documents: int = Field(ge=0, description="Indexed files.")
    chunks: int = Field(ge=0, description="Indexed chunks.")
    queue: QueueState
