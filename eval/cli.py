"""`rag eval`: registered as a plugin command, so `rag` never imports `eval`."""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from eval.scoring.dataset import QAItem
    from rag.service import RagService

DEFAULT_QA = Path("eval/qa.jsonl")
DEFAULT_THRESHOLDS = Path("eval/thresholds.toml")


def register(commands: argparse._SubParsersAction) -> None:
    """Add the `eval` subcommand to the `rag` parser."""
    parser = commands.add_parser("eval", help="score the pipeline against a Q&A set")
    parser.add_argument(
        "--qa", type=Path, default=DEFAULT_QA, help="Q&A file (JSON Lines, see eval/README.md)"
    )
    parser.add_argument(
        "--split",
        choices=("all", "tune", "test"),
        default="all",
        help="half of the Q&A file to run (fixed rule in eval/README.md): tune thresholds on 'tune', report 'test'",
    )
    parser.add_argument("--out", type=Path, help="run folder (default: eval/runs/<timestamp>)")
    parser.add_argument("--llm", type=Path, help="GGUF file to use instead of the configured LLM")
    parser.add_argument("--embed", help="embedding backend: 'use' or a sentence-transformers model name/path")
    parser.add_argument(
        "--gate", nargs="?", const=DEFAULT_THRESHOLDS, type=Path, help="fail below these thresholds"
    )
    parser.add_argument(
        "--compare", nargs="+", type=Path, metavar="RUN_DIR", help="put finished runs side by side"
    )
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    parser.add_argument(
        "--ranking",
        nargs="?",
        const=8,
        type=int,
        metavar="DEPTH",
        help="no model: where the passage holding each answer lands among the first DEPTH (default 8) "
        "passages of the evidence, before any translation of the question (eval/README.md)",
    )
    parser.add_argument(
        "--reader",
        action="store_true",
        help="the model alone, handed the sentence that answers each question (found by its accept "
        "patterns): how often its best answer is right, and how often with p(no answer) below the "
        "refusal threshold (eval/README.md)",
    )
    parser.add_argument(
        "squad",
        nargs="*",
        metavar="squad FILE",
        help="`squad FILE...`: run a SQuAD-format benchmark (e.g. XQuAD)",
    )
    parser.add_argument(
        "--answers", type=int, default=40, help="squad: questions per run answered by the LLM"
    )
    parser.set_defaults(handler=run)


def _settings(args: argparse.Namespace):
    from eval.scoring.runner import batch_settings
    from rag.settings import Settings

    settings = batch_settings(Settings())
    if args.llm:
        settings.llm.model_path = args.llm
    if args.embed:
        if args.embed == "use":
            settings.embedding.backend = "use"
        else:
            settings.embedding.backend = "sentence-transformers"
            settings.embedding.model = args.embed
        # one collection per embedder, so switching never mixes vectors
        settings.store.collection = f"{settings.store.collection}-{args.embed.replace('/', '-')}"
    return settings


def run(args: argparse.Namespace) -> int:
    from eval.scoring.report import check_thresholds, compare_markdown, load_thresholds

    if args.squad:
        if args.squad[0] != "squad" or len(args.squad) < 2:
            print("error: usage: rag eval squad FILE [FILE ...]", file=sys.stderr)
            return 2
        from eval.scoring.squad import run_squad

        out_dir = args.out or Path("eval/runs") / ("squad-" + time.strftime("%Y%m%d-%H%M%S"))
        table = run_squad(
            [Path(p) for p in args.squad[1:]],
            out_dir,
            args.answers,
            not args.no_progress and sys.stderr.isatty(),
        )
        (out_dir / "report.md").write_text(table + "\n")
        print(table)
        return 0
    if args.compare:
        runs = {str(d): json.loads((d / "summary.json").read_text()) for d in args.compare}
        print(compare_markdown(runs))
        return 0
    from eval.scoring.dataset import load_qa, select_split
    from eval.scoring.runner import describe, evaluate, write_run
    from rag.service import RagService

    items = select_split(load_qa(args.qa), args.split)
    settings = _settings(args)
    if args.reader and (args.ranking is not None or args.gate):
        print("error: --reader measures the model alone: no --ranking or --gate with it", file=sys.stderr)
        return 2
    if args.ranking is not None:
        if args.ranking < 1:
            print("error: --ranking DEPTH must be at least 1", file=sys.stderr)
            return 2
        settings.answer.passages = args.ranking
    service = RagService(settings)
    service.ingest()
    out_dir = args.out or Path("eval/runs") / time.strftime("%Y%m%d-%H%M%S")
    if args.ranking is not None:
        return _ranking(items, service, out_dir, args)
    if args.reader:
        return _reader(items, service, out_dir, args)
    results = evaluate(items, service, progress=not args.no_progress and sys.stderr.isatty())
    summary = write_run(
        results,
        out_dir,
        f"Evaluation on {args.qa}" + ("" if args.split == "all" else f" ({args.split} half)"),
        describe(service),
    )
    print((out_dir / "report.md").read_text())
    print(f"run written to {out_dir}")
    if args.gate:
        failures = check_thresholds(summary, load_thresholds(args.gate))
        for failure in failures:
            print(f"GATE FAILED: {failure}", file=sys.stderr)
        if failures:
            return 1
        print(f"gate passed: every metric meets {args.gate}")
    return 0


def _ranking(items: Sequence[QAItem], service: RagService, out_dir: Path, args: argparse.Namespace) -> int:
    """`rag eval --ranking`: rank the evidence of each answerable item, write ranking.jsonl and
    ranking.md under `out_dir`, print the table."""
    from eval.scoring.ranking import rank_items, ranking_table
    from eval.scoring.runner import source_languages

    ranked = rank_items(
        items, service, source_languages(service), progress=not args.no_progress and sys.stderr.isatty()
    )
    _write_rows(out_dir, "ranking", ranked, ranking_table(ranked, args.ranking))
    return 0


def _reader(items: Sequence[QAItem], service: RagService, out_dir: Path, args: argparse.Namespace) -> int:
    """`rag eval --reader`: read each answerable item from its answering sentence, write reader.jsonl
    and reader.md under `out_dir`, print the table."""
    from eval.scoring.reader import read_items, reader_table
    from eval.scoring.runner import source_languages

    rows = read_items(
        items, service, source_languages(service), progress=not args.no_progress and sys.stderr.isatty()
    )
    _write_rows(out_dir, "reader", rows, reader_table(rows, service.settings.answer.no_answer_threshold))
    return 0


def _write_rows(out_dir: Path, name: str, rows: Sequence[Mapping[str, object]], table: str) -> None:
    """Write `rows` to NAME.jsonl and `table` to NAME.md under `out_dir`, and print the table."""
    out_dir.mkdir(parents=True, exist_ok=True)
    with (out_dir / f"{name}.jsonl").open("w") as handle:
        for row in rows:
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")
    (out_dir / f"{name}.md").write_text(table + "\n")
    print(table)
    print(f"{name} written to {out_dir}")
