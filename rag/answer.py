"""Answering: retrieve, rank evidence sentences, ask the LLM, verify citations, or refuse."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from llama_index.core.llms import ChatMessage

from rag import followup, prompts
from rag.citations import choose_support, is_grounded, split_markers, verify_citation
from rag.errors import QuestionError
from rag.evidence import Evidence, SentenceEmbeddings, rank_evidence
from rag.generation import GenerationQueue, Ticket
from rag.settings import Settings
from rag.types import Answer, Timings

if TYPE_CHECKING:
    from llama_index.core.llms import LLM

    from rag.retrieval import HybridRetriever

log = logging.getLogger(__name__)

# Receives each piece of text the model writes, with the attempt number (1 = first prompt;
# later attempts re-ask about single sentences and replace the earlier draft).
TokenSink = Callable[[int, str], None]
Chat = Callable[[str], str]


def validate_question(question: object, max_chars: int) -> str:
    """The question stripped of surrounding space; QuestionError when unusable."""
    if not isinstance(question, str):
        raise QuestionError("the question must be a string")
    text = question.strip()
    if not text:
        raise QuestionError("the question is empty")
    if not _is_unicode_text(text):
        # JSON may carry lone surrogates (\ud800); no encoder, detector or tokenizer takes them.
        raise QuestionError("the question is not valid Unicode text (it holds an unpaired surrogate)")
    if len(text) > max_chars:
        raise QuestionError(f"the question has {len(text)} characters; the limit is {max_chars}")
    return text


def _is_unicode_text(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


class Assistant:
    """Answers questions from the index with verified citations."""

    def __init__(
        self,
        retriever: HybridRetriever,
        llm: LLM,
        sentence_embeddings: SentenceEmbeddings,
        detect_language: Callable[[str], str],
        read_file: Callable[[str], str | None],
        settings: Settings,
        queue: GenerationQueue | None = None,
    ) -> None:
        self.retriever = retriever
        self.llm = llm
        self.sentence_embeddings = sentence_embeddings
        self.detect_language = detect_language
        self.read_file = read_file
        self.settings = settings
        # Shared by every Assistant of a service: llama.cpp runs one generation at a time.
        self.queue = queue or GenerationQueue(size=1_000_000, timeout_s=settings.server.request_timeout_s)

    def evidence(self, question: str) -> list[Evidence]:
        """The best evidence sentences for `question`, strongest first."""
        found = self.retriever.search(question)
        return rank_evidence(
            question,
            found.query_embedding,
            found.nodes,
            self.sentence_embeddings,
            self.settings.answer.evidence_sentences,
        )

    def ask(
        self,
        question: str,
        earlier: Sequence[str] = (),
        ticket: Ticket | None = None,
        on_token: TokenSink | None = None,
    ) -> Answer:
        """Answer `question` in its own language, or refuse when the articles don't say.

        `earlier` holds the conversation's previous questions (for follow-ups); `ticket` is the
        request's place in the generation queue (one is taken when omitted); `on_token` gets
        the model's draft as it is written.
        """
        question = validate_question(question, self.settings.answer.max_question_chars)
        if not all(_is_unicode_text(e) for e in earlier):
            raise QuestionError(
                "an earlier question is not valid Unicode text (it holds an unpaired surrogate)"
            )
        turn = followup.resolve(question, earlier)
        if ticket is None:
            with self.queue.admit() as own:
                return self._ask(turn, own, on_token)
        return self._ask(turn, ticket, on_token)

    def _ask(self, turn: followup.Turn, ticket: Ticket, on_token: TokenSink | None) -> Answer:
        started = time.perf_counter()
        language = self.detect_language(turn.search)
        evidence = self.evidence(turn.search)
        retrieved = time.perf_counter()

        def finish(text: str | None, citations: list) -> Answer:  # type: ignore[type-arg]
            done = time.perf_counter()
            refused = text is None
            return Answer(
                answer=prompts.refusal(language) if refused else text,
                refused=refused,
                language=language,
                citations=[] if refused else citations,
                timings_ms=Timings(
                    retrieve=round((retrieved - started) * 1000),
                    generate=round((done - retrieved) * 1000),
                    total=round((done - started) * 1000),
                ),
            )

        if not evidence or evidence[0].score < self.settings.answer.min_evidence_score:
            log.info("refused without the LLM: best evidence %.2f", evidence[0].score if evidence else -1)
            return finish(None, [])
        with ticket.turn():
            text, cited = self._generate(turn.prompt, language, evidence, self._chat(ticket, on_token))
        if text is None:
            return finish(None, [])
        support = choose_support(text, cited, evidence)
        citations = [c for c in (verify_citation(e, self.read_file) for e in support) if c is not None]
        if not citations:
            log.info("refused: no verifiable support for %r", text)
            return finish(None, [])
        return finish(text, citations)

    def _chat(self, ticket: Ticket, on_token: TokenSink | None) -> Chat:
        """A chat function for one request: streams, and stops on cancel or deadline."""
        attempts = 0

        def chat(user: str) -> str:
            nonlocal attempts
            attempts += 1
            messages = [
                ChatMessage(role="system", content=prompts.SYSTEM),
                ChatMessage(role="user", content=user),
            ]
            pieces: list[str] = []
            ticket.check()
            for chunk in self.llm.stream_chat(messages):
                ticket.check()  # leaving the loop closes the stream, which stops llama.cpp
                if chunk.delta:
                    pieces.append(chunk.delta)
                    if on_token is not None:
                        on_token(attempts, chunk.delta)
            return "".join(pieces).strip()

        return chat

    def _generate(
        self, question: str, language: str, evidence: list[Evidence], chat: Chat
    ) -> tuple[str | None, list[int]]:
        """The model's answer without markers and the sentence numbers it cited; None = no answer."""
        numbered = "\n".join(f"[{i}] {e.text}" for i, e in enumerate(evidence, start=1))
        reply = chat(
            prompts.ANSWER_FROM_SENTENCES.format(
                sentences=numbered, question=question, language=prompts.language_name(language)
            )
        )
        if prompts.is_refusal(reply):
            # A small model loses the answer among several sentences; when the best one matches
            # the question strongly, ask about it (then the runner-up) alone, and keep a reply only if
            # it is grounded in that sentence.
            for number, item in enumerate(evidence[:2], start=1):
                if item.score < self.settings.answer.retry_evidence_score:
                    break
                text, cited = self._answer_from(
                    chat, number, question, language, evidence, prompts.ANSWER_FROM_BEST_SENTENCE
                )
                if text is not None and is_grounded(text, question, item.text):
                    return text, cited
            return None, []
        text, cited = split_markers(reply)
        if text:
            return text, cited
        # Small models often reply with the sentence number alone: ask again about that sentence.
        chosen = cited[0] if cited and 1 <= cited[0] <= len(evidence) else 1
        return self._answer_from(chat, chosen, question, language, evidence)

    def _answer_from(
        self,
        chat: Chat,
        number: int,
        question: str,
        language: str,
        evidence: list[Evidence],
        template: str = prompts.ANSWER_FROM_ONE_SENTENCE,
    ) -> tuple[str | None, list[int]]:
        reply = chat(
            template.format(
                sentence=evidence[number - 1].text,
                question=question,
                language=prompts.language_name(language),
            )
        )
        if prompts.is_refusal(reply):
            return None, []
        text, _ = split_markers(reply)
        return (text or None), [number]
