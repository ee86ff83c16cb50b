"""Boilerplate forensics: line shapes, learning who owns which lines, finding them elsewhere.

Every text here is invented; the demo corpus test reads the project's own invented corpus.
"""

from __future__ import annotations

import json
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import copydesk.forensics.boilerplate as boilerplate_module
from copydesk.demo import ARTICLES
from copydesk.forensics.boilerplate import (
    FOREIGN,
    OWN,
    BoilerplateModel,
    BoilerplateShape,
    ShapeCounts,
    article_shapes,
    boilerplate_spans,
    count_hashed,
    count_shapes,
    find_boilerplate,
    hash_shapes,
    learn,
    line_shape,
    lines,
    model_from_counts,
    shape_kind,
    tally_shapes,
)
from copydesk.model import Article, Evidence
from copydesk.reading import read_path
from copydesk.text.segment import paragraphs

TABLOID = "tabloid.example"
REGIONAL = "regional.example"
FARM = "farm.example"
WIRE = "wire.example"
GENERIC = [f"paper{i}.example" for i in range(5)]

_VOCAB = """
harbour council budget ferry winter mayor station river bridge market schools nurses strike
rail union vote minister inquiry report garden museum festival concert drought reservoir
farmers harvest barley orchard village parish library closure hospital ward clinic patients
doctors funding grant charity volunteers coastal erosion cliff lighthouse storm warning flood
pumps engineers contractor delay audit pension tariff cargo port crane shipping canal lock
cyclists junction roundabout camera motorists parking residents petition planning housing
"""
WORDS = _VOCAB.split()

FOOTER = [
    "Get the Harbour Bulletin: our free email with the week's local news, every Friday at 8am.",
    "About the Regional Record: independent journalism for the Saltmarsh coast since 1902.",
]
MASTHEAD = ["Farm Daily", "All The News You Deserve"]


def _sentence(rng: random.Random, n: int = 14) -> str:
    words = [rng.choice(WORDS) for _ in range(n)]
    return " ".join(words).capitalize() + "."


def _paragraph(rng: random.Random) -> str:
    return " ".join(_sentence(rng) for _ in range(3))


def _headline(rng: random.Random) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(8)).capitalize()


def tabloid_article(rng: random.Random, i: int) -> str:
    return "\n\n".join(
        [
            _paragraph(rng),
            f"A {rng.choice(WORDS)} near the {rng.choice(WORDS)} (Image: Snapwire)",
            _paragraph(rng),
            f"READ MORE: {_headline(rng)} number {i} [LATEST]",
            _paragraph(rng),
            f"A view of the {rng.choice(WORDS)} (Image: Getty)",
            "DON\u2019T MISS:\n"
            f"{_headline(rng)} [REVEALED]\n{_headline(rng)} [INSIGHT]\n{_headline(rng)} [ANALYSIS]",
        ]
    )


def regional_article(rng: random.Random) -> str:
    return "\n\n".join([_paragraph(rng) for _ in range(4)] + FOOTER)


def plain_article(rng: random.Random) -> str:
    return "\n\n".join(_paragraph(rng) for _ in range(4))


def generic_article(rng: random.Random) -> str:
    return "\n\n".join(
        [_paragraph(rng), f"The {rng.choice(WORDS)} on Tuesday (Image: Getty)", _paragraph(rng)]
    )


def collection(*, unmarked_copies: int = 0) -> list[tuple[str, str, bool]]:
    """A tabloid, a regional paper with a footer, a farm copying the tabloid, a wire, and
    five papers sharing the generic "(Image: Getty)" caption.

    The farm's four copies of the tabloid are marked as copies except ``unmarked_copies``
    of them; its two own stories carry its masthead but none of the tabloid's lines.
    """
    rng = random.Random(7)
    items: list[tuple[str, str, bool]] = []
    tabloid = [tabloid_article(rng, i) for i in range(10)]
    items += [(TABLOID, text, False) for text in tabloid]
    items += [(REGIONAL, regional_article(rng), False) for _ in range(8)]
    for k, text in enumerate(tabloid[:4]):
        copy = "\n\n".join([*MASTHEAD, text])
        items.append((FARM, copy, k >= unmarked_copies))
    items += [(FARM, "\n\n".join([*MASTHEAD, plain_article(rng)]), False) for _ in range(2)]
    items += [(WIRE, plain_article(rng), False) for _ in range(6)]
    for outlet in GENERIC:
        items += [(outlet, generic_article(rng), False) for _ in range(4)]
    return items


@pytest.fixture(scope="module")
def items() -> list[tuple[str, str, bool]]:
    return collection()


@pytest.fixture(scope="module")
def model(items: list[tuple[str, str, bool]]) -> BoilerplateModel:
    return learn(items)


def test_learning_in_small_chunks_gives_the_same_model(monkeypatch, items) -> None:
    # Shapes are checked against earlier ones chunk by chunk; a shape whose two sightings
    # fall in different chunks must still be learned.
    whole = learn(items).to_json()
    monkeypatch.setattr(boilerplate_module, "_LEARN_CHUNK", 3)
    assert learn(items).to_json() == whole
    monkeypatch.setattr(boilerplate_module, "_LEARN_CHUNK", 1)
    assert learn(items).to_json() == whole
    assert whole["shapes"]  # the collection does have boilerplate to learn


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), parts=st.integers(1, 7), floor=st.integers(1, 4))
def test_counts_added_over_partitions_give_the_same_model(
    items: list[tuple[str, str, bool]], seed: int, parts: int, floor: int
) -> None:
    # An engine counts its partitions apart and adds the counts up: in any order and any
    # split, keeping only the shapes that reach the floor, the model is the one learned
    # from the whole collection at once.
    shaped = [(o, article_shapes(t), c) for o, t, c in items]
    whole = learn(items, min_articles=floor).to_json()
    order = list(range(len(shaped)))
    random.Random(seed).shuffle(order)
    total = ShapeCounts()
    for k in range(parts):
        total.add(tally_shapes(shaped[i] for i in order[k::parts]))
    total.keep(floor)
    assert model_from_counts(total, min_articles=floor).to_json() == whole
    assert learn([items[i] for i in order], min_articles=floor).to_json() == whole


def _plain(counts: ShapeCounts) -> tuple:
    return (
        counts.noncopies,
        counts.copies,
        {s: (t.kind, t.noncopies, t.copies) for s, t in counts.shapes.items()},
    )


@settings(max_examples=25, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    size=st.integers(1, 60),
    floor=st.integers(0, 4),
    chunk=st.sampled_from([1, 5, 200_000]),
)
def test_hashed_batches_count_as_the_whole_collection(
    items: list[tuple[str, str, bool]], seed: int, size: int, floor: int, chunk: int
) -> None:
    # What an engine's workers hash batch by batch, counted together, is every shape's
    # tally in the whole collection (those in fewer than the floor's articles left out),
    # however the batches are cut and however often the shapes seen are checked.
    rng = random.Random(seed)
    shaped = [(o, article_shapes(t), rng.random() < 0.2) for o, t, _ in items]
    shaped.append(("", {"an outlet-less line": "line"}, False))  # left out, as by tally
    expected = tally_shapes(shaped).keep(max(1, floor))
    batches = [hash_shapes(shaped[lo : lo + size]) for lo in range(0, len(shaped), size)]
    assert sum(len(b) for b in batches) == len(shaped) - 1
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(boilerplate_module, "_LEARN_CHUNK", chunk)
        assert _plain(count_hashed(batches, min_articles=floor)) == _plain(expected)
    assert _plain(count_shapes(shaped, min_articles=floor)) == _plain(expected)


# -- line shapes ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "shape", "kind"),
    [
        (
            "READ MORE: Energy customers urged to check meters before April [LATEST]",
            "read more: * [latest]",
            "pattern",
        ),
        ("DON\u2019T MISS: A ferry timetable change [INSIGHT] [ANALYSIS]", None, "pattern"),
        ("DON'T MISS:Harbour crane collapses [REVEAL] ", "don't miss: * [reveal]", "pattern"),
        ("DON\u2019T MISS:", "don't miss:", "pattern"),
        ("Harbour master warns of winter storms [REVEALED]", "* [revealed]", "pattern"),
        ("A radiator being bled (Image: Lensbank)", "* (image: lensbank)", "pattern"),
        ("The quay at dawn (Image: Getty / Harbourpix)", "* (image: getty / harbourpix)", None),
        ("(Picture: Snapwire)", "(picture: snapwire)", "pattern"),
        ("Pic: Snapwire", "pic: snapwire", "pattern"),
        ("Credit: Saltmarsh Camera Club", "credit: saltmarsh camera club", "pattern"),
        ("Video: Mayor opens the new lock gates on the canal", "video: *", "pattern"),
        ("Watch: the ferry leaves port", "watch: *", "pattern"),
        ("WEATHER WATCH: Gales due on Friday", "weather watch: *", "pattern"),
        ("About the Record: since 1902.", "about the record: since 0000.", "line"),
        (
            "He said: \u201cWe will rebuild the pier.\u201d",
            'he said: "we will rebuild the pier."',
            "line",
        ),
        ("Opening hours \u2013 9 to 5", "opening hours - 0 to 0", "line"),
        ("The pier reopened [sic] on Monday", "the pier reopened [sic] on monday", "line"),
    ],
)
def test_line_shape(line: str, shape: str | None, kind: str | None) -> None:
    if shape is not None:
        assert line_shape(line) == shape
    if kind is not None:
        assert shape_kind(line) == kind


def test_line_shape_tag_runs_and_typography() -> None:
    assert line_shape("DON\u2019T MISS: A ferry change [INSIGHT] [ANALYSIS]") == (
        "don't miss: * [insight] [analysis]"
    )
    # Curly and straight quotes, dashes, spacing, case and digits fold to one shape.
    a = "Sign up \u2014 it\u2019s free:  call 01632 960 418"
    b = "SIGN UP - it's free: call 01234 567 890"
    assert line_shape(a) == line_shape(b) == "sign up - it's free: call 00000 000 000"


@pytest.mark.parametrize("line", ["", "  ", "ab", "\u2014", "12 34 56", "* * *", "\u200b\u200bx"])
def test_line_shape_none(line: str) -> None:
    assert line_shape(line) is None
    assert shape_kind(line) is None


def test_long_lede_after_capitals_is_not_a_promo() -> None:
    lede = "SALTMARSH: " + " ".join(["the council said on monday that"] * 6)
    assert shape_kind(lede) == "line"
    assert shape_kind("SALTMARSH: Gales due on Friday") == "pattern"


# -- learning ---------------------------------------------------------------------------------


def test_tabloid_owns_its_promo_lines_and_captions(model: BoilerplateModel) -> None:
    for shape in ("read more: * [latest]", "* (image: snapwire)", "don't miss:", "* [revealed]"):
        owned = model.shapes[shape]
        assert owned.outlet == TABLOID
        assert owned.kind == "pattern"
        assert owned.owner_count == 10
        assert owned.share == 1.0
        assert owned.other_count == 0  # the farm's copies are marked and not counted


def test_regional_owns_its_footer(model: BoilerplateModel) -> None:
    for line in FOOTER:
        owned = model.shapes[line_shape(line)]
        assert (owned.outlet, owned.kind, owned.owner_count) == (REGIONAL, "line", 8)


def test_generic_caption_belongs_to_nobody(model: BoilerplateModel) -> None:
    assert "* (image: getty)" not in model.shapes
    assert not any(model.owned_by(outlet) for outlet in GENERIC)
    assert not model.owned_by(WIRE)


def test_copier_does_not_own_what_it_copies(model: BoilerplateModel) -> None:
    farm = model.owned_by(FARM)
    # Only its masthead, which it also puts on its own stories and nobody else has.
    assert set(farm) == {line_shape(line) for line in MASTHEAD}
    assert all(b.owner_count == 6 and b.share == 1.0 for b in farm.values())


def test_few_unmarked_copies_are_tolerated() -> None:
    model = learn(collection(unmarked_copies=1))
    owned = model.shapes["read more: * [latest]"]
    assert owned.outlet == TABLOID
    assert owned.other_count == 1
    assert owned.other_outlets == 1


def test_many_unmarked_copies_make_a_shape_ambiguous() -> None:
    # Four of the farm's six stories carry the tabloid's lines and nothing says they are
    # copies: both outlets use them regularly, so neither owns them.
    model = learn(collection(unmarked_copies=4))
    assert "read more: * [latest]" not in model.shapes
    assert not model.owned_by(TABLOID)
    assert line_shape(FOOTER[0]) in model.shapes


def test_copies_alone_never_give_ownership() -> None:
    # The tabloid is not in the collection; the farm's marked copies carry its lines.
    items = [i for i in collection() if i[0] != TABLOID]
    model = learn(items)
    assert "read more: * [latest]" not in model.shapes
    assert set(model.owned_by(FARM)) == {line_shape(line) for line in MASTHEAD}


def test_thresholds() -> None:
    rng = random.Random(3)
    few = [(TABLOID, tabloid_article(rng, i), False) for i in range(2)]
    few += [(WIRE, plain_article(rng), False) for _ in range(5)]
    assert not learn(few).shapes  # two articles are not enough
    assert learn(few, min_articles=2).shapes["read more: * [latest]"].outlet == TABLOID
    # In only 3 of 20 tabloid stories: under min_share.
    rare = [(TABLOID, tabloid_article(rng, i), False) for i in range(3)]
    rare += [(TABLOID, plain_article(rng), False) for _ in range(17)]
    assert "read more: * [latest]" not in learn(rare).shapes
    assert "read more: * [latest]" in learn(rare, min_share=0.1).shapes


def test_rare_elsewhere_is_a_rate() -> None:
    rng = random.Random(5)
    items = [(TABLOID, tabloid_article(rng, i), False) for i in range(10)]
    # The promo line in 2 of 10 wire stories (20%): too common elsewhere.
    items += [(WIRE, tabloid_article(rng, i), False) for i in range(2)]
    items += [(WIRE, plain_article(rng), False) for _ in range(8)]
    assert "read more: * [latest]" not in learn(items, min_articles=3).shapes
    # The same 2 stories among 40 (5%): rare enough.
    items += [(WIRE, plain_article(rng), False) for _ in range(30)]
    assert learn(items).shapes["read more: * [latest]"].other_count == 2


def test_skips_items_without_outlet() -> None:
    rng = random.Random(1)
    items = [("", regional_article(rng), False) for _ in range(5)]
    model = learn(items)
    assert not model.shapes
    assert model.outlets == {}


def test_json_round_trip(model: BoilerplateModel) -> None:
    obj = json.loads(json.dumps(model.to_json()))
    again = BoilerplateModel.from_json(obj)
    assert again == model
    assert obj["shapes"]["read more: * [latest]"]["outlet"] == TABLOID
    assert obj["outlets"][FARM] == 6
    assert BoilerplateShape.from_json(obj["shapes"]["don't miss:"]).kind == "pattern"


# -- finding ----------------------------------------------------------------------------------


def test_foreign_boilerplate_on_a_copy(items, model: BoilerplateModel) -> None:
    copy = next(text for outlet, text, is_copy in items if outlet == FARM and is_copy)
    evidence = find_boilerplate(copy, FARM, model)
    foreign = [e for e in evidence if e.kind == FOREIGN]
    own = [e for e in evidence if e.kind == OWN]
    assert [e.text for e in own] == MASTHEAD
    assert {e.data["outlet_of_origin"] for e in own} == {FARM}
    assert {e.data["outlet_of_origin"] for e in foreign} == {TABLOID}
    shapes = [e.data["shape"] for e in foreign]
    assert shapes == [
        "* (image: snapwire)",
        "read more: * [latest]",
        "don't miss:",
        "* [revealed]",
        "* [insight]",
        "* [analysis]",
    ]
    for e in evidence:
        assert copy[e.article_start : e.article_end] == e.text
        assert "\n" not in e.text and e.text == e.text.strip()
    assert [e.article_start for e in evidence] == sorted(e.article_start for e in evidence)
    # Evidence serialises with the owner as a plain field, as the verdict shows it.
    out = foreign[1].to_json()
    assert out["kind"] == FOREIGN and out["outlet_of_origin"] == TABLOID
    assert Evidence.from_json(out) == foreign[1]


def test_own_boilerplate_on_own_article(model: BoilerplateModel) -> None:
    text = regional_article(random.Random(99))
    evidence = find_boilerplate(text, REGIONAL, model)
    assert [e.kind for e in evidence] == [OWN, OWN]
    assert [e.text for e in evidence] == FOOTER
    assert text.endswith(evidence[-1].text)
    # Outlets compare without case; an unknown outlet makes every known line foreign.
    assert [e.kind for e in find_boilerplate(text, REGIONAL.upper(), model)] == [OWN, OWN]
    assert [e.kind for e in find_boilerplate(text, None, model)] == [FOREIGN, FOREIGN]


def test_find_matches_lines_despite_typography(model: BoilerplateModel) -> None:
    text = (
        "Crews worked through the night.\r\n"
        "  read more:   the lifeboat crew thanks 3 donors [LATEST]  \r\n"
        "Harbour at night (image: snapwire)"
    )
    evidence = find_boilerplate(text, WIRE, model)
    assert [e.data["shape"] for e in evidence] == ["read more: * [latest]", "* (image: snapwire)"]
    for e in evidence:
        assert text[e.article_start : e.article_end] == e.text


def test_nothing_found_in_plain_text_or_empty_model(model: BoilerplateModel) -> None:
    text = plain_article(random.Random(11))
    assert find_boilerplate(text, WIRE, model) == []
    assert find_boilerplate("", WIRE, model) == []
    assert find_boilerplate(tabloid_article(random.Random(1), 0), None, BoilerplateModel()) == []


def test_boilerplate_spans() -> None:
    evidence = [
        Evidence(kind=FOREIGN, text="b", article_start=30, article_end=40),
        Evidence(kind=OWN, text="a", article_start=0, article_end=10),
        Evidence(kind=FOREIGN, text="c", article_start=35, article_end=50),
        Evidence(kind="credit_removed", text="x", article_start=12, article_end=20),
        Evidence(kind=FOREIGN, text="d"),
    ]
    assert boilerplate_spans(evidence) == [(0, 10), (30, 50)]
    assert boilerplate_spans([]) == []


def test_spans_cover_the_lines(items, model: BoilerplateModel) -> None:
    copy = next(text for outlet, text, is_copy in items if outlet == FARM and is_copy)
    spans = boilerplate_spans(find_boilerplate(copy, FARM, model))
    assert len(spans) == 8
    covered = "".join(copy[s:e] for s, e in spans)
    assert "READ MORE:" in covered and "(Image: Snapwire)" in covered
    assert "(Image: Getty)" not in covered


_LINES = [
    "READ MORE: Something [LATEST]",
    "DON\u2019T MISS:",
    "A pier (Image: Snapwire)",
    "(Image: ",
    "[REVEALED]",
    " [ ] ",
    ":",
    "Pic:",
    *FOOTER,
    *MASTHEAD,
]


@settings(max_examples=300, deadline=None)
@given(
    parts=st.lists(
        st.one_of(
            st.sampled_from(_LINES),
            st.text(max_size=40),
            st.sampled_from(["\n", "\r\n", "\n\n", " ", "\u2028", "\t"]),
        ),
        max_size=20,
    ),
    outlet=st.one_of(st.none(), st.sampled_from([TABLOID, REGIONAL, FARM, "", "x"])),
)
def test_find_never_raises_and_offsets_slice(parts, outlet, model: BoilerplateModel) -> None:
    text = "".join(parts)
    evidence = find_boilerplate(text, outlet, model)
    for e in evidence:
        assert e.kind in (OWN, FOREIGN)
        assert 0 <= e.article_start < e.article_end <= len(text)
        assert text[e.article_start : e.article_end] == e.text
        assert model.shapes[e.data["shape"]].outlet == e.data["outlet_of_origin"]
        assert line_shape(e.text) == e.data["shape"]
    for start, end in boilerplate_spans(evidence):
        assert 0 <= start < end <= len(text)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.text(max_size=12),
            st.sampled_from(["\n", "\r\n", "\n \n", "\u00a0", "\u2028", "\x1c", "\u200b"]),
        ),
        max_size=12,
    ).map("".join)
)
def test_lines_are_the_paragraph_spans(text: str) -> None:
    assert list(lines(text)) == [(p.start, p.end) for p in paragraphs(text)]


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200))
def test_line_shape_never_raises(line: str) -> None:
    shape = line_shape(line)
    if shape is not None:
        assert len(shape) >= 3 and "\n" not in shape
        assert shape == shape.strip()
        if shape_kind(line) == "line":  # a folded line is its own shape
            assert line_shape(shape) == shape


# -- the demo corpus --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo_articles() -> list[Article]:
    return [a for a in read_path(ARTICLES) if isinstance(a, Article)]


def test_demo_corpus(demo_articles: list[Article], demo_expected: dict) -> None:
    # The pipeline marks the copies it has found (expected.json's pairs) before learning;
    # cs-004's source is missing, so it is not marked.
    copies = {pair["copy"] for pair in demo_expected["pairs"]}
    assert "cs-004" not in copies
    model = learn((a.outlet, a.text, a.id in copies) for a in demo_articles)

    clarion = model.owned_by("dailyclarion.com")
    for shape in ("read more: * [latest]", "don't miss:", "* (image: lensbank)"):
        assert shape in clarion
    post = model.owned_by("northernpost.co.uk")
    posts = sum(a.outlet == "northernpost.co.uk" for a in demo_articles)  # every one has both
    assert len(post) == 2
    assert all(b.kind == "line" and b.owner_count == posts for b in post.values())
    assert {"capital sentinel", "the truest voice of the nation"} == set(
        model.owned_by("capitalsentinel.net")
    )

    by_id = {a.id: a for a in demo_articles}
    cs004 = by_id["cs-004"]
    evidence = find_boilerplate(cs004.text, cs004.outlet, model)
    foreign = [e for e in evidence if e.kind == FOREIGN]
    assert {e.data["outlet_of_origin"] for e in foreign} == {"dailyclarion.com"}
    assert any(e.text.startswith("READ MORE:") for e in foreign)
    assert any(e.text.endswith("(Image: Lensbank)") for e in foreign)
    for e in evidence:
        assert cs004.text[e.article_start : e.article_end] == e.text

    np001 = by_id["np-001"]
    own = find_boilerplate(np001.text, np001.outlet, model)
    assert [e.kind for e in own] == [OWN, OWN]
    assert own[-1].text.startswith("About the Northern Post")
    # The Gazette's republished Post story dropped the Post's footer.
    assert find_boilerplate(by_id["vg-001"].text, "wendvalleygazette.co.uk", model) == []


def test_demo_corpus_without_copy_marks(demo_articles: list[Article]) -> None:
    # Nothing marked: the Sentinel carries the Clarion's promo line in 4 of its 5 stories,
    # as regularly as the Clarion, so which of them owns it cannot be told and nobody does.
    model = learn((a.outlet, a.text, False) for a in demo_articles)
    assert "read more: * [latest]" not in model.shapes
    assert len(model.owned_by("northernpost.co.uk")) == 2
    assert "capital sentinel" in model.owned_by("capitalsentinel.net")
