from pathlib import Path

import pytest

from rag.components import check_llm, embedder_id, llm_label, make_embedder, make_llm
from rag.errors import ConfigError, ModelFileError
from rag.service import CorpusFiles
from rag.settings import EmbeddingSettings, LLMSettings


@pytest.mark.slow
def test_a_packaged_sentence_transformer_is_recorded_by_its_name_not_its_folder() -> None:
    embedder = make_embedder(EmbeddingSettings(backend="sentence-transformers"))
    assert Path(embedder.model_name).is_absolute()  # loaded from inside site-packages, offline
    assert embedder_id(embedder) == "all-MiniLM-L6-v2"


def test_corpus_files_read_only_what_ingest_could_read(corpus: Path) -> None:
    files = CorpusFiles(corpus)
    (corpus / "binary.txt").write_bytes(b"text\x00more")
    assert files("000_3aed9b3397ca7b37.txt").startswith(" date 2021-12-23")  # type: ignore[union-attr]
    assert files("binary.txt") is None
    assert files("../corpus/000_3aed9b3397ca7b37.txt") is None
    assert files(str(corpus / "000_3aed9b3397ca7b37.txt")) is None
    assert files("missing.txt") is None


def test_check_llm_accepts_the_default_gguf_file_name_on_disk(tmp_path: Path) -> None:
    gguf = tmp_path / "tiny.gguf"
    gguf.write_bytes(b"GGUF" + bytes(16))
    assert check_llm(LLMSettings(model_path=gguf), tmp_path) == f"llamacpp {gguf}"


def test_a_missing_gguf_is_a_clear_error_at_check_and_at_load(tmp_path: Path) -> None:
    settings = LLMSettings(model_path=tmp_path / "missing.gguf")
    for step in (check_llm, make_llm):
        with pytest.raises(ModelFileError, match=r"missing\.gguf does not exist: set RAG_LLM__MODEL_PATH"):
            step(settings, tmp_path)


def test_a_file_that_is_not_a_gguf_is_a_clear_error(tmp_path: Path) -> None:
    text = tmp_path / "notes.gguf"
    text.write_text("not a model")
    with pytest.raises(ModelFileError, match="is not a GGUF file"):
        check_llm(LLMSettings(model_path=text), tmp_path)


def test_an_unknown_backend_that_slipped_past_validation_is_a_config_error(tmp_path: Path) -> None:
    settings = LLMSettings.model_construct(backend="vllm")
    for step in (check_llm, make_llm):
        with pytest.raises(ConfigError, match="unknown LLM backend 'vllm'; known: llamacpp, openai, ollama"):
            step(settings, tmp_path)


@pytest.mark.parametrize(
    ("settings", "label"),
    [
        (LLMSettings(), "qwen2.5-coder-1.5b-instruct-q4_k_m"),
        (LLMSettings(model_path=Path("/m/big.gguf")), "big.gguf"),
        (LLMSettings(backend="ollama", model="llama3"), "llama3"),
        (LLMSettings(backend="transformers", model_path=Path("/m/q.gguf")), "q.gguf"),
    ],
)
def test_llm_label_names_the_configured_model(settings: LLMSettings, label: str) -> None:
    assert llm_label(settings) == label
