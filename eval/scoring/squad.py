"""Public benchmark: turn SQuAD-format files (e.g. XQuAD) into a corpus and a Q&A set.

One corpus file per paragraph and language; each question's gold source is its paragraph's
file in the question's language, or, for the cross-lingual run, in another language.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from eval.scoring.dataset import QAItem
from eval.tables import markdown_table
from rag.types import Answer


@dataclass(frozen=True)
class SquadSet:
    """Paragraph files by language and the questions asked about them."""

    paragraphs: dict[str, dict[str, str]]  # language -> file name -> text
    items: dict[str, list[QAItem]]  # language -> questions with gold sources in that language


def _language_of(path: Path) -> str:
    match = re.search(r"\.([a-z]{2})\.json$", path.name)
    if not match:
        raise ValueError(f"{path}: expected a name like xquad.es.json (the language code before .json)")
    return match.group(1)


def load_squad(paths: list[Path]) -> SquadSet:
    """Read SQuAD v1.1 files, one language each; paragraphs are numbered by position."""
    paragraphs: dict[str, dict[str, str]] = {}
    items: dict[str, list[QAItem]] = {}
    for path in paths:
        lang = _language_of(path)
        data = json.loads(path.read_text(encoding="utf-8"))["data"]
        paragraphs[lang], items[lang] = {}, []
        for a, article in enumerate(data):
            for p, paragraph in enumerate(article["paragraphs"]):
                name = f"{lang}_{a:03d}_{p:02d}.txt"
                paragraphs[lang][name] = paragraph["context"]
                for qa in paragraph["qas"]:
                    golds = list(dict.fromkeys(answer["text"] for answer in qa["answers"]))
                    items[lang].append(
                        QAItem(
                            id=f"{lang}-{qa['id']}",
                            question=qa["question"],
                            answer=golds[0],
                            accept=tuple(re.escape(g) for g in golds),
                            sources=(name,),
                            lang=lang,
                            kind="squad",
                        )
                    )
    return SquadSet(paragraphs, items)


def cross_lingual(squad: SquadSet, question_lang: str, corpus_lang: str) -> list[QAItem]:
    """Questions in one language whose gold source is the parallel paragraph in another."""
    return [
        QAItem(**{**item.__dict__, "id": f"{item.id}>{corpus_lang}", "sources": tuple(
            s.replace(f"{question_lang}_", f"{corpus_lang}_", 1) for s in item.sources
        )})
        for item in squad.items[question_lang]
    ]  # fmt: skip


def write_corpus(squad: SquadSet, languages: list[str], folder: Path) -> Path:
    """Write the paragraphs of `languages` as one file each into `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    for lang in languages:
        for name, text in squad.paragraphs[lang].items():
            target = folder / name
            if not target.exists() or target.read_text(encoding="utf-8") != text:
                target.write_text(text, encoding="utf-8")
    return folder


def _slug(title: str) -> str:
    """A file-name form of a run's title: 'es questions, en paragraphs only' -> 'es-questions-en-paragraphs-only'."""
    return re.sub(r"\W+", "-", title).strip("-")


def _answer_line(item: QAItem, answer: Answer, contains_gold: bool, with_digits: bool) -> str:
    """One JSON line per answered question: what was asked, answered and spent."""
    record = {
        "id": item.id,
        "question": item.question,
        "gold": list(item.accept),
        "answer": answer.answer,
        "refused": answer.refused,
        "contains_gold": contains_gold,
        "contains_gold_digits": with_digits,
        "usage": answer.usage.model_dump() if answer.usage else None,
    }
    return json.dumps(record, ensure_ascii=False) + "\n"


def run_squad(paths: list[Path], work_dir: Path, answers: int, progress: bool) -> str:
    """Retrieval over every question and answers for the first `answers` of each run; Markdown table.
    Each run's answers are written to `work_dir`/answers-<run>.jsonl."""
    from tqdm import tqdm

    from eval.scoring import metrics
    from eval.scoring.runner import batch_settings
    from rag.service import RagService
    from rag.settings import Settings

    squad = load_squad(paths)
    languages = sorted(squad.paragraphs)
    runs = [(f"{lang} questions, all paragraphs", languages, squad.items[lang]) for lang in languages]
    if {"en", "es"} <= set(languages):
        runs.append(("es questions, en paragraphs only", ["en"], cross_lingual(squad, "es", "en")))
    rows = []
    for title, corpus_langs, items in runs:
        corpus = write_corpus(squad, corpus_langs, work_dir / ("corpus-" + "-".join(corpus_langs)))
        settings = batch_settings(
            Settings(corpus_dir=corpus, data_dir=work_dir / ("data-" + "-".join(corpus_langs)))
        )
        service = RagService(settings)
        service.ingest()
        retriever = service.assistant().retriever
        hit1, hit5, rr = [], [], []
        for item in tqdm(items, desc=title, disable=not progress):
            ranked = [h.node.metadata["source"] for h in retriever.search(item.question).nodes]
            hit1.append(metrics.hit_at_k(ranked, item.sources, 1))
            hit5.append(metrics.hit_at_k(ranked, item.sources, 5))
            rr.append(metrics.reciprocal_rank(ranked, item.sources))
        contains, digits, f1, refused = [], [], [], []
        with (work_dir / f"answers-{_slug(title)}.jsonl").open("w", encoding="utf-8") as out:
            for item in items[:answers]:
                answer = service.ask(item.question)
                golds = [g.replace("\\", "") for g in item.accept]
                contains.append(not answer.refused and metrics.contains_gold(answer.answer, golds))
                digits.append(not answer.refused and metrics.contains_gold(answer.answer, golds, True))
                f1.append(0.0 if answer.refused else max(metrics.token_f1(answer.answer, g) for g in golds))
                refused.append(answer.refused)
                out.write(_answer_line(item, answer, contains[-1], digits[-1]))
        rows.append((title, len(items), hit1, hit5, rr, contains, digits, f1, refused))

    def pct(values: list) -> str:
        return f"{100 * sum(values) / len(values):.1f}%" if values else "–"

    header = (
        "run",
        "questions",
        "hit@1",
        "hit@5",
        "MRR",
        "answered sample",
        "contains gold",
        "same, number words as digits",
        "token F1",
        "refused",
    )
    table = [
        (
            title,
            n,
            pct(hit1),
            pct(hit5),
            f"{sum(rr) / len(rr):.3f}",
            len(contains),
            pct(contains),
            pct(digits),
            pct(f1),
            pct(refused),
        )
        for title, n, hit1, hit5, rr, contains, digits, f1, refused in rows
    ]
    return "\n".join(markdown_table(header, table))
