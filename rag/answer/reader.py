"""The model as a reader: one chat turn in, a short answer out, with how sure it was that there is none.

Two readers share one interface. `ChatReader` works with any llama-index LLM (servers, fakes):
the reply's "NONE" is its only signal. `LlamaCppReader` decodes greedily on a llama.cpp model
itself, so it can read the probability of "NONE" at the first token — a number a threshold
can be fitted to — and then write the best answer that is not "NONE".
"""

from __future__ import annotations

import codecs
import ctypes
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

import numpy as np
from llama_index.core.llms import ChatMessage

from rag.answer import prompts
from rag.lru import LRU

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
        keep: str | None = None,
    ) -> Reading:
        """Answer one chat turn. A reader that knows p_none writes nothing once p_none >= stop_at.
        `keep` is a text of the last message (the passage) that later prompts will repeat: a
        reader that can may keep its work on the prompt up to there for them."""
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
        keep: str | None = None,
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


def prefix_states(budget: int) -> LRU[bytes]:
    """llama.cpp KV states of prompt prefixes, keyed by their tokens, the most recently used kept
    up to `budget` bytes (a 1.5B model's state of an 80-token prefix is about 2.3 MB)."""
    return LRU(budget, weight=len)


def prompt_lookup(tokens: Sequence[int], since: int, size: int) -> list[int]:
    """A guess at the next `size` tokens: those that followed the first occurrence, from position
    `since` on, of the last two tokens (else of the last one). Answers are mostly copied from the
    passage or the question, so the guess is often what the model writes next."""
    if size <= 0:
        return []
    for n in (2, 1):
        if len(tokens) <= n:
            continue
        tail = list(tokens[-n:])
        for start in range(since, len(tokens) - n):
            if list(tokens[start : start + n]) == tail:
                return list(tokens[start + n : start + n + size])
    return []


class LlamaCppReader:
    """Greedy decoding on a llama.cpp model, reusing the work done on prompt prefixes.

    A prompt is evaluated in fixed segments: the chat template's opening (everything before the
    last message), then the last message up to the end of its `keep` text (the passage), then the
    rest (the question). The state after each segment is kept (`prefix_states`), so a passage
    read for one question is not evaluated again for the next; and because the segments depend
    only on the prompt, the model's reply does not depend on which prompts came before.

    At the first token it measures p_none, the probability of the no-answer word; when that is
    below `stop_at` the word is banned and the model writes its best answer instead. Small
    models say "NONE" with the answer in front of them; a fitted threshold on p_none decides
    better than their greedy choice (eval/README.md).

    With `draft_tokens`, each step also guesses the next few tokens from the prompt
    (`prompt_lookup`) and evaluates them in the same batch; the guesses the model would have
    written itself are kept, so a copied span costs a few batched steps instead of one step per
    token (a batch of 4 tokens costs about 1.4 single steps on a 2-core CPU). Logits of a batch
    can differ from one-token steps in the last digits, so a knife-edge choice may differ.
    """

    def __init__(
        self,
        llama: Llama,
        render: Callable[[Sequence[ChatMessage]], str],
        max_new_tokens: int,
        states: LRU[bytes] | None = None,
        draft_tokens: int = 0,
    ) -> None:
        self.llama = llama
        self.render = render
        self.max_new_tokens = max_new_tokens
        self.states = states or prefix_states(0)
        self.draft_tokens = draft_tokens
        self.drafted = 0  # draft tokens proposed and accepted, over the reader's life
        self.accepted = 0
        self._held: set[tuple[int, ...]] = set()  # the prefixes, ending at marks, of the last prompt fed
        self._none_ids = self._first_tokens(prompts.NO_ANSWER)

    def _first_tokens(self, word: str) -> list[int]:
        """First tokens of the word as the model may write it: NONE, None, with or without a space."""
        spellings = {word, word.capitalize(), word.lower()}
        variants = [v for s in spellings for v in (s, " " + s)]
        return sorted({self.llama.tokenize(v.encode(), add_bos=False, special=False)[0] for v in variants})

    def _logits(self, index: int = -1) -> np.ndarray:
        """A copy of the logits after the `index`-th token of the last batch (the last by default)."""
        pointer = self.llama._ctx.get_logits_ith(index)
        return np.ctypeslib.as_array(pointer, shape=(self.llama.n_vocab(),)).astype(np.float64)

    def _marks(self, text: str, tokens: list[int], last: str, keep: str | None) -> list[int]:
        """Where the prompt's segments end, in tokens: before the last message, and after `keep`
        in it. A boundary is the longest run of tokens the prefix and the whole prompt share
        (a token may straddle the boundary's characters)."""
        start = text.rfind(last) if last else -1
        ends = [] if start < 0 else [start]
        if keep and start >= 0 and (at := text.find(keep, start)) >= 0:
            ends.append(at + len(keep))
        marks: list[int] = []
        for end in ends:
            head = self.llama.tokenize(text[:end].encode("utf-8"), add_bos=True, special=True)
            shared = 0
            for a, b in zip(head, tokens, strict=False):
                if a != b:
                    break
                shared += 1
            if 0 < shared < len(tokens) and (not marks or shared > marks[-1]):
                marks.append(shared)
        return marks

    def _feed(self, tokens: list[int], marks: list[int]) -> None:
        """Evaluate `tokens`: from the longest prefix ending at a mark that the context still holds
        or that was kept, then segment by segment, keeping the state at each mark."""
        import llama_cpp

        llama = self.llama
        done = 0
        for mark in reversed(marks):
            prefix = tuple(tokens[:mark])
            if (
                prefix in self._held
                and llama.n_tokens >= mark
                and llama.input_ids[:mark].tolist() == tokens[:mark]
            ):
                done = mark  # evaluated in these same segments by the previous prompt
                break
            state = self.states.find(prefix)
            if state is not None:
                buffer = (ctypes.c_uint8 * len(state)).from_buffer_copy(state)
                if llama_cpp.llama_state_seq_set_data(llama._ctx.ctx, buffer, len(state), 0) == len(state):
                    llama.input_ids[:mark] = tokens[:mark]
                    done = mark
                    break
        llama.n_tokens = done
        for mark in marks:
            if mark <= done:
                continue
            llama.eval(tokens[done:mark])
            done = mark
            if self.states.size:
                size = llama_cpp.llama_state_seq_get_size(llama._ctx.ctx, 0)
                buffer = (ctypes.c_uint8 * size)()
                written = llama_cpp.llama_state_seq_get_data(llama._ctx.ctx, buffer, size, 0)
                self.states.put(tuple(tokens[:mark]), bytes(buffer[:written]))
        llama.eval(tokens[done:])
        self._held = {tuple(tokens[:mark]) for mark in marks}

    def read(
        self,
        messages: Sequence[ChatMessage],
        on_text: TextSink | None = None,
        check: Check | None = None,
        stop_at: float = 1.0,
        keep: str | None = None,
    ) -> Reading:
        llama = self.llama
        rendered = self.render(messages)
        prompt = llama.tokenize(rendered.encode("utf-8"), add_bos=True, special=True)
        room = llama.n_ctx() - len(prompt)
        if room < 2:
            raise ValueError(f"the prompt has {len(prompt)} tokens; the context window is {llama.n_ctx()}")
        if check is not None:
            check()
        marks = self._marks(rendered, prompt, messages[-1].content or "", keep)
        self._feed(prompt, marks)
        message = marks[0] if marks else 0  # where the last message starts: drafts are copied from it
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
        limit = min(self.max_new_tokens, room - 1)
        ahead: list[np.ndarray] = []  # logits after draft tokens already verified
        while len(written) < limit:
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
            if ahead:
                logits = ahead.pop(0)  # the draft guessed this token and was evaluated with it
                continue
            draft = prompt_lookup(prompt + written, message, min(self.draft_tokens, limit - len(written) - 1))
            if not draft:
                llama.eval([token])
                logits = self._logits()
                continue
            rows = self._decode([token, *draft])
            verified = 0
            while verified < len(draft) and int(np.argmax(rows[verified])) == draft[verified]:
                verified += 1
            llama.n_tokens -= len(draft) - verified  # the rest of the draft is not the model's choice
            self.drafted += len(draft)
            self.accepted += verified
            logits, ahead = rows[0], list(rows[1 : verified + 1])
        answer = text.decode("utf-8", errors="ignore").strip()
        return Reading(text=answer, p_none=p_none, prompt_tokens=len(prompt), completion_tokens=len(written))

    def _decode(self, tokens: list[int]) -> list[np.ndarray]:
        """Evaluate `tokens` in one batch after the context, returning the logits after each."""
        llama = self.llama
        done = llama.n_tokens
        llama._ctx.kv_cache_seq_rm(-1, done, -1)
        llama._batch.set_batch(batch=tokens, n_past=done, logits_all=True)
        llama._ctx.decode(llama._batch)
        llama.input_ids[done : done + len(tokens)] = tokens
        llama.n_tokens = done + len(tokens)
        return [self._logits(i) for i in range(len(tokens))]

    def _is_end(self, token: int) -> bool:
        import llama_cpp

        return bool(llama_cpp.llama_vocab_is_eog(self.llama._model.vocab, token))


def make_reader(llm: LLM, prompt_cache_bytes: int = 0, draft_tokens: int = 0) -> Reader:
    """A LlamaCppReader for a local llama.cpp model (llama-index LlamaCPP), keeping up to
    `prompt_cache_bytes` of prompt-prefix states and guessing `draft_tokens` ahead, else a ChatReader."""
    llama = getattr(llm, "_model", None)
    render = getattr(llm, "messages_to_prompt", None)
    if llama is not None and render is not None and type(llama).__module__.startswith("llama_cpp"):
        max_new = int(getattr(llm, "max_new_tokens", 96))
        return LlamaCppReader(llama, render, max_new, prefix_states(prompt_cache_bytes), draft_tokens)
    return ChatReader(llm)
