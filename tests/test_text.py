"""Unit tests of the text stage: words and offsets, hashes, paragraphs, sentences, quotes."""

from __future__ import annotations

import random
import re

import numpy as np
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from copydesk.text import Segment, fold, paragraphs, sentences, tokenize, word_hashes
from copydesk.text.quotes import quoted_mask
from copydesk.text.tokens import words_of
from fakenews import VOCAB, make_paragraph

# -- invented news-like text ---------------------------------------------------------------

assert len(set(VOCAB)) == len(VOCAB) >= 290


def spans(tokens) -> list[tuple[int, int]]:
    return list(zip(tokens.starts.tolist(), tokens.ends.tolist(), strict=True))


FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Text that hypothesis draws: everything, but with whitespace, punctuation and quotes common.
_pieces = st.one_of(
    st.text(max_size=12),
    st.sampled_from(
        [" ", "\n", "\n\n", ".", ". ", "“", "”", '"', "—", "\u00a0", "İ", "ß", "Σ", "ǅ", "'"]
    ),
    st.sampled_from(VOCAB),
)
texts = st.lists(_pieces, max_size=40).map("".join)


# -- words, offsets, hashes ----------------------------------------------------------------


def test_tokenize_known_offsets() -> None:
    text = "Harbour ferry, delayed — again!  “Council” said\u00a0no."
    tokens = tokenize(text)
    assert [text[s:e] for s, e in spans(tokens)] == [
        "Harbour",
        "ferry",
        "delayed",
        "again",
        "Council",
        "said",
        "no",
    ]
    assert spans(tokens)[:2] == [(0, 7), (8, 13)]
    assert tokens.hashes.dtype == np.uint64
    assert tokens.starts.dtype == np.int64
    assert len(tokens) == 7


def test_tokenize_empty_and_wordless() -> None:
    for text in ("", "   ", "— … “” !?\n\n"):
        tokens = tokenize(text)
        assert len(tokens) == 0
        assert tokens.starts.size == tokens.ends.size == 0
    assert words_of("") == []
    assert word_hashes([]).size == 0


@FAST
@given(st.one_of(texts, st.text(alphabet=st.characters(blacklist_characters="Σ"))))
@example("İstanbul İİ ferry")
@example("ǅemal ﬁnal Straße ΜΑΣ ΟΔΟΣ")
@example("x")
@example("\u0345")
def test_tokenize_offsets_slice_the_hashed_word(text: str) -> None:
    """Offsets cut the original text to the very word that was hashed.

    Offsets cut the text to the word that was hashed, case-folded.
    """
    text = text.replace("Σ", "")
    tokens = tokenize(text)
    sliced = [text[s:e] for s, e in spans(tokens)]
    assert all(re.fullmatch(r"\w+", w) for w in sliced)
    assert np.array_equal(word_hashes([w.casefold() for w in sliced]), tokens.hashes)
    # In order, within bounds, not overlapping, and nothing word-like left between them.
    bounds = [0, *[x for span in spans(tokens) for x in span], len(text)]
    assert bounds == sorted(bounds)
    for lo, hi in zip(bounds[0::2], bounds[1::2], strict=True):
        assert not re.search(r"\w", text[lo:hi])


@FAST
@given(st.one_of(texts, st.text()))
@example("İ")
@example("İSTANBUL ferry İ")
@example("ΟΔΟΣ.Α İ")
@example("ΟΔΟΣ.Α")
def test_tokenize_and_words_of_agree(text: str) -> None:
    tokens = tokenize(text)
    words = words_of(text)
    assert len(words) == len(tokens)
    assert np.array_equal(word_hashes(words), tokens.hashes)


def test_lowercase_that_changes_length() -> None:
    # "İ".lower() is two characters: offsets must still point into the original text.
    text = "İSTANBUL harbour İzmir"
    tokens = tokenize(text)
    assert [text[s:e] for s, e in spans(tokens)] == ["İSTANBUL", "harbour", "İzmir"]
    assert tokens.hashes[1] == tokenize("Harbour").hashes[0]
    assert tokens.hashes[0] == word_hashes(["i̇stanbul"])[0]


def test_final_sigma_offsets_slice_the_hashed_word() -> None:
    text = "ΟΔΟΣ.Α"
    tokens = tokenize(text)
    sliced = [text[s:e].casefold() for s, e in spans(tokens)]
    assert np.array_equal(word_hashes(sliced), tokens.hashes)


def test_final_sigma_case_and_context_do_not_change_hashes() -> None:
    word = tokenize("ΟΔΟΣ").hashes[0]
    assert tokenize("ΟΔΟΣ.Α").hashes[0] == word
    assert tokenize("ΟΔΟΣ.Α İ").hashes[0] == tokenize("ΟΔΟΣ.Α").hashes[0]
    assert tokenize("οδος.α").hashes[0] == tokenize("ΟΔΟΣ.Α").hashes[0]


def test_word_hashes_distinct_and_stable() -> None:
    hashes = word_hashes(VOCAB)
    assert hashes.dtype == np.uint64
    assert len(set(hashes.tolist())) == len(VOCAB)
    assert np.array_equal(hashes, word_hashes(list(VOCAB)))
    # Each word hashes alone as it does among others.
    assert [int(word_hashes([w])[0]) for w in VOCAB[:20]] == hashes[:20].tolist()
    # Length and order matter.
    a, ab, ba = word_hashes(["a", "ab", "ba"])
    assert len({int(a), int(ab), int(ba)}) == 3


@pytest.mark.parametrize(
    ("plain", "fancy"),
    [
        ('He said "the ferry is late" - again', "He said “the ferry is late” — again"),
        ("council's budget - tender", "council’s budget – tender"),
        ("harbour ferry  mayor", "harbour\u00a0ferry\u2009mayor"),
        ("Harbour Ferry MAYOR", "harbour ferry mayor"),
        ("«le port» -- ferry", '"le port" — ferry'),
        ("rail\nunion\n\nvote", "rail union vote"),
    ],
)
def test_typography_does_not_change_hashes(plain: str, fancy: str) -> None:
    assert len(tokenize(plain)) > 0
    assert np.array_equal(tokenize(plain).hashes, tokenize(fancy).hashes)


def test_fold_examples() -> None:
    assert fold("  “Ferry”\u00a0— Harbour’s  ") == '"ferry" - harbour\'s'
    assert fold("A\n\nB\tC") == "a b c"
    assert fold("") == ""


@FAST
@given(st.integers(0, 10**6), st.data())
def test_typography_property(seed: int, data) -> None:
    rng = random.Random(seed)
    words = make_paragraph(rng, 5, 40).split(" ")
    out = []
    for w in words:
        style = data.draw(st.sampled_from(["upper", "title", "curly", "straight", "dash", "nbsp"]))
        if style == "upper":
            out.append(w.upper())
        elif style == "title":
            out.append(w.title())
        elif style == "curly":
            out.append(f"“{w}”")
        elif style == "straight":
            out.append(f'"{w}"')
        elif style == "dash":
            out.append(w + data.draw(st.sampled_from([" -", " –", " —", "-", "—"])))
        else:
            out.append(w + "\u00a0")
    fancy = " ".join(out)
    assert np.array_equal(tokenize(fancy).hashes, tokenize(" ".join(words)).hashes)


# -- paragraphs and sentences --------------------------------------------------------------


def check_segments(text: str, segs: list[Segment]) -> None:
    last = 0
    for seg in segs:
        assert 0 <= last <= seg.start < seg.end <= len(text)
        piece = seg.slice(text)
        assert piece == piece.strip() and piece
        last = seg.end


@FAST
@given(texts)
@example("a\n\nb\nc")
@example("\n\n  \n")
def test_paragraphs_property(text: str) -> None:
    segs = paragraphs(text)
    check_segments(text, segs)
    for seg in segs:
        assert "\n" not in seg.slice(text)
    # Every non-space character belongs to a paragraph.
    covered = sum(len(re.sub(r"\s", "", s.slice(text))) for s in segs)
    assert covered == len(re.sub(r"\s", "", text))


def test_paragraphs_examples() -> None:
    text = "  First para line.\n\n\nSecond para.\n(Image: Foo)\n\n  Third.  "
    assert [s.slice(text) for s in paragraphs(text)] == [
        "First para line.",
        "Second para.",
        "(Image: Foo)",
        "Third.",
    ]
    assert paragraphs("") == []
    assert paragraphs(" \n\n \t") == []


@FAST
@given(texts)
def test_sentences_property(text: str) -> None:
    paras = paragraphs(text)
    sents = sentences(text)
    check_segments(text, sents)
    # Never crossing a paragraph; every non-space character of the text is in a sentence.
    for s in sents:
        assert any(p.start <= s.start and s.end <= p.end for p in paras)
    covered = sum(len(re.sub(r"\s", "", s.slice(text))) for s in sents)
    assert covered == len(re.sub(r"\s", "", text))
    for p in paras:
        inner = sentences(text, within=p)
        assert [s for s in sents if p.start <= s.start < p.end] == inner


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Mr. Brown met Dr. Green at St. Jude. They spoke.",
            ["Mr. Brown met Dr. Green at St. Jude.", "They spoke."],
        ),
        (
            "Mrs. Hale and Ms. Pike voted. No. 4 lost.",
            ["Mrs. Hale and Ms. Pike voted.", "No. 4 lost."],
        ),
        ("The U.K. Harbour Board met. It ended.", ["The U.K. Harbour Board met.", "It ended."]),
        (
            "He said: “Close the port.” Then he left! Why? 2024 came.",
            ["He said: “Close the port.”", "Then he left!", "Why?", "2024 came."],
        ),
        ("the ferry is late. the mayor is not.", ["the ferry is late. the mayor is not."]),
        ("Ferry late.\nMayor here.", ["Ferry late.", "Mayor here."]),
    ],
)
def test_sentences_examples(text: str, expected: list[str]) -> None:
    assert [s.slice(text) for s in sentences(text)] == expected


# The rule as first written, look-behinds before the stop: the stop-first pattern in
# copydesk.text.segment must find exactly the same sentence ends.
_LOOKBEHIND_FIRST = re.compile(
    r"""(?<!\b[A-Z])(?<!\bMr)(?<!\bMrs)(?<!\bMs)(?<!\bDr)(?<!\bSt)(?<!\bNo)"""
    r"""[.!?]+["'\u201d\u2019)\]]*\s+(?=["'\u201c\u2018(\[]?[A-Z0-9])"""
    r"""|[\u0964\u0965]+["'\u201d\u2019)\]]*\s+"""
)


@FAST
@given(
    st.text(
        alphabet=st.sampled_from(list("aAbMrsDtSNoUK.!?\"'\u201c\u201d\u2019)([] \n4\u0964")),
        max_size=80,
    )
)
@example("Mr. Brown. U.S.. Then No.. 4 St.! Dr.? Ms.. A. B")
def test_sentence_ends_match_the_lookbehind_first_rule(text: str) -> None:
    from copydesk.text.segment import _SENTENCE_END

    assert [m.span() for m in _SENTENCE_END.finditer(text)] == [
        m.span() for m in _LOOKBEHIND_FIRST.finditer(text)
    ]


def _sentences_paragraph_first(text: str) -> list[Segment]:
    """Sentences found paragraph by paragraph, as the rule is stated."""
    from copydesk.text.segment import _SENTENCE_END, _trimmed

    out = []
    for block in paragraphs(text):
        pos = block.start
        for m in _SENTENCE_END.finditer(text, block.start, block.end):
            if seg := _trimmed(text, pos, m.end()):
                out.append(seg)
            pos = m.end()
        if seg := _trimmed(text, pos, block.end):
            out.append(seg)
    return out


@FAST
@given(
    st.text(
        alphabet=st.sampled_from(list('aAbM.!?"\u201d)( \n\t\r4\u0964\u2028')),
        max_size=80,
    )
)
@example('Ferry late.\nMayor here. it is.\n\n"Quote." Then.\n \nA.\u0964\nB')
def test_one_pass_sentences_are_those_of_paragraphs_first(text: str) -> None:
    assert sentences(text) == _sentences_paragraph_first(text)


def test_sentences_within_one_paragraph() -> None:
    text = "Ferry late. Mayor cross.\n\nCouncil met. Budget cut."
    second = paragraphs(text)[1]
    assert [s.slice(text) for s in sentences(text, within=second)] == [
        "Council met.",
        "Budget cut.",
    ]


# -- quotation marks -----------------------------------------------------------------------


def marked(text: str) -> list[tuple[str, bool]]:
    tokens = tokenize(text)
    mask = quoted_mask(text, tokens)
    assert mask.dtype == bool and mask.size == len(tokens)
    return [(text[s:e], bool(m)) for (s, e), m in zip(spans(tokens), mask, strict=True)]


def quoted_words(text: str) -> list[str]:
    return [w for w, m in marked(text) if m]


@pytest.mark.parametrize(
    ("text", "inside"),
    [
        ("The mayor said “the ferry is late” on Monday.", ["the", "ferry", "is", "late"]),
        ('The mayor said "the ferry is late" on Monday.', ["the", "ferry", "is", "late"]),
        (
            "He said “the harbour\nferry is late” and left.",
            ["the", "harbour", "ferry", "is", "late"],
        ),
        ('She said "the budget is\ngone" today.', ["the", "budget", "is", "gone"]),
        ("Le maire a dit «le port est fermé» hier.", ["le", "port", "est", "fermé"]),
        ("A ‘short’ word.", []),
        (
            "He said ‘the harbour ferry is late again’ today.",
            ["the", "harbour", "ferry", "is", "late", "again"],
        ),
        ("No quotes here at all.", []),
        ("An “unclosed quote runs on and on.", []),
        ("“Across\n\na blank line” is not one quote.", []),
        ("“One” and “two” but not three.", ["One", "two"]),
    ],
)
def test_quoted_mask_examples(text: str, inside: list[str]) -> None:
    assert quoted_words(text) == inside


@FAST
@given(st.integers(0, 10**6), st.data())
def test_quoted_mask_property(seed: int, data) -> None:
    rng = random.Random(seed)
    words = make_paragraph(rng, 6, 60).split(" ")
    i = data.draw(st.integers(0, len(words) - 1))
    j = data.draw(st.integers(i + 1, len(words)))
    opener, closer = data.draw(st.sampled_from([("“", "”"), ('"', '"'), ("«", "»")]))
    wrap = data.draw(st.booleans())
    quoted = words[i:j]
    if wrap and len(quoted) > 1:
        cut = len(quoted) // 2
        quoted = [*quoted[:cut], "\n" + quoted[cut], *quoted[cut + 1 :]]
    text = " ".join([*words[:i], opener + " ".join(quoted) + closer, *words[j:]])
    text = text.replace(" \n", "\n")
    mask = [m for _, m in marked(text)]
    assert mask == [i <= n < j for n in range(len(words))]


def test_only_one_character_changes_wordness_when_folded() -> None:
    """The fast path of ``tokenize`` splits the folded text: that is right only while no
    character's one-character fold differs from it in being a word character."""
    import sys

    from copydesk.text.tokens import _WORDLESS_FOLD

    word = re.compile(r"\w")
    odd = [
        chr(cp)
        for cp in range(sys.maxunicode + 1)
        if len(f := chr(cp).casefold()) == 1 and bool(word.match(chr(cp))) != bool(word.match(f))
    ]
    assert odd == [_WORDLESS_FOLD]
    tokens = tokenize("a\u0345b \u0345")
    assert [("a\u0345b \u0345")[s:e] for s, e in spans(tokens)] == ["a", "b"]
