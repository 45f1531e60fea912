"""The reader alone: how often the model answers right when handed the sentence that answers.

`rag eval --reader` finds, for every answerable one-part question, the first sentence of its
source articles that its accept patterns match, and has the model read that sentence alone
with the prompt every reading gets (`Assistant.read_given`): no retrieval, no ranking, no check,
and "no answer" never taking over. Two figures follow per slice: how often the model's best answer
is right (what the reader can do with perfect evidence and a perfect decision to answer), and
how often it is right with its probability of "no answer" below the threshold the assistant
refuses at (what one reading gives with perfect evidence). The end-to-end figures of `rag eval`
cannot exceed what the reader does here by more than the rules and second readings add.

Accept patterns are written in the question's language: a cross-lingual question whose answer is
not a number or a name may find no sentence (counted as "no sentence").
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypedDict

from tqdm import tqdm

from eval.scoring.dataset import QAItem, slices
from eval.scoring.metrics import accept_match
from eval.scoring.ranking import SLICES, share
from rag.answer.assistant import HOPELESS
from rag.sentences import split_sentences
from rag.service import RagService


class ReaderRow(TypedDict):
    """One answerable question read from its answering sentence (None when none was found)."""

    id: str
    question: str
    slices: list[str]
    sentence: str | None
    answer: str
    p_none: float | None
    right: bool


def answering_sentence(item: QAItem, texts: dict[str, str], languages: dict[str, str]) -> str | None:
    """The first sentence of the item's source articles (`texts` by file name) that one of its
    accept patterns matches; None when no sentence does."""
    for source in item.sources:
        text = texts.get(source)
        if text is None:
            continue
        for span in split_sentences(text, language=languages.get(source, "en")):
            if accept_match(span.text, item.accept):
                return span.text
    return None


def read_items(
    items: Sequence[QAItem], service: RagService, languages: dict[str, str], progress: bool = True
) -> list[ReaderRow]:
    """Read every answerable one-part item from its answering sentence with the service's model."""
    assistant = service.assistant()
    texts: dict[str, str] = {}
    rows: list[ReaderRow] = []
    chosen = [i for i in items if i.answerable and i.kind != "multi"]
    for item in tqdm(chosen, desc="read", unit="q", disable=not progress):
        for source in item.sources:
            if source not in texts and (found := service.document(source)) is not None:
                texts[source] = found[1]
        sentence = answering_sentence(item, texts, languages)
        row = ReaderRow(
            id=item.id,
            question=item.question,
            slices=slices(item, languages),
            sentence=sentence,
            answer="",
            p_none=None,
            right=False,
        )
        if sentence is not None:
            reading = assistant.read_given(item.question, sentence)
            row["answer"] = reading.text
            row["p_none"] = reading.p_none
            row["right"] = accept_match(reading.text, item.accept)
        rows.append(row)
    return rows


def reader_table(rows: Sequence[ReaderRow], threshold: float) -> str:
    """A Markdown table: per slice, questions read, right at any p(no answer), right below
    `threshold`, and right but hesitant (p between `threshold` and HOPELESS)."""
    head = (
        f"| slice | questions | no sentence | right | right, p(no answer) < {threshold:g} "
        f"| right, {threshold:g} ≤ p < {HOPELESS:g} |"
    )
    lines = [head, "|---|---|---|---|---|---|"]
    for name in SLICES:
        group = [r for r in rows if name in r["slices"]]
        if not group:
            continue
        read = [r for r in group if r["p_none"] is not None]
        right = [r for r in read if r["right"]]
        sure = sum(r["p_none"] is not None and r["p_none"] < threshold for r in right)
        hesitant = sum(r["p_none"] is not None and threshold <= r["p_none"] < HOPELESS for r in right)
        cells = [share(len(right), len(read)), share(sure, len(read)), share(hesitant, len(read))]
        lines.append(f"| {name} | {len(read)} | {len(group) - len(read)} | " + " | ".join(cells) + " |")
    return "\n".join(lines)
