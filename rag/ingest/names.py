"""Safe names for files added to the corpus folder."""

from __future__ import annotations

import re
import unicodedata

from rag.errors import DocumentNameError

MAX_NAME_CHARS = 120
_UNSAFE = re.compile(r"[^\w.\- ]+")
_RESERVED = re.compile(r"^(con|prn|aux|nul|com[1-9]|lpt[1-9])(\..*)?$", re.IGNORECASE)


def safe_name(name: str) -> str:
    """A name that stays inside the corpus folder on every system: the last path component, no
    control or special characters, no leading dot, not a reserved device name, at most
    MAX_NAME_CHARS characters with the extension kept. DocumentNameError when nothing usable is left.
    """
    base = re.split(r"[/\\]", unicodedata.normalize("NFC", name))[-1]
    base = "".join(c for c in base if unicodedata.category(c)[0] != "C")
    base = _UNSAFE.sub("_", base).strip(" .")
    stem, dot, suffix = base.rpartition(".")
    if not dot:
        stem, suffix = base, ""
    stem = re.sub(r"_+", "_", stem).strip(" _.") or ""
    if not stem or not suffix:
        raise DocumentNameError(f"{name!r} is not a usable file name (it needs a name and an extension)")
    if _RESERVED.match(stem):
        stem = f"_{stem}"
    suffix = suffix.lower()
    return f"{stem[: MAX_NAME_CHARS - len(suffix) - 1]}.{suffix}"
