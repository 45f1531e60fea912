"""Prompt-lookup drafting on the real default model: an answer copied from the passage is written
several tokens per model step, with the text the model writes one token at a time."""

from __future__ import annotations

import pytest

from rag.answer.reader import LlamaCppReader
from rag.service import RagService
from tests.integration.test_prompt_cache import PASSAGE, _messages

pytestmark = pytest.mark.slow


@pytest.fixture
def readers(real_service: RagService) -> tuple[LlamaCppReader, LlamaCppReader]:
    reader = real_service.assistant().reader
    assert isinstance(reader, LlamaCppReader)
    plain = LlamaCppReader(reader.llama, reader.render, reader.max_new_tokens)
    drafting = LlamaCppReader(reader.llama, reader.render, reader.max_new_tokens, draft_tokens=3)
    return plain, drafting


def test_a_copied_name_is_written_from_verified_drafts(
    readers: tuple[LlamaCppReader, LlamaCppReader],
) -> None:
    plain, drafting = readers
    question = _messages("Who is the head of Cofepris?")
    one_by_one = plain.read(question, keep=PASSAGE)
    pieces: list[str] = []
    drafted = drafting.read(question, on_text=pieces.append, keep=PASSAGE)
    assert "Svarch" in drafted.text
    assert (drafted.text, drafted.completion_tokens) == (one_by_one.text, one_by_one.completion_tokens)
    assert "".join(pieces).strip() == drafted.text  # streamed as written
    assert 0 < drafting.accepted <= drafting.drafted  # some tokens came from verified guesses


def test_rejected_guesses_leave_nothing_behind(readers: tuple[LlamaCppReader, LlamaCppReader]) -> None:
    plain, drafting = readers
    drafting.read(_messages("What did the head of Cofepris highlight?"), keep=PASSAGE)
    assert drafting.accepted < drafting.drafted  # some guesses were wrong and their tokens dropped
    question = _messages("How many appointments does the IMSS require?")
    after = drafting.read(question, keep=PASSAGE)
    plain.llama.reset()
    fresh = plain.read(question, keep=PASSAGE)
    assert (after.text, after.p_none) == (fresh.text, fresh.p_none)
    assert "170" in after.text
