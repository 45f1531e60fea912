import json
import subprocess
import sys
from pathlib import Path

import pytest

from eval.load.servers import free_port

ROOT = Path(__file__).resolve().parent.parent


def _rag(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "rag", *args], cwd=ROOT, capture_output=True, text=True, env=env, timeout=120
    )


@pytest.mark.parametrize("question", ["", "   "])
def test_empty_question_exits_2_with_a_message(question: str) -> None:
    result = _rag("ask", question)
    assert result.returncode == 2
    assert "error: the question is empty" in result.stderr


def test_over_long_question_exits_2() -> None:
    result = _rag("ask", "x" * 2001)
    assert result.returncode == 2 and "limit is 2000" in result.stderr


def test_a_ranking_depth_below_one_exits_2() -> None:
    result = _rag("eval", "--ranking", "0")
    assert result.returncode == 2 and "--ranking DEPTH must be at least 1" in result.stderr


def test_the_reader_alone_with_a_ranking_or_a_gate_exits_2() -> None:
    for extra in (["--ranking"], ["--gate"]):
        result = _rag("eval", "--reader", *extra)
        assert result.returncode == 2 and "no --ranking or --gate with it" in result.stderr


def test_missing_corpus_folder_is_a_clear_error(tmp_path: Path) -> None:
    env = {"PATH": "/usr/bin:/bin", "RAG_DATA_DIR": str(tmp_path / "data"), "HF_HUB_OFFLINE": "1"}
    result = _rag("ingest", str(tmp_path / "missing"), env=env)
    assert result.returncode == 1
    assert "does not exist" in result.stderr


def test_unknown_packaged_model_is_a_clear_error() -> None:
    result = _rag("prepare", "--model", "nope")
    assert result.returncode == 1
    assert "unknown packaged model 'nope'; known: qwen2.5-coder-0.5b-instruct-q4_k_m" in result.stderr


def _env(tmp_path: Path, **settings: str) -> dict[str, str]:
    return {
        "PATH": "/usr/bin:/bin",
        "RAG_DATA_DIR": str(tmp_path / "data"),
        "HF_HUB_OFFLINE": "1",
        **settings,
    }


def test_models_lists_the_packaged_llms_and_embedders_and_marks_the_configured_ones(tmp_path: Path) -> None:
    result = _rag("models", env=_env(tmp_path))
    assert result.returncode == 0, result.stderr
    header, *rows = result.stdout.splitlines()
    assert header.split() == ["NAME", "KIND", "BACKEND", "SIZE", "STATUS", "SOURCE"]
    names = {row.split()[0] if not row.startswith("*") else row.split()[1]: row for row in rows}
    assert names.keys() == {
        "qwen2.5-coder-0.5b-instruct-q4_k_m",
        "qwen2.5-coder-1.5b-instruct-q4_k_m",
        "use-multilingual-v3",
        "all-MiniLM-L6-v2",
    }
    configured = {name for name, row in names.items() if row.startswith("*")}
    assert configured == {"qwen2.5-coder-1.5b-instruct-q4_k_m", "use-multilingual-v3"}


def test_models_json_shows_a_configured_server_model(tmp_path: Path) -> None:
    env = _env(
        tmp_path,
        RAG_LLM__BACKEND="openai",
        RAG_LLM__MODEL="qwen2.5-7b",
        RAG_LLM__BASE_URL="http://gpu:8000/v1",
    )
    result = _rag("models", "--json", env=env)
    assert result.returncode == 0, result.stderr
    served = next(row for row in json.loads(result.stdout) if row["name"] == "qwen2.5-7b")
    assert (
        served["backend"] == "openai" and served["location"] == "http://gpu:8000/v1" and served["configured"]
    )


def test_models_check_reports_an_unreachable_server_without_a_traceback(tmp_path: Path) -> None:
    port = free_port()
    env = _env(
        tmp_path,
        RAG_LLM__BACKEND="ollama",
        RAG_LLM__MODEL="llama3",
        RAG_LLM__BASE_URL=f"http://127.0.0.1:{port}",
    )
    result = _rag("models", "--check", env=env)
    assert result.returncode == 1
    assert f"error: cannot reach the LLM server at http://127.0.0.1:{port}/api/tags" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        (
            {"RAG_LLM__BACKEND": "vllm"},
            "error: invalid settings: RAG_LLM__BACKEND: Input should be 'llamacpp', 'openai', 'ollama' or "
            "'transformers' (got 'vllm')",
        ),
        (
            {"RAG_LLM__BACKEND": "ollama"},
            "error: invalid settings: RAG_LLM: backend 'ollama' needs a model name: set RAG_LLM__MODEL",
        ),
    ],
)
def test_invalid_llm_settings_are_named_by_their_variable(
    tmp_path: Path, settings: dict[str, str], message: str
) -> None:
    result = _rag("models", env=_env(tmp_path, **settings))
    assert result.returncode == 1
    assert message in result.stderr and "Traceback" not in result.stderr


def test_serve_with_an_unreachable_llm_server_fails_before_listening(tmp_path: Path) -> None:
    port = free_port()
    env = _env(
        tmp_path,
        RAG_LLM__BACKEND="openai",
        RAG_LLM__MODEL="qwen",
        RAG_LLM__BASE_URL=f"http://127.0.0.1:{port}/v1",
        RAG_EMBEDDING__BACKEND="sentence-transformers",  # the smaller model: only start-up is tested
    )
    result = _rag("serve", "--port", str(port), env=env)
    assert result.returncode == 1
    assert f"error: cannot reach the LLM server at http://127.0.0.1:{port}/v1/models" in result.stderr
    assert "Traceback" not in result.stderr
