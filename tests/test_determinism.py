"""A verdict depends on the collection only: one scan, scans between ingests, a scan
interrupted and resumed, and a rescan of a finished store all give the same verdicts."""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime, timedelta
from itertools import islice
from pathlib import Path

import pytest

from copydesk import Desk
from copydesk.demo import ARTICLES
from copydesk.engines import embedded
from copydesk.model import Article
from copydesk.reading import read_path
from copydesk.store.sqlite import Store
from fakenews import make_article, make_paragraph

T0 = datetime(2025, 5, 1, 8, 0, tzinfo=UTC)
OUTLETS = {
    "harbourwire.example": "Harbour Wire",
    "saltmarshrecord.example": "Saltmarsh Record",
    "quickclicks.example": "Quick Clicks",
    "valleyvoice.example": "Valley Voice",
}
FOOTER = {
    "harbourwire.example": "Harbour Wire: independent news for the estuary, every day since 1921.",
    "saltmarshrecord.example": "Get the Saltmarsh Record newsletter: the week's stories, Fridays.",
    "quickclicks.example": "READ MORE: the stories everyone is sharing today [TRENDING]",
    "valleyvoice.example": "Valley Voice is owned by its readers. Join them from 2 pounds a month.",
}


def generated(seed: int = 11, stories: int = 14) -> list[Article]:
    """Originals with their outlet's footer; copies elsewhere, whole or in part, credited
    or not, dated or not (so that text evidence and ingest order decide some)."""
    rng = random.Random(seed)
    names = list(OUTLETS)
    out: list[Article] = []
    for i in range(stories):
        home = names[i % len(names)]
        body = make_article(rng, 4)
        when = T0 + timedelta(hours=3 * i)
        out.append(
            Article(
                f"g-{i}",
                f"{body}\n\n{FOOTER[home]}",
                outlet=home,
                outlet_name=OUTLETS[home],
                published=when if i % 3 else None,
            )
        )
        for j, other in enumerate(n for n in names if n != home):
            if rng.random() < 0.45:
                continue
            paras = body.split("\n\n")
            kept = paras if rng.random() < 0.5 else paras[: rng.randint(2, len(paras))]
            lines = [*kept, make_paragraph(rng)]
            if rng.random() < 0.4:
                lines.insert(0, f"This story first appeared in the {OUTLETS[home]}.")
            if rng.random() < 0.5:
                lines.append(FOOTER[home])  # the source's furniture carried along
            lines.append(FOOTER[other])
            out.append(
                Article(
                    f"g-{i}-{j}",
                    "\n\n".join(lines),
                    outlet=other,
                    outlet_name=OUTLETS[other],
                    published=when + timedelta(hours=rng.randint(1, 9)) if i % 2 else None,
                )
            )
    return out


@pytest.fixture(scope="module")
def collection() -> list[Article]:
    demo = [a for a in read_path(ARTICLES) if isinstance(a, Article)]
    mixed = generated()
    # interleaved, so that each increment holds some of each
    out = [a for pair in zip(demo, mixed, strict=False) for a in pair] + (
        demo[len(mixed) :] + mixed[len(demo) :]
    )
    # wire stories that reuse nothing, each a story family of one by its dateline, where
    # an interrupted scan marks them scanned before it fails
    rng = random.Random(4)
    wires = [
        Article(f"wire-{i}", f"LONDON (Reuters) - {make_article(rng, 2)}", outlet="wire.example")
        for i in range(2)
    ]
    half = len(out) // 2
    return out[:half] + wires + out[half:]


def verdicts(desk: Desk) -> list[str]:
    return [
        json.dumps(v.to_json(), sort_keys=True) for v in desk.verdicts(include_same_outlet=True)
    ]


def one_go(path: Path, articles: list[Article]) -> list[str]:
    with Desk(path, workers=1) as desk:
        desk.ingest(articles)
        desk.scan()
        return verdicts(desk)


@pytest.fixture(scope="module")
def expected(collection, tmp_path_factory) -> list[str]:
    got = one_go(tmp_path_factory.mktemp("once") / "once.db", collection)
    assert len(got) > 20  # the collection has plenty of reuse to get wrong
    lone = [v for v in got if '"article": "wire-' in v]
    assert len(lone) == 2 and all('"size": 1' in v for v in lone)  # agency families of one
    return got


def test_increments_give_the_same_verdicts(collection, expected, tmp_path) -> None:
    with Desk(tmp_path / "inc.db", workers=1) as desk:
        n = len(collection)
        for lo, hi in [(0, n // 3), (n // 3, 2 * n // 3), (2 * n // 3, n)]:
            desk.ingest(collection[lo:hi])
            desk.scan()
        assert verdicts(desk) == expected


def test_rescan_of_a_finished_store_changes_nothing(collection, expected, tmp_path) -> None:
    with Desk(tmp_path / "re.db", workers=1) as desk:
        desk.ingest(collection)
        desk.scan()
        desk.scan(rescan=True)
        assert verdicts(desk) == expected
        desk.scan()  # nothing new: nothing changes
        assert verdicts(desk) == expected


def test_judging_again_with_kept_alignments_equals_aligning_again(
    collection, expected, tmp_path, monkeypatch
) -> None:
    """The pairs found reusing are judged again under the learned models with the
    alignments made when they were found (``expected``); aligning every pair again
    gives the same verdicts."""
    original = embedded._compare_pairs
    kept: list[int] = []

    def aligning_again(store, pairs, params, ctx, pool, done=None, aligned=None):
        if aligned:  # judging: the alignments of the pairs phase are there ...
            kept.append(sum(p in aligned for p in pairs))
            aligned = {}  # ... and are not used
        return original(store, pairs, params, ctx, pool, done, aligned)

    monkeypatch.setattr(embedded, "_compare_pairs", aligning_again)
    assert one_go(tmp_path / "again.db", collection) == expected
    assert sum(kept) > 20


def test_a_kept_alignment_of_other_texts_is_made_again(tmp_path) -> None:
    """An alignment kept from the pairs phase is used for judging again only while both
    texts are those it was made of (an ingest may change one during a scan)."""
    from copydesk.align import Alignment
    from copydesk.engines.compare import Params
    from copydesk.verdict import EMPTY

    rng = random.Random(9)
    text = make_article(rng, 5)
    with Desk(tmp_path / "kept.db", workers=1) as desk:
        desk.ingest(
            [
                Article("src", text, outlet="first.example"),
                Article("cp", text + "\n\nMore at Copy Farm.", outlet="copy.example"),
            ]
        )
        x, y = sorted(desk.store.keys())
        path = str(desk.store.path)
        found = embedded._compare_stored(desk.store, (x, [y], Params(), path, [None]), EMPTY)
        assert len(found) == 1
        alignment, hx, hy = found[0][3]
        assert alignment.spans
        empty = Alignment([], [], alignment.a_words, alignment.b_words)

        def judged(kept):
            task = (x, [y], Params(), path, [kept])
            return [m[:3] for m in embedded._compare_stored(desk.store, task, EMPTY)]

        assert judged((empty, hx, hy)) == []  # kept and used: nothing aligned, no reuse
        assert judged((empty, hx, hy + 1)) == [found[0][:3]]  # another text: aligned again
        assert judged((empty, hx + 1, hy)) == [found[0][:3]]


@pytest.mark.parametrize("fail_at", [1, 3, 6])
def test_interrupted_scan_resumes_to_the_same_verdicts(
    collection, expected, tmp_path, monkeypatch, fail_at
) -> None:
    """An exception in the n-th write of matches (in the pairs phase or in judging again),
    then a scan: the verdicts of a scan never interrupted."""
    original = Store.write_matches
    calls = {"n": 0}

    def failing(self, rows):
        calls["n"] += 1
        if calls["n"] == fail_at:
            raise RuntimeError("injected failure")
        return original(self, rows)

    with Desk(tmp_path / "int.db", workers=1) as desk:
        n = len(collection)
        desk.ingest(collection[: n // 2])
        desk.scan()
        desk.ingest(collection[n // 2 :])
        monkeypatch.setattr(Store, "write_matches", failing)
        with pytest.raises(RuntimeError, match="injected"):
            embedded.scan(desk.store, workers=1, batch_size=20)
        monkeypatch.setattr(Store, "write_matches", original)
        desk.scan()
        assert verdicts(desk) == expected


# -- the same on real news ---------------------------------------------------------------


def real_sample() -> list[Article]:
    """A few thousand real articles (BBC, Reuters-21578, read at run time from the shared
    corpora) and, made at run time from some of them, copies at an invented outlet: whole
    or in part, credited or not, dated after their source or undated."""
    from copydesk.reading.corpora import read_bbc, read_reuters

    rng = random.Random(5)
    bbc = list(read_bbc())
    picked = sorted(rng.sample(range(len(bbc)), 1300))
    base = [bbc[i] for i in picked] + list(islice(read_reuters(), 1500))
    copies = []
    for n, i in enumerate(sorted(rng.sample(range(len(base)), 90))):
        src = base[i]
        paras = [p for p in src.text.split("\n\n") if p.strip()]
        kept = paras if n % 2 else paras[: max(1, len(paras) // 2)]
        lines = [*kept, "Shared by Copy Farm, all the news in one place."]
        if n % 3 == 0:
            lines.insert(0, f"This story first appeared on {src.outlet}.")
        copies.append(
            Article(
                f"copyfarm-{n}",
                "\n\n".join(lines),
                outlet="copyfarm.example",
                published=src.published + timedelta(hours=2) if src.published and n % 4 else None,
            )
        )
    return base + copies


def families(desk: Desk) -> list[str]:
    return sorted(json.dumps(f.to_json(), sort_keys=True) for f in desk.families())


@pytest.mark.slow
def test_real_news_in_increments_and_after_an_interruption(tmp_path, corpora, monkeypatch) -> None:
    """On ~2,900 real articles: one scan, three ingest-and-scan increments, and a scan
    interrupted in its pairs phase then resumed give the same verdict JSON and families."""
    sample = real_sample()
    n = len(sample)
    with Desk(tmp_path / "once.db", workers=2) as desk:
        desk.ingest(sample)
        desk.scan()
        want, want_families = verdicts(desk), families(desk)
    assert len(want) > 150 and len(want_families) > 50
    assert any('"copyfarm.example"' in v for v in want)
    with Desk(tmp_path / "inc.db", workers=2) as desk:
        for lo, hi in [(0, n // 3), (n // 3, 2 * n // 3), (2 * n // 3, n)]:
            desk.ingest(sample[lo:hi])
            desk.scan()
        assert verdicts(desk) == want
        assert families(desk) == want_families
    original = Store.write_matches
    calls = {"n": 0}

    def failing(self, rows):
        calls["n"] += 1
        if calls["n"] == 3:
            raise RuntimeError("injected failure")
        return original(self, rows)

    with Desk(tmp_path / "int.db", workers=2) as desk:
        desk.ingest(sample[: n // 2])
        desk.scan()
        desk.ingest(sample[n // 2 :])
        monkeypatch.setattr(Store, "write_matches", failing)
        with pytest.raises(RuntimeError, match="injected"):
            embedded.scan(desk.store, workers=2, batch_size=200)
        monkeypatch.setattr(Store, "write_matches", original)
        desk.scan()
        assert verdicts(desk) == want
        assert families(desk) == want_families
