"""Crash safety: ingests killed with SIGKILL at random writes are repaired by the next run, and
questions keep being answered from the last good index while a re-ingest runs."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

from rag.service import RagService
from rag.settings import Settings
from rag.types import Answer
from tests.api.support import APPOINTMENTS, cite_appointments
from tests.fakes import KeywordEmbedding, ScriptedLLM
from tests.rag.crash_ingest import make_corpus, summary, write_article

ROOT = Path(__file__).resolve().parents[2]
ARTICLES = 60
DELAY_S = 0.01  # each index write waits this long first, so kills land between and inside writes
SEED = 6


def _command(data: Path, corpus: Path, log: Path | None = None) -> list[str]:
    command = [sys.executable, "-m", "tests.rag.crash_ingest", "--data", str(data), "--corpus", str(corpus)]
    return [*command, "--log", str(log), "--delay", str(DELAY_S)] if log else command


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT), "TOKENIZERS_PARALLELISM": "false"}


def _ingest_killed_at(data: Path, corpus: Path, log: Path, target: int | str, rng: random.Random) -> str:
    """Start an ingest and SIGKILL it once its log reaches `target` (a write number or a line).

    Returns the log line the kill landed after. Fails when the run finished first.
    """
    log.write_text("")
    process = subprocess.Popen(
        _command(data, corpus, log), cwd=ROOT, env=_env(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    deadline = time.monotonic() + 120
    try:
        while process.poll() is None and time.monotonic() < deadline:
            lines = log.read_text().splitlines()
            reached = target in lines if isinstance(target, str) else len(lines) >= target
            if reached:
                time.sleep(rng.uniform(0, 2 * DELAY_S))  # in the pre-write pause or in the write itself
                process.send_signal(signal.SIGKILL)
                break
            time.sleep(0.002)
        process.wait(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    stderr = process.stderr.read().decode(errors="replace") if process.stderr else ""
    assert process.returncode == -signal.SIGKILL, f"the ingest was not killed mid-run:\n{stderr[-2000:]}"
    lines = log.read_text().splitlines()
    assert "done" not in lines
    return f"write {len(lines)} ({lines[-1]})"


def _mutate(corpus: Path, rng: random.Random, next_serial: int) -> tuple[int, int]:
    """Change, delete and add articles; returns (writes the next ingest makes at least, next serial)."""
    files = sorted(corpus.iterdir())
    changed = rng.sample(files, 10)
    for path in changed:
        path.write_text(
            path.read_text() + f"\nAn update: {rng.randint(2, 500)} more were approved.\n", encoding="utf-8"
        )
    deleted = rng.sample([f for f in files if f not in changed], 3)
    for path in deleted:
        path.unlink()
    for serial in range(next_serial, next_serial + 4):
        write_article(corpus, serial, rng)
    return len(changed) + 4, next_serial + 4


def test_ingests_killed_at_random_writes_are_repaired_to_a_clean_build(tmp_path: Path) -> None:
    rng = random.Random(SEED)
    corpus, data, log = tmp_path / "corpus", tmp_path / "data", tmp_path / "writes.log"
    make_corpus(corpus, ARTICLES, rng)
    kills = [_ingest_killed_at(data, corpus, log, rng.randint(1, ARTICLES), rng)]  # the first build
    serial = ARTICLES
    for _ in range(4):  # changed, deleted and added files, on top of the previous half-done run
        writes, serial = _mutate(corpus, rng, serial)
        kills.append(_ingest_killed_at(data, corpus, log, rng.randint(1, writes), rng))
    _, serial = _mutate(corpus, rng, serial)
    kills.append(_ingest_killed_at(data, corpus, log, "bm25", rng))  # while the BM25 index is saved

    finished = subprocess.run(
        _command(data, corpus), cwd=ROOT, env=_env(), capture_output=True, text=True, timeout=300
    )
    assert finished.returncode == 0, finished.stderr[-3000:]
    repaired = json.loads(finished.stdout.strip().splitlines()[-1])

    clean_service = RagService(
        Settings(data_dir=tmp_path / "clean", corpus_dir=corpus), embedder=KeywordEmbedding()
    )
    clean_service.ingest()
    clean = summary(clean_service)

    assert len(kills) == 6, kills
    assert repaired["ids"] == clean["ids"], (
        kills
    )  # exactly the chunks of a clean build: no copies, no leftovers
    assert repaired["count"] == len(repaired["ids"]) == len(set(repaired["ids"])) == clean["count"]
    assert repaired["per_file"] == clean["per_file"]
    assert set(repaired["per_file"]) == {p.name for p in corpus.iterdir()}  # deleted files are gone
    assert repaired["bm25_fingerprint"] == clean["bm25_fingerprint"] is not None
    assert repaired["self_retrieval_misses"] == 0  # the vector index agrees with the records


class CitingAppointments(ScriptedLLM):
    """Always cites the sentence about 170 appointments (never runs out of replies)."""

    def complete(self, prompt: str, formatted: bool = False, **kwargs: Any):  # type: ignore[no-untyped-def]
        self.enqueue(cite_appointments)
        return super().complete(prompt, formatted, **kwargs)


def test_questions_are_answered_from_the_last_good_index_while_a_reingest_runs(
    settings: Settings, corpus: Path
) -> None:
    service = RagService(settings, embedder=KeywordEmbedding(), llm=CitingAppointments())
    service.ingest()
    source = corpus / "000_3aed9b3397ca7b37.txt"
    answers: list[Answer] = []
    errors: list[BaseException] = []
    stop = threading.Event()

    def ask_forever() -> None:
        while not stop.is_set():
            try:
                answers.append(service.ask(APPOINTMENTS))
            except BaseException as exc:  # every failure counts, whatever its kind
                errors.append(exc)

    asker = threading.Thread(target=ask_forever)
    asker.start()
    rng = random.Random(SEED)
    reports = []
    added: list[Path] = []
    try:
        for round_ in range(8):  # other articles change, appear and disappear under the asker
            for name in ("002_dc32ab27597cd9fc.txt", "003_5269122b5114297c.txt", "004_545f95529ab4eb61.txt"):
                path = corpus / name
                path.write_text(path.read_text() + f"\nRound {round_}: {rng.randint(1, 999)} beds.\n")
            added.append(write_article(corpus, round_, rng))
            if round_ % 2:
                added[-2].unlink()
            reports.append(service.ingest())
            time.sleep(0.05)
    finally:
        stop.set()
        asker.join(timeout=60)

    assert not errors, errors[:3]
    assert len(answers) >= 8 and all(len(r.updated) == 3 for r in reports)
    text = source.read_text()
    for answer in answers:
        Answer.model_validate(answer.model_dump())
        assert not answer.refused and answer.answer == "At least 170 appointments"
        for citation in answer.citations:
            assert citation.source == source.name and text[citation.start : citation.end] == citation.quote


def test_a_chunk_deleted_while_it_is_retrieved_is_dropped(settings: Settings) -> None:
    """Chroma can return an id whose record a concurrent re-ingest just deleted; llama-index
    then hands back an empty node. It used to crash evidence ranking (KeyError: 'start')."""
    from llama_index.core.schema import NodeWithScore, TextNode

    service = RagService(settings, embedder=KeywordEmbedding(), llm=CitingAppointments())
    service.ingest()
    dense = service.assistant().retriever.dense
    real_retrieve = dense.retrieve

    def with_a_vanished_chunk(bundle):  # type: ignore[no-untyped-def]
        # The best hit's record is gone; BM25 (built before the delete) still ranks that id too.
        best, *rest = real_retrieve(bundle)
        return [
            NodeWithScore(node=TextNode(text="", id_=best.node.node_id, metadata={}), score=best.score),
            *rest,
        ]

    dense.retrieve = with_a_vanished_chunk  # type: ignore[method-assign]
    answer = service.ask(APPOINTMENTS)
    assert answer.answer == "At least 170 appointments" and answer.citations
