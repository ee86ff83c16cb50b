"""Furniture and quotes shared by two different stories never make a copy."""

from __future__ import annotations

from datetime import UTC, datetime

from copydesk.desk import Desk
from copydesk.engines.families import link_kinds
from copydesk.forensics.furniture import COPY, FURNITURE, QUOTE, Span, classify_link
from copydesk.model import Article

STORY_A = (
    "Councillors in Marrowby voted on Thursday to close the Old Quay car park for a year "
    "while its sea wall is rebuilt, despite objections from traders on Harbour Street.\n\n"
    "The work, costed at 3.4 million, will begin in May. Traders said the closure would "
    "take away the spaces their customers use and asked for a shuttle bus from the ring "
    "road. The council said a temporary car park would open on the old railway yard.\n\n"
    "Engineers found last winter that the wall had moved by eleven centimetres after a "
    "run of storms, and warned that a collapse would flood the lower town."
)
STORY_B = (
    "A primary school in Elstow Green has been told to replace its heating system before "
    "the autumn term after inspectors found its boilers were unsafe.\n\n"
    "Head teacher Rosalind Achebe said pupils had worn coats in class on several days in "
    "February. Parents raised more than four thousand pounds for portable heaters, which "
    "the county has now agreed to refund.\n\n"
    "The county's education committee will decide next month whether to fund a heat "
    "pump for the school, which would cost about 600,000 pounds."
)
NOTICE = (
    "Sign up to the Marrowby Mercury morning briefing to get the day's top stories in "
    "your inbox every weekday at seven, plus breaking alerts and weekend reads. You can "
    "unsubscribe at any time and we will never share your address with anyone else."
)
QUOTE_TEXT = (
    "“We have waited four years for the board to listen to the people who actually work "
    "on the water, and today they finally did, which is all we ever asked for,” Rennick "
    "told the Harbour Herald in an interview on Tuesday."
)


def spans(text: str, part: str) -> list[Span]:
    at = text.index(part)
    return [Span(at, at + len(part))]


def test_a_notice_at_the_foot_of_two_different_stories_is_furniture():
    a, b = STORY_A + "\n\n" + NOTICE, STORY_B + "\n\n" + NOTICE
    assert classify_link(a, spans(a, NOTICE), b, spans(b, NOTICE)) == FURNITURE


def test_a_shared_quote_between_two_stories_is_a_quote():
    a = STORY_A.replace("\n\nEngineers", "\n\n" + QUOTE_TEXT + "\n\nEngineers")
    b = STORY_B.replace("\n\nThe county's", "\n\n" + QUOTE_TEXT + "\n\nThe county's")
    assert classify_link(a, spans(a, QUOTE_TEXT), b, spans(b, QUOTE_TEXT)) == QUOTE


def test_a_real_partial_copy_stays_a_copy():
    # The copy keeps one paragraph of the story's body and rewrites the rest in the
    # same words: the rest still agrees, so it is a copy.
    para = STORY_A.split("\n\n")[1]
    copy = STORY_A.split("\n\n")[0] + "\n\n" + para + "\n\nMore to follow."
    assert classify_link(copy, spans(copy, para), STORY_A, spans(STORY_A, para)) == COPY
    # A shared passage in the middle of two different texts is not furniture.
    mid_a = STORY_A.replace("\n\nThe work", "\n\n" + NOTICE + "\n\nThe work")
    mid_b = STORY_B.replace("\n\nHead teacher", "\n\n" + NOTICE + "\n\nHead teacher")
    assert classify_link(mid_a, spans(mid_a, NOTICE), mid_b, spans(mid_b, NOTICE)) == COPY
    # A partial copy of a story's lead, at the top of both texts, reads as a story.
    lead = STORY_A.split("\n\n")[0]
    other = lead + "\n\n" + STORY_B
    assert classify_link(other, spans(other, lead), STORY_A, spans(STORY_A, lead)) == COPY


def test_sign_up_notice_never_links_two_stories_end_to_end(tmp_path):
    def art(id_, text, day):
        return Article(
            id_,
            text,
            outlet="marrowbymercury.example",
            url=f"https://m.example/{id_}",
            published=datetime(2026, 4, day, 8, tzinfo=UTC),
        )

    other = Article(
        "scrape-b",
        STORY_B + "\n\n" + NOTICE,
        outlet="scraper.example",
        published=datetime(2026, 4, 3, 8, tzinfo=UTC),
    )
    with Desk(tmp_path / "f.db", workers=1) as desk:
        desk.ingest([art("mm-a", STORY_A + "\n\n" + NOTICE, 1), other])
        desk.scan()
        matched = desk.store.db.execute("SELECT count(*) FROM matches").fetchone()[0]
        assert matched == 1 and "furniture" in link_kinds(desk.store).values()
        for v in desk.verdicts():
            assert all({v.article, s.source} != {"mm-a", "scrape-b"} for s in v.sources), (
                v.to_json()
            )
        assert desk.family_of("mm-a") is None or "scrape-b" not in desk.family_of("mm-a").nodes


QUOTE_PASSAGE = (
    "Harbour master Jo Rennick, who has fought the closure since the first survey, said "
    "the vote had come at last. “We have waited four years for the board to listen to the "
    "people who actually work on the water, and today they finally did, which is all we "
    "ever asked of them. The crews will be back out at first light, and the town will see "
    "boats in the old channel again before the summer is out,” Rennick told the Harbour "
    "Herald in an interview at the quay on Tuesday."
)


def test_a_quote_credited_to_an_outlet_makes_its_article_the_source(tmp_path):
    # The scraper ran the quote first (by date), crediting the Herald; the match runs
    # herald -> scraper, but the quote was given to the Herald: its article is the source.
    herald = Article(
        "hh-1",
        STORY_A.replace("\n\nEngineers", "\n\n" + QUOTE_PASSAGE + "\n\nEngineers"),
        outlet="harbourherald.example",
        outlet_name="Harbour Herald",
        published=datetime(2026, 4, 2, 8, tzinfo=UTC),
    )
    scraper = Article(
        "sc-1",
        STORY_B.replace("\n\nThe county's", "\n\n" + QUOTE_PASSAGE + "\n\nThe county's"),
        outlet="scraper.example",
        published=datetime(2026, 4, 1, 8, tzinfo=UTC),
    )
    with Desk(tmp_path / "q.db", workers=1) as desk:
        desk.ingest([herald, scraper])
        desk.scan()
        kinds = set(link_kinds(desk.store).values())
        assert kinds <= {"quote", "quote:copy"} and kinds, kinds
        got = {v.article: v for v in desk.verdicts()}
        assert all(not v.sources for v in got.values())  # quotes alone make no copy
        assert "hh-1" not in got or not any(s.kind == "quote_reuse" for s in got["hh-1"].signals)
        reuse = [s for s in got["sc-1"].signals if s.kind == "quote_reuse"]
        assert [s.data["with"] for s in reuse] == ["hh-1"]
        assert desk.family_of("hh-1") is None


STORY_C = (
    "The ferry between Marrowby and Holt Island will run twice a day from June after the "
    "operator agreed a new contract with the county council on Monday.\n\n"
    "Islanders had campaigned for a second sailing since the winter timetable cut the "
    "service to one return trip, leaving pupils at the mainland school waiting hours for "
    "the boat home.\n\n"
    "The council will pay an extra 90,000 pounds a year towards the crossing."
)
AUTHOR_BOX = (
    "Mara Quill is the Mercury's harbour correspondent. She has covered the town's "
    "waterfront, its fishing fleet and its council for eleven years, and before that "
    "reported from the county courts and the regional assembly for the Northern Wire "
    "service and for two weekly papers on the coast."
)


def test_a_passage_many_unrelated_stories_close_with_is_furniture_whatever_it_says(tmp_path):
    a, b = STORY_A + "\n\n" + AUTHOR_BOX, STORY_B + "\n\n" + AUTHOR_BOX
    # Two stories alone: the box reads as a report, not as furniture.
    assert classify_link(a, spans(a, AUTHOR_BOX), b, spans(b, AUTHOR_BOX)) == COPY
    # Carried at the foot of a third, unrelated story too: furniture.
    assert classify_link(a, spans(a, AUTHOR_BOX), b, spans(b, AUTHOR_BOX), carriers=1) == FURNITURE
    stories = [("mm-a", STORY_A), ("mm-b", STORY_B), ("mm-c", STORY_C)]
    with Desk(tmp_path / "box.db", workers=1) as desk:
        desk.ingest(
            Article(
                id_,
                text + "\n\n" + AUTHOR_BOX,
                outlet=f"site{n}.example",
                published=datetime(2026, 4, n + 1, 8, tzinfo=UTC),
            )
            for n, (id_, text) in enumerate(stories)
        )
        desk.scan()
        assert set(link_kinds(desk.store).values()) == {"furniture"}
        assert all(not v.sources for v in desk.verdicts())
        assert all(desk.family_of(id_) is None for id_, _ in stories)
