"""The service builds its assistant once, however many questions arrive at the same moment."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from rag.ingest import bm25
from rag.service import RagService
from rag.settings import Settings
from tests.fakes import KeywordEmbedding, ScriptedLLM


def test_questions_arriving_together_share_one_assistant_and_one_keyword_index_load(
    settings: Settings, embedder: KeywordEmbedding, llm: ScriptedLLM, monkeypatch: pytest.MonkeyPatch
) -> None:
    service = RagService(settings, embedder=embedder, llm=llm)
    service.ingest()
    loads: list[str] = []
    real_load = bm25.load_bm25

    def slow_load(*args: object, **kwargs: object) -> object:
        loads.append(threading.current_thread().name)
        time.sleep(0.2)  # long enough for every other thread to arrive while this one loads
        return real_load(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(bm25, "load_bm25", slow_load)
    start = threading.Barrier(6)

    def build(_: int) -> object:
        start.wait()
        return service.assistant()

    with ThreadPoolExecutor(6) as pool:
        built = list(pool.map(build, range(6)))
    assert len(loads) == 1
    assert all(assistant is built[0] for assistant in built)


def test_an_ingest_makes_the_next_question_load_the_new_keyword_index(
    settings: Settings, embedder: KeywordEmbedding, llm: ScriptedLLM
) -> None:
    service = RagService(settings, embedder=embedder, llm=llm)
    service.ingest()
    first = service.assistant()
    assert service.assistant() is first
    (settings.corpus_dir / "extra.txt").write_text("The museum opened on 3 May with 40 rooms.\n")
    service.ingest()
    assert service.assistant() is not first
