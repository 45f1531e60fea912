"""`rag eval --ranking`: where the answer's passage lands, with no model call (fake embedder)."""

from __future__ import annotations

from pathlib import Path

from eval.scoring.dataset import load_qa
from eval.scoring.ranking import Ranked, rank_items, ranking_table
from eval.scoring.runner import source_languages
from rag.service import RagService
from rag.settings import Settings
from tests.fakes import KeywordEmbedding, ScriptedLLM

ROOT = Path(__file__).resolve().parents[3]
ITEMS = [i for i in load_qa(ROOT / "eval/qa.jsonl") if i.id in {"en-01", "es-04", "un-01", "xen-01"}]


def test_each_answerable_question_gets_the_rank_of_its_answer_passage(settings: Settings) -> None:
    settings.answer.passages = 8
    llm = ScriptedLLM()
    service = RagService(settings, embedder=KeywordEmbedding(), llm=llm)
    service.ingest()
    ranked = {r["id"]: r for r in rank_items(ITEMS, service, source_languages(service), progress=False)}
    assert set(ranked) == {"en-01", "es-04", "xen-01"}  # unanswerable questions have no answer to rank
    assert ranked["en-01"]["rank"] == 0 and "170 appointments" in ranked["en-01"]["first"]
    assert ranked["es-04"]["rank"] is not None and ranked["es-04"]["rank"] < 8
    assert "crosslingual" in ranked["xen-01"]["slices"]
    assert llm.history == []  # the model was never asked


def _ranked(rank: int | None, *names: str) -> Ranked:
    return Ranked(id="q", question="q", slices=["all", *names], rank=rank, first="")


def test_the_table_counts_each_slice_at_each_depth() -> None:
    ranked = [_ranked(0, "lang:en"), _ranked(2, "lang:es", "crosslingual"), _ranked(None, "lang:es")]
    lines = ranking_table(ranked, 3).splitlines()
    assert lines[0] == "| slice | questions | first 1 | first 2 | first 3 | not found |"
    assert lines[2] == "| all | 3 | 1 (33.3%) | 1 (33.3%) | 2 (66.7%) | 1 (33.3%) |"
    assert lines[3] == "| lang:en | 1 | 1 (100.0%) | 1 (100.0%) | 1 (100.0%) | 0 (0.0%) |"
    assert lines[4] == "| lang:es | 2 | 0 (0.0%) | 0 (0.0%) | 1 (50.0%) | 1 (50.0%) |"
    assert lines[5] == "| crosslingual | 1 | 0 (0.0%) | 0 (0.0%) | 1 (100.0%) | 0 (0.0%) |"
    assert len(lines) == 6
