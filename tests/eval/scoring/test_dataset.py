import json
from pathlib import Path
from typing import Any

import pytest

from eval.scoring.dataset import QAItem, load_qa, select_split, slices, split_of
from eval.scoring.metrics import accept_match

ROOT = Path(__file__).resolve().parents[3]
QA_FILE = ROOT / "eval" / "qa.jsonl"


def _item(**overrides: Any) -> dict[str, Any]:
    record = {
        "id": "en-01",
        "question": "How many appointments?",
        "answer": "170 appointments.",
        "accept": [r"\b170\b"],
        "sources": ["000_a.txt"],
        "answerable": True,
        "lang": "en",
        "kind": "number",
    }
    record.update(overrides)
    return record


def _write(tmp_path: Path, *lines: str) -> Path:
    path = tmp_path / "qa.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _records(tmp_path: Path, *records: dict[str, Any]) -> Path:
    return _write(tmp_path, *(json.dumps(r) for r in records))


def test_loads_items_with_defaults_and_skips_blank_lines(tmp_path: Path) -> None:
    minimal = _item(id="en-02")
    del minimal["answerable"]
    path = _write(tmp_path, json.dumps(_item(need="any")), "", "   ", json.dumps(minimal))

    items = load_qa(path)

    assert [i.id for i in items] == ["en-01", "en-02"]
    assert items[0] == QAItem(
        id="en-01",
        question="How many appointments?",
        answer="170 appointments.",
        accept=(r"\b170\b",),
        sources=("000_a.txt",),
        lang="en",
        kind="number",
        answerable=True,
        need="any",
    )
    assert items[1].answerable is True
    assert items[1].need == "all"


def test_items_are_frozen(tmp_path: Path) -> None:
    item = load_qa(_records(tmp_path, _item()))[0]
    with pytest.raises(AttributeError):
        item.question = "changed"  # type: ignore[misc]


def test_unanswerable_item_without_sources_loads(tmp_path: Path) -> None:
    items = load_qa(_records(tmp_path, _item(answerable=False, accept=[], sources=[], kind="offtopic")))
    assert items[0].answerable is False
    assert items[0].sources == ()


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ('{"id": "en-01", "question": ', "invalid JSON"),
        ('["not", "an", "object"]', "expected a JSON object"),
        (
            json.dumps({k: v for k, v in _item().items() if k != "question"}),
            "missing required field 'question'",
        ),
        (json.dumps({k: v for k, v in _item().items() if k != "lang"}), "missing required field 'lang'"),
        (json.dumps(_item(id=7)), "field 'id' must be str, got int"),
        (json.dumps(_item(accept=r"\b170\b")), "field 'accept' must be list, got str"),
        (json.dumps(_item(sources=[1])), "field 'sources' must hold strings"),
        (json.dumps(_item(answerable="yes")), "field 'answerable' must be bool, got str"),
        (json.dumps(_item(answerable=1)), "field 'answerable' must be bool, got int"),
        (json.dumps(_item(need="some")), "field 'need' must be one of"),
        (json.dumps(_item(question="  ")), "field 'question' is empty"),
        (json.dumps(_item(souces=["x"])), "unknown field(s): souces"),
        (json.dumps(_item(accept=["(170"])), "accept pattern '(170' does not compile"),
        (json.dumps(_item(accept=[])), "answerable item has no accept patterns"),
        (json.dumps(_item(sources=[])), "answerable item has no sources"),
        (json.dumps(_item(answerable=False, accept=[])), "unanswerable item lists sources"),
    ],
)
def test_bad_lines_name_file_line_and_problem(tmp_path: Path, line: str, message: str) -> None:
    path = _write(tmp_path, json.dumps(_item(id="ok-1")), "", line)

    with pytest.raises(ValueError) as raised:
        load_qa(path)

    text = str(raised.value)
    assert text.startswith(f"{path}:3: ")
    assert "qa.jsonl" in text
    assert message in text


def test_duplicate_id_names_both_lines(tmp_path: Path) -> None:
    path = _records(tmp_path, _item(), _item(id="en-02"), _item())

    with pytest.raises(ValueError, match=r"qa\.jsonl:3: duplicate id 'en-01' \(first on line 1\)"):
        load_qa(path)


def test_slices_for_answerable_same_language_item() -> None:
    item = QAItem("en-01", "q", "a", ("x",), ("000_a.txt",), "en", "number")

    assert slices(item, {"000_a.txt": "en"}) == ["all", "lang:en", "kind:number", "answerable"]


def test_slices_mark_crosslingual_when_no_source_has_the_question_language() -> None:
    item = QAItem("es-01", "q", "a", ("x",), ("000_a.txt", "001_b.txt"), "es", "fact")

    assert slices(item, {"000_a.txt": "en", "001_b.txt": "en"}) == [
        "all",
        "lang:es",
        "kind:fact",
        "crosslingual",
        "answerable",
    ]
    # One source in the question's language is enough to make it monolingual.
    assert "crosslingual" not in slices(item, {"000_a.txt": "en", "001_b.txt": "es"})
    # A source of unknown language never makes an item cross-lingual.
    assert "crosslingual" not in slices(item, {"000_a.txt": "en"})


def test_unanswerable_items_are_never_crosslingual() -> None:
    item = QAItem("un-01", "q", "a", (), (), "en", "offtopic", answerable=False)

    assert slices(item, {"000_a.txt": "es"}) == ["all", "lang:en", "kind:offtopic", "unanswerable"]


def test_project_qa_file_loads() -> None:
    items = load_qa(QA_FILE)

    assert len(items) >= 60
    assert sum(not item.answerable for item in items) >= 12
    assert {item.lang for item in items} >= {"en", "es"}
    assert all(item.sources for item in items if item.answerable)


def test_project_qa_file_is_consistent_with_the_seeds() -> None:
    seeds = {path.name for path in (ROOT / "seeds").iterdir()}
    for item in load_qa(QA_FILE):
        assert set(item.sources) <= seeds, item.id
        if item.answerable:
            assert accept_match(item.answer, item.accept), f"{item.id}: reference fails its own patterns"


def test_the_halves_alternate_within_each_group_and_keep_every_kind() -> None:
    items = load_qa(ROOT / "eval/qa.jsonl")
    halves = split_of(items)
    tune, test = select_split(items, "tune"), select_split(items, "test")
    assert len(tune) + len(test) == len(items) and len(tune) >= 60 and len(test) >= 60
    assert {i.id for i in tune}.isdisjoint(i.id for i in test)
    for kind in ("en", "es", "xen", "xes", "multi", "un"):
        assert any(i.id.startswith(kind + "-") for i in tune) and any(
            i.id.startswith(kind + "-") for i in test
        )
    assert halves["en-01"] == "tune" and halves["en-02"] == "test" and halves["en-03"] == "tune"
    assert select_split(items, "all") == items


def test_appending_an_item_moves_no_earlier_one() -> None:
    items = load_qa(ROOT / "eval/qa.jsonl")
    extra = QAItem("en-99", "q?", "a", ("a",), ("x.txt",), "en", "fact")
    before, after = split_of(items), split_of([*items, extra])
    assert all(after[i] == half for i, half in before.items())


def test_an_unknown_half_is_an_error() -> None:
    with pytest.raises(ValueError, match="split must be one of"):
        select_split([], "train")
