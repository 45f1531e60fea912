import math

import pytest

from eval.scoring import metrics as m


def test_fold_lowercases_and_strips_accents() -> None:
    assert m.fold("Célida PÉREZ, Año, Über") == "celida perez, ano, uber"


@pytest.mark.parametrize(
    ("answer", "patterns", "expected"),
    [
        ("At least 170 appointments.", [r"\b170\b"], True),
        ("At least 1700 appointments.", [r"\b170\b"], False),
        ("Doctor Célida DUQUE Molina", ["duque"], True),
        ("Se firmó en julio", ["JULIO|july"], True),
        ("Alejandro Svarch Perez", ["pérez"], True),  # accent in the pattern only
        ("Alejandro Svarch Pérez", ["perez"], True),  # accent in the answer only
        ("nothing here", ["duque", r"\b170\b"], False),
        ("anything", [], False),
    ],
)
def test_accept_match(answer: str, patterns: list[str], expected: bool) -> None:
    assert m.accept_match(answer, patterns) is expected


def test_accept_match_keeps_uppercase_escapes() -> None:
    # \D must stay "not a digit"; lowercasing the pattern would make it \d.
    assert m.accept_match("abc", [r"^\D+$"])
    assert not m.accept_match("123", [r"^\D+$"])


def test_normalize_answer_removes_english_and_spanish_articles() -> None:
    assert m.normalize_answer("The director of an office") == "director of office"
    assert m.normalize_answer("El director, la oficina; los médicos y las enfermeras") == (
        "director oficina medicos y enfermeras"
    )
    assert m.normalize_answer("Un acuerdo, una ventanilla, unos días, unas citas") == (
        "acuerdo ventanilla dias citas"
    )


def test_normalize_answer_removes_punctuation_including_spanish_marks() -> None:
    assert m.normalize_answer("¿Quién   es?  ¡Él!  «Sí»") == "quien es el si"
    # Articles only as whole words: 'Atlas' and 'Elena' keep their letters.
    assert m.normalize_answer("Atlas Elena") == "atlas elena"


def test_token_f1() -> None:
    assert m.token_f1("170 appointments", "At least 170 appointments") == pytest.approx(2 * 1 * 0.5 / 1.5)
    assert m.token_f1("La ventanilla", "ventanilla") == 1.0
    assert m.token_f1("nothing", "something") == 0.0
    assert m.token_f1("the", "a") == 1.0  # both normalise to nothing
    assert m.token_f1("the", "two") == 0.0


def test_token_f1_counts_repeated_tokens_once_each() -> None:
    # 'two two windows' vs 'two windows': common = 2, precision 2/3, recall 1.
    assert m.token_f1("two two windows", "two windows") == pytest.approx(0.8)


def test_exact_match() -> None:
    assert m.exact_match("The DIGIPRiS platform.", "digipris platform")
    assert m.exact_match("El Año", "ano")
    assert not m.exact_match("DIGIPRiS", "digipris platform")


def test_contains_gold() -> None:
    assert m.contains_gold("Son 170 citas, al menos.", ["170 citas"])
    assert m.contains_gold("It was Célida Duque.", ["nobody", "celida duque"])
    assert not m.contains_gold("Son 1700 citas", ["170"])
    assert not m.contains_gold("anything", ["", "the"])  # golds that normalise to nothing never match


def test_contains_gold_may_count_number_words_as_digits() -> None:
    assert not m.contains_gold("4", ["four"])  # strict, as SQuAD scores
    assert m.contains_gold("4", ["four"], numbers_as_digits=True)
    assert m.contains_gold("Cuatro entidades", ["4 entidades"], numbers_as_digits=True)
    assert not m.contains_gold("14", ["four"], numbers_as_digits=True)
    assert not m.contains_gold("fourteen", ["four"], numbers_as_digits=True)


RANKED = ["c.txt", "a.txt", "c.txt", "b.txt", "d.txt", "e.txt", "f.txt"]


def test_dedupe_keeps_first_rank() -> None:
    assert m.dedupe(RANKED) == ["c.txt", "a.txt", "b.txt", "d.txt", "e.txt", "f.txt"]


def test_hit_at_k_all_and_any() -> None:
    # Deduplicated ranking: c, a, b, d, e, f.
    assert m.hit_at_k(RANKED, ["a.txt", "b.txt"], 3, "all")
    assert not m.hit_at_k(RANKED, ["a.txt", "b.txt"], 2, "all")
    assert m.hit_at_k(RANKED, ["a.txt", "b.txt"], 2, "any")
    assert not m.hit_at_k(RANKED, ["a.txt", "f.txt"], 5, "all")  # f is rank 6 once repeats are gone
    assert m.hit_at_k(RANKED, ["a.txt", "f.txt"], 6, "all")
    assert not m.hit_at_k(RANKED, ["z.txt"], 5, "any")


def test_hit_at_k_defaults_to_all() -> None:
    assert not m.hit_at_k(RANKED, ["c.txt", "f.txt"], 5)


def test_recall_at_k_all_and_any() -> None:
    assert m.recall_at_k(RANKED, ["a.txt", "f.txt"], 5, "all") == 0.5
    assert m.recall_at_k(RANKED, ["a.txt", "f.txt"], 5, "any") == 1.0
    assert m.recall_at_k(RANKED, ["f.txt", "z.txt"], 5, "any") == 0.0
    assert m.recall_at_k(RANKED, ["a.txt", "b.txt", "z.txt"], 5, "all") == pytest.approx(2 / 3)


def test_reciprocal_rank_uses_deduplicated_ranks() -> None:
    assert m.reciprocal_rank(RANKED, ["b.txt"]) == pytest.approx(1 / 3)
    assert m.reciprocal_rank(RANKED, ["d.txt", "c.txt"]) == 1.0
    assert m.reciprocal_rank(RANKED, ["z.txt"]) == 0.0
    assert m.reciprocal_rank([], ["a.txt"]) == 0.0


def test_retrieval_metrics_reject_bad_arguments() -> None:
    with pytest.raises(ValueError, match="need"):
        m.hit_at_k(RANKED, ["a.txt"], 5, "most")
    with pytest.raises(ValueError, match="k must be"):
        m.recall_at_k(RANKED, ["a.txt"], 0)
    with pytest.raises(ValueError, match="no gold files"):
        m.reciprocal_rank(RANKED, [])


def test_citation_precision() -> None:
    assert m.citation_precision([], ["a.txt"]) is None
    assert m.citation_precision(["a.txt", "a.txt", "b.txt"], ["a.txt"]) == 0.5  # distinct files
    assert m.citation_precision(["a.txt"], ["a.txt", "b.txt"]) == 1.0
    assert m.citation_precision(["z.txt"], ["a.txt"]) == 0.0


def test_citation_recall_all_and_any() -> None:
    assert m.citation_recall(["a.txt"], ["a.txt", "b.txt"], "all") == 0.5
    assert m.citation_recall(["a.txt"], ["a.txt", "b.txt"], "any") == 1.0
    assert m.citation_recall(["a.txt", "b.txt", "z.txt"], ["a.txt", "b.txt"], "all") == 1.0
    assert m.citation_recall([], ["a.txt", "b.txt"], "any") == 0.0
    assert m.citation_recall(["z.txt"], ["a.txt"]) == 0.0


FILES = {"a.txt": "Title\n\nThe IMSS will   require\n170 appointments. Next sentence."}


@pytest.mark.parametrize(
    ("citation", "expected"),
    [
        (
            {"source": "a.txt", "quote": "The IMSS will require 170 appointments.", "start": 7, "end": 48},
            True,
        ),
        ({"source": "a.txt", "quote": FILES["a.txt"][7:48], "start": 7, "end": 48}, True),
        (
            {"source": "a.txt", "quote": "The IMSS will require 270 appointments.", "start": 7, "end": 48},
            False,
        ),
        (
            {"source": "a.txt", "quote": "The IMSS will require 170 appointments.", "start": 8, "end": 48},
            False,
        ),
        ({"source": "b.txt", "quote": "Title", "start": 0, "end": 5}, False),
        ({"source": "a.txt", "quote": "sentence.", "start": 55, "end": 500}, False),
        ({"source": "a.txt", "quote": "", "start": 3, "end": 3}, False),
        ({"source": "a.txt", "quote": "Title", "start": "0", "end": 5}, False),
        ({"source": "a.txt", "quote": "Title"}, False),
    ],
)
def test_quote_valid(citation: dict[str, object], expected: bool) -> None:
    assert m.quote_valid(citation, FILES.get) is expected


def test_percentile_matches_linear_interpolation() -> None:
    values = [15.0, 20.0, 35.0, 40.0, 50.0]
    assert m.percentile(values, 0) == 15.0
    assert m.percentile(values, 50) == 35.0
    assert m.percentile(values, 100) == 50.0
    assert m.percentile(values, 40) == pytest.approx(29.0)  # numpy.percentile(values, 40)
    assert m.percentile([3.0, 1.0, 2.0, 4.0], 95) == pytest.approx(3.85)
    assert m.percentile([7.0], 95) == 7.0
    assert math.isnan(m.percentile([], 50))
    with pytest.raises(ValueError):
        m.percentile(values, 101)


def test_bootstrap_ci_is_deterministic_for_a_seed() -> None:
    values = [1.0, 0.0, 1.0, 1.0, 0.0, 1.0, 0.0, 1.0, 1.0, 1.0]

    first = m.bootstrap_ci(values, seed=3)

    assert first == m.bootstrap_ci(values, seed=3)
    assert first != m.bootstrap_ci(values, seed=4)
    low, high = first
    assert 0.0 <= low < 0.7 < high <= 1.0


def test_bootstrap_ci_narrows_with_larger_alpha() -> None:
    values = [float(v % 7) for v in range(40)]
    wide = m.bootstrap_ci(values, alpha=0.05)
    narrow = m.bootstrap_ci(values, alpha=0.5)
    assert wide[0] <= narrow[0] < narrow[1] <= wide[1]


def test_bootstrap_ci_edge_cases() -> None:
    assert all(math.isnan(v) for v in m.bootstrap_ci([]))
    assert m.bootstrap_ci([0.25]) == (0.25, 0.25)
    assert m.bootstrap_ci([1.0, 1.0, 1.0]) == (1.0, 1.0)
    with pytest.raises(ValueError):
        m.bootstrap_ci([1.0, 2.0], alpha=0)


@pytest.mark.parametrize(
    ("answerable", "refused", "expected"),
    [(True, False, True), (True, True, False), (False, True, True), (False, False, False)],
)
def test_refusal_correct(answerable: bool, refused: bool, expected: bool) -> None:
    assert m.refusal_correct(answerable, refused) is expected


def test_evidence_recall_looks_at_the_first_k_passages() -> None:
    passages = ["Nothing here.", "Two windows.", "At least 170 appointments."]
    assert not m.evidence_recall(passages, [r"\b170\b"], 1)
    assert m.evidence_recall(passages, [r"\b170\b"], 3)
    assert not m.evidence_recall([], [r"\b170\b"], 5)
    with pytest.raises(ValueError):
        m.evidence_recall(passages, ["x"], 0)
