"""The `rag` command: prepare, ingest, ask, models; `serve`, `eval`, `bench` and `loadtest` are
plugins from the api and eval packages."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Sequence
from importlib.metadata import entry_points
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import ValidationError

from rag.errors import QuestionError, RagError

if TYPE_CHECKING:
    from rag.settings import Settings

EXIT_USAGE = 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="rag", description=__doc__)
    parser.add_argument("-v", "--verbose", action="store_true", help="log progress and decisions")
    commands = parser.add_subparsers(dest="command", required=True)
    prepare = commands.add_parser("prepare", help="assemble and verify the packaged model files")
    prepare.add_argument("--model", help="a packaged model to assemble instead of the configured one")
    ingest = commands.add_parser("ingest", help="index the corpus folder (incremental)")
    ingest.add_argument("path", nargs="?", type=Path, help="corpus folder (default: RAG_CORPUS_DIR)")
    ingest.add_argument("--rebuild", action="store_true", help="drop the index and embed everything again")
    ask = commands.add_parser("ask", help="answer one question")
    ask.add_argument("question")
    ask.add_argument("--json", action="store_true", help="print the full answer contract as JSON")
    models = commands.add_parser("models", help="list configured and installed models and embedders")
    models.add_argument("--json", action="store_true", help="print the list as JSON")
    models.add_argument("--check", action="store_true", help="also check that the configured LLM is usable")
    models.add_argument(
        "--speed", action="store_true", help="measure prompt/generation tokens/s of each GGUF"
    )
    for plugin in entry_points(group="rag.commands"):
        plugin.load()(commands)  # `rag serve` (package api) and `rag eval` (package eval)
    return parser


def _print_answer(answer, as_json: bool) -> None:
    if as_json:
        print(answer.model_dump_json(indent=2))
        return
    print(answer.answer)
    for number, citation in enumerate(answer.citations, start=1):
        print(f"  [{number}] {citation.source} {citation.start}-{citation.end}: {citation.quote}")


def _models(args: argparse.Namespace, settings: Settings) -> int:
    from rag.components import check_llm
    from rag.models.catalog import catalog, format_json, format_table, measure_speeds

    entries = catalog(settings)
    speeds = measure_speeds(entries, settings.llm.threads) if args.speed else None
    print(format_json(entries, speeds) if args.json else format_table(entries, speeds))
    if args.check:
        print(f"ok: {check_llm(settings.llm, settings.data_dir)}")
    return 0


def _settings_problem(exc: ValidationError) -> str:
    """Each invalid setting by its environment variable, with pydantic's reason."""
    problems = []
    for error in exc.errors():
        name = "RAG_" + "__".join(str(part) for part in error["loc"]).upper()
        message = error["msg"].removeprefix("Value error, ")
        got = error.get("input")
        if isinstance(got, str | int | float):
            message += f" (got {got!r})"
        problems.append(f"{name}: {message}")
    return "invalid settings: " + "; ".join(problems)


def run(args: argparse.Namespace) -> int:
    if hasattr(args, "handler"):
        return args.handler(args)
    from rag.settings import Settings

    settings = Settings()
    if args.command == "prepare":
        from rag.components import prepare_default_models
        from rag.errors import ConfigError
        from rag.models.files import PACKAGED_MODELS, assemble

        if args.model and args.model not in PACKAGED_MODELS:
            raise ConfigError(f"unknown packaged model {args.model!r}; known: {', '.join(PACKAGED_MODELS)}")
        paths = (
            [assemble(PACKAGED_MODELS[args.model], settings.data_dir / "models")]
            if args.model
            else prepare_default_models(settings)
        )
        for path in paths:
            print(f"ready: {path}")
        return 0
    if args.command == "models":
        return _models(args, settings)
    if args.command == "ask":
        from rag.answer.assistant import validate_question

        validate_question(args.question, settings.answer.max_question_chars)  # before loading models
    from rag.service import RagService

    service = RagService(settings)
    if args.command == "ingest":
        report = service.ingest(args.path, rebuild=args.rebuild, show_progress=sys.stderr.isatty())
        for skipped in report.skipped:
            print(f"skipped {skipped.name}: {skipped.reason}", file=sys.stderr)
        print(report.summary())
        return 0
    _print_answer(service.ask(args.question), args.json)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING, format="%(levelname)s %(name)s: %(message)s"
    )
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    try:
        return run(args)
    except ValidationError as exc:
        print(f"error: {_settings_problem(exc)}", file=sys.stderr)
        return 1
    except QuestionError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except RagError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
