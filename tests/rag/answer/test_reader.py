from llama_index.core.llms import ChatMessage

from rag.answer.reader import ChatReader, make_reader
from tests.fakes import ScriptedLLM

MESSAGES = [ChatMessage(role="user", content="Sentence: x\n\nQuestion: y")]


def test_a_chat_reader_reads_no_answer_from_the_reply() -> None:
    llm = ScriptedLLM(["At least 170", "NONE"])
    reader = ChatReader(llm)
    pieces: list[str] = []
    first = reader.read(MESSAGES, on_text=pieces.append)
    assert (first.text, first.p_none) == ("At least 170", 0.0)
    assert "".join(pieces) == "At least 170"
    assert first.prompt_tokens is None and first.completion_tokens is None  # the backend does not say
    assert reader.read(MESSAGES).p_none == 1.0


def test_models_other_than_llama_cpp_get_a_chat_reader() -> None:
    assert isinstance(make_reader(ScriptedLLM()), ChatReader)
