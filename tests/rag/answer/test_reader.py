from llama_index.core.llms import ChatMessage

from rag.answer.reader import ChatReader, make_reader, prefix_states, prompt_lookup
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


def test_prompt_lookup_guesses_what_followed_the_last_two_tokens() -> None:
    tokens = [9, 1, 2, 3, 4, 5, 8, 1, 2]
    assert prompt_lookup(tokens, since=0, size=3) == [3, 4, 5]
    assert prompt_lookup(tokens, since=0, size=1) == [3]
    assert prompt_lookup(tokens, since=0, size=10) == [3, 4, 5, 8, 1, 2]  # up to the end, no further


def test_prompt_lookup_falls_back_to_the_last_token_and_skips_the_opening() -> None:
    tokens = [7, 4, 1, 6, 6, 1, 5, 3, 4]  # (3, 4) never occurred before; 4 did, after 7
    assert prompt_lookup(tokens, since=0, size=2) == [1, 6]
    assert prompt_lookup(tokens, since=2, size=2) == []  # 4 occurs before `since` only
    assert prompt_lookup([1, 2, 1, 2], since=0, size=0) == []
    assert prompt_lookup([5], since=0, size=3) == []
    assert prompt_lookup([1, 2, 3], since=0, size=3) == []  # nothing repeats
