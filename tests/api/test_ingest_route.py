from fastapi.testclient import TestClient

from api.app import create_app
from rag.service import RagService
from rag.settings import Settings

ARTICLE = "---\ntitle: Lluvias en Sinaloa\n---\nLas lluvias dejaron 300 milímetros en Culiacán el martes.\n"


def test_ingest_picks_up_added_changed_and_removed_files(client: TestClient, settings: Settings) -> None:
    (settings.corpus_dir / "rain.md").write_text(ARTICLE)
    (settings.corpus_dir / "004_545f95529ab4eb61.txt").unlink()
    (settings.corpus_dir / "blob.txt").write_bytes(b"\x00\x01\x02binary")
    report = client.post("/ingest").json()
    assert report["added"] == ["rain.md"] and report["removed"] == ["004_545f95529ab4eb61.txt"]
    assert [s["name"] for s in report["skipped"]] == ["blob.txt"]
    assert len(report["unchanged"]) == 4 and report["chunks_written"] >= 1
    names = [d["name"] for d in client.get("/documents").json()]
    assert "rain.md" in names and "004_545f95529ab4eb61.txt" not in names


def test_rebuild_and_bad_bodies(client: TestClient) -> None:
    assert client.post("/ingest", json={"rebuild": True}).json()["added"]
    response = client.post("/ingest", json={"rebuild": "yes please"})
    assert response.status_code == 422 and "rebuild" in response.json()["error"]
    assert client.post("/ingest", json={"force": True}).status_code == 422


def test_ingest_can_be_disabled(settings: Settings, service: RagService) -> None:
    settings = settings.model_copy(
        update={"server": settings.server.model_copy(update={"allow_ingest": False})}
    )
    with TestClient(create_app(settings, service=service)) as client:
        response = client.post("/ingest")
    assert response.status_code == 403 and "disabled" in response.json()["error"]
