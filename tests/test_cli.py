import subprocess
import sys
from pathlib import Path

import pytest

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


def test_missing_corpus_folder_is_a_clear_error(tmp_path: Path) -> None:
    env = {"PATH": "/usr/bin:/bin", "RAG_DATA_DIR": str(tmp_path / "data"), "HF_HUB_OFFLINE": "1"}
    result = _rag("ingest", str(tmp_path / "missing"), env=env)
    assert result.returncode == 1
    assert "does not exist" in result.stderr


def test_unknown_packaged_model_is_a_clear_error() -> None:
    result = _rag("prepare", "--model", "nope")
    assert result.returncode == 1
    assert "unknown packaged model 'nope'; known: qwen2.5-coder-0.5b-instruct-q4_k_m" in result.stderr
