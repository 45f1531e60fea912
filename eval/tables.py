"""The one Markdown table writer of the eval, bench and load-test reports."""

from __future__ import annotations

from collections.abc import Iterable, Sequence


def markdown_table(header: Sequence[str], rows: Iterable[Sequence[object]], align: str = "") -> list[str]:
    """A Markdown table as lines. `align` has one letter per column: 'r' right-aligns it (numbers);
    columns without a letter are left-aligned."""
    rule = ["---:" if align[n : n + 1] == "r" else "---" for n in range(len(header))]
    lines = ["| " + " | ".join(header) + " |", "| " + " | ".join(rule) + " |"]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return lines
