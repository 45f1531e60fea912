from llama_index.core.llms import ChatMessage

from rag.answer.reader import ChatReader, make_reader, prefix_states
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


def test_prefix_states_keep_the_most_recently_used_within_the_budget() -> None:
    states = prefix_states(10)
    states.put((1, 2), b"abcd")
    states.put((1, 3), b"efgh")
    assert states.find((1, 2)) == b"abcd"  # now the most recently used
    states.put((1, 4), b"ijkl")  # 12 bytes: the least recently used, (1, 3), goes
    assert states.find((1, 3)) is None
    assert states.find((1, 2)) == b"abcd" and states.find((1, 4)) == b"ijkl"
    assert (states.hits, states.misses) == (3, 1)


def test_prefix_states_refuse_a_state_larger_than_the_budget() -> None:
    states = prefix_states(3)
    states.put((1,), b"abcd")
    assert states.find((1,)) is None
    off = prefix_states(0)  # RAG_LLM__PROMPT_CACHE_MB=0 keeps nothing
    off.put((1,), b"a")
    assert off.find((1,)) is None
