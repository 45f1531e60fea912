"""An ingest run that can be killed mid-write, and the synthetic news corpus it runs over.

Run as `python -m tests.rag.crash_ingest --data DIR --corpus DIR [--log FILE] [--delay S]` from
the repository root. It ingests with the deterministic fake embedder; every index write (and
the BM25 build) first appends a line to the log and sleeps `--delay` seconds, so a parent
process can SIGKILL it at a chosen write. When it is not killed it prints a JSON summary of
the index (chunk ids, per-file counts, BM25 fingerprint, a self-retrieval check).
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from pathlib import Path
from typing import Any

CITIES = ["Guadalajara", "Monterrey", "Puebla", "Mérida", "Tijuana", "Oaxaca", "Culiacán", "León", "Toluca"]
AGENCIES = ["the state health ministry", "the water utility", "the electoral institute", "the port authority"]
AGENCIAS = ["la secretaría de salud estatal", "el organismo del agua", "el instituto electoral", "la aduana"]
TOPICS = ["hospital beds", "vaccination centres", "school buses", "street lights", "flood barriers"]
TEMAS = ["camas de hospital", "centros de vacunación", "autobuses escolares", "luminarias", "bordos"]
NAMES = ["María Ortega", "Luis Carrillo", "Ana Beltrán", "Jorge Salas", "Rosa Medina", "Pedro Ibarra"]


def _english(rng: random.Random, serial: int) -> str:
    city, agency, topic = rng.choice(CITIES), rng.choice(AGENCIES), rng.choice(TOPICS)
    name, n = rng.choice(NAMES), rng.randint(12, 9_000)
    sentences = [
        f"{city} will add {n} {topic} before the end of the year, {agency} announced on Tuesday.",
        f"{name}, who leads the programme, said the first {n // 3} would arrive within six weeks.",
        f"The plan costs {rng.randint(2, 900)} million pesos and was approved in session {serial}.",
        f"Residents of {rng.randint(3, 40)} neighbourhoods had asked for the {topic} since {rng.randint(2009, 2021)}.",
        f"According to {agency}, demand grew {rng.randint(5, 80)} percent in the last two years.",
        f"Local councillors questioned whether {rng.randint(2, 30)} contractors could deliver on time.",
        f"{name} answered that inspections would be published every {rng.randint(2, 12)} weeks.",
        f"A second phase would cover {rng.choice(CITIES)} and {rng.choice(CITIES)} from {rng.randint(2022, 2026)}.",
    ]
    body = [
        rng.choice(sentences) if i % 3 == 2 else sentences[i % len(sentences)]
        for i in range(rng.randint(8, 22))
    ]
    paragraphs = [" ".join(body[i : i + 3]) for i in range(0, len(body), 3)]
    return f"{city} expands {topic} (report {serial})\n\n" + "\n\n".join(paragraphs) + "\n"


def _spanish(rng: random.Random, serial: int) -> str:
    city, agency, topic = rng.choice(CITIES), rng.choice(AGENCIAS), rng.choice(TEMAS)
    name, n = rng.choice(NAMES), rng.randint(12, 9_000)
    sentences = [
        f"{city} sumará {n} {topic} antes de fin de año, informó {agency} el martes.",
        f"{name}, responsable del programa, dijo que los primeros {n // 3} llegarán en seis semanas.",
        f"El plan cuesta {rng.randint(2, 900)} millones de pesos y se aprobó en la sesión {serial}.",
        f"Vecinos de {rng.randint(3, 40)} colonias pedían {topic} desde {rng.randint(2009, 2021)}.",
        f"Según {agency}, la demanda creció {rng.randint(5, 80)} por ciento en dos años.",
        f"Regidores preguntaron si {rng.randint(2, 30)} contratistas podrían cumplir a tiempo.",
        f"{name} respondió que las inspecciones se publicarán cada {rng.randint(2, 12)} semanas.",
    ]
    body = [
        rng.choice(sentences) if i % 3 == 2 else sentences[i % len(sentences)]
        for i in range(rng.randint(8, 22))
    ]
    paragraphs = [" ".join(body[i : i + 3]) for i in range(0, len(body), 3)]
    front = f'---\ntitle: "{city}: {topic} ({serial})"\ndate: 2021-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}\n---\n'
    return front + "\n\n".join(paragraphs) + "\n"


def write_article(folder: Path, serial: int, rng: random.Random) -> Path:
    """Write one news-like article (English .txt or Spanish .md with front matter)."""
    if serial % 3 == 2:
        path = folder / f"nota_{serial:03d}.md"
        path.write_text(_spanish(rng, serial), encoding="utf-8")
    else:
        path = folder / f"report_{serial:03d}.txt"
        path.write_text(_english(rng, serial), encoding="utf-8")
    return path


def make_corpus(folder: Path, count: int, rng: random.Random) -> None:
    """`count` articles, numbered from 0."""
    folder.mkdir(parents=True, exist_ok=True)
    for serial in range(count):
        write_article(folder, serial, rng)


def _logged(log: Path, delay: float, what: str, function: Any) -> Any:
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if what == "delete" and not args[1]:
            return function(*args, **kwargs)  # nothing to delete: not a write
        with log.open("a") as handle:
            handle.write(what + "\n")
        time.sleep(delay)
        return function(*args, **kwargs)

    return wrapper


def summary(service: Any) -> dict[str, Any]:
    """What the index holds: chunk ids, chunks per file, BM25 fingerprint, self-retrieval misses."""
    from rag.ingest import bm25

    collection = service.index.collection
    got = collection.get(include=["embeddings", "documents", "metadatas"])
    per_file: dict[str, int] = {}
    for meta in got["metadatas"]:
        per_file[meta["source"]] = per_file.get(meta["source"], 0) + 1
    # Every stored vector must be findable: the nearest neighbour of a chunk's own vector is
    # that chunk (or one with the same text), so Chroma's vector index agrees with its records.
    misses = 0
    vectors = [list(map(float, v)) for v in got["embeddings"]]
    for start in range(0, len(vectors), 200):
        found = collection.query(
            query_embeddings=vectors[start : start + 200], n_results=1, include=["documents"]
        )
        for offset, (ids, docs) in enumerate(zip(found["ids"], found["documents"], strict=True)):
            own = start + offset
            if not ids or (ids[0] != got["ids"][own] and docs[0] != got["documents"][own]):
                misses += 1
    return {
        "ids": sorted(got["ids"]),
        "count": collection.count(),
        "per_file": per_file,
        "bm25_fingerprint": bm25.saved_fingerprint(service.bm25_dir),
        "self_retrieval_misses": misses,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--corpus", type=Path, required=True)
    parser.add_argument("--log", type=Path, help="append one line per index write (then sleep --delay)")
    parser.add_argument("--delay", type=float, default=0.0)
    parser.add_argument("--files-per-batch", type=int, default=8)
    args = parser.parse_args(argv)

    from rag.ingest import bm25
    from rag.ingest import pipeline as ingest
    from rag.ingest.index import ArticleIndex
    from rag.service import RagService
    from rag.settings import Settings
    from tests.fakes import KeywordEmbedding

    ingest.FILES_PER_BATCH = args.files_per_batch
    if args.log:
        ArticleIndex.add = _logged(args.log, args.delay, "add", ArticleIndex.add)  # type: ignore[method-assign]
        ArticleIndex.delete = _logged(args.log, args.delay, "delete", ArticleIndex.delete)  # type: ignore[method-assign]
        ingest.bm25.build_bm25 = _logged(args.log, args.delay, "bm25", bm25.build_bm25)  # type: ignore[attr-defined]
    service = RagService(Settings(data_dir=args.data, corpus_dir=args.corpus), embedder=KeywordEmbedding())
    report = service.ingest()
    if args.log:
        with args.log.open("a") as handle:
            handle.write("done\n")
    print(json.dumps({"report": report.summary(), **summary(service)}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
