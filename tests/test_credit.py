"""Unit tests of credit forensics: the names a source goes by, and where a copy names it."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from copydesk.align import align
from copydesk.forensics import Names, credit_mentions, names_of, removed_credits
from copydesk.model import Article
from copydesk.text.tokens import tokenize

SOURCE = Article(
    id="np-1",
    text="",
    url="https://www.northernpost.co.uk/news/ferry-strike-123",
    outlet="northernpost.co.uk",
    outlet_name="The Northern Post",
    author="Jane Ellery",
)
NAMES = names_of(SOURCE)


def found(text: str, names: Names = NAMES) -> list[str]:
    out = credit_mentions(text, names)
    for ev in out:
        assert ev.kind == "credit"
        assert text[ev.article_start : ev.article_end] == ev.text
    assert [e.article_start for e in out] == sorted({e.article_start for e in out})
    return [e.text for e in out]


# -- names_of ------------------------------------------------------------------------------


def test_names_of_full_article() -> None:
    assert names_of(SOURCE) == Names(
        domains=("northernpost.co.uk",),
        names=("Northern Post",),
        authors=("Jane Ellery",),
        urls=("northernpost.co.uk/news/ferry-strike-123",),
    )


def test_names_of_edge_cases() -> None:
    bare = names_of(Article(id="x", text="t"))
    assert bare == Names()
    # No dot in the outlet: not a domain. "The" dropped; names shorter than 3 dropped.
    n = names_of(Article(id="x", text="t", outlet="Harbour Radio", outlet_name="The AP"))
    assert n.domains == () and n.names == ()
    n = names_of(Article(id="x", text="t", outlet_name="  the Sun  "))
    assert n.names == ("Sun",)
    # A one-word author is too vague to be a credit; a full name is one.
    assert names_of(Article(id="x", text="t", author="Ellery")).authors == ()
    assert names_of(Article(id="x", text="t", author=" Jane  Ellery ")).authors == ("Jane  Ellery",)
    # Scheme and www are dropped from URLs; a trailing slash too; very short ones dropped.
    n = names_of(Article(id="x", text="t", url="http://www.harbour.example/a/b/"))
    assert n.urls == ("harbour.example/a/b",)
    assert names_of(Article(id="x", text="t", url="https://a.io/")).urls == ()


def test_names_of_aliases() -> None:
    n = names_of(SOURCE, aliases=("NP Online", "Northern Post", "The Post North", "NP"))
    assert n.names == ("Northern Post", "NP Online", "Post North")


# -- credit_mentions -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("The ferry strike, first reported by the Northern Post, ended.", ["Northern Post"]),
        ("NORTHERN POST EXCLUSIVE: ferry strike ends", ["NORTHERN POST"]),
        ("Source: northernpost.co.uk", ["northernpost.co.uk"]),
        ("Source: NorthernPost.co.uk.", ["NorthernPost.co.uk"]),
        ("Source: www.northernpost.co.uk", ["www.northernpost.co.uk"]),
        (
            "More at https://www.northernpost.co.uk/news/ferry-strike-123 today",
            ["https://www.northernpost.co.uk/news/ferry-strike-123"],
        ),
        ("Northern-Post reporters", ["Northern-Post"]),
        ("the Northern\nPost said", ["Northern\nPost"]),
        ("the Northern Post’s reporter", ["Northern Post"]),
        ("(Northern Post)", ["Northern Post"]),
        ("Jane Ellery wrote first", ["Jane Ellery"]),
        (
            "Northern Post said so; Jane Ellery agreed; see northernpost.co.uk.",
            ["Northern Post", "Jane Ellery", "northernpost.co.uk"],
        ),
    ],
)
def test_credited(text: str, expected: list[str]) -> None:
    assert found(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Parcels go through the northern post office on Monday.",
        "the northern post is late",
        "The Northern Daily Post said so.",
        "Post Northern said so.",
        "Northern Posts are tall.",
        "Northerner Post said so.",
        "See southnorthernpost.co.uk for more.",
        "See northernpost.co.uk-fans for more.",
        "northernpost said so",
        "Jane said so, and Ellery too.",
        "jane ellery wrote",
        "",
    ],
)
def test_not_credited(text: str) -> None:
    assert found(text) == []


def test_author_and_domain_only() -> None:
    names = names_of(Article(id="x", text="t", outlet="harbour-gazette.example", author="Ola Berg"))
    assert found("via Harbour-Gazette.example", names) == ["Harbour-Gazette.example"]
    assert found("via harbour-gazette.example.", names) == ["harbour-gazette.example"]
    assert found("Ola Berg reported", names) == ["Ola Berg"]
    assert found("OLA BERG reported", names) == []  # author names keep their case
    assert found("Harbour Gazette said", names) == []  # no outlet name given


def test_url_inside_another_url_is_not_credit() -> None:
    names = names_of(
        Article(id="x", text="t", outlet="post.example", url="https://post.example/news/1")
    )
    assert found("signpost.example is a site", names) == []  # the domain rule is strict
    assert found("read it at lamppost.example/news/12 today", names) == []


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=60), st.text(max_size=60))
def test_mentions_offsets_property(pre: str, post: str) -> None:
    text = pre + " Northern Post " + post
    out = credit_mentions(text, NAMES)
    starts = [e.article_start for e in out]
    assert starts == sorted(set(starts))
    for ev in out:
        assert text[ev.article_start : ev.article_end] == ev.text
    assert len(pre) + 1 in starts


# -- removed credits -----------------------------------------------------------------------

BODY_1 = (
    "The harbour ferry strike was called off late on Monday after a night of talks between "
    "the union and the port authority, ending three weeks of cancelled crossings for "
    "island residents and freight hauliers."
)
BODY_2 = (
    "Union organiser Petra Vale told the Northern Post the deal gave crews a rest day "
    "after every six shifts and a review of winter timetables by the spring."
)
BODY_3 = (
    "Crossings resume on Wednesday morning, with extra sailings for freight planned over "
    "the weekend to clear the backlog of lorries waiting at the terminal gates."
)


def doc(text: str):
    return text, tokenize(text)


def test_removed_credit_is_located_in_both_texts() -> None:
    source = "\n\n".join([BODY_1, BODY_2, BODY_3])
    copy = "\n\n".join([BODY_1, BODY_2.replace(" the Northern Post", ""), BODY_3])
    (ct, ctok), (st_, stok) = doc(copy), doc(source)
    alignment = align(ct, ctok, st_, stok)
    assert len(alignment.spans) == 1
    out = removed_credits(ct, ctok, st_, stok, alignment.spans, NAMES)
    assert len(out) == 1
    ev = out[0]
    assert ev.kind == "credit_removed" and ev.text == "Northern Post"
    assert source[ev.source_start : ev.source_end] == "Northern Post"
    # The cut sits right after "told" in the copy (or after "told the": the copy's "the"
    # may be taken for the source's first or second one).
    assert copy[: ev.article_start].endswith(("Petra Vale told", "Petra Vale told the"))


def test_kept_or_absent_credit_is_not_removed() -> None:
    source = "\n\n".join([BODY_1, BODY_2, BODY_3])
    (st_, stok) = doc(source)
    kept = "\n\n".join([BODY_1, BODY_2, BODY_3])
    (kt, ktok) = doc(kept)
    al = align(kt, ktok, st_, stok)
    assert removed_credits(kt, ktok, st_, stok, al.spans, NAMES) == []
    # Only paragraphs 1 and 3 copied, with a paragraph of the copy's own between them:
    # the mention lies outside the aligned passages.
    own = (
        "Our own reporter spoke to several island families who had waited for weeks "
        "without a crossing and welcomed the news."
    )
    partial = "\n\n".join([BODY_1, own, BODY_3])
    (pt, ptok) = doc(partial)
    al = align(pt, ptok, st_, stok)
    assert len(al.spans) == 2
    assert removed_credits(pt, ptok, st_, stok, al.spans, NAMES) == []
    # A source that never names itself has nothing to strip.
    plain = names_of(Article(id="y", text="t", outlet="other.example"))
    cut = "\n\n".join([BODY_1, BODY_2.replace(" the Northern Post", ""), BODY_3])
    (xt, xtok) = doc(cut)
    al = align(xt, xtok, st_, stok)
    assert removed_credits(xt, xtok, st_, stok, al.spans, plain) == []
