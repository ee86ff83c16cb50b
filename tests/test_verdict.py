"""Unit tests of the verdict: is it reuse, which way, what relation, what credit."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest

from copydesk import verdict
from copydesk.align import align
from copydesk.model import Article
from copydesk.text.tokens import tokenize
from copydesk.verdict import (
    Doc,
    JudgeParams,
    compare,
    could_be_reuse,
    direction,
    is_reuse,
    swap,
)
from fakenews import VOCAB, make_article, make_paragraph

T0 = datetime(2024, 3, 1, 9, 0, tzinfo=UTC)


def doc(id_: str, text: str, seq: int = 0, **kw) -> Doc:
    return Doc(Article(id=id_, text=text, **kw), tokenize(text), seq=seq)


def decide(a: Doc, b: Doc, params: JudgeParams = verdict.DEFAULT):
    alignment = align(a.article.text, a.tokens, b.article.text, b.tokens)
    return compare(a, b, alignment, params)


def both_orders(a: Doc, b: Doc):
    """compare() in both argument orders must name the same copy and source."""
    r1, r2 = decide(a, b), decide(b, a)
    assert (r1 is None) == (r2 is None)
    if r1 is None:
        return None
    assert r1[0] is r2[0] and r1[1] is r2[1]
    assert r1[2].direction_basis == r2[2].direction_basis
    return r1


@pytest.fixture
def pair() -> tuple[str, str]:
    """A source of five paragraphs and a full copy of it."""
    text = make_article(random.Random(101), 5)
    return text, text


# -- direction -----------------------------------------------------------------------------


def test_earlier_publication_is_the_source(pair) -> None:
    src_text, copy_text = pair
    # The copy was ingested first (lower seq), but the dates decide.
    copy = doc("copy", copy_text, seq=1, outlet="b.example", published=T0 + timedelta(hours=5))
    src = doc("src", src_text, seq=2, outlet="a.example", published=T0)
    c, s, match = both_orders(copy, src)
    assert (c.article.id, s.article.id) == ("copy", "src")
    assert match.source == "src" and match.outlet == "a.example" and match.published == T0
    assert match.direction_basis == "published"
    assert [e.data for e in match.evidence if e.kind == "published_earlier"] == [{"lag_hours": 5.0}]


@pytest.mark.parametrize(
    ("pub_a", "pub_b"),
    [(None, None), (T0, None), (None, T0), (T0, T0), (T0, T0 + timedelta(seconds=59))],
)
def test_credit_decides_when_dates_do_not(pair, pub_a, pub_b) -> None:
    src_text, copy_text = pair
    copy_text += "\n\nThis story first appeared in the Northern Post."
    # The crediting article has the lower seq: ingest order alone would call it the source.
    copy = doc("copy", copy_text, seq=1, outlet="b.example", published=pub_a)
    src = doc(
        "src",
        src_text,
        seq=2,
        outlet="northernpost.co.uk",
        outlet_name="The Northern Post",
        published=pub_b,
    )
    c, s, match = both_orders(copy, src)
    assert (c.article.id, s.article.id) == ("copy", "src")
    assert match.direction_basis == "credit"
    assert match.credit == "credited" and match.relation == "syndicated"


def test_credit_by_domain_decides(pair) -> None:
    src_text, copy_text = pair
    copy = doc("copy", copy_text + "\n\nSource: NorthernPost.co.uk", seq=1, outlet="b.example")
    src = doc("src", src_text, seq=2, outlet="northernpost.co.uk")
    c, _, match = both_orders(copy, src)
    assert c.article.id == "copy" and match.direction_basis == "credit"
    assert [e.text for e in match.evidence if e.kind == "credit"] == ["NorthernPost.co.uk"]


def test_first_seen_decides_last(pair) -> None:
    src_text, copy_text = pair
    first = doc("first", src_text, seq=3, outlet="a.example", published=T0)
    later = doc("later", copy_text, seq=9, outlet="b.example", published=T0)
    c, s, match = both_orders(first, later)
    assert (c.article.id, s.article.id) == ("later", "first")
    assert match.direction_basis == "first_seen"
    assert match.credit == "absent" and match.relation == "duplicate"


@pytest.mark.parametrize(
    "bad", [datetime(1850, 1, 1, tzinfo=UTC), datetime.now(UTC) + timedelta(days=30)]
)
def test_implausible_dates_do_not_decide(pair, bad) -> None:
    src_text, copy_text = pair
    a = doc("a", src_text, seq=1, outlet="a.example", published=T0)
    b = doc("b", copy_text, seq=2, outlet="b.example", published=bad)
    assert direction(a, b) == (False, "first_seen")
    assert direction(b, a) == (True, "first_seen")


def test_direction_without_alignment() -> None:
    a = doc("a", "Ferry late.", seq=5, published=T0 + timedelta(minutes=2))
    b = doc("b", "Ferry late.", seq=1, published=T0)
    assert direction(a, b) == (True, "published")
    assert direction(b, a) == (False, "published")
    a.article.published = T0 + timedelta(seconds=30)
    assert direction(a, b) == (True, "first_seen")
    assert direction(b, a) == (False, "first_seen")


# -- relation and coverage -----------------------------------------------------------------


def test_duplicate(pair) -> None:
    src_text, copy_text = pair
    copy = doc("copy", copy_text, seq=2, outlet="b.example")
    src = doc("src", src_text, seq=1, outlet="a.example")
    _, _, match = both_orders(copy, src)
    assert match.relation == "duplicate"
    assert match.coverage == 1.0 and match.source_coverage == 1.0
    assert 0.9 < match.confidence <= 1.0
    assert match.same_outlet is False
    (p,) = match.passages
    assert (p.article_start, p.article_end) == (0, len(copy_text))


def test_partial_and_the_duplicate_threshold() -> None:
    rng = random.Random(5)
    source = [make_paragraph(rng, 50, 60) for _ in range(8)]
    own = [make_paragraph(rng, 50, 60) for _ in range(3)]
    copy_text = "\n\n".join([own[0], *source[2:5], own[1], own[2]])
    copy = doc("copy", copy_text, seq=2, outlet="b.example")
    src = doc("src", "\n\n".join(source), seq=1, outlet="a.example")
    _, _, match = both_orders(copy, src)
    assert match.relation == "partial"
    assert 0.4 < match.coverage < 0.7
    assert 0.3 < match.source_coverage < 0.45
    # The threshold is the duplicate_coverage parameter, inclusive.
    alignment = align(copy_text, copy.tokens, src.article.text, src.tokens)
    exact = JudgeParams(duplicate_coverage=alignment.a_coverage)
    assert compare(copy, src, alignment, exact)[2].relation == "duplicate"
    above = JudgeParams(duplicate_coverage=alignment.a_coverage + 1e-9)
    assert compare(copy, src, alignment, above)[2].relation == "partial"


def test_syndicated_needs_credit(pair) -> None:
    src_text, _ = pair
    credited = src_text + "\n\nRead the original at www.northernpost.co.uk/news/ferry-77"
    copy = doc("copy", credited, seq=2, outlet="b.example", published=T0 + timedelta(hours=1))
    src = doc(
        "src",
        src_text,
        seq=1,
        outlet="northernpost.co.uk",
        url="https://www.northernpost.co.uk/news/ferry-77",
        published=T0,
    )
    _, _, match = both_orders(copy, src)
    assert match.relation == "syndicated" and match.credit == "credited"
    assert match.direction_basis == "published"
    assert [e.text for e in match.evidence if e.kind == "credit"] == [
        "www.northernpost.co.uk/news/ferry-77"
    ]


def test_stripped_credit() -> None:
    rng = random.Random(9)
    first, last = make_paragraph(rng, 50, 60), make_paragraph(rng, 50, 60)
    mid = "Union organiser Petra Vale told the Northern Post the deal gave crews a rest day."
    src_text = "\n\n".join([first, mid, last])
    copy_text = "\n\n".join([first, mid.replace(" the Northern Post", ""), last])
    copy = doc("copy", copy_text, seq=2, outlet="b.example", published=T0 + timedelta(hours=2))
    src = doc(
        "src",
        src_text,
        seq=1,
        outlet="northernpost.co.uk",
        outlet_name="The Northern Post",
        published=T0,
    )
    _, _, match = both_orders(copy, src)
    assert match.credit == "stripped" and match.relation == "duplicate"
    (removed,) = [e for e in match.evidence if e.kind == "credit_removed"]
    assert src_text[removed.source_start : removed.source_end] == "Northern Post"


def test_stripped_credit_decides_direction_without_dates() -> None:
    rng = random.Random(10)
    first, last = make_paragraph(rng, 50, 60), make_paragraph(rng, 50, 60)
    mid = "Union organiser Petra Vale told the Northern Post the deal gave crews a rest day."
    src = doc(
        "src",
        "\n\n".join([first, mid, last]),
        seq=2,
        outlet="northernpost.co.uk",
        outlet_name="The Northern Post",
    )
    copy_text = "\n\n".join([first, mid.replace(" the Northern Post", ""), last])
    copy = doc("copy", copy_text, seq=1, outlet="b.example")
    c, _, match = both_orders(copy, src)
    assert c.article.id == "copy" and match.direction_basis == "credit_removed"


# -- same outlet ---------------------------------------------------------------------------


def test_same_outlet_is_flagged_and_never_credited(pair) -> None:
    src_text, copy_text = pair
    masthead = "The Northern Post | northernpost.co.uk\n\n"
    a = doc(
        "update",
        masthead + copy_text,
        seq=2,
        outlet="northernpost.co.uk",
        outlet_name="The Northern Post",
        published=T0 + timedelta(hours=3),
    )
    b = doc(
        "first",
        masthead + src_text,
        seq=1,
        outlet="northernpost.co.uk",
        outlet_name="The Northern Post",
        published=T0,
    )
    c, _, match = both_orders(a, b)
    assert c.article.id == "update"
    assert match.same_outlet is True
    assert match.credit == "absent" and match.relation == "duplicate"
    assert not any(e.kind in ("credit", "credit_removed") for e in match.evidence)


def test_outlets_missing_are_not_the_same_outlet(pair) -> None:
    src_text, copy_text = pair
    _, _, match = both_orders(doc("a", src_text, seq=1), doc("b", copy_text, seq=2))
    assert match.same_outlet is False


# -- what is not reuse ---------------------------------------------------------------------


def test_unrelated_is_not_reuse() -> None:
    rng = random.Random(12)
    assert both_orders(doc("a", make_article(rng), 1), doc("b", make_article(rng), 2)) is None


def quote_pair(n_quote: int, opener: str, closer: str, seed: int = 4):
    rng = random.Random(seed)
    quote = make_paragraph(rng, n_quote, n_quote)
    a = "\n\n".join(
        [
            make_article(rng, 3),
            f"The minister said: {opener}{quote}{closer} She left.",
            make_paragraph(rng),
        ]
    )
    b = "\n\n".join(
        [make_article(rng, 2), f"The minister said: {opener}{quote}{closer}", make_article(rng, 2)]
    )
    return doc("a", a, seq=1, outlet="a.example"), doc("b", b, seq=2, outlet="b.example")


@pytest.mark.parametrize("n_quote", [45, 80, 120])
@pytest.mark.parametrize(("opener", "closer"), [("“", "”"), ('"', '"')])
def test_shared_quotation_alone_is_not_reuse(n_quote, opener, closer) -> None:
    a, b = quote_pair(n_quote, opener, closer)
    alignment = align(a.article.text, a.tokens, b.article.text, b.tokens)
    # The quotation (and "The minister said") is aligned ...
    assert len(alignment.passages) == 1 and alignment.matched >= n_quote
    # ... but it is quoted speech: not reuse, either way.
    assert not is_reuse(a, alignment) and not is_reuse(b, swap(alignment))
    assert both_orders(a, b) is None


def test_the_same_words_unquoted_are_reuse() -> None:
    a, b = quote_pair(80, "", "")
    assert both_orders(a, b) is not None


def test_long_shared_quotation_alone_is_not_reuse() -> None:
    a, b = quote_pair(200, "“", "”")
    assert both_orders(a, b) is None


# -- short items ---------------------------------------------------------------------------


def test_short_brief_copied_whole_is_reuse() -> None:
    brief = "Ferry strike called off after night talks, union and port authority say in joint note."
    assert len(tokenize(brief)) == 15
    rng = random.Random(13)
    host = "\n\n".join([make_paragraph(rng), brief, make_paragraph(rng)])
    c, s, match = both_orders(doc("brief", brief, seq=1), doc("host", host, seq=2))
    assert (c.article.id, s.article.id) == ("host", "brief")
    assert match.source_coverage == 1.0


def test_few_shared_words_are_not_reuse() -> None:
    rng = random.Random(14)
    line = "Ferry strike called off after night talks, union says."  # 9 words
    a = "\n\n".join([make_paragraph(rng), line, make_paragraph(rng)])
    b = "\n\n".join([make_paragraph(rng), line, make_paragraph(rng)])
    alignment = align(a, tokenize(a), b, tokenize(b))
    assert alignment.matched == 9
    assert both_orders(doc("a", a, 1), doc("b", b, 2)) is None


# -- the comparison does not depend on argument order --------------------------------------


def segments_copy(seed: int = 7) -> tuple[str, str]:
    """A source and a copy that moves short stretches of it around."""
    rng = random.Random(seed)

    def seg(n: int) -> str:
        return " ".join(rng.choice(VOCAB) for _ in range(n))

    p, q, t, g, r, s, h = seg(18), seg(16), seg(7), seg(4), seg(15), seg(10), seg(10)
    source = " ".join([seg(2), p, q, t, g, r, s])
    copy = " ".join([h, p, r, q, seg(4), s, t])
    return source, copy


def test_compare_does_not_depend_on_argument_order() -> None:
    source, copy = segments_copy()
    src = doc("src", source, seq=1, outlet="a.example")
    cp = doc("copy", copy, seq=2, outlet="b.example")
    r1, r2 = decide(cp, src), decide(src, cp)
    assert r1 is not None and r2 is not None
    assert r1[2].to_json() == r2[2].to_json()


def test_swap_round_trip_and_json(pair) -> None:
    src_text, copy_text = pair
    a, b = doc("a", src_text, 1), doc("b", copy_text + " Extra words here.", 2)
    alignment = align(a.article.text, a.tokens, b.article.text, b.tokens)
    assert swap(swap(alignment)).passages == alignment.passages
    _, _, match = compare(a, b, alignment)
    data = match.to_json()
    assert set(data) >= {
        "source",
        "outlet",
        "published",
        "relation",
        "credit",
        "coverage",
        "source_coverage",
        "confidence",
        "passages",
        "evidence",
    }
    assert data["passages"][0]["similarity"] <= 1.0


def test_could_be_reuse_is_the_minimum_of_is_reuse() -> None:
    # A pair is only skipped when no alignment could pass is_reuse on either side.
    assert could_be_reuse(40, 1000, 1000)
    assert not could_be_reuse(39, 1000, 1000)
    assert could_be_reuse(12, 20, 500)  # a short item copied whole
    assert not could_be_reuse(11, 15, 500)
    assert not could_be_reuse(12, 500, 500)
