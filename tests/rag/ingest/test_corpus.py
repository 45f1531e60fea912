from pathlib import Path

import pytest

from rag.errors import CorpusError
from rag.ingest.corpus import build_article, parse_front_matter, read_corpus
from rag.language import make_language_detector

detect = make_language_detector(["en", "es"])


def test_front_matter_is_metadata_and_offsets_stay_file_offsets(corpus: Path) -> None:
    articles, skipped = read_corpus(corpus, detect, 2_000_000)
    by_name = {a.name: a for a in articles}
    assert skipped == []
    assert len(articles) == 5
    es = by_name["001_1f89d300ecf0cc92.txt"]
    assert es.title.startswith("Instalan ventanillas de atención de Cofepris")
    assert es.date == "2021-12-22T20:08:00-06:00"
    assert es.tags == ("IMSS",)
    assert es.extra["news_id"] == "191120"
    assert es.text[es.body_start :].startswith("El Instituto Mexicano del Seguro Social")
    assert es.language == "es"
    assert by_name["000_3aed9b3397ca7b37.txt"].language == "en"
    assert (
        by_name["002_dc32ab27597cd9fc.txt"].title
        == "IMSS Technical Council no longer asks to buy medicines from UNOPS"
    )


def test_text_without_front_matter_starts_at_zero() -> None:
    assert parse_front_matter("Plain article.\n") == ({}, 0)
    assert parse_front_matter("---\nnot: [closed\n---\nbody") == ({}, 0)


def test_bad_files_are_skipped_with_a_reason_and_the_rest_ingested(corpus: Path) -> None:
    (corpus / "binary.txt").write_bytes(b"\x00\x01\x02 binary")
    (corpus / "latin1.txt").write_bytes("año de señales".encode("latin-1"))
    (corpus / "empty.txt").write_text("   \n")
    (corpus / "big.txt").write_text("x" * 7000)
    (corpus / "image.png").write_bytes(b"\x89PNG")
    articles, skipped = read_corpus(corpus, detect, max_file_bytes=6000)
    reasons = {s.name: s.reason for s in skipped}
    assert len(articles) == 5
    assert "NUL" in reasons["binary.txt"]
    assert "UTF-8" in reasons["latin1.txt"]
    assert "no text" in reasons["empty.txt"]
    assert "limit" in reasons["big.txt"]
    assert "image.png" in reasons


def test_missing_or_empty_corpus_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(CorpusError, match="does not exist"):
        read_corpus(tmp_path / "nope", detect, 1000)
    (tmp_path / "empty").mkdir()
    with pytest.raises(CorpusError, match="no readable article"):
        read_corpus(tmp_path / "empty", detect, 1000)


def test_content_hash_changes_with_the_text() -> None:
    a = build_article("a.txt", "Hello world.", detect)
    b = build_article("a.txt", "Hello world!", detect)
    assert a.sha256 != b.sha256


@pytest.mark.parametrize(
    ("front", "tags"),
    [("tags: IMSS", ("IMSS",)), ("tags: 2021", ("2021",)), ("tags: [IMSS, 2021]", ("IMSS", "2021"))],
)
def test_a_single_tag_may_be_written_bare(front: str, tags: tuple[str, ...]) -> None:
    article = build_article(
        "a.md", f"---\n{front}\n---\nThe IMSS signed an agreement with Cofepris.\n", detect
    )
    assert article.tags == tags
