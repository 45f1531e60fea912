"""Evidence ranking without the model: where the passage holding the answer lands.

`rag eval --ranking` ranks the evidence of every answerable question as the assistant would
before its first reading (no LLM call, no translation) and reports how often a passage that
matches the item's accept patterns is among the first k. A ranking change is measured in about
a minute this way, against the quarter of an hour an answering run takes; the ranks move the
end-to-end figures only through the passages the model reads (evidence@1 and @3 of `rag eval`).
Accept patterns are written in the question's language, so a cross-lingual item whose answer is
not a number or a name undercounts a little.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypedDict

from tqdm import tqdm

from eval.scoring.dataset import QAItem, slices
from eval.scoring.metrics import evidence_recall
from rag.service import RagService

DEPTHS = (1, 2, 3, 5, 8)
# Slices reported, in order; an item of none of them is still in "all".
SLICES = ("all", "lang:en", "lang:es", "crosslingual")


class Ranked(TypedDict):
    """One answerable question: the rank (0 = first) of the passage by which the passages so far
    match its accept patterns, None when the `depth` passages never do, and the first passage."""

    id: str
    question: str
    slices: list[str]
    rank: int | None
    first: str


def rank_items(
    items: Sequence[QAItem], service: RagService, languages: dict[str, str], progress: bool = True
) -> list[Ranked]:
    """Rank the evidence of every answerable item with the service's settings (its
    `answer.passages` is the depth looked at); `languages` maps corpus files to languages."""
    assistant = service.assistant()
    ranked: list[Ranked] = []
    for item in tqdm([i for i in items if i.answerable], desc="rank", unit="q", disable=not progress):
        passages = [p.text for p in assistant.evidence(item.question)]
        # As evidence@k of `rag eval`: a two-part question's pattern may match across passages.
        rank = next((k for k in range(len(passages)) if evidence_recall(passages, item.accept, k + 1)), None)
        ranked.append(
            Ranked(
                id=item.id,
                question=item.question,
                slices=slices(item, languages),
                rank=rank,
                first=passages[0] if passages else "",
            )
        )
    return ranked


def ranking_table(ranked: Sequence[Ranked], depth: int) -> str:
    """A Markdown table: per slice, how many questions have the answer's passage in the first k."""
    depths = [k for k in DEPTHS if k <= depth]
    head = "| slice | questions | " + " | ".join(f"first {k}" for k in depths) + " | not found |"
    lines = [head, "|" + "---|" * (len(depths) + 3)]
    for name in SLICES:
        rows = [r for r in ranked if name in r["slices"]]
        if not rows:
            continue
        cells = [share(sum(r["rank"] is not None and r["rank"] < k for r in rows), len(rows)) for k in depths]
        missing = share(sum(r["rank"] is None for r in rows), len(rows))
        lines.append(f"| {name} | {len(rows)} | " + " | ".join(cells) + f" | {missing} |")
    return "\n".join(lines)


def share(count: int, total: int) -> str:
    """A table cell: the count and its percentage of `total`; "0" when there is no total."""
    return f"{count} ({100 * count / total:.1f}%)" if total else "0"
