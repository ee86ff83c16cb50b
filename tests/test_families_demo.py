"""The demo corpus's story families, origins, trees and origin credit, end to end."""

from __future__ import annotations

import json

from copydesk.demo import ARTICLES, EXPECTED
from copydesk.desk import Desk


def test_demo_families_are_exactly_the_expected_ones(tmp_path):
    want = json.loads(EXPECTED.read_text("utf-8"))["families"]
    with Desk(tmp_path / "demo.db", workers=1) as desk:
        desk.ingest_files([str(ARTICLES)])
        desk.scan()
        got = [
            {
                "origin": {"article": f.origin.article, "outlet": f.origin.outlet},
                "versions": {
                    n.id: {"took_from": n.took_from, "origin_credit": n.origin_credit}
                    for n in f.ordered()
                },
            }
            for f in sorted(desk.families(), key=lambda f: f.id)
        ]
        assert got == want
        # Each family's origin credit agrees with the per-source credit of its copies'
        # labelled pairs (the demo's origins are all in the collection).
        pairs = json.loads(EXPECTED.read_text("utf-8"))["pairs"]
        credit = {p["copy"]: p["credit"] for p in pairs}
        for fam in want:
            for article, node in fam["versions"].items():
                if node["origin_credit"] is not None and article in credit:
                    assert node["origin_credit"] == credit[article], article
