"""Families in the store: kept up to date by scans, independent of how the scans ran."""

from __future__ import annotations

import json
from importlib import resources

from copydesk.desk import Desk
from copydesk.reading import read_paths


def demo_path():
    return resources.files("copydesk.demo").joinpath("articles.jsonl")


def families_json(desk: Desk) -> list[dict]:
    return [f.to_json() for f in desk.families()]


def test_one_scan_and_many_scans_give_the_same_families(tmp_path):
    articles = [a for a in read_paths([str(demo_path())]) if not hasattr(a, "reason")]
    with Desk(tmp_path / "one.db", workers=1) as one:
        one.ingest(articles)
        one.scan()
        want = families_json(one)
    assert want, "the demo corpus has families"
    with Desk(tmp_path / "many.db", workers=1) as many:
        for lo in range(0, len(articles), 7):
            many.ingest(articles[lo : lo + 7])
            many.scan()
        assert families_json(many) == want
        # A rescan rebuilds nothing: the signatures are unchanged.
        from copydesk.engines.families import update_families

        assert update_families(many.store) == 0


def test_verdict_carries_family_and_origin_credit(tmp_path):
    with Desk(tmp_path / "d.db", workers=1) as desk:
        desk.ingest_files([str(demo_path())])
        desk.scan()
        verdicts = {v.article: v.to_json() for v in desk.verdicts()}
        some = next(v for v in verdicts.values() if v["family"])
        fam = desk.family_of(some["article"])
        assert fam is not None and some["family"]["id"] == fam.id
        assert set(some["family"]) == {"id", "size", "origin", "took_from"}
        assert set(some["family"]["origin"]) == {"article", "outlet", "name", "basis"}
        assert some["origin_credit"] in {"credited", "stripped", "absent"}
        json.dumps(some)
        # The origin article's own verdict has a family and no origin credit.
        origin = fam.origin.article
        if origin:
            v = desk.verdict(origin)
            assert v.family["id"] == fam.id and v.origin_credit is None
        assert desk.family_of("no-such-article") is None


def test_outlet_profiles_count_family_origins_and_origin_credit(tmp_path):
    with Desk(tmp_path / "d.db", workers=1) as desk:
        desk.ingest_files([str(demo_path())])
        desk.scan()
        profiles = {p.outlet: p for p in desk.outlets()}
        clarion, farm = profiles["dailyclarion.com"], profiles["capitalsentinel.net"]
        assert clarion.family_origins == 3 and farm.family_origins == 0
        assert farm.origin_credit["stripped"] == 3
        assert farm.to_json()["origin_credit"] == farm.origin_credit
        if farm.flagged:
            assert any("cut the origin's name" in r for r in farm.reasons)
