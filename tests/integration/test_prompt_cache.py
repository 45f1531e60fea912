"""The reader's kept prompt prefixes on the real default model: a passage read for one question is
not evaluated again for the next, and what the model writes does not depend on what it read before."""

from __future__ import annotations

import pytest
from llama_index.core.llms import ChatMessage

from rag.answer import prompts
from rag.answer.reader import LlamaCppReader, prefix_states
from rag.service import RagService

pytestmark = pytest.mark.slow

PASSAGE = (
    "For his part, Alejandro Svarch Pérez, head of Cofepris, highlighted the importance of the windows, "
    "dedicated to the public sector, since the IMSS is the user with the most appointments in the "
    "regulatory agency, requiring at least 170 appointments every two months."
)


def _messages(question: str, passage: str = PASSAGE) -> list[ChatMessage]:
    user = prompts.READ_ONE.format(passage=passage, question=question, hint="Answer in a few words.")
    return [ChatMessage(role="system", content=prompts.READER_SYSTEM), ChatMessage(role="user", content=user)]


@pytest.fixture
def cached(real_service: RagService) -> LlamaCppReader:
    reader = real_service.assistant().reader
    assert isinstance(reader, LlamaCppReader)
    return LlamaCppReader(reader.llama, reader.render, reader.max_new_tokens, prefix_states(64 * 2**20))


OTHER = "The IMSS and Cofepris signed a collaboration agreement to install two windows."


def test_a_passage_read_again_comes_from_the_kept_state_with_the_same_reply(cached: LlamaCppReader) -> None:
    first = cached.read(_messages("Who is the head of Cofepris?"), keep=PASSAGE)
    cached.read(_messages("What did the IMSS and Cofepris sign?", OTHER), keep=OTHER)  # the context moves on
    hits = cached.states.hits
    second = cached.read(_messages("How many appointments does the IMSS require?"), keep=PASSAGE)
    assert cached.states.hits == hits + 1  # the passage's state, kept by the first reading
    assert "Svarch" in first.text and "170" in second.text

    uncached = LlamaCppReader(cached.llama, cached.render, cached.max_new_tokens)
    again = uncached.read(_messages("How many appointments does the IMSS require?"), keep=PASSAGE)
    assert (again.text, again.p_none) == (second.text, second.p_none)


def test_a_reply_does_not_depend_on_the_prompt_read_before(cached: LlamaCppReader) -> None:
    question = _messages("How many appointments does the IMSS require?")
    cached.llama.reset()
    alone = cached.read(question, keep=PASSAGE)
    cached.read(_messages("What did the IMSS and Cofepris sign?", OTHER), keep=OTHER)
    after = cached.read(question, keep=PASSAGE)
    assert (after.text, after.p_none) == (alone.text, alone.p_none)
    hits = cached.states.hits
    again = cached.read(question, keep=PASSAGE)  # the context still holds the passage: nothing restored
    assert cached.states.hits == hits
    assert (again.text, again.p_none) == (alone.text, alone.p_none)
