"""Adding and removing article files: checked before anything is stored, stored atomically,
indexed incrementally, and put back as they were when indexing fails."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field

from rag.errors import CorpusError, DocumentNotFoundError, FileTooLargeError, FileTypeError
from rag.ingest.names import safe_name
from rag.ingest.pipeline import IngestReport
from rag.ingest.readers import read_document


class AddedFile(BaseModel):
    """What became of one uploaded file."""

    name: str = Field(description="The file name as uploaded.")
    stored_as: str | None = Field(description="Its name in the corpus (sanitised); null when not stored.")
    status: Literal["added", "updated", "unchanged", "skipped"] = Field(
        description="added: new; updated: replaced a file of that name; unchanged: the same content was "
        "already indexed; skipped: not stored (see reason)."
    )
    reason: str | None = Field(None, description="Why a file was skipped.")


class AddReport(BaseModel):
    """The result of `POST /documents`."""

    files: list[AddedFile]
    chunks_total: int = Field(ge=0, description="Chunks in the index afterwards.")


def add_files(
    corpus_dir: Path,
    uploads: Sequence[tuple[str, bytes]],
    max_file_bytes: int,
    ingest: Callable[[], IngestReport],
) -> AddReport:
    """Store `uploads` (name, bytes) in `corpus_dir` and index them.

    Every file is checked first: a name that cannot be made safe, a file over `max_file_bytes`
    or a type the service does not read (or an extension that lies) raises before anything is
    stored. A file that is the right type but has no text (a scan, an encrypted PDF) is skipped
    with the reason. When indexing fails, the folder is put back as it was and the error raised.
    """
    checked: list[tuple[str, str, bytes]] = []
    results: dict[str, AddedFile] = {}
    for original, data in uploads:
        name = safe_name(original)
        if len(data) > max_file_bytes:
            raise FileTooLargeError(f"{original}: {len(data)} bytes, over the {max_file_bytes} limit")
        try:
            read_document(name, data)
        except FileTypeError:
            raise
        except CorpusError as exc:
            results[original] = AddedFile(name=original, stored_as=None, status="skipped", reason=str(exc))
            continue
        checked.append((original, name, data))
    corpus_dir.mkdir(parents=True, exist_ok=True)
    previous = {name: _read(corpus_dir / name) for _, name, _ in checked}
    try:
        for _, name, data in checked:
            _write_atomically(corpus_dir / name, data)
        report = ingest() if checked else None
    except BaseException:
        for name, old in previous.items():
            if old is None:
                (corpus_dir / name).unlink(missing_ok=True)
            else:
                _write_atomically(corpus_dir / name, old)
        raise
    for original, name, _ in checked:
        results[original] = AddedFile(name=original, stored_as=name, status=_status(name, report))
    return AddReport(
        files=[results[original] for original, _ in uploads if original in results],
        chunks_total=report.chunks_total if report is not None else 0,
    )


def remove_file(corpus_dir: Path, name: str, ingest: Callable[[], IngestReport]) -> IngestReport:
    """Delete a corpus file and its chunks; DocumentNotFoundError when there is no such file.
    When indexing fails (another ingest is running), the file is put back."""
    path = corpus_dir / name
    if not name or name != Path(name).name or name.startswith(".") or not path.is_file():
        raise DocumentNotFoundError(f"no corpus file named {name!r}")
    kept = path.read_bytes()
    path.unlink()
    try:
        return ingest()
    except BaseException:
        _write_atomically(path, kept)
        raise


def _status(name: str, report: IngestReport | None) -> Literal["added", "updated", "unchanged", "skipped"]:
    if report is None:
        return "skipped"
    if name in report.added:
        return "added"
    if name in report.updated:
        return "updated"
    return "unchanged"


def _read(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None


def _write_atomically(path: Path, data: bytes) -> None:
    """Readers never see half a file: write a hidden temporary file, then rename it."""
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".upload-")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
