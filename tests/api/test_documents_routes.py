import pytest
from fastapi.testclient import TestClient

from rag.settings import Settings


def test_documents_lists_every_indexed_file(client: TestClient) -> None:
    documents = client.get("/documents").json()
    assert [d["name"] for d in documents] == sorted(d["name"] for d in documents)
    assert len(documents) == 5
    spanish = next(d for d in documents if d["name"] == "001_1f89d300ecf0cc92.txt")
    assert spanish["language"] == "es" and spanish["title"].startswith("Instalan ventanillas")
    assert spanish["date"].startswith("2021-12-22") and spanish["chunks"] > 0


def test_a_document_comes_back_with_the_text_citations_index_into(
    client: TestClient, settings: Settings
) -> None:
    body = client.get("/documents/000_3aed9b3397ca7b37.txt").json()
    assert body["text"] == (settings.corpus_dir / "000_3aed9b3397ca7b37.txt").read_text()
    assert body["language"] == "en"


@pytest.mark.parametrize(
    "path",
    [
        "/documents/nope.txt",
        "/documents/..%2F..%2F..%2Fetc%2Fpasswd",
        "/documents/%2Fetc%2Fpasswd",
        "/documents/%2E%2E",
        "/documents/.hidden",
        "/documents/../pyproject.toml",
    ],
)
def test_unknown_names_and_paths_outside_the_corpus_are_404(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 404
    assert "error" in response.json()


def test_a_file_in_the_folder_but_not_indexed_is_404(client: TestClient, settings: Settings) -> None:
    (settings.corpus_dir / "new.txt").write_text("Not ingested yet.")
    assert client.get("/documents/new.txt").status_code == 404
