"""Shared fixtures: a copy of the seeds, settings pointing at temp dirs, fake components."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from rag.settings import Settings
from tests.fakes import KeywordEmbedding, ScriptedLLM

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    """A writable copy of seeds/."""
    target = tmp_path / "corpus"
    shutil.copytree(SEEDS, target)
    return target


@pytest.fixture
def settings(tmp_path: Path, corpus: Path) -> Settings:
    # Fast unit tests rank with the fake embedder alone and script only the readings; the e5
    # reranker and the question's translation have their own tests.
    return Settings(
        data_dir=tmp_path / "data",
        corpus_dir=corpus,
        answer={"rerank": "none", "translate_question": "off"},
    )


@pytest.fixture
def embedder() -> KeywordEmbedding:
    return KeywordEmbedding()


@pytest.fixture
def llm() -> ScriptedLLM:
    return ScriptedLLM()
