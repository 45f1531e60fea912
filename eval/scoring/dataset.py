"""The Q&A file: one JSON object per line, loaded into validated, immutable items."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from eval.scoring.metrics import NEEDS, compile_accept

_REQUIRED: dict[str, type] = {
    "id": str,
    "question": str,
    "answer": str,
    "accept": list,
    "sources": list,
    "lang": str,
    "kind": str,
}
_OPTIONAL: dict[str, type] = {"answerable": bool, "need": str}


@dataclass(frozen=True)
class QAItem:
    """One question with its reference answer, accept patterns and gold source files."""

    id: str
    question: str
    answer: str
    accept: tuple[str, ...]
    sources: tuple[str, ...]
    lang: str
    kind: str
    answerable: bool = True
    need: str = "all"


def _parse(record: Any) -> QAItem:
    """A QAItem from one decoded line; raises ValueError saying what is wrong."""
    if not isinstance(record, dict):
        raise ValueError(f"expected a JSON object, got {type(record).__name__}")
    unknown = sorted(set(record) - set(_REQUIRED) - set(_OPTIONAL))
    if unknown:
        raise ValueError(f"unknown field(s): {', '.join(unknown)}")
    for name, kind in (_REQUIRED | _OPTIONAL).items():
        if name not in record:
            if name in _REQUIRED:
                raise ValueError(f"missing required field {name!r}")
            continue
        value = record[name]
        if not isinstance(value, kind):
            raise ValueError(f"field {name!r} must be {kind.__name__}, got {type(value).__name__}")
    for name in ("accept", "sources"):
        for value in record[name]:
            if not isinstance(value, str):
                raise ValueError(f"field {name!r} must hold strings, got {type(value).__name__}")
    for name in ("id", "question"):
        if not record[name].strip():
            raise ValueError(f"field {name!r} is empty")
    need = record.get("need", "all")
    if need not in NEEDS:
        raise ValueError(f"field 'need' must be one of {NEEDS}, got {need!r}")
    for pattern in record["accept"]:
        try:
            compile_accept(pattern)
        except re.error as error:
            raise ValueError(f"accept pattern {pattern!r} does not compile: {error}") from None
    answerable = record.get("answerable", True)
    if answerable and not record["accept"]:
        raise ValueError("answerable item has no accept patterns")
    if answerable and not record["sources"]:
        raise ValueError("answerable item has no sources")
    if not answerable and record["sources"]:
        raise ValueError("unanswerable item lists sources")
    return QAItem(
        id=record["id"],
        question=record["question"],
        answer=record["answer"],
        accept=tuple(record["accept"]),
        sources=tuple(record["sources"]),
        lang=record["lang"],
        kind=record["kind"],
        answerable=answerable,
        need=need,
    )


def load_qa(path: str | Path) -> list[QAItem]:
    """All items of a JSON Lines Q&A file; raises ValueError naming the file and line of any problem."""
    path = Path(path)
    items: list[QAItem] = []
    first_line: dict[str, int] = {}
    with path.open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as error:
                raise ValueError(f"{path}:{number}: invalid JSON: {error}") from None
            try:
                item = _parse(record)
            except ValueError as error:
                raise ValueError(f"{path}:{number}: {error}") from None
            if item.id in first_line:
                raise ValueError(
                    f"{path}:{number}: duplicate id {item.id!r} (first on line {first_line[item.id]})"
                )
            first_line[item.id] = number
            items.append(item)
    return items


def slices(item: QAItem, source_language: Mapping[str, str]) -> list[str]:
    """The report slices the item belongs to; `source_language` maps corpus file name -> language code."""
    names = ["all", f"lang:{item.lang}", f"kind:{item.kind}"]
    languages = [source_language.get(source) for source in item.sources]
    # Only when every source's language is known: an unknown file must not make an item cross-lingual.
    if item.answerable and languages and None not in languages and item.lang not in languages:
        names.append("crosslingual")
    names.append("answerable" if item.answerable else "unanswerable")
    return names


SPLITS = ("tune", "test")


def split_of(items: list[QAItem]) -> dict[str, str]:
    """Each item's half, 'tune' or 'test', by a fixed rule that keeps every kind in both.

    Items are grouped by id prefix (`en`, `es`, `xen`, `xes`, `multi`, `un`, ...) and question
    language; within a group, in file order, the 1st, 3rd, 5th ... item is `tune`, the others `test`.
    Appending questions to a group never moves an earlier one to the other half.
    """
    seen: dict[tuple[str, str], int] = {}
    halves: dict[str, str] = {}
    for item in items:
        group = (item.id.rsplit("-", 1)[0], item.lang)
        position = seen.get(group, 0)
        seen[group] = position + 1
        halves[item.id] = SPLITS[position % 2]
    return halves


def select_split(items: list[QAItem], split: str) -> list[QAItem]:
    """The items of one half ('tune' or 'test'), or all of them for 'all'."""
    if split == "all":
        return list(items)
    if split not in SPLITS:
        raise ValueError(f"split must be one of {(*SPLITS, 'all')}, got {split!r}")
    halves = split_of(items)
    return [item for item in items if halves[item.id] == split]
