"""Credit forensics on the demo corpus: removed credits, aliases, direction from evidence."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from copydesk import Desk
from copydesk.demo import ARTICLES
from copydesk.forensics.aliases import (
    AliasCounts,
    aliases_from_counts,
    count_aliases,
    learn_aliases,
    load_alias_file,
)
from copydesk.reading import read_path


def _articles():
    return [a for a in read_path(ARTICLES) if hasattr(a, "text")]


def test_removed_credits_are_located_in_both_texts(demo_desk) -> None:
    verdict = demo_desk.verdict("cs-001")
    match = next(m for m in verdict.sources if m.source == "dc-001")
    assert match.credit == "stripped"
    removed = [e for e in match.evidence if e.kind == "credit_removed"]
    assert len(removed) >= 2
    copy, source = demo_desk.article("cs-001").text, demo_desk.article("dc-001").text
    for e in removed:
        assert source[e.source_start : e.source_end] == e.text
        assert "Clarion" in e.text
        # The copy reads on where the source named itself: the credit is not there.
        around = copy[max(0, e.article_start - 30) : e.article_start + 30]
        assert "Clarion" not in around
        before = source[max(0, e.source_start - 12) : e.source_start].split()[-1:]
        assert copy[: e.article_start].split()[-1:] == before or before == ["the"]


def test_kept_credit_is_syndicated_not_stripped(demo_desk) -> None:
    for copy, source in (("vg-001", "np-005"), ("vg-002", "np-006")):
        match = next(m for m in demo_desk.verdict(copy).sources if m.source == source)
        assert (match.relation, match.credit) == ("syndicated", "credited")
        assert not [e for e in match.evidence if e.kind == "credit_removed"]


def test_aliases_are_learned_from_how_outlets_name_themselves() -> None:
    learned = learn_aliases((a.outlet, a.text) for a in _articles())
    assert "Daily Clarion" in learned["dailyclarion.com"]
    assert "Northern Post" in learned["northernpost.co.uk"]
    assert "wendsidedispatch.org" not in learned  # a blog that never names itself


def test_aliases_do_not_depend_on_order_or_on_how_the_counting_is_split() -> None:
    own = [(a.outlet, a.text) for a in _articles()]
    learned = learn_aliases(own)
    assert learn_aliases(own[::-1]) == learned
    counted = AliasCounts()
    for k in range(3):  # three partitions counted apart, added in reverse order
        counted.add(count_aliases(own[2 - k :: 3]))
    assert aliases_from_counts(counted) == learned
    assert list(learned) == sorted(learned)


def test_alias_file_formats_and_errors(tmp_path: Path) -> None:
    as_json = tmp_path / "a.json"
    as_json.write_text(json.dumps({"Example.com": ["The Example", "EX"]}))
    assert load_alias_file(as_json) == {"example.com": ["The Example", "EX"]}
    as_csv = tmp_path / "a.csv"
    as_csv.write_text("# outlet,name\nexample.com,The Example\nexample.com,Ex Daily\n")
    assert load_alias_file(as_csv) == {"example.com": ["The Example", "Ex Daily"]}
    bad = tmp_path / "b.csv"
    bad.write_text("example.com\n")
    with pytest.raises(ValueError, match=r"b.csv:1: expected two columns"):
        load_alias_file(bad)
    broken = tmp_path / "c.json"
    broken.write_text('{"x": ')
    with pytest.raises(ValueError, match="invalid JSON"):
        load_alias_file(broken)


def test_user_alias_turns_absent_into_credited(tmp_path: Path) -> None:
    """A copy that credits the source under a name copydesk cannot learn."""
    articles = _articles()
    source = next(a for a in articles if a.id == "mpa-001")
    copy = replace(
        source,
        id="x-1",
        outlet="elsewhere.example",
        url=None,
        published=source.published.replace(day=source.published.day + 1),
        text=source.text + "\n\nThis report comes from our friends at Meridian Wire Service.",
    )
    with Desk(tmp_path / "a.db", workers=1) as desk:
        desk.ingest([source, copy])
        desk.scan()
        assert desk.verdict("x-1").sources[0].credit == "absent"
        desk.add_aliases({"mpa-wire.com": ["Meridian Wire Service"]})
        desk.scan(rescan=True)
        match = desk.verdict("x-1").sources[0]
        assert (match.relation, match.credit) == ("syndicated", "credited")


@pytest.mark.parametrize("published", [None, "same", "future"])
def test_direction_from_removed_credit_when_dates_cannot_decide(tmp_path, published) -> None:
    articles = {a.id: a for a in _articles()}
    source, copy = articles["dc-002"], articles["cs-002"]
    if published is None:
        copy = replace(copy, published=None)
    elif published == "same":
        copy = replace(copy, published=source.published)
    else:
        copy = replace(copy, published=source.published.replace(year=2999))
    # The copy is ingested first, so ingest order would get it wrong.
    with Desk(tmp_path / "d.db", workers=1) as desk:
        desk.ingest([copy, source])
        desk.scan()
        verdict = desk.verdict("cs-002")
        assert verdict is not None and verdict.sources, "the copy must be the copy"
        match = verdict.sources[0]
        assert match.source == "dc-002"
        assert "credit_removed" in match.direction_basis
        assert desk.verdict("dc-002").sources == []


def test_a_link_to_the_source_is_credit(tmp_path: Path) -> None:
    """A copy read from a web page credits its source by linking to it."""
    articles = {a.id: a for a in _articles()}
    source = articles["mpa-001"]
    later = source.published.replace(day=source.published.day + 1)
    plain = replace(source, id="x-plain", outlet="elsewhere.example", url=None, published=later)
    linked = replace(
        plain, id="x-link", extra={"links": ["https://example.org/x", source.url + "/"]}
    )
    with Desk(tmp_path / "l.db", workers=1) as desk:
        desk.ingest([source, plain, linked])
        desk.scan()
        assert desk.verdict("x-plain").sources[0].credit == "absent"
        match = desk.verdict("x-link").sources[0]
        assert (match.relation, match.credit) == ("syndicated", "credited")
        assert {"kind": "credit", "text": source.url + "/", "via": "link"} in [
            e.to_json() for e in match.evidence
        ]
