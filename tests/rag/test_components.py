from pathlib import Path

import pytest

from rag.components import embedder_id, make_embedder
from rag.service import CorpusFiles
from rag.settings import EmbeddingSettings


@pytest.mark.slow
def test_a_packaged_sentence_transformer_is_recorded_by_its_name_not_its_folder() -> None:
    embedder = make_embedder(EmbeddingSettings(backend="sentence-transformers"))
    assert Path(embedder.model_name).is_absolute()  # loaded from inside site-packages, offline
    assert embedder_id(embedder) == "all-MiniLM-L6-v2"


def test_corpus_files_read_only_what_ingest_could_read(corpus: Path) -> None:
    files = CorpusFiles(corpus)
    (corpus / "binary.txt").write_bytes(b"text\x00more")
    assert files("000_3aed9b3397ca7b37.txt").startswith(" date 2021-12-23")  # type: ignore[union-attr]
    assert files("binary.txt") is None
    assert files("../corpus/000_3aed9b3397ca7b37.txt") is None
    assert files(str(corpus / "000_3aed9b3397ca7b37.txt")) is None
    assert files("missing.txt") is None
