from rag.sentences import split_sentences

TEXT = "Headline without a stop\n\nFirst sentence here. Second one, with Dr. Smith? Yes.\n· Bullet line"


def test_spans_are_exact_slices_of_the_text() -> None:
    spans = split_sentences(TEXT)
    assert [s.text for s in spans] == [
        "Headline without a stop",
        "First sentence here.",
        "Second one, with Dr. Smith?",
        "Yes.",
        "· Bullet line",
    ]
    for span in spans:
        assert TEXT[span.start : span.end] == span.text


def test_a_window_keeps_offsets_relative_to_the_whole_text() -> None:
    start = TEXT.index("First")
    spans = split_sentences(TEXT, start, TEXT.index("Yes."), language="es")
    assert spans[0].start == start
    assert [s.text for s in spans] == ["First sentence here.", "Second one, with Dr. Smith?"]
