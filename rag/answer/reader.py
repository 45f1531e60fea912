"""The model as a reader: one chat turn in, a short answer out, with how sure it was that there is none.

Two readers share one interface. `ChatReader` works with any llama-index LLM (servers, fakes):
the reply's "NONE" is its only signal. `LlamaCppReader` decodes greedily on a llama.cpp model
itself, so it can read the probability of "NONE" at the first token — a number a threshold
can be fitted to — and then write the best answer that is not "NONE".
"""

from __future__ import annotations

import codecs
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

import numpy as np
from llama_index.core.llms import ChatMessage

from rag.answer import prompts

if TYPE_CHECKING:
    from llama_cpp import Llama
    from llama_index.core.llms import LLM

# Receives each piece of text the model writes.
TextSink = Callable[[str], None]
# Raises to stop generating (a cancelled or late request).
Check = Callable[[], None]


@dataclass(frozen=True)
class Reading:
    """What the model wrote, and its probability that the text holds no answer."""

    text: str
    p_none: float  # 0..1; readers without probabilities give 1.0 for a "NONE" reply, else 0.0
    prompt_tokens: int | None = None
    completion_tokens: int | None = None


class Reader(Protocol):
    def read(
        self,
        messages: Sequence[ChatMessage],
        on_text: TextSink | None = None,
        check: Check | None = None,
        stop_at: float = 1.0,
    ) -> Reading:
        """Answer one chat turn. A reader that knows p_none writes nothing once p_none >= stop_at."""
        ...


class ChatReader:
    """Any llama-index LLM through `stream_chat`; p_none is read from the reply itself."""

    def __init__(self, llm: LLM) -> None:
        self.llm = llm

    def read(
        self,
        messages: Sequence[ChatMessage],
        on_text: TextSink | None = None,
        check: Check | None = None,
        stop_at: float = 1.0,
    ) -> Reading:
        pieces: list[str] = []
        if check is not None:
            check()
        for chunk in self.llm.stream_chat(list(messages)):
            if check is not None:
                check()  # leaving the loop closes the stream, which stops the server or llama.cpp
            if chunk.delta:
                pieces.append(chunk.delta)
                if on_text is not None:
                    on_text(chunk.delta)
        text = "".join(pieces).strip()
        return Reading(text=text, p_none=1.0 if prompts.is_refusal(text) else 0.0)


class LlamaCppReader:
    """Greedy decoding on a llama.cpp model, reusing the cached prompt prefix between calls.

    At the first token it measures p_none, the probability of the no-answer word; when that is
    below `stop_at` the word is banned and the model writes its best answer instead. Small
    models say "NONE" with the answer in front of them; a fitted threshold on p_none decides
    better than their greedy choice (eval/README.md).
    """

    def __init__(
        self,
        llama: Llama,
        render: Callable[[Sequence[ChatMessage]], str],
        max_new_tokens: int,
    ) -> None:
        self.llama = llama
        self.render = render
        self.max_new_tokens = max_new_tokens
        self._none_ids = self._first_tokens(prompts.NO_ANSWER)

    def _first_tokens(self, word: str) -> list[int]:
        """First tokens of the word as the model may write it: NONE, None, with or without a space."""
        spellings = {word, word.capitalize(), word.lower()}
        variants = [v for s in spellings for v in (s, " " + s)]
        return sorted({self.llama.tokenize(v.encode(), add_bos=False, special=False)[0] for v in variants})

    def _logits(self) -> np.ndarray:
        pointer = self.llama._ctx.get_logits_ith(-1)
        return np.ctypeslib.as_array(pointer, shape=(self.llama.n_vocab(),)).astype(np.float64)

    def _feed(self, tokens: list[int]) -> int:
        """Evaluate `tokens` after the longest prefix already in the cache; returns tokens evaluated."""
        cached = self.llama.input_ids[: self.llama.n_tokens].tolist()
        common = 0
        for a, b in zip(cached, tokens, strict=False):
            if a != b:
                break
            common += 1
        common = min(common, len(tokens) - 1)  # the last token is always evaluated, for its logits
        self.llama.n_tokens = common
        self.llama.eval(tokens[common:])
        return len(tokens) - common

    def read(
        self,
        messages: Sequence[ChatMessage],
        on_text: TextSink | None = None,
        check: Check | None = None,
        stop_at: float = 1.0,
    ) -> Reading:
        llama = self.llama
        prompt = llama.tokenize(self.render(messages).encode("utf-8"), add_bos=True, special=True)
        room = llama.n_ctx() - len(prompt)
        if room < 2:
            raise ValueError(f"the prompt has {len(prompt)} tokens; the context window is {llama.n_ctx()}")
        if check is not None:
            check()
        self._feed(prompt)
        logits = self._logits()
        probabilities = np.exp(logits - logits.max())
        probabilities /= probabilities.sum()
        p_none = float(probabilities[self._none_ids].sum())
        if p_none >= stop_at:
            return Reading(text="", p_none=p_none, prompt_tokens=len(prompt), completion_tokens=0)
        logits[self._none_ids] = -np.inf
        written: list[int] = []
        text = b""
        decoder = codecs.getincrementaldecoder("utf-8")(errors="ignore")  # a character may span tokens
        for _ in range(min(self.max_new_tokens, room - 1)):
            token = int(np.argmax(logits))
            if llama.token_eos() == token or self._is_end(token):
                break
            written.append(token)
            piece = llama.detokenize([token])
            text += piece
            delta = decoder.decode(piece)
            if on_text is not None and delta:
                on_text(delta)
            if b"\n" in piece:
                break
            if check is not None:
                check()
            llama.eval([token])
            logits = self._logits()
        answer = text.decode("utf-8", errors="ignore").strip()
        return Reading(text=answer, p_none=p_none, prompt_tokens=len(prompt), completion_tokens=len(written))

    def _is_end(self, token: int) -> bool:
        import llama_cpp

        return bool(llama_cpp.llama_vocab_is_eog(self.llama._model.vocab, token))


def make_reader(llm: LLM) -> Reader:
    """A LlamaCppReader for a local llama.cpp model (llama-index LlamaCPP), else a ChatReader."""
    llama = getattr(llm, "_model", None)
    render = getattr(llm, "messages_to_prompt", None)
    if llama is not None and render is not None and type(llama).__module__.startswith("llama_cpp"):
        max_new = int(getattr(llm, "max_new_tokens", 96))
        return LlamaCppReader(llama, render, max_new)
    return ChatReader(llm)
