"""The furniture atlas: learned from a crawl, kept as digests, used by scans."""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from copydesk import Desk
from copydesk.cli import app
from copydesk.forensics.atlas import AtlasError, build_atlas, read_atlas, shape_key, write_atlas
from copydesk.forensics.boilerplate import line_shape
from copydesk.model import Article

runner = CliRunner()
HERALD = "harbourherald.example"
FOOTER = "Sign up to the Harbour Herald morning briefing and never miss a story from the coast."
PROMO = "MORE FROM THE COAST: Ferry timetable changes this week [UPDATED]"
WORDS = [
    "council",
    "harbour",
    "ferry",
    "school",
    "market",
    "bridge",
    "river",
    "storm",
    "festival",
    "police",
    "hospital",
    "road",
    "farmers",
    "fishermen",
    "museum",
    "library",
    "station",
    "budget",
    "housing",
    "plan",
    "vote",
    "protest",
    "repair",
    "opened",
    "closed",
    "warned",
    "praised",
    "delayed",
    "approved",
    "rejected",
    "announced",
    "cancelled",
]


def _story(rng: random.Random, sentences: int = 7) -> str:
    out = []
    for _ in range(sentences):
        words = [rng.choice(WORDS) for _ in range(rng.randint(12, 18))]
        out.append(" ".join(words).capitalize() + ".")
    return " ".join(out)


def _crawl(rng: random.Random) -> list[Article]:
    """A crawl: the Herald's stories all end with its footer and a promo line; two other
    outlets' do not."""
    start = datetime(2026, 1, 1, tzinfo=UTC)
    items = []
    for i in range(12):
        for outlet in (HERALD, "inlandtimes.example", "valleyvoice.example"):
            text = _story(rng)
            if outlet == HERALD:
                text = f"{text}\n{PROMO}\n{FOOTER}"
            items.append(
                Article(
                    id=f"{outlet}-{i}",
                    text=text,
                    outlet=outlet,
                    published=start + timedelta(days=i),
                )
            )
    return items


def _collection(rng: random.Random) -> list[Article]:
    """Two scrapers carry one Herald story (never collected) with its furniture and no
    credit; other articles fill the collection."""
    story = _story(rng, 9)
    when = datetime(2026, 3, 2, tzinfo=UTC)
    items = [
        Article(
            id="scrape-1",
            text=f"{story}\n{PROMO}\n{FOOTER}",
            outlet="scrapeone.example",
            published=when,
        ),
        Article(
            id="scrape-2",
            text=f"{story}\n{FOOTER}",
            outlet="scrapetwo.example",
            published=when + timedelta(hours=5),
        ),
    ]
    for i in range(6):
        items.append(
            Article(
                id=f"other-{i}",
                text=_story(rng),
                outlet=f"paper{i % 3}.example",
                published=when + timedelta(days=i),
            )
        )
    return items


def test_atlas_keeps_digests_not_text(tmp_path: Path) -> None:
    atlas = build_atlas(_crawl(random.Random(1)), sources=["crawl.jsonl"])
    assert atlas.shapes[shape_key(line_shape(FOOTER))].outlet == HERALD
    assert atlas.shapes[shape_key(line_shape(PROMO))].outlet == HERALD
    assert atlas.outlets[HERALD] == 12
    path = tmp_path / "atlas.json"
    write_atlas(atlas, path)
    raw = path.read_text()
    assert "briefing" not in raw.lower() and "ferry" not in raw.lower()
    assert read_atlas(path) == atlas


def test_scan_with_an_atlas_names_the_absent_outlet(tmp_path: Path) -> None:
    crawl = tmp_path / "crawl.jsonl"
    with crawl.open("w") as fh:
        for a in _crawl(random.Random(1)):
            fh.write(
                json.dumps(
                    {
                        "id": a.id,
                        "text": a.text,
                        "outlet": a.outlet,
                        "published": a.published.isoformat(),
                    }
                )
                + "\n"
            )
    atlas = tmp_path / "atlas.json"
    result = runner.invoke(app, ["atlas", "build", str(crawl), "--atlas", str(atlas)])
    assert result.exit_code == 0, result.output
    assert "36 articles" in result.output

    db = tmp_path / "c.db"
    with Desk(db, workers=1, create=True) as desk:
        desk.ingest(_collection(random.Random(2)))
        desk.scan()
        before = desk.verdict("scrape-2")
        assert not any(s.kind == "foreign_boilerplate" for s in before.signals)
        fam = desk.family_of("scrape-2")
        assert fam is None or fam.origin.outlet != HERALD
    result = runner.invoke(app, ["scan", "--db", str(db), "--atlas", str(atlas)])
    assert result.exit_code == 0, result.output
    assert "judged again" in result.output
    with Desk(db) as desk:
        after = desk.verdict("scrape-2")
        found = [s for s in after.signals if s.kind == "foreign_boilerplate"]
        assert {s.data["outlet_of_origin"] for s in found} == {HERALD}
        assert {s.text for s in found} == {FOOTER}
        fam = desk.family_of("scrape-2")
        assert fam is not None and fam.origin.article is None and fam.origin.outlet == HERALD
        assert set(fam.nodes) == {"scrape-1", "scrape-2"}
    # the same atlas again changes nothing; the collection's verdicts stay as they are
    again = runner.invoke(app, ["scan", "--db", str(db), "--atlas", str(atlas)])
    assert again.exit_code == 0 and "judged again" not in again.output


def test_bad_atlas_files_are_named(tmp_path: Path) -> None:
    bad = tmp_path / "atlas.json"
    bad.write_text('{"format": "something else"}')
    with pytest.raises(AtlasError, match=r"atlas\.json: not a copydesk atlas"):
        read_atlas(bad)
    bad.write_text("{not json")
    result = runner.invoke(app, ["scan", "--db", str(tmp_path / "none.db"), "--atlas", str(bad)])
    assert result.exit_code == 2 and "atlas.json: not a copydesk atlas" in result.output
    empty = tmp_path / "empty.jsonl"
    empty.write_text("")
    result = runner.invoke(app, ["atlas", "build", str(empty), "--atlas", str(bad)])
    assert result.exit_code == 2 and "no articles" in result.output
