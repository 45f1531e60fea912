import pytest

from rag.errors import DocumentNameError
from rag.ingest.names import MAX_NAME_CHARS, safe_name


@pytest.mark.parametrize(
    ("name", "safe"),
    [
        ("news.pdf", "news.pdf"),
        ("../../etc/passwd.txt", "passwd.txt"),
        ("a/b\\c.HTML", "c.html"),
        (".hidden.txt", "hidden.txt"),
        ("CON.txt", "_CON.txt"),
        ("lpt1.pdf", "_lpt1.pdf"),
        ("hola\x00mun\tdo\n.docx", "holamundo.docx"),
        ("Año nuevo: notas?.md", "Año nuevo_ notas.md"),
    ],
)
def test_a_name_is_made_safe(name: str, safe: str) -> None:
    assert safe_name(name) == safe


def test_a_long_name_keeps_its_extension() -> None:
    name = safe_name("x" * 300 + ".pdf")
    assert len(name) == MAX_NAME_CHARS and name.endswith(".pdf")


@pytest.mark.parametrize("name", ["noext", ".pdf", "  .. .txt", "", "/", "???"])
def test_a_name_with_nothing_usable_is_refused(name: str) -> None:
    with pytest.raises(DocumentNameError, match="not a usable file name"):
        safe_name(name)
