"""Answering: retrieve, rank evidence sentences, ask the LLM, verify citations, or refuse."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import reduce
from typing import TYPE_CHECKING

from llama_index.core.llms import ChatMessage

from rag.answer import followup, prompts
from rag.answer.answer_types import AnswerType, answer_type, fits
from rag.answer.citations import (
    align,
    answer_clause,
    coverage,
    is_supported,
    missing_names,
    numbers_in,
    repeats_the_question,
    split_markers,
    unknown_acronyms,
    verify_citation,
)
from rag.answer.compound import split_compound
from rag.answer.counts import counted_after, counted_noun, counts_something_else, counts_the_asked_thing
from rag.answer.dateline import asks_about_the_article, copies_the_dateline
from rag.answer.dates import date_asked_about, translate_date
from rag.answer.evidence import (
    Evidence,
    Passage,
    SentenceEmbeddings,
    chunk_sentences,
    closeness,
    file_sentences,
    opening_stems,
    rank_evidence,
    rerank,
    widen,
)
from rag.answer.generation import GenerationQueue, Ticket
from rag.answer.listing import item_asked_about
from rag.answer.ordinals import unknown_ordinals
from rag.answer.reader import Reader, Reading, make_reader
from rag.answer.rerank import SentenceReranker
from rag.errors import QuestionError
from rag.language import needs_translation
from rag.settings import Settings
from rag.types import Answer, Citation, Timings, Usage

if TYPE_CHECKING:
    from llama_index.core.llms import LLM
    from llama_index.core.schema import NodeWithScore

    from rag.retrieve.hybrid import HybridRetriever, Retrieval

log = logging.getLogger(__name__)

# A passage the model says "none" to with at least this probability gets no second look: on the tune
# half, the 3 first readings this sure were all of unanswerable questions (eval/README.md, sixteenth round).
HOPELESS = 0.9
# The text before a cited sentence that may name what it leaves unnamed (about two sentences).
CONTEXT_CHARS = 300

# Why a passage gave no answer (Trace.notes), by the code each note starts with.
NOTE_CODES = {
    "weak-evidence": "the best evidence scored below min_evidence_score: the model was not asked",
    "no-passage": "no passage left that holds the kind of answer asked for (a number, a date)",
    "no-answer": "the model's probability of 'no answer' reached the threshold, or it wrote no answer",
    "wrong-kind": "the answer is not the kind asked for (no number for 'how many', ...)",
    "repeats-question": "the answer only repeats the question's words",
    "not-grounded": "too few of the answer's words are in the passages",
    "unknown-acronym": "the cited articles never mention an acronym the question asks about",
    "unknown-ordinal": "the cited articles never give an ordinal the question numbers a name with",
    "dateline": "the answer is the article's own date, not the date asked about",
    "unnamed": "the cited sentences never mention a name the question gives",
    "counts-else": "the answer's number counts something else than the question asks about",
    "unsure": "the model was unsure, and the sentence does not show the number counts what was asked",
}

# Receives each piece of text the model writes, with the attempt number (1 = reading the
# passages; 2 = translating the answer, which replaces the earlier draft).
TokenSink = Callable[[int, str], None]


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


def validate_earlier(earlier: Sequence[str]) -> list[str]:
    """The conversation's earlier questions; QuestionError when one cannot be read."""
    if not all(_is_unicode_text(e) for e in earlier):
        raise QuestionError("an earlier question is not valid Unicode text (it holds an unpaired surrogate)")
    return list(earlier)


def _is_unicode_text(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


@dataclass(frozen=True)
class Trace:
    """What an answer was built from: the files of the retrieved passages, best first, and the
    passages (text) the model read, in order, followed by those it could have read next."""

    retrieved: list[str]
    evidence: list[str]
    # Why readings were not taken, in order ("no-answer: p(none) 0.51, reply ''"): the code before
    # the colon is one of NOTE_CODES. Empty when the first reading was taken as written; an answer
    # grounded only once translated back into its passage's language notes `not-grounded` first.
    notes: list[str] = field(default_factory=list)


class Assistant:
    """Answers questions from the index with verified citations.

    The work is split so the small model does only what it is good at: ranking finds the
    passages, the model copies the answer's words from them one passage at a time (translating
    the question for articles in another language when the first passage fails), alignment
    finds the sentence that holds those words, and the decision to refuse comes from measured
    signals (the model's probability of "no answer", the evidence score, the answer's
    grounding) with thresholds fitted on the tune half of eval/qa.jsonl.
    """

    def __init__(
        self,
        retriever: HybridRetriever,
        llm: LLM,
        sentence_embeddings: SentenceEmbeddings,
        detect_language: Callable[[str], str],
        read_file: Callable[[str], str | None],
        settings: Settings,
        queue: GenerationQueue | None = None,
        reader: Reader | None = None,
        reranker: SentenceReranker | None = None,
        page_of: Callable[[str, int], int | None] | None = None,
        corpus_languages: Sequence[str] = (),
    ) -> None:
        self.retriever = retriever
        self.llm = llm
        self.reader = reader or make_reader(
            llm, settings.llm.prompt_cache_mb * 2**20, settings.llm.draft_tokens
        )
        self.reranker = reranker
        self.sentence_embeddings = sentence_embeddings
        self.detect_language = detect_language
        self.read_file = read_file
        self.page_of = page_of
        self.corpus_languages = list(corpus_languages)  # of the indexed articles: what to translate into
        self.settings = settings
        # Shared by every Assistant of a service: llama.cpp runs one generation at a time.
        self.queue = queue or GenerationQueue(size=1_000_000, timeout_s=settings.server.request_timeout_s)

    def evidence(self, question: str) -> list[Passage]:
        """The passages the model reads first for `question`, best first (before any translation
        of the question, which takes a model call)."""
        return self._passages(question, self.retriever.search(question))[1]

    def read_given(self, question: str, passage: str) -> Reading:
        """The model's first reading of `passage` for `question`, with the prompt and hint every
        reading gets, its "no answer" never taking over: its best answer and its probability that
        there is none. No check, second look or translation follows: this measures the reader
        alone, handed the sentence that answers (`rag eval --reader`)."""
        user = prompts.read_one(passage, question, answer_type(question))
        with self.queue.admit() as ticket, ticket.turn():
            return self.reader.read(_messages(user), None, ticket.check, stop_at=1.0, keep=passage)

    def _passages(
        self, question: str, found: Retrieval, translations: Sequence[str] = ()
    ) -> tuple[list[str], list[Passage]]:
        """The retrieved passages' files, best first, and the passages built from their articles'
        best sentences; `translations` (the question in other languages) join the ranking."""
        config = self.settings.answer
        languages = {
            str(h.node.metadata["source"]): str(h.node.metadata.get("language", "en")) for h in found.nodes
        }
        candidates = file_sentences(found.nodes, self.read_file, config.evidence_files)
        if len(candidates) > config.max_candidate_sentences:
            candidates = chunk_sentences(found.nodes)  # very long articles: the passages' own sentences
        topics = {
            source: opening_stems(self.read_file(source) or "") for source in {c[0] for c in candidates}
        }
        ranked = rank_evidence(
            question,
            found.query_embedding,
            candidates,
            self.sentence_embeddings,
            config.ranked_sentences,
            translations,
            topics,
        )
        ranked = rerank(question, ranked, self.reranker, config.rerank_top, translations, topics)
        retrieved = [str(h.node.metadata["source"]) for h in found.nodes]
        return retrieved, widen(
            ranked,
            self.read_file,
            lambda source: languages.get(source, "en"),
            config.passages,
            before=config.neighbours,
            after=config.neighbours,
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
        return self.ask_traced(question, earlier, ticket, on_token)[0]

    def ask_traced(
        self,
        question: str,
        earlier: Sequence[str] = (),
        ticket: Ticket | None = None,
        on_token: TokenSink | None = None,
    ) -> tuple[Answer, Trace]:
        """`ask`, with what the answer was built from (for evaluation and debugging)."""
        question = validate_question(question, self.settings.answer.max_question_chars)
        earlier = validate_earlier(earlier)
        turn = followup.resolve(question, earlier)
        if ticket is None:
            with self.queue.admit() as own:
                return self._ask_all(turn, own, on_token)
        return self._ask_all(turn, ticket, on_token)

    def _ask_all(
        self, turn: followup.Turn, ticket: Ticket, on_token: TokenSink | None
    ) -> tuple[Answer, Trace]:
        """Answer the turn, part by part when it asks two things at once (rag.answer.compound)."""
        parts = split_compound(turn.prompt) if turn.search == turn.asked else [turn.prompt]
        if len(parts) == 1:
            return self._ask(turn, ticket, on_token)
        results: list[tuple[Answer, Trace]] = []
        shown = 0  # streamed model calls of the earlier parts: the next part's attempts follow them
        for part in parts:
            sink = None if on_token is None else _shifted(on_token, shown)
            work = _Work()
            results.append(self._ask(followup.Turn(part, part, part), ticket, sink, work))
            shown += work.shown
        return _joined(results, self.detect_language(turn.search))

    def _ask(
        self, turn: followup.Turn, ticket: Ticket, on_token: TokenSink | None, work: _Work | None = None
    ) -> tuple[Answer, Trace]:
        """Answer one question; `work` counts its model calls and tokens."""
        started = time.perf_counter()
        language = self.detect_language(turn.search)
        work = work or _Work()

        config = self.settings.answer
        found = self.retriever.search(turn.search)
        sources, passages = self._passages(turn.search, found)
        retrieved = time.perf_counter()
        read: list[Passage] = []  # the passages the model was shown, in order

        def finish(text: str | None, citations: list[Citation]) -> tuple[Answer, Trace]:
            done = time.perf_counter()
            refused = text is None or not citations
            answer = Answer(
                answer=prompts.refusal(language) if refused else str(text),
                refused=refused,
                language=language,
                citations=[] if refused else citations,
                timings_ms=Timings(
                    retrieve=round((retrieved - started) * 1000),
                    generate=round((done - retrieved) * 1000),
                    total=round((done - started) * 1000),
                ),
                usage=work.usage(),
            )
            shown = read + _unread(passages, read)
            return answer, Trace(retrieved=sources, evidence=[p.text for p in shown], notes=work.notes)

        best = max((p.score for p in passages), default=-1.0)
        if best < config.min_evidence_score:
            work.note("weak-evidence", "refused without the LLM: best evidence %.2f", best)
            return finish(None, [])
        kind = answer_type(turn.prompt)
        counting = bool(counted_noun(turn.prompt))  # a "how many" question

        def translate_question(code: str) -> str | None:
            return next(iter(self._translations(turn.prompt, [code], ticket, work)), None)

        def same_count(asked: str, number: str, counted: str) -> bool:
            return self._same_count(asked, number, counted, ticket, work)

        with ticket.turn():
            # One passage at a time: the small models find an answer in one sentence far more
            # reliably than among several, so the next passage is read only when this one fails.
            translation_asked = False
            while len(read) < config.attempts:
                if _translate_now(config.translate_question, read) and not translation_asked:
                    # Translated only now: most answers come from the first passage, and the
                    # translation costs a model call (eval/README.md, fourth round).
                    translation_asked = True
                    translated = self._translated(turn.search, found, language, ticket, work)
                    if translated is not None:
                        found, translations = translated
                        sources, passages = self._passages(turn.search, found, translations)
                # A passage without a number cannot answer "how many" (nor one without a date
                # "when"): the answer must be copied from it, so reading it wastes an attempt.
                passage = next((p for p in _unread(passages, read) if fits(kind, p.text)), None)
                if passage is None:
                    work.note("no-passage", "no passage left that holds a %s", kind.value)
                    break
                read.append(passage)
                reply = self._read(turn.prompt, passage, kind, counting, ticket, on_token, work)
                if reply is None:
                    continue
                text, sure = reply
                support = self._support(
                    turn.prompt,
                    language,
                    text,
                    passage,
                    read + passages,
                    work,
                    translate_question,
                    sure,
                    same_count,
                )
                if not support and passage.language != language:
                    # The model answered in the question's language from a passage in another
                    # one: its words are found in the passage once translated back.
                    support = self._support_translated(
                        turn.prompt,
                        language,
                        text,
                        passage,
                        read + passages,
                        translate_question,
                        sure,
                        same_count,
                        ticket,
                        work,
                    )
                if not support:
                    continue
                if kind is AnswerType.DATE:
                    text = _date_asked_about(turn.prompt, text, support[0].text)
                text = self._in_language(text, support, language, ticket, on_token, work)
                citations = [
                    c for c in (verify_citation(e, self.read_file, self.page_of) for e in support) if c
                ]
                return finish(text, citations)
        return finish(None, [])

    def _support(
        self,
        question: str,
        language: str,
        text: str,
        passage: Passage,
        seen: list[Passage],
        work: _Work,
        translate_question: Callable[[str], str | None] = lambda code: None,
        sure: bool = True,
        same_count: Callable[[str, str, str], bool] = lambda asked, number, counted: False,
    ) -> list[Evidence]:
        """The sentences that hold the answer's words: in the passage it was read from, else in
        any passage `seen`; [] when too few of its words are there (an answer the passages do
        not hold), when the cited articles never name an acronym the question asks about (nor
        give the ordinal it numbers a name with: rag.answer.ordinals), when the answer is only
        the article's own date (rag.answer.dateline), or when the cited sentences in the
        question's `language` (the part of a listing sentence that holds the answer, and the
        text just before the sentence) never mention a name it gives,
        or when their number counts something else than a "how many" question asks about (judged
        with the question translated by `translate_question` for a sentence in another language,
        unless `same_count` (the model) judges that the words after the number name it otherwise).
        An answer the model was not `sure` of must count what the question asks about. Each
        refusal is noted in `work`."""
        min_coverage = self.settings.answer.min_coverage
        support = align(text, [passage])
        if coverage(text, support) < min_coverage:  # copied from another passage?
            support = align(text, seen)
        if not support or coverage(text, support) < min_coverage:
            work.note("not-grounded", "not grounded in the passages: %r", text)
            return []
        articles = {e.source: self.read_file(e.source) or "" for e in support}
        missing = unknown_acronyms(question, list(articles.values()))
        if missing:
            work.note("unknown-acronym", "the cited articles never mention %s", ", ".join(sorted(missing)))
            return []
        numbered = unknown_ordinals(question, list(articles.values()))
        if numbered:
            work.note(
                "unknown-ordinal",
                "the cited articles never give the ordinal %s",
                ", ".join(map(str, sorted(numbered))),
            )
            return []
        if not asks_about_the_article(question) and all(
            copies_the_dateline(text, articles[e.source], e.start, e.end) for e in support
        ):
            work.note(
                "dateline", "%r is the date the article was published, not what the question asks", text
            )
            return []
        # Another language names things differently ("Hacienda" for "Finance Ministry"), so only
        # sentences in the question's language are held to its names (eval/README.md, fifth round).
        # A sentence leans on the ones before it: "the Broncos" or "Super Bowl 50" named there are
        # named for it too (on XQuAD, asking for them in the sentence alone refused right answers).
        languages = {p.source: p.language for p in [passage, *seen]}
        alike = [e for e in support if languages.get(e.source) == language]
        named = [answer_clause(text, e.text) for e in alike]
        named += [(self.read_file(e.source) or "")[max(0, e.start - CONTEXT_CHARS) : e.start] for e in alike]
        unnamed = missing_names(question, named) if alike else []
        if unnamed:
            work.note("unnamed", "the cited sentences never mention %s", ", ".join(unnamed))
            return []
        if not counted_noun(question) or not numbers_in(text):
            if not sure:
                work.note("unsure", "unsure, and %r gives no number to check", text)
                return []
            return support
        judged = _in_their_language(question, language, support, languages, translate_question)
        verdicts = [counts_something_else(asked, text, e.text) for asked, e in judged]
        counts_else = bool(verdicts) and all(verdicts)
        unshown = not sure and not any(counts_the_asked_thing(asked, text, e.text) for asked, e in judged)
        if (counts_else or unshown) and not self._counted_alike(judged, text, same_count):
            if counts_else:
                work.note("counts-else", "%r counts something else than the question asks about", text)
            else:
                work.note("unsure", "unsure, and %r is not shown to count what the question asks about", text)
            return []
        return support

    @staticmethod
    def _counted_alike(
        judged: list[tuple[str, Evidence]], text: str, same_count: Callable[[str, str, str], bool]
    ) -> bool:
        """Whether the model judges that, at some place a cited sentence gives the answer's number,
        the words after it name what the (translated) question counts — in other words than the
        question's ("directivos" for "managers"). At most JUDGED_COUNTS questions to the model."""
        number = min(numbers_in(text))
        pairs = [(asked, counted) for asked, e in judged for counted in counted_after(text, e.text)]
        return any(same_count(asked, number, counted) for asked, counted in pairs[:JUDGED_COUNTS])

    def _support_translated(
        self,
        question: str,
        language: str,
        text: str,
        passage: Passage,
        seen: list[Passage],
        translate_question: Callable[[str], str | None],
        sure: bool,
        same_count: Callable[[str, str, str], bool],
        ticket: Ticket,
        work: _Work,
    ) -> list[Evidence]:
        """`_support` for an answer written in `language` from a passage in another language: the
        answer translated into the passage's language (one model call, not streamed) must be held
        by the passage. The answer itself is kept as written (it is already in `language`);
        [] when the translation fails or is not held."""
        if passage.language not in prompts.LANGUAGE_NAMES:
            return []
        if not needs_translation(text, passage.language, self.detect_language):
            return []  # copied in the passage's language already: nothing to translate back
        back = self._translation(text, passage.language, ticket, work)
        if back is None or numbers_in(back) != numbers_in(text):
            return []
        log.info("%r read back into %s as %r", text, passage.language, back)
        return self._support(
            question, language, back, passage, seen, work, translate_question, sure, same_count
        )

    def _translated(
        self, question: str, found: Retrieval, language: str, ticket: Ticket, work: _Work
    ) -> tuple[Retrieval, list[str]] | None:
        """`found` with the keyword rankings of the question translated into the corpus's languages
        other than `language` (those of its best articles first), and those translations; None
        when there are none."""
        config = self.settings.answer
        # The best articles' languages first, then the corpus's others: a question asked in one
        # language can retrieve only that language's articles (the Spanish twin of an English one
        # that alone holds the answer), and their languages alone would leave nothing to translate into.
        pool = [*_article_languages(found.nodes, config.evidence_files), *self.corpus_languages]
        others = [c for c in dict.fromkeys(pool) if c != language]
        translations = self._translations(question, others, ticket, work) if others else []
        if not translations:
            return None
        return self.retriever.translated(found, translations), translations

    def _translations(self, question: str, languages: list[str], ticket: Ticket, work: _Work) -> list[str]:
        """The question translated into each of `languages` the prompts can name; not streamed.
        Called while the request holds the model's turn."""
        translations = []
        for code in languages:
            if code not in prompts.LANGUAGE_NAMES:
                continue
            if (question, code) not in work.translations:  # asked once per question and language
                user = prompts.TRANSLATE_QUESTION.format(
                    language=prompts.language_name(code), question=question
                )
                # The instruction before the question is the same for every question: kept like a passage.
                instruction = user[: user.index(question)]
                reading = self.reader.read(_messages(user), None, ticket.check, keep=instruction)
                work.add(reading, shown=False)
                text = _clean(reading.text)
                work.translations[question, code] = None if not text or prompts.is_refusal(text) else text
            translated = work.translations[question, code]
            if translated is not None:
                translations.append(translated)
        return translations

    def _read(
        self,
        question: str,
        passage: Passage,
        kind: AnswerType,
        counting: bool,
        ticket: Ticket,
        on_token: TokenSink | None,
        work: _Work,
    ) -> tuple[str, bool] | None:
        """The answer as the model writes it from one passage, and whether the model was sure of
        it (its probability of "no answer" below the threshold); None when it finds none there.
        A `counting` ("how many") question is answered up to a higher probability: whether the
        number counts what was asked can be checked in the sentence."""
        config = self.settings.answer
        shown = self._shown(question, passage, work) if config.list_items else passage.text
        user = prompts.read_one(shown, question, kind)
        threshold = config.no_answer_threshold
        stop_at = max(threshold, config.count_no_answer_threshold) if counting else threshold
        reading = self.reader.read(
            _messages(user), _sink(on_token, work.shown + 1), ticket.check, stop_at=stop_at, keep=shown
        )
        work.add(reading)
        if stop_at <= reading.p_none < HOPELESS and config.second_look_threshold > 0:
            # A second look after a worked example: the small model says "none" to questions
            # that paraphrase their sentence; shown how to answer one, it answers or is surer.
            log.info("hesitated at p(none) %.2f: reading again after an example", reading.p_none)
            second = self.reader.read(
                _messages(user, [prompts.read_example()]),
                _sink(on_token, work.shown + 1),
                ticket.check,
                stop_at=config.second_look_threshold,
                keep=shown,
            )
            work.add(second)
            if second.p_none < config.second_look_threshold:
                reading = second
        text = _clean(split_markers(reading.text)[0])
        if reading.p_none >= stop_at or not text or prompts.is_refusal(text):
            work.note("no-answer", "no answer: p(none) %.2f, reply %r", reading.p_none, reading.text)
            return None
        if not fits(kind, text):
            work.note("wrong-kind", "no answer: %r is not a %s", text, kind.value)
            return None
        if repeats_the_question(question, text):
            work.note("repeats-question", "no answer: %r only repeats the question", text)
            return None
        return text, reading.p_none < threshold

    def _shown(self, question: str, passage: Passage, work: _Work) -> str:
        """The text of `passage` the model reads: a listing sentence's item the question is about
        (rag.answer.listing, matched with the question and its translations), else the passage."""
        if len(passage.sentences) != 1:
            return passage.text
        translations = [t for t in work.translations.values() if t is not None]
        item = item_asked_about(
            passage.text, lambda items: closeness(question, items, self.reranker, translations)
        )
        if item is not None:
            log.info("reading the list item %r", item)
        return passage.text if item is None else item

    def _in_language(
        self,
        text: str,
        support: list[Evidence],
        language: str,
        ticket: Ticket,
        on_token: TokenSink | None,
        work: _Work,
    ) -> str:
        """The answer in the question's language: words copied from an article in another
        language are translated (dates by rule, the rest by the model); names and numbers need
        no translation and are kept as copied."""
        if not needs_translation(text, language, self.detect_language):
            return text
        date = translate_date(text, language)
        if date is not None:
            return date
        translated = self._translation(text, language, ticket, work, on_token, shown=True)
        # A translation must keep the answer's numbers; otherwise the copied words stand.
        if translated is None or not is_supported(translated, [s.text for s in support]):
            return text
        return translated

    def _same_count(self, asked: str, number: str, counted: str, ticket: Ticket, work: _Work) -> bool:
        """The model's judgement (one call, first token only, not streamed) that `number` `counted`
        ("150 directivos del seguro social") counts what the question `asked` counts; False when
        the judgement is off (settings.answer.count_judge_threshold 0) or the question counts nothing."""
        threshold = self.settings.answer.count_judge_threshold
        noun = " ".join(counted_noun(asked))
        if threshold <= 0 or not noun:
            return False
        user = prompts.SAME_COUNT.format(asked=noun, number=number, counted=counted)
        reading = self.reader.read(_messages(user), None, ticket.check, stop_at=0.0)
        work.add(reading, shown=False)
        log.info("does %s %r count %r? p(no) %.2f", number, counted, noun, reading.p_none)
        return reading.p_none < threshold

    def _translation(
        self,
        text: str,
        code: str,
        ticket: Ticket,
        work: _Work,
        on_token: TokenSink | None = None,
        shown: bool = False,
    ) -> str | None:
        """`text` translated by the model into the language `code`; None when it writes nothing or
        says there is nothing to translate. A `shown` call is numbered as the next attempt of the
        stream (and sent to `on_token`); one not shown is the model's work behind the scenes."""
        user = prompts.TRANSLATE.format(language=prompts.language_name(code), text=text)
        reading = self.reader.read(_messages(user), _sink(on_token, work.shown + 1), ticket.check)
        work.add(reading, shown=shown)
        translated = _clean(reading.text)
        return None if not translated or prompts.is_refusal(translated) else translated


# Questions to the model about what a number counts, at most, per reading (rag.answer.counts).
JUDGED_COUNTS = 2


class _Work:
    """Model calls and tokens spent on one answer."""

    def __init__(self) -> None:
        self.calls = 0
        self.shown = 0  # calls whose text was streamed: a stream's attempts are numbered by these
        self.prompt_tokens: int | None = 0
        self.completion_tokens: int | None = 0
        self.translations: dict[tuple[str, str], str | None] = {}  # (question, language) -> translation
        self.notes: list[str] = []  # why passages gave no answer (Trace.notes)

    def note(self, code: str, message: str, *args: object) -> None:
        """Log why a passage gave no answer, and keep it as "code: message" (a NOTE_CODES code)."""
        log.info(message, *args)
        self.notes.append(f"{code}: {message % args}")

    def add(self, reading: Reading, shown: bool = True) -> None:
        self.calls += 1
        self.shown += shown
        self.prompt_tokens = _plus(self.prompt_tokens, reading.prompt_tokens)
        self.completion_tokens = _plus(self.completion_tokens, reading.completion_tokens)

    def usage(self) -> Usage:
        return Usage(
            llm_calls=self.calls,
            prompt_tokens=self.prompt_tokens if self.calls else 0,
            completion_tokens=self.completion_tokens if self.calls else 0,
        )


def _article_languages(nodes: list[NodeWithScore], files: int) -> list[str]:
    """The languages of the articles of the best `files` retrieved passages, in order of first appearance."""
    seen: dict[str, str] = {}
    for hit in nodes:
        if len(seen) == files:
            break
        seen.setdefault(str(hit.node.metadata["source"]), str(hit.node.metadata.get("language", "en")))
    return list(dict.fromkeys(seen.values()))


def _date_asked_about(question: str, text: str, sentence: str) -> str:
    """The answer, or the date of its sentence the question asks about when the model copied
    another date of that sentence (rag.answer.dates.date_asked_about)."""
    better = date_asked_about(question, text, sentence)
    if better is None:
        return text
    log.info("%r is the date asked about, not %r", better, text)
    return better


def _in_their_language(
    question: str,
    language: str,
    support: list[Evidence],
    languages: dict[str, str],
    translate_question: Callable[[str], str | None],
) -> list[tuple[str, Evidence]]:
    """Each cited sentence with the question in the sentence's language: as asked for one in
    `language`, translated by `translate_question` (a model call, remembered) for one in another;
    sentences whose translation failed are left out."""
    judged = []
    for e in support:
        code = languages.get(e.source, language)
        asked = question if code == language else translate_question(code)
        if asked is not None:
            judged.append((asked, e))
    return judged


def _translate_now(mode: str, read: list[Passage]) -> bool:
    """Whether the question is to be translated before the next reading (settings.translate_question)."""
    return mode == "before" or (mode == "fallback" and bool(read))


def _unread(passages: list[Passage], read: list[Passage]) -> list[Passage]:
    """`passages` the model has not read yet, in order. A passage is known by where it lies: the
    same span ranked again (with a translation) has another score but is the same passage."""
    done = {(p.source, p.start, p.end) for p in read}
    return [p for p in passages if (p.source, p.start, p.end) not in done]


def _shifted(on_token: TokenSink, done: int) -> TokenSink:
    """A sink whose attempt numbers follow the `done` model calls of earlier parts."""
    return lambda attempt, piece: on_token(done + attempt, piece)


def _joined(results: list[tuple[Answer, Trace]], language: str) -> tuple[Answer, Trace]:
    """One answer from the answers to a question's parts: each part's answer (or the refusal
    phrase for a part the articles do not answer) in order, separated by semicolons, with all
    their citations. Refused only when every part is."""
    answers = [a for a, _ in results]
    refused = all(a.refused for a in answers)
    texts = [prompts.refusal(language) if a.refused else a.answer for a in answers]
    # "…Célida Duque Molina; Javier Guerrero García es …": a part's closing period goes.
    texts = [t[:-1] if t.endswith(".") else t for t in texts[:-1]] + texts[-1:]
    citations: list[Citation] = []
    for a in answers:
        citations += [c for c in a.citations if c not in citations]
    usages = [a.usage for a in answers if a.usage is not None]
    answer = Answer(
        answer=prompts.refusal(language) if refused else "; ".join(texts),
        refused=refused,
        language=language,
        citations=citations,
        timings_ms=Timings(
            retrieve=sum(a.timings_ms.retrieve for a in answers),
            generate=sum(a.timings_ms.generate for a in answers),
            total=sum(a.timings_ms.total for a in answers),
        ),
        usage=Usage(
            llm_calls=sum(u.llm_calls for u in usages),
            prompt_tokens=reduce(_plus, (u.prompt_tokens for u in usages), _NO_TOKENS),
            completion_tokens=reduce(_plus, (u.completion_tokens for u in usages), _NO_TOKENS),
        ),
    )
    trace = Trace(
        retrieved=[f for _, t in results for f in t.retrieved],
        evidence=[e for _, t in results for e in t.evidence],
        notes=[n for _, t in results for n in t.notes],
    )
    return answer, trace


_NO_TOKENS: int | None = 0


def _plus(total: int | None, count: int | None) -> int | None:
    """A token count added to a total; None once any count is unknown (backends that do not say)."""
    return None if total is None or count is None else total + count


def _clean(text: str) -> str:
    """The model's text without surrounding space and quotes."""
    return text.strip().strip('"“”«»').strip()


def _messages(user: str, examples: Sequence[tuple[str, str]] = ()) -> list[ChatMessage]:
    """The reader's chat: its system message, the worked `examples` as earlier turns, then `user`."""
    turns = [
        ChatMessage(role=role, content=text)
        for asked, answered in examples
        for role, text in (("user", asked), ("assistant", answered))
    ]
    return [
        ChatMessage(role="system", content=prompts.READER_SYSTEM),
        *turns,
        ChatMessage(role="user", content=user),
    ]


def _sink(on_token: TokenSink | None, attempt: int) -> Callable[[str], None] | None:
    if on_token is None:
        return None
    return lambda piece: on_token(attempt, piece)
