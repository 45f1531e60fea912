import time
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
from llama_index.core.schema import NodeWithScore, TextNode

from rag.answer.evidence import (
    COUNT_WEIGHT,
    TOPIC_WEIGHT,
    Evidence,
    SentenceEmbeddings,
    chunk_sentences,
    file_sentences,
    lexical_overlap,
    opening_stems,
    rank_evidence,
    rerank,
    stems,
    widen,
)
from rag.answer.rerank import E5Reranker

TEXT = "First line here.\nThe IMSS requires 170 appointments. It has two windows.\nLast one.\n"
FILES = {"a.txt": TEXT, "b.txt": "Otro artículo. Con dos frases."}


def _read(name: str) -> str | None:
    return FILES.get(name)


def _hit(source: str, start: int, end: int) -> NodeWithScore:
    text = FILES[source][start:end]
    node = TextNode(text=text, metadata={"source": source, "start": start, "language": "en"})
    return NodeWithScore(node=node, score=1.0)


def _ranked(source: str, sentence: str, score: float = 1.0) -> Evidence:
    start = FILES[source].index(sentence)
    return Evidence(source, start, start + len(sentence), sentence, score, score)


def test_stems_meet_across_inflections_and_languages() -> None:
    assert stems("appointments") == stems("appointment")
    assert stems("médicas") == stems("medical")
    assert lexical_overlap("director of medical benefits", "directora de prestaciones médicas") == 2 / 3


def test_every_sentence_of_the_retrieved_files_is_a_candidate() -> None:
    hits = [_hit("a.txt", 17, 52), _hit("b.txt", 0, 14), _hit("a.txt", 0, 16)]
    candidates = file_sentences(hits, _read, max_files=1)
    assert [c[3] for c in candidates] == [
        "First line here.",
        "The IMSS requires 170 appointments.",
        "It has two windows.",
        "Last one.",
    ]
    assert all(TEXT[start:end] == text for _, start, end, text in candidates)
    assert {c[0] for c in file_sentences(hits, _read, max_files=2)} == {"a.txt", "b.txt"}


def test_chunk_sentences_keep_file_offsets_and_drop_repeats() -> None:
    hits = [_hit("a.txt", 17, 73), _hit("a.txt", 53, 73)]
    found = chunk_sentences(hits)
    assert [c[3] for c in found] == ["The IMSS requires 170 appointments.", "It has two windows."]
    assert all(TEXT[start:end] == text for _, start, end, text in found)


def test_a_passage_is_a_sentence_with_its_neighbours_and_overlapping_ones_merge() -> None:
    ranked = [_ranked("a.txt", "It has two windows.", 2.0), _ranked("a.txt", "Last one.", 1.0)]
    [passage] = widen(ranked, _read, lambda _: "en", limit=3, before=1, after=0)
    assert passage.text == TEXT[passage.start : passage.end]
    assert passage.text == "The IMSS requires 170 appointments. It has two windows.\nLast one."
    assert [s.text for s in passage.sentences][-1] == "Last one."
    assert passage.score == 2.0


def test_passages_without_neighbours_stay_apart_and_are_limited() -> None:
    ranked = [_ranked("a.txt", "Last one.", 3.0), _ranked("a.txt", "First line here.", 2.0)]
    ranked.append(_ranked("b.txt", "Con dos frases.", 1.0))
    passages = widen(ranked, _read, lambda _: "en", limit=2)
    assert [p.text for p in passages] == ["Last one.", "First line here."]


class _ByLength:
    """A deterministic reranker: longer sentences are more similar."""

    def similarities(self, question: str, sentences: list[str]) -> np.ndarray:
        return np.array([len(s) / 100 for s in sentences])


def test_the_reranker_reorders_only_the_best_and_keeps_their_scores() -> None:
    ranked = [
        _ranked("a.txt", "Last one.", 3.0),
        _ranked("a.txt", "The IMSS requires 170 appointments.", 2.0),
        _ranked("a.txt", "First line here.", 1.0),
    ]
    reordered = rerank("Which line?", ranked, _ByLength(), top=2)
    assert [e.text for e in reordered] == [
        "The IMSS requires 170 appointments.",
        "Last one.",
        "First line here.",
    ]
    assert [e.score for e in reordered] == [2.0, 3.0, 1.0]
    assert rerank("Which line?", ranked, None, top=2) == ranked


def test_e5_puts_the_sentence_that_answers_across_languages_first() -> None:
    reranker = E5Reranker(threads=2)
    sentences = [
        "Se instalarán dos ventanillas en las oficinas centrales.",
        "La directora de Prestaciones Médicas, Célida Duque Molina, habló de la pandemia.",
    ]
    scores = reranker.similarities("Who is the IMSS director of Medical Benefits?", sentences)
    assert scores.shape == (2,) and scores[1] > scores[0]
    assert reranker.similarities("q", []).shape == (0,)


class _SlowCountingEmbedder:
    """Counts every text it embeds; slow enough that concurrent callers overlap."""

    def __init__(self) -> None:
        self.embedded: list[str] = []

    def get_text_embedding_batch(self, texts: list[str]) -> list[list[float]]:
        time.sleep(0.05)
        self.embedded += texts
        return [[float(len(t)), 1.0] for t in texts]


def test_questions_arriving_together_embed_each_sentence_once() -> None:
    embedder = _SlowCountingEmbedder()
    embed = SentenceEmbeddings(embedder)
    sentences = [f"Sentence number {n}." for n in range(20)]
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(lambda _: embed(sentences), range(4)))
    assert sorted(embedder.embedded) == sorted(sentences)
    assert all(np.array_equal(r, results[0]) for r in results)


class _Same:
    """Every text gets the same vector: only the stem overlap tells sentences apart."""

    def get_text_embedding_batch(self, texts: list[str]) -> list[list[float]]:
        return [[1.0, 0.0] for _ in texts]


def test_a_translation_of_the_question_lets_stems_meet_across_languages() -> None:
    candidates = [
        ("b.txt", 0, 22, "Otro artículo de 2021."),
        ("c.txt", 0, 29, "Se suscribieron 837 acuerdos."),
    ]
    embed = SentenceEmbeddings(_Same())
    question = "How many agreements were signed?"
    alone = rank_evidence(question, [1.0, 0.0], candidates, embed, limit=2)
    assert alone[0].score == alone[1].score  # no English stem meets a Spanish one
    translated = rank_evidence(
        question, [1.0, 0.0], candidates, embed, limit=2, translations=["¿Cuántos acuerdos se suscribieron?"]
    )
    assert translated[0].text == "Se suscribieron 837 acuerdos."
    assert translated[0].score > translated[1].score


def test_a_sentence_inherits_the_question_words_its_articles_opening_holds() -> None:
    topic = opening_stems("Cierra la Cuarta Reunión Regional Centro\n\nSe reunieron en Puebla.")
    sentence = "Detalló que se suscribieron 837 acuerdos."
    question = "¿Cuántos acuerdos se suscribieron en la Cuarta Reunión Regional?"
    alone = lexical_overlap(question, sentence)
    assert alone == 2 / 6  # of cuantos, acuerdos, suscribieron, cuarta, reunion, regional
    # The three the headline holds count 0.3 each; "cuantos", held by neither, counts nothing.
    assert lexical_overlap(question, sentence, topic) == (2 + 0.3 * 3) / 6
    assert lexical_overlap(question, "Cuarta Reunión Regional: 837 acuerdos suscritos.", topic) > alone


def test_the_opening_is_the_title_and_lead_not_the_whole_article() -> None:
    article = "Headline about windows.\n" + "Filler words here. " * 40 + "Closing remark about hospitals."
    assert "windo" in opening_stems(article)
    assert "hospi" not in opening_stems(article)


def test_topics_raise_the_sentences_of_the_article_the_question_is_about() -> None:
    candidates = [
        ("b.txt", 0, 27, "Se suscribieron 837 acuerdos."),
        ("c.txt", 0, 27, "Se suscribieron 900 acuerdos."),
    ]
    embed = SentenceEmbeddings(_Same())
    question = "¿Cuántos acuerdos se suscribieron en la reunión de Puebla?"
    topics = {"c.txt": opening_stems("Reunión en Puebla")}
    plain = rank_evidence(question, [1.0, 0.0], candidates, embed, limit=2)
    assert plain[0].score == plain[1].score
    ranked = rank_evidence(question, [1.0, 0.0], candidates, embed, limit=2, topics=topics)
    assert ranked[0].source == "c.txt" and ranked[0].score > ranked[1].score
    reordered = rerank(question, list(reversed(ranked)), _ByLength(), top=2, topics=topics)
    assert reordered[0].source == "c.txt"


def test_a_sentence_that_gives_the_count_the_translated_question_asks_for_ranks_first() -> None:
    # The same words either way; only the second puts a number right before "acuerdos".
    candidates = [
        ("b.txt", 0, 35, "En 837 horas se firmaron acuerdos: 130."),
        ("c.txt", 0, 35, "Se firmaron 837 acuerdos en 130 horas."),
    ]
    embed = SentenceEmbeddings(_Same())
    question = "How many agreements were signed?"
    translated = rank_evidence(
        question, [1.0, 0.0], candidates, embed, limit=2, translations=["¿Cuántos acuerdos se firmaron?"]
    )
    assert translated[0].source == "c.txt"
    assert translated[0].score - translated[1].score == pytest.approx(COUNT_WEIGHT)
    # Asked in the sentences' own language, the stem overlap alone decides: the two tie.
    alone = rank_evidence("¿Cuántos acuerdos se firmaron?", [1.0, 0.0], candidates, embed, limit=2)
    assert alone[0].score == alone[1].score


def test_the_count_of_someone_the_question_does_not_name_earns_nothing() -> None:
    candidates = [
        ("b.txt", 0, 40, "Kurt Coleman también sumó 88 placajes."),
        ("c.txt", 0, 40, "Luke Kuechly lideró al equipo en placajes."),
    ]
    embed = SentenceEmbeddings(_Same())
    translation = "¿Cuántos placajes registró Luke Kuechly?"
    ranked = rank_evidence(
        "How many tackles did Luke Kuechly register?", [1.0, 0.0], candidates, embed, 2, [translation]
    )
    coleman = next(e for e in ranked if e.source == "b.txt")
    named = rank_evidence(
        "How many tackles did Luke Kuechly register?",
        [1.0, 0.0],
        candidates,
        embed,
        2,
        [translation],
        topics={"b.txt": opening_stems("Luke Kuechly y Kurt Coleman")},
    )
    # Coleman's sentence gives a count of "placajes" but names no Kuechly: no count bonus. Named in
    # its article's opening, the same sentence earns it (the opening's stems add under TOPIC_WEIGHT).
    gained = next(e for e in named if e.source == "b.txt").score - coleman.score
    assert COUNT_WEIGHT <= gained < COUNT_WEIGHT + TOPIC_WEIGHT
