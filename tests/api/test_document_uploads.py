"""POST /documents and DELETE /documents/{name}: adding and removing articles over HTTP."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from rag.service import RagService
from rag.settings import Settings
from tests.api.support import cite_appointments
from tests.documents import pdf_pages, scanned_pdf, word_file
from tests.fakes import ScriptedLLM

QUESTION = "How many inspections does Cofepris plan at the Puebla hospitals?"
PAGES = [
    ["Cofepris reviewed the supply of oncology drugs in Puebla."],
    ["Cofepris plans 45 inspections at the Puebla hospitals next year."],
]


def upload(client: TestClient, *files: tuple[str, bytes], **headers: str):  # type: ignore[no-untyped-def]
    return client.post("/documents", files=[("files", (name, data)) for name, data in files], headers=headers)


def test_an_uploaded_pdf_is_answered_from_and_removing_it_takes_it_back(
    client: TestClient, llm: ScriptedLLM, settings: Settings
) -> None:
    llm.enqueue(lambda prompt: "NONE", lambda prompt: "NONE")
    assert client.post("/ask", json={"question": QUESTION}).json()["refused"] is True

    response = upload(client, ("puebla inspections.pdf", pdf_pages("Puebla inspections", PAGES)))
    assert response.status_code == 200
    assert response.json()["files"] == [
        {
            "name": "puebla inspections.pdf",
            "stored_as": "puebla inspections.pdf",
            "status": "added",
            "reason": None,
        }
    ]
    assert (settings.corpus_dir / "puebla inspections.pdf").read_bytes().startswith(b"%PDF-")
    llm.enqueue(lambda prompt: "45 inspections" if "45" in prompt else "NONE")
    answer = client.post("/ask", json={"question": QUESTION}).json()
    assert answer["answer"] == "45 inspections"
    assert [(c["source"], c["page"]) for c in answer["citations"]] == [("puebla inspections.pdf", 2)]

    again = upload(client, ("puebla inspections.pdf", pdf_pages("Puebla inspections", PAGES)))
    assert again.json()["files"][0]["status"] == "unchanged"
    changed = upload(client, ("puebla inspections.pdf", pdf_pages("Puebla inspections", PAGES[:1])))
    assert changed.json()["files"][0]["status"] == "updated"

    removed = client.delete("/documents/puebla inspections.pdf")
    assert removed.status_code == 200 and removed.json()["removed"] == ["puebla inspections.pdf"]
    assert "puebla inspections.pdf" not in {d["name"] for d in client.get("/documents").json()}
    assert not (settings.corpus_dir / "puebla inspections.pdf").exists()


def test_several_files_at_once_each_with_its_result(client: TestClient) -> None:
    response = upload(
        client,
        ("council.docx", word_file("Council", ["The Technical Council met on Wednesday."])),
        ("scan.pdf", scanned_pdf()),
        ("notes.txt", b"Cofepris opened two windows at the IMSS."),
    )
    assert [(f["name"], f["status"], f["reason"]) for f in response.json()["files"]] == [
        ("council.docx", "added", None),
        ("scan.pdf", "skipped", "scan.pdf: no text layer (scanned PDF?)"),
        ("notes.txt", "added", None),
    ]


@pytest.mark.parametrize(
    ("name", "stored"),
    [
        ("../../outside.txt", "outside.txt"),
        ("..\\..\\windows.txt", "windows.txt"),
        ("CON.txt", "_CON.txt"),
        (".hidden.md", "hidden.md"),
    ],
)
def test_names_are_sanitised_and_stay_in_the_corpus_folder(
    client: TestClient, settings: Settings, name: str, stored: str
) -> None:
    response = upload(client, (name, b"Cofepris opened two windows at the IMSS headquarters."))
    assert response.status_code == 200
    assert response.json()["files"][0]["stored_as"] == stored
    assert (settings.corpus_dir / stored).is_file()
    assert not (settings.corpus_dir.parent / "outside.txt").exists()


@pytest.mark.parametrize(
    ("files", "status", "message"),
    [
        ([("virus.pdf", b"MZ\x90\x00" + bytes(100))], 415, "virus.pdf: not a PDF"),
        ([("photo.jpg", b"\xff\xd8\xff\xe0")], 415, "not a supported file type"),
        ([("page.html", b"\x89PNG\r\n\x1a\n" + bytes(64))], 415, "not an HTML page"),
        ([("noextension", b"text")], 422, "needs a name and an extension"),
        ([("big.txt", b"x" * 6_000)], 413, "big.txt: 6000 bytes, over the 5000 limit"),
        # One bad file stops the whole upload before anything is stored.
        ([("fine.txt", b"Cofepris opened two windows."), ("virus.pdf", b"MZ")], 415, "virus.pdf"),
    ],
)
def test_bad_uploads_are_refused_and_store_nothing(
    small_limit_client: TestClient, settings: Settings, files: list, status: int, message: str
) -> None:
    before = sorted(p.name for p in settings.corpus_dir.iterdir())
    response = upload(small_limit_client, *files)
    assert response.status_code == status
    assert message in response.json()["error"]
    assert sorted(p.name for p in settings.corpus_dir.iterdir()) == before


def test_a_request_over_the_upload_limit_gets_413_before_parsing(small_limit_client: TestClient) -> None:
    response = upload(small_limit_client, ("a.txt", b"x" * 20_000))
    assert response.status_code == 413 and "larger than 10240 bytes" in response.json()["error"]


def test_no_files_is_a_422(client: TestClient) -> None:
    response = client.post("/documents", data={"other": "x"})
    assert response.status_code == 422 and "files" in response.json()["error"]


def test_removing_what_is_not_there_is_a_404(client: TestClient) -> None:
    for name in ("missing.txt", ".hidden", "..%2Fseeds"):
        response = client.delete(f"/documents/{name}")
        assert response.status_code == 404, name


def test_a_failed_index_puts_the_folder_back(
    service: RagService, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    original = (settings.corpus_dir / "000_3aed9b3397ca7b37.txt").read_bytes()

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("the embedder crashed")

    with TestClient(create_app(settings, service=service), raise_server_exceptions=False) as client:
        monkeypatch.setattr(service, "ingest", broken)
        response = upload(client, ("000_3aed9b3397ca7b37.txt", b"Replaced text."), ("new.txt", b"New text."))
    assert response.status_code == 500
    assert (settings.corpus_dir / "000_3aed9b3397ca7b37.txt").read_bytes() == original
    assert not (settings.corpus_dir / "new.txt").exists()
    assert not [p for p in settings.corpus_dir.iterdir() if p.name.startswith(".upload-")]


def test_changing_the_corpus_can_be_turned_off(settings: Settings, service: RagService) -> None:
    locked = Settings.model_validate(settings.model_dump() | {"server": {"allow_ingest": False}})
    with TestClient(create_app(locked, service=service)) as client:
        assert upload(client, ("a.txt", b"Some text.")).status_code == 403
        assert client.delete("/documents/000_3aed9b3397ca7b37.txt").status_code == 403
    assert (settings.corpus_dir / "000_3aed9b3397ca7b37.txt").exists()


@pytest.fixture
def small_limit_client(settings: Settings, service: RagService) -> Iterator[TestClient]:
    limited = Settings.model_validate(
        settings.model_dump()
        | {"chunking": {"max_file_bytes": 5_000}, "server": {"max_upload_bytes": 10_240}}
    )
    with TestClient(
        create_app(limited, service=RagService(limited, embedder=service.embedder, llm=service._llm))
    ) as client:
        yield client


def test_uploads_need_the_key_when_one_is_set(
    settings: Settings, service: RagService, llm: ScriptedLLM
) -> None:
    keyed = Settings.model_validate(settings.model_dump() | {"api_key": "k3y"})
    llm.enqueue(cite_appointments)
    with TestClient(create_app(keyed, service=service)) as client:
        assert upload(client, ("a.txt", b"Some text.")).status_code == 401
        assert client.delete("/documents/000_3aed9b3397ca7b37.txt").status_code == 401
        ok = upload(client, ("a.txt", b"Cofepris opened windows."), Authorization="Bearer k3y")
        assert ok.status_code == 200


def test_a_second_ingest_while_one_runs_gets_409_and_changes_nothing(
    client: TestClient, settings: Settings
) -> None:
    from rag.ingest.pipeline import ingest_lock

    with ingest_lock(settings.data_dir):  # as another replica's ingest would
        for response in (
            client.post("/ingest"),
            upload(client, ("new.txt", b"Cofepris opened two windows.")),
            client.delete("/documents/000_3aed9b3397ca7b37.txt"),
        ):
            assert response.status_code == 409
            assert "another ingest is running" in response.json()["error"]
    assert not (settings.corpus_dir / "new.txt").exists()
    assert (settings.corpus_dir / "000_3aed9b3397ca7b37.txt").exists()
    assert client.post("/ingest").status_code == 200  # free again


def test_a_replaced_file_of_the_same_length_shows_its_new_title(client: TestClient) -> None:
    def titles() -> dict[str, str]:
        return {d["name"]: d["title"] for d in client.get("/documents").json()}

    upload(client, ("a.md", b"---\ntitle: First title\n---\nCofepris opened two windows at the IMSS.\n"))
    assert titles()["a.md"] == "First title"
    upload(client, ("a.md", b"---\ntitle: Other title\n---\nCofepris opened two windows at the IMSS.\n"))
    assert titles()["a.md"] == "Other title"  # same chunk count: the list must still be read again
