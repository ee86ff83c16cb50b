"""Story families: components, tree, origin and origin credit over invented versions."""

from __future__ import annotations

import random
from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from copydesk.families import (
    AgencyFileError,
    Link,
    Member,
    Registry,
    build_families,
    builtin_agencies,
    family_id,
    merge_agencies,
    outlet_credits,
    parse_agencies,
)

BODY = (
    "The harbour board in Kestrel Bay approved a plan on Tuesday to dredge the old "
    "channel, ending a dispute with fishing crews that has run for four years. "
    "Board chair Ada Rennick said the work would start in spring and cost about "
    "twelve million. Crews had warned that silt was closing the channel at low tide. "
    "Engineers will survey the seabed in February before the dredgers arrive."
)


def day(n: int) -> datetime:
    return datetime(2026, 3, n, 9, 0, tzinfo=UTC)


def reg(*outlets: tuple[str, list[str]]) -> Registry:
    return Registry.build(builtin_agencies(), outlets)


def test_agency_file_parses_and_names_bad_lines(tmp_path):
    agencies = builtin_agencies()
    assert any(a.outlet == "reuters.com" and "Reuters" in a.forms for a in agencies)
    extra = parse_agencies("# mine\nwirely.example: Wirely | WRL\n")
    merged = merge_agencies(agencies, extra)
    assert any(a.outlet == "wirely.example" for a in merged)
    with pytest.raises(AgencyFileError, match=r"my\.txt:2"):
        parse_agencies("ok.example: Ok\nno colon here\n", "my.txt")


@pytest.mark.parametrize(
    ("text", "outlet", "kind"),
    [
        ("LONDON (Reuters) - The harbour board said", "reuters.com", "wire_dateline"),
        ("KESTREL BAY, Maine (AP) — The harbour board", "apnews.com", "wire_dateline"),
        ("NEW DELHI, March 3 (PTI): The board", "ptinews.com", "wire_dateline"),
        ("Reuters | London\n\nThe harbour board said", "reuters.com", "byline"),
        ("By AFP\nThe harbour board said", "afp.com", "byline"),
        ("The board agreed.\n\nSource: IANS", "ians.in", "credit_line"),
        ("The board agreed.\n\n© The Coastal Ledger 2026", "coastalledger.example", "credit_line"),
        (
            "This story first appeared on The Coastal Ledger.",
            "coastalledger.example",
            "credit_line",
        ),
        ("Rennick told CNN on Tuesday.", "cnn.com", "quote_credit"),
        (
            "The board agreed.\n\nCopyright 2026 Harbour News Now. All rights reserved.",
            "harbour news now",
            "credit_line",
        ),
        ("Filed by U.S. Harbour Wire.\n\n© U.S. Harbour Wire", "u.s. harbour wire", "credit_line"),
    ],
)
def test_credit_forms(text, outlet, kind):
    r = reg(("coastalledger.example", ["The Coastal Ledger"]))
    found = outlet_credits(text, r)
    assert (outlet, kind) in {(c.outlet, c.kind) for c in found}, found


def test_no_credit_from_ordinary_words():
    r = reg()
    text = "The ap was down. Crews told reporters the pa system failed. Source of silt: tides."
    assert [c for c in outlet_credits(text, r) if c.outlet in r.agencies] == []
    # A credit to the text's own outlet (its masthead) is no credit.
    r2 = reg(("ledger.example", ["The Ledger"]))
    assert outlet_credits("© The Ledger 2026\n" + BODY, r2, own="ledger.example") == []


def test_unknown_source_after_a_source_cue_is_kept_as_named():
    found = outlet_credits("This article first appeared on Harbour Weekly.", reg())
    assert [c.outlet for c in found] == ["harbour weekly"]


def wire_family():
    r = reg(("gazette.example", ["The Gazette"]), ("courier.example", ["Courier"]))
    members = [
        Member("gaz-1", "gazette.example", day(2), "KESTREL BAY (Reuters) - " + BODY),
        Member("cou-1", "courier.example", day(2).replace(hour=11), BODY + "\n\nReuters"),
        Member("scr-1", "scraper.example", day(3), BODY),
    ]
    links = [
        Link("cou-1", "gaz-1", 0.95),
        Link("scr-1", "gaz-1", 0.96),
        Link("scr-1", "cou-1", 0.97),
    ]
    return r, members, links


def test_wire_story_origin_outside_and_credit_judged_against_it():
    r, members, links = wire_family()
    (fam,) = build_families(members, links, r)
    assert fam.origin.article is None and fam.origin.outlet == "reuters.com"
    assert "wire_dateline" in fam.origin.basis
    credit = {n.id: n.origin_credit for n in fam.nodes.values()}
    assert credit == {"gaz-1": "credited", "cou-1": "credited", "scr-1": "stripped"}
    assert fam.size == 3 and fam.id == family_id(["scr-1", "gaz-1", "cou-1"])


def test_copy_of_copy_tree_by_shared_variants_without_dates():
    r = reg()
    a = BODY
    b = (
        BODY.replace(
            " Engineers will survey the seabed in February before the dredgers arrive.", ""
        )
        + " Readers can comment below."
    )
    c = b.replace("twelve million", "12 million")
    members = [
        Member("a", "one.example", None, a),
        Member("b", "two.example", None, b),
        Member("c", "three.example", None, c),
    ]
    links = [
        Link("b", "a", 0.9, direction_basis="first_seen"),
        Link("c", "a", 0.85, direction_basis="first_seen"),
        Link("c", "b", 0.97, direction_basis="first_seen"),
    ]
    (fam,) = build_families(members, links, r)
    assert fam.nodes["c"].took_from == "b" and fam.nodes["c"].basis == "variants"
    assert fam.nodes["b"].took_from == "a"
    assert fam.origin.article == "a" and fam.origin.outlet == "one.example"
    assert [n.id for n in fam.ordered()] == ["a", "b", "c"]


def test_stripped_when_the_version_it_took_from_names_the_origin():
    r = reg(("clarion.example", ["Daily Clarion"]))
    src = BODY + " Rennick told the Daily Clarion the crews had been heard."
    members = [
        Member("clar-1", "clarion.example", day(1), src),
        Member("farm-1", "farm.example", day(2), BODY + " Rennick said the crews had been heard."),
        Member("agg-1", "agg.example", day(3), src),
    ]
    links = [Link("farm-1", "clar-1", 0.9), Link("agg-1", "clar-1", 1.0)]
    (fam,) = build_families(members, links, r)
    assert fam.origin.article == "clar-1"
    assert fam.nodes["farm-1"].origin_credit == "stripped"
    assert fam.nodes["agg-1"].origin_credit == "credited"
    assert fam.nodes["clar-1"].origin_credit is None


def test_furniture_of_an_absent_outlet_names_the_origin_and_strips():
    r = reg()
    sig = ({"kind": "foreign_boilerplate", "outlet_of_origin": "tabloid.example"},)
    members = [
        Member("x", "farm1.example", day(2), BODY, signals=sig),
        Member("y", "farm2.example", day(3), BODY, signals=sig),
    ]
    (fam,) = build_families(members, [Link("y", "x", 1.0)], r)
    assert fam.origin == type(fam.origin)(None, "tabloid.example", ["foreign_boilerplate"])
    assert {n.origin_credit for n in fam.nodes.values()} == {"stripped"}


def test_families_do_not_depend_on_input_order():
    r, members, links = wire_family()
    extra = [
        Member("z1", "z.example", day(5), "Another story entirely " * 20),
        Member("z2", "y.example", day(6), "Another story entirely " * 20),
    ]
    members += extra
    links += [Link("z2", "z1", 1.0)]
    want = [f.to_json() for f in build_families(members, links, r)]
    rng = random.Random(7)
    for _ in range(5):
        rng.shuffle(members)
        rng.shuffle(links)
        assert [f.to_json() for f in build_families(members, links, r)] == want
    assert len(want) == 2


@pytest.mark.parametrize(
    ("text", "outlet"),
    [
        ("Thane, Aug 24 (PTI) Police said the board met.", "ptinews.com"),
        ("The man was held, police said. -REUTERS", "reuters.com"),
        ("The board met.\n\n(Source: AP)", "apnews.com"),
        (
            "A state-by-state look\n\nAssociated Press Modified: November 2, 2012 at 9:31 pm",
            "apnews.com",
        ),
        ("The board met, police said. (ANI)", "ani.in"),
    ],
)
def test_more_wire_credit_forms(text, outlet):
    assert outlet in {c.outlet for c in outlet_credits(text, reg())}


@pytest.mark.parametrize(
    ("text", "outlet", "kind"),
    [
        (
            "The board met.\n\nNewsWire was unable to independently verify the reports.",
            "news.com.au",
            "byline",
        ),
        ("Harbour board approves dredging plan. Reuters\n\n" + BODY, "reuters.com", "byline"),
        ("KESTREL BAY, March 18, 2026 (BSS/AFP) – The board", "afp.com", "wire_dateline"),
        (
            "Harbour plan\n\nAssociated Press Modified: November 2, 2012 at 9:31 pm •  "
            "Published: November 2, 2012\n\n" + BODY,
            "apnews.com",
            "byline",
        ),
        ("The dredger at work. (Photo: STAFF/Reuters)\n\n" + BODY, "reuters.com", "photo_credit"),
        (
            "PHOTO: Harbour board via Coastal Morning Ledger\n\n" + BODY,
            "cml.example",
            "credit_line",
        ),
    ],
)
def test_wire_credit_forms_of_real_copies(text, outlet, kind):
    r = reg(("cml.example", []))
    assert (outlet, kind) in {(c.outlet, c.kind) for c in outlet_credits(text, r)}


def test_a_name_is_a_collection_outlet_by_its_domain():
    r = reg(("kestrelherald.example", []), ("cml.example", []))
    assert r.by_label("Kestrel Herald") == "kestrelherald.example"
    assert r.by_label("Coastal Morning Ledger") == "cml.example"
    assert r.by_label("Monday") is None and r.by_label("coastal morning ledger") is None


def test_a_bare_wire_dateline_is_a_cut_credit_unless_the_parent_had_it():
    r = reg()
    members = [
        Member("w1", "one.example", day(2), "KESTREL BAY (Reuters) - " + BODY),
        Member("w2", "two.example", day(3), "KESTREL BAY — " + BODY),
        Member("w3", "three.example", day(4), "KESTREL BAY — " + BODY + " More later."),
        Member("w4", "four.example", day(4), "A picture. (Photo: STAFF/Reuters)\n\n" + BODY),
    ]
    links = [Link("w2", "w1", 1.0), Link("w3", "w2", 1.0), Link("w4", "w2", 1.0)]
    (fam,) = build_families(members, links, r)
    assert fam.origin.article is None and fam.origin.outlet == "reuters.com"
    assert fam.origin.name == "Reuters"
    credit = {n.id: n.origin_credit for n in fam.nodes.values()}
    # w3 took from w2, whose dateline it keeps as it was: the cut was made before it. An
    # agency's picture credit is no credit of the text.
    assert credit == {"w1": "credited", "w2": "stripped", "w3": "absent", "w4": "absent"}


def test_what_the_root_credits_names_the_origin_first():
    r = reg()
    members = [
        Member("r1", "one.example", day(2), BODY + "\n\nSource: IANS"),
        Member("r2", "two.example", day(3), BODY + "\n\nSource: IANS"),
        Member("r3", "three.example", day(4), BODY + "\n\n© Agence France-Presse"),
    ]
    links = [Link("r2", "r1", 1.0), Link("r3", "r2", 1.0)]
    (fam,) = build_families(members, links, r)
    assert fam.origin.outlet == "ians.in"
    # r3 names another source (the agency it credits): it cut nothing of the origin's.
    assert fam.nodes["r3"].origin_credit == "absent"


def test_a_quote_given_to_an_agency_names_a_dateline_root_origin():
    r = reg()
    text = "MANILA — " + BODY + ' "It is small but dangerous," Rennick told Reuters.'
    members = [
        Member("t1", "one.example", day(2), text),
        Member("t2", "two.example", day(2), "MANILA — " + BODY),
    ]
    (fam,) = build_families(members, [Link("t2", "t1", 0.9)], r)
    assert fam.origin.article is None and fam.origin.outlet == "reuters.com"
    assert fam.nodes["t1"].origin_credit == "credited"


def test_a_copy_that_drops_the_credited_lead_strips_it_one_that_rewrites_it_does_not():
    r = reg()
    lead = (
        "KESTREL BAY (Reuters) - Dredgers will reopen the old channel next spring, the "
        "harbour board said, after four years of argument with the town's fishing crews.\n\n"
    )
    src = lead + BODY
    body = (len(lead), len(src))
    own_lead = "Our town's channel is to be dredged at last, officials say.\n\n"
    members = [
        Member("s", "one.example", day(2), src),
        Member("dropped", "two.example", day(3), BODY),
        Member("rewritten", "three.example", day(3), own_lead + BODY),
    ]
    links = [
        Link("dropped", "s", 0.9, source_spans=(body,), copy_start=0),
        Link("rewritten", "s", 0.8, source_spans=(body,), copy_start=len(own_lead)),
    ]
    (fam,) = build_families(members, links, r)
    assert fam.origin.outlet == "reuters.com"
    assert fam.nodes["dropped"].origin_credit == "stripped"
    assert fam.nodes["rewritten"].origin_credit == "absent"


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ("NEW YORK: A storm triggered warnings", "new york"),
        ("Harbour plan approved\n\nGIANYAR BEACH — More than 10,000 turtles", "gianyar beach"),
        ("CAIRO • Egyptian archaeologists have found", "cairo"),
        ("Utrecht, March 18: Dutch police arrested", "utrecht march 18"),
        ("LONDON (Reuters) - A flight landed", None),
        ("Cooch Behar: A sense of panic spread", None),
        ("The board met on Tuesday - and agreed.", None),
    ],
)
def test_bare_datelines(text, want):
    from copydesk.families.build import bare_dateline

    assert bare_dateline(text) == want


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                *("Photo", "PHOTOS", "picture", "Camera  icon", "file\nphoto", "(AP PHOTO)"),
                *("Video:", "pic", "picnic", "photographer", "Reuters", "by", "\n", "(", ")"),
                *("é", "x"),
            ]
        ),
        max_size=30,
    )
)
def test_lower_cased_picture_search_of_ascii_text_is_the_case_insensitive_one(parts) -> None:
    # An ASCII text's picture words are found lower-cased exactly where the
    # case-insensitive search finds them.
    from copydesk.families.credits import _PICTURE, _PICTURE_LOWER

    text = " ".join(parts)
    if text.isascii():
        lowered, plain = _PICTURE_LOWER.search(text.lower()), _PICTURE.search(text)
        assert (lowered and lowered.span()) == (plain and plain.span())
