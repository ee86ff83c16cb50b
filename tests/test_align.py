"""Unit tests of local alignment: offsets, coverage, moved, edited and partial copies."""

from __future__ import annotations

import random
import re
from itertools import pairwise

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from rapidfuzz.distance import Indel

from copydesk.align import Alignment, AlignParams, Span, align, shared_words
from copydesk.text import paragraphs
from copydesk.text.tokens import tokenize, words_of
from copydesk.verdict import swap
from fakenews import VOCAB, make_article, make_paragraph

PROMOS = [
    "READ MORE: Harbour board in tender row [LATEST]",
    "DON'T MISS: Mayor quits over ferry [INSIGHT] [ANALYSIS]",
    "(Image: Foo)",
    "(Image: Getty Pictures)",
    "Sign up for our free morning briefing",
]

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def run(a: str, b: str, params: AlignParams | None = None) -> Alignment:
    if params is None:
        return align(a, tokenize(a), b, tokenize(b))
    return align(a, tokenize(a), b, tokenize(b), params)


def check_passages(a: str, b: str, result: Alignment) -> None:
    """Offsets in bounds, in order, not overlapping; both sides slice the compared words."""
    assert len(result.passages) == len(result.spans)
    last_a = 0
    b_ranges = []
    for p, s in zip(result.passages, result.spans, strict=True):
        assert 0 <= p.article_start < p.article_end <= len(a)
        assert 0 <= p.source_start < p.source_end <= len(b)
        assert p.article_start >= last_a
        last_a = p.article_end
        b_ranges.append((p.source_start, p.source_end))
        assert 0.0 < p.similarity <= 1.0
        wa = words_of(a[p.article_start : p.article_end])
        wb = words_of(b[p.source_start : p.source_end])
        assert len(wa) == s.a_end - s.a_start and len(wb) == s.b_end - s.b_start
        assert Indel.normalized_similarity(wa, wb) >= p.similarity - 1e-9
        assert 0 < s.matched <= min(len(wa), len(wb))
    b_ranges.sort()
    for (_, e1), (s2, _) in pairwise(b_ranges):
        assert e1 <= s2
    assert 0.0 <= result.a_coverage <= 1.0 and 0.0 <= result.b_coverage <= 1.0


def word_set(text: str, start: int, end: int) -> range:
    """Indices of the words of ``text`` that lie in [start, end)."""
    tokens = tokenize(text)
    idx = [
        i
        for i, (s, e) in enumerate(zip(tokens.starts, tokens.ends, strict=True))
        if s >= start and e <= end
    ]
    return range(idx[0], idx[-1] + 1) if idx else range(0)


def covered_words(result: Alignment, side: str) -> set[int]:
    out: set[int] = set()
    for s in result.spans:
        lo, hi = (s.a_start, s.a_end) if side == "a" else (s.b_start, s.b_end)
        out.update(range(lo, hi))
    return out


def retype(text: str) -> str:
    """Straight quotes to curly and back, hyphens to dashes and back."""
    out = text.translate(str.maketrans({"“": '"', "”": '"', "—": "-", "–": "-"}))
    if out == text:
        out = re.sub(r'"([^"]*)"', r"“\1”", text).replace(" - ", " — ")
    return out


# -- (1) offsets always slice the same text on both sides ----------------------------------

edits = st.lists(
    st.tuples(
        st.sampled_from(["del", "ins", "sub", "promo", "move", "quote"]), st.integers(0, 10**6)
    ),
    max_size=40,
)


def mutate(rng: random.Random, text: str, ops) -> str:
    words = text.split(" ")
    for op, x in ops:
        if not words:
            break
        i = x % len(words)
        if op == "del":
            del words[i]
        elif op == "ins":
            words.insert(i, VOCAB[x % len(VOCAB)])
        elif op == "sub":
            words[i] = VOCAB[x % len(VOCAB)]
        elif op == "promo":
            words.insert(i, "\n\n" + PROMOS[x % len(PROMOS)] + "\n\n")
        elif op == "quote":
            words[i] = "“" + words[i] + "” —"
        elif len(words) > 10:
            n = 1 + x % 40
            piece = words[i : i + n]
            del words[i : i + n]
            j = rng.randrange(len(words) + 1)
            words[j:j] = piece
    return " ".join(words)


@SETTINGS
@given(st.integers(0, 10**6), st.integers(1, 5), edits, st.integers(0, 2), st.booleans())
def test_passage_offsets_slice_the_aligned_words(seed, n_par, ops, own, flip) -> None:
    rng = random.Random(seed)
    b = make_article(rng, n_par, 5, 80)
    a = mutate(rng, b, ops)
    if own:
        a = make_article(rng, own) + "\n\n" + a
    if flip:
        a = retype(a)
    if seed % 3 == 0:
        a, b = b, a
    check_passages(a, b, run(a, b))


@SETTINGS
@given(st.integers(0, 10**6), st.integers(1, 4), edits, st.integers(0, 2))
def test_shared_words_bounds_what_alignment_matches(seed, n_par, ops, own) -> None:
    # The scan skips aligning pairs whose bound is below a verdict's minimum: that is only
    # safe if no alignment ever matches more words than the bound.
    rng = random.Random(seed)
    b = make_article(rng, n_par, 5, 80)
    a = mutate(rng, b, ops)
    if own:
        a = make_article(rng, own) + "\n\n" + a
    ta, tb = tokenize(a), tokenize(b)
    bound = shared_words(ta, tb)
    assert bound == shared_words(tb, ta)
    assert run(a, b).matched <= bound <= max(len(ta), len(tb))
    unrelated = make_article(rng, 2)
    assert run(unrelated, b).matched <= shared_words(tokenize(unrelated), tb)


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=60), st.text(max_size=30), st.text(max_size=30))
@example("la la la la la la la la la la", "", " la")
@example("ΟΔΟΣ.Α ferry İ", "ΟΔΟΣ harbour ", "")
def test_offsets_in_bounds_for_any_unicode(core: str, pre: str, post: str) -> None:
    a, b = pre + core + post, core + post + pre
    result = run(a, b)
    for p in result.passages:
        assert 0 <= p.article_start < p.article_end <= len(a)
        assert 0 <= p.source_start < p.source_end <= len(b)
        assert 0.0 < p.similarity <= 1.0


def test_passage_offsets_on_a_known_copy() -> None:
    source = "Intro line here.\n\nThe harbour ferry was late again on Monday, the mayor said today."
    copy = (
        "Our own words first. “The harbour ferry was late again on Monday, the mayor said today.”"
    )
    result = run(copy, source)
    assert len(result.passages) == 1
    p = result.passages[0]
    # Widened over the quotes that hug the copied words, and the full stop.
    assert copy[p.article_start : p.article_end] == (
        "“The harbour ferry was late again on Monday, the mayor said today.”"
    )
    assert source[p.source_start : p.source_end] == (
        "The harbour ferry was late again on Monday, the mayor said today."
    )
    assert p.similarity == 1.0
    assert result.spans == [Span(4, 16, 3, 15, 12)]
    assert (result.a_words, result.b_words) == (16, 15)
    assert result.b_coverage == 12 / 15 and result.a_coverage == 12 / 16


def test_matched_words_never_exceed_either_side() -> None:
    rng = random.Random(3)
    words = [rng.choice(VOCAB) for _ in range(30)]
    source = " ".join(words)
    # An aside of four words inserted, then the copy resumes three words too early.
    copy = " ".join([*words[:10], "zeppelin", "quixotic", "marmalade", "xylophone", *words[7:]])
    result = run(copy, source)
    (span,) = result.spans
    assert (span.b_start, span.b_end) == (0, 30)
    assert span.matched <= 30
    assert result.matched <= result.b_words


# -- (2) an article aligned with itself is covered entirely ---------------------------------

repetitive = st.builds(
    lambda words, n: " ".join(words[i % len(words)] for i in range(n)),
    st.lists(st.sampled_from(["la", "di", "da", "ferry", "x"]), min_size=1, max_size=4),
    st.integers(1, 150),
)
random_small_vocab = st.lists(
    st.sampled_from(["la", "di", "da", "x"]), min_size=1, max_size=150
).map(" ".join)
news = st.builds(
    lambda seed, n, lo: make_article(random.Random(seed), n, lo, lo + 40),
    st.integers(0, 10**6),
    st.integers(1, 5),
    st.integers(1, 60),
)
short = st.lists(st.sampled_from(VOCAB), min_size=1, max_size=3).map(" ".join)
any_text = st.text(min_size=1, max_size=200).filter(lambda t: len(tokenize(t)) > 0)


@settings(max_examples=200, deadline=None)
@given(st.one_of(repetitive, random_small_vocab, news, short, any_text))
@example("la " * 50)
@example("la")
@example("la la")
@example("ferry strike off")
@example("la la la x la la la x la la la")
def test_self_alignment_covers_everything(text: str) -> None:
    result = run(text, text)
    assert result.a_words == result.b_words == len(tokenize(text)) >= 1
    assert result.a_coverage == 1.0
    assert result.b_coverage == 1.0
    check_passages(text, text, result)


# -- (3) shuffled paragraphs are still found ------------------------------------------------


def shuffled_copy(seed: int, n: int, lo: int, hi: int) -> tuple[list[str], list[str]]:
    rng = random.Random(seed)
    source = [make_paragraph(rng, lo, hi) for _ in range(n)]
    copy = list(source)
    while copy == source:
        rng.shuffle(copy)
    return source, copy


def check_shuffled(source: list[str], copy: list[str]) -> None:
    a, b = "\n\n".join(copy), "\n\n".join(source)
    result = run(a, b)
    check_passages(a, b, result)
    assert result.a_coverage >= 0.9
    assert result.b_coverage >= 0.9
    covered_a = covered_words(result, "a")
    covered_b = covered_words(result, "b")
    for para in source:
        wa = word_set(a, a.index(para), a.index(para) + len(para))
        wb = word_set(b, b.index(para), b.index(para) + len(para))
        assert len(covered_a.intersection(wa)) >= 0.9 * len(wa)
        assert len(covered_b.intersection(wb)) >= 0.9 * len(wb)


@SETTINGS
@given(st.integers(0, 10**6), st.integers(2, 6))
@example(113957, 3)
@example(203915, 6)
def test_shuffled_paragraphs_are_found(seed: int, n: int) -> None:
    # Moved paragraphs as short as 12 words: a chain never bridges a gap whose words are
    # matched elsewhere.
    source, copy = shuffled_copy(seed, n, 12, 80)
    check_shuffled(source, copy)


def test_shuffled_thirty_word_paragraphs_are_found() -> None:
    rng = random.Random(1)
    source = [make_paragraph(rng, 30, 30) for _ in range(3)]
    check_shuffled(source, [source[0], source[2], source[1]])


def test_moved_sentence_is_its_own_passage() -> None:
    rng = random.Random(2)
    first, second = make_paragraph(rng, 60, 60), make_paragraph(rng, 60, 60)
    moved = " ".join(rng.choice(VOCAB) for _ in range(20)).capitalize() + "."
    source = f"{first} {moved} {second}"
    copy = f"{first} {second}\n\n{moved}"
    result = run(copy, source)
    assert result.a_coverage >= 0.95


# -- (4) one copied stretch is one passage --------------------------------------------------


def edited_copy(rng: random.Random, source_pars: list[str], promos: bool, every: int) -> str:
    pars = []
    for para in source_pars:
        words = para.split(" ")
        for i in range(rng.randrange(every), len(words), every):
            replacement = rng.choice(VOCAB)
            while replacement in words[i]:
                replacement = rng.choice(VOCAB)
            words[i] = re.sub(r"\w+", replacement, words[i], count=1)
        pars.append(retype(" ".join(words)))
    out = [pars[0]]
    for para in pars[1:]:
        if promos:
            out.append(rng.choice(PROMOS))
        out.append(para)
    return "\n\n".join(out)


def typographic_source(rng: random.Random, n: int) -> list[str]:
    pars = []
    for _ in range(n):
        words = make_paragraph(rng, 40, 80).split(" ")
        i = rng.randrange(len(words) - 4)
        words[i] = '"' + words[i]
        words[i + 3] = words[i + 3] + '"'
        words.insert(rng.randrange(1, len(words)), "-")
        pars.append(" ".join(words))
    return pars


@SETTINGS
@given(st.integers(0, 10**6), st.integers(1, 6), st.booleans(), st.integers(15, 25))
@example(seed=0, n=4, promos=True, every=20)
def test_one_copied_stretch_is_one_passage(seed: int, n: int, promos: bool, every: int) -> None:
    rng = random.Random(seed)
    source_pars = typographic_source(rng, n)
    b = "\n\n".join(source_pars)
    a = edited_copy(rng, source_pars, promos, every)
    assert a != b and ("“" in a) and ("—" in a)
    result = run(a, b)
    check_passages(a, b, result)
    assert len(result.passages) == 1
    p = result.passages[0]
    # From the first copied word to the last, on both sides (a word replaced among the
    # first or last three has no trigram to match it).
    ta, tb = tokenize(a), tokenize(b)
    assert p.article_start <= ta.starts[3] and p.article_end >= ta.ends[-4]
    assert p.source_start <= tb.starts[3] and p.source_end >= tb.ends[-4]
    assert result.b_coverage >= 1 - 6 / len(tb)
    assert p.similarity >= 0.85


def reword(rng: random.Random, sentence: str, every: int) -> str:
    """Every ``every``-th word replaced: no word trigram of the sentence survives."""
    words = sentence.split(" ")
    for i in range(rng.randrange(every), len(words), every):
        words[i] = rng.choice([w for w in VOCAB if w != words[i]])
    return " ".join(words)


@SETTINGS
@given(st.integers(0, 10**6), st.integers(3, 4), st.integers(10, 38))
def test_a_reworded_sentence_does_not_split_the_passage(seed: int, every: int, n: int) -> None:
    rng = random.Random(seed)
    before, after = make_paragraph(rng, 30, 50), make_paragraph(rng, 30, 50)
    middle = " ".join(rng.choice(VOCAB) for _ in range(n)).capitalize() + "."
    source = f"{before}\n\n{middle}\n\n{after}"
    copy = f"{before}\n\n{reword(rng, middle, every)}\n\n{after}"
    result = run(copy, source)
    check_passages(copy, source, result)
    assert len(result.passages) == 1
    assert result.a_coverage == result.b_coverage == 1.0
    assert result.spans[0].matched < len(tokenize(copy))  # the reworded words are not matches
    assert result.spans == run(source, copy).swapped().spans


def test_other_text_between_two_passages_is_not_bridged() -> None:
    rng = random.Random(5)
    before, after = make_paragraph(rng, 40, 50), make_paragraph(rng, 40, 50)
    source = f"{before}\n\n{make_paragraph(rng, 25, 30)}\n\n{after}"
    copy = f"{before}\n\n{make_paragraph(rng, 25, 30)}\n\n{after}"
    result = run(copy, source)
    assert len(result.passages) == 2
    # Nor is a reworded stretch longer than the limit.
    middle = make_paragraph(rng, 60, 60)
    source = f"{before}\n\n{middle}\n\n{after}"
    copy = f"{before}\n\n{reword(rng, middle, 3)}\n\n{after}"
    assert len(run(copy, source).passages) == 2
    assert len(run(copy, source, AlignParams(max_reworded_gap=70)).passages) == 1


def test_promo_lines_and_captions_inside_one_passage() -> None:
    rng = random.Random(77)
    pars = [make_paragraph(rng, 45, 60) for _ in range(4)]
    b = "\n\n".join(pars)
    a = "\n\n".join(
        [
            pars[0],
            "READ MORE: Ferry chaos [LATEST]",
            pars[1],
            "(Image: Foo)",
            pars[2],
            "DON'T MISS: Harbour vote [INSIGHT] [ANALYSIS]",
            pars[3],
        ]
    )
    result = run(a, b)
    assert len(result.passages) == 1
    assert result.passages[0].similarity < 1.0  # the promo lines are inside, unmatched
    assert result.b_coverage == 1.0
    assert result.matched == len(tokenize(b))


# -- (5) a partial copy ---------------------------------------------------------------------


@SETTINGS
@given(st.integers(0, 10**6), st.integers(0, 5), st.integers(0, 2), st.integers(0, 2))
@example(seed=1, k=0, before=0, after=0)
@example(seed=2, k=5, before=2, after=2)
def test_partial_copy_is_found_exactly(seed: int, k: int, before: int, after: int) -> None:
    rng = random.Random(seed)
    source = [make_paragraph(rng) for _ in range(8)]
    taken = source[k : k + 3]
    # The copy's own paragraphs start and end with words the source never uses, so that
    # no chance match can extend the passage beyond the copied paragraphs.
    own_before = [f"Locally, {make_paragraph(rng)} Reported." for _ in range(before)]
    own_after = [f"Locally, {make_paragraph(rng)} Reported." for _ in range(after)]
    a = "\n\n".join(own_before + taken + own_after)
    b = "\n\n".join(source)
    a0, a1 = a.index(taken[0]), a.index(taken[-1]) + len(taken[-1])
    b0, b1 = b.index(taken[0]), b.index(taken[-1]) + len(taken[-1])
    result = run(a, b)
    check_passages(a, b, result)
    assert len(result.passages) == 1
    p = result.passages[0]
    assert abs(p.article_start - a0) <= 3 and abs(p.article_end - a1) <= 3
    assert abs(p.source_start - b0) <= 3 and abs(p.source_end - b1) <= 3
    n_taken = len(tokenize("\n\n".join(taken)))
    assert result.a_covered == result.b_covered == result.matched == n_taken
    assert result.b_coverage == pytest.approx(n_taken / len(tokenize(b)))


def test_partial_copy_boundaries_exact() -> None:
    rng = random.Random(5)
    source = [make_paragraph(rng) for _ in range(6)]
    own = "Elsewhere, " + make_paragraph(rng) + " Reported."
    a = own + "\n\n" + "\n\n".join(source[2:5])
    b = "\n\n".join(source)
    (p,) = run(a, b).passages
    assert a[p.article_start : p.article_end] == "\n\n".join(source[2:5])
    assert b[p.source_start : p.source_end] == "\n\n".join(source[2:5])
    assert [s.slice(a) for s in paragraphs(a)][1:] == source[2:5]


# -- (6) unrelated texts --------------------------------------------------------------------


@SETTINGS
@given(st.integers(0, 10**6), st.integers(0, 10**6), st.integers(1, 6), st.integers(1, 6))
def test_unrelated_texts_have_no_passages(seed_a: int, seed_b: int, na: int, nb: int) -> None:
    if seed_a == seed_b:
        seed_b += 1
    a = make_article(random.Random(seed_a), na)
    b = make_article(random.Random(10**7 + seed_b), nb)
    result = run(a, b)
    assert result.passages == [] and result.spans == []
    assert result.a_coverage == result.b_coverage == 0.0


def test_short_shared_phrase_is_not_a_passage() -> None:
    rng = random.Random(8)
    phrase = "the council said on Monday"
    a = make_paragraph(rng) + f" {phrase.capitalize()}. " + make_paragraph(rng)
    b = make_paragraph(rng) + f" {phrase.capitalize()}. " + make_paragraph(rng)
    assert run(a, b).passages == []


# -- small cases and the Alignment object ---------------------------------------------------


def test_empty_sides() -> None:
    for a, b in [("", "ferry strike"), ("ferry strike", ""), ("", ""), ("— …", "ferry")]:
        result = run(a, b)
        assert result.passages == [] and result.spans == []
        assert result.a_words == len(tokenize(a)) and result.b_words == len(tokenize(b))
        assert result.a_coverage == 0.0 and result.b_coverage == 0.0


def test_headline_sized_copy_aligns_in_full() -> None:
    result = run("Ferry strike called off", "Breaking. Ferry strike called off. More soon.")
    (p,) = result.passages
    assert (p.article_start, p.article_end) == (0, 23)
    assert (p.source_start, p.source_end) == (10, 34)  # the full stop is taken in
    assert result.a_coverage == 1.0


def test_params_change_the_outcome() -> None:
    rng = random.Random(3)
    shared = " ".join(rng.choice(VOCAB) for _ in range(12))
    a = make_paragraph(rng) + " " + shared + " " + make_paragraph(rng)
    b = make_paragraph(rng) + " " + shared + " " + make_paragraph(rng)
    assert len(run(a, b).passages) == 1
    assert run(a, b, AlignParams(min_passage_words=13)).passages == []


def test_swap_is_an_involution() -> None:
    rng = random.Random(4)
    source = [make_paragraph(rng) for _ in range(5)]
    a = make_paragraph(rng) + "\n\n" + "\n\n".join(source[1:4])
    b = "\n\n".join(source)
    result = run(a, b)
    back = swap(swap(result))
    assert back.passages == result.passages
    assert [(s.a_start, s.a_end, s.b_start, s.b_end) for s in back.spans] == [
        (s.a_start, s.a_end, s.b_start, s.b_end) for s in result.spans
    ]
    flipped = swap(result)
    assert flipped.a_coverage == result.b_coverage
    assert flipped.passages[0].article_start == result.passages[0].source_start


@SETTINGS
@given(st.integers(0, 10_000), st.integers(1, 6))
def test_align_is_symmetric(seed: int, n_moved: int) -> None:
    """Which text comes first never changes the result: a verdict cannot depend on
    which of two articles a scan met first."""
    rng = random.Random(seed)
    source = [make_paragraph(rng, 10, 40) for _ in range(6)]
    copy = source[:]
    for _ in range(n_moved):
        i, j = rng.randrange(6), rng.randrange(6)
        copy[i], copy[j] = copy[j], copy[i]
    a, b = make_paragraph(rng, 5, 20) + "\n\n" + "\n\n".join(copy), "\n\n".join(source)
    forth = run(a, b)
    back = run(b, a).swapped()
    assert forth.passages == back.passages
    assert forth.a_coverage == back.a_coverage and forth.b_coverage == back.b_coverage


def test_a_repeated_caption_inserted_in_the_copy_does_not_split_the_passage() -> None:
    """Furniture: the copy inserts a caption line that the source also has elsewhere."""
    rng = random.Random(11)
    caption = "The harbour wall at dawn after the storm passed (Image: Viewline Pictures)"
    paras = [make_paragraph(rng) for _ in range(5)]
    source = "\n\n".join([*paras[:3], caption, *paras[3:]])
    copy = "\n\n".join([paras[0], caption, *paras[1:3], caption, *paras[3:]])
    result = run(copy, source)
    assert len(result.passages) == 1
    assert result.a_coverage == 1.0
