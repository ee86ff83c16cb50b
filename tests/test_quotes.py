"""Quotations, their speakers and the outlets they were given to; exclusive-quote evidence.

Every text here is invented, except the bundled demo corpus (itself invented for copydesk).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from itertools import pairwise

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from copydesk.demo import ARTICLES
from copydesk.forensics.credit import credit_mentions, names_of
from copydesk.forensics.quotes import (
    SUB_QUOTE_WORDS,
    Quote,
    QuoteAppearance,
    QuoteRecord,
    exclusive_quote_evidence,
    extract_quotes,
    index_quotes,
    quote_key,
    told_to_outlet,
)
from copydesk.model import Article, Evidence
from copydesk.reading import read_path


def one(text: str, **kw) -> Quote:
    quotes = extract_quotes(text, **kw)
    assert len(quotes) == 1, quotes
    return quotes[0]


def check_spans(text: str, quotes: list[Quote]) -> None:
    for q in quotes:
        assert 0 <= q.start < q.end <= len(text)
        assert q.text in text[q.start : q.end]
        assert q.key == quote_key(q.text)


# -- extraction: marks, offsets, length -----------------------------------------------------

LONG = "The harbour wall will be rebuilt before the winter storms arrive"


@pytest.mark.parametrize(
    "opening, closing",
    [("“", "”"), ('"', '"'), ("«", "»"), ("‘", "’")],
)
def test_every_kind_of_mark(opening: str, closing: str) -> None:
    text = f"The mayor spoke. {opening}{LONG}{closing} said Mary Oakes."
    q = one(text)
    assert q.text == LONG
    assert text[q.start] == opening and text[q.end - 1] == closing
    assert q.key == quote_key(LONG) == LONG.lower()


def test_offsets_cover_the_marks_and_the_trailing_comma_is_dropped() -> None:
    text = "Intro line.\n\n“We will not close a single library this year,” said Ada Brennan."
    q = one(text)
    assert text[q.start : q.end] == "“We will not close a single library this year,”"
    assert q.text == "We will not close a single library this year"
    assert q.speaker == "Ada Brennan"


def test_min_words() -> None:
    text = "“Far too short,” she said. “This one has exactly six words,” she said."
    assert [q.text for q in extract_quotes(text)] == ["This one has exactly six words"]
    assert [q.text for q in extract_quotes(text, min_words=7)] == []
    assert len(extract_quotes(text, min_words=3)) == 2
    assert len(extract_quotes(text, min_words=0)) == 2  # never a quote of no words at all
    assert extract_quotes("“ , ”", min_words=0) == []


def test_short_single_quotes_are_scare_quotes_and_apostrophes_stay_inside() -> None:
    text = (
        "Shoppers spot ‘genius’ hack. ‘I’ve never seen anything like it in all my years on "
        "this stall’ said Ray Dunn."
    )
    q = one(text, min_words=1)
    assert q.text == "I’ve never seen anything like it in all my years on this stall"
    assert q.speaker == "Ray Dunn"


def test_a_quote_wraps_over_a_newline_but_not_a_blank_line() -> None:
    wrapped = "“The water came up through the floor\nfaster than any of us expected,” said Jo Bell."
    q = one(wrapped)
    assert q.text == "The water came up through the floor\nfaster than any of us expected"
    assert q.key == "the water came up through the floor faster than any of us expected"
    assert q.speaker == "Jo Bell"
    broken = "“The water came up through the floor\n\nfaster than any of us expected,” said Jo."
    assert extract_quotes(broken) == []


def test_key_folds_case_typography_and_spacing() -> None:
    a = one("“It’s NOT the customer’s   fault, and they know it,” he said.")
    b = one("\"It's not the customer's fault and they know it\" he said.")
    assert a.key == b.key == "it s not the customer s fault and they know it"


def test_unclosed_and_stray_marks_do_not_swallow_the_text() -> None:
    text = (
        'He measured the 12" pipe and the “broken one.\n\n'
        "“Nobody told us the pipes were this old, not once,” said Amy Cole."
    )
    q = one(text)
    assert q.text == "Nobody told us the pipes were this old, not once"
    assert q.speaker == "Amy Cole"


# -- attribution patterns -------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, speaker",
    [
        (
            "“The ferry will be running again long before the spring,” said Mary Oakes.",
            "Mary Oakes",
        ),
        (
            "“The ferry will be running again long before the spring,” Mary Oakes said.",
            "Mary Oakes",
        ),
        (
            "Mary Oakes said: “The ferry will be running again long before the spring.”",
            "Mary Oakes",
        ),
        ("Councillor Mary Oakes said: “The ferry will be running again by spring.”", "Mary Oakes"),
        (
            "Mary Oakes, who has run the ferry for 20 years, said it would be “running again "
            "long before the spring”.",
            "Mary Oakes",
        ),
        (
            "The operator’s director, Mary Oakes, said: “The ferry will be running again soon "
            "enough.”",
            "Mary Oakes",
        ),
        (
            "“The ferry will be running again long before the spring,” said the operator’s "
            "director, Mary Oakes.",
            "Mary Oakes",
        ),
        (
            "“The ferry will be running again long before the spring,” said ferry boss "
            "Mary Oakes, 54.",
            "Mary Oakes",
        ),
        (
            "“The ferry will be running again long before the spring,” duty skipper Mary Oakes "
            "said in a video.",
            "Mary Oakes",
        ),
        ("Farmer Mary Oakes said: “The ferry will be running again before spring.”", "Mary Oakes"),
        (
            "According to Mary Oakes, “the ferry will be running again long before the spring”.",
            "Mary Oakes",
        ),
        ("Oakes told the Daily Clarion: “The ferry will be running again by spring.”", "Oakes"),
    ],
)
def test_attribution_patterns(text: str, speaker: str) -> None:
    assert one(text).speaker == speaker


def test_surname_and_title_resolve_to_the_earlier_full_name() -> None:
    text = (
        "Gareth Fenn has fitted boilers for 25 years.\n\n"
        "Mr Fenn told the Daily Clarion that turning it down was “the easiest saving "
        "anybody can make this winter”.\n\n"
        "Fenn said: “Nine out of ten boilers I go into are running far too hot.”\n\n"
        "“You press a button and you turn a dial and that is all,” said Mr Fenn."
    )
    quotes = extract_quotes(text)
    assert [q.speaker for q in quotes] == ["Gareth Fenn"] * 3
    dotted = "Gareth Fenn fits boilers. Mr. Fenn said: “Most of them run far too hot.”"
    assert one(dotted).speaker == "Gareth Fenn"
    # An unknown surname stays as written, title and all.
    assert one("Mrs Alder said: “We have waited three years for this bridge.”").speaker == (
        "Mrs Alder"
    )


def test_pronouns_resolve_to_the_last_person_named_before() -> None:
    text = (
        "Harbour master Tom Pellar inspected the pier on Monday with engineer Ruth Cass.\n\n"
        "“The timbers are in far worse shape than any of us feared,” she said.\n\n"
        "Mr Pellar, who has worked at the harbour since 1990, was more hopeful. "
        "“We will have it open again for the summer visitors,” he said."
    )
    assert [q.speaker for q in extract_quotes(text)] == ["Ruth Cass", "Tom Pellar"]


def test_names_inside_quotes_places_and_outlets_are_not_antecedents() -> None:
    text = (
        "Speaking to the Daily Clarion, union rep Shona Berriman described the offer.\n\n"
        "She said: “Ask Peter Grant at Corrowby Airport what he would do on that money.”\n\n"
        "Near Skelby Moor the strike was popular. “Nobody here wants to lose a holiday,” "
        "she said."
    )
    assert [q.speaker for q in extract_quotes(text)] == ["Shona Berriman", "Shona Berriman"]


def test_a_nameless_speaker_is_none_and_breaks_the_pronoun_chain() -> None:
    text = (
        "Jo Bell said the plan was flawed.\n\n"
        "A council spokesman said: “We have listened to every single objection raised.”\n\n"
        "“Nothing has been decided about the library yet,” he said."
    )
    assert [q.speaker for q in extract_quotes(text)] == [None, None]
    text = "“Management know full well our regulars do not have phones,” the staff member said."
    assert one(text).speaker is None


def test_headline_verbs_do_not_hide_the_speaker() -> None:
    text = (
        "Gareth Fenn said most homeowners never change the setting.\n\n"
        "READ MORE: Energy customers urged to check meter readings [LATEST]\n\n"
        "He added: “It takes two minutes and you will not notice the difference.”"
    )
    assert one(text).speaker == "Gareth Fenn"


def test_participles_keep_the_sentence_speaker() -> None:
    text = (
        "Amy Cole praised the volunteers, adding: “We could not have done any of it alone.” "
        "The family thanked the crew in a statement, saying they were “grateful to every "
        "single one of them”."
    )
    assert [q.speaker for q in extract_quotes(text)] == ["Amy Cole", None]


def test_split_quotes_share_speaker_and_outlet() -> None:
    text = (
        "Ann Rowe runs the shop.\n\n"
        "“It is not the customer’s fault, not at all,” she told the Daily Clarion. "
        "“Nobody explains it to them.”\n\n"
        "“First part of what she had to say,” Ms Rowe said. “And the second part of it.”"
    )
    quotes = extract_quotes(text, min_words=5)
    assert [q.speaker for q in quotes] == ["Ann Rowe"] * 4
    assert [q.told_to for q in quotes] == ["Daily Clarion", "Daily Clarion", None, None]


def test_run_on_quotes_after_a_colon_share_the_speaker() -> None:
    text = "Jo Bell said: “The road is closed until May.” “There is no other way round at all.”"
    assert [q.speaker for q in extract_quotes(text)] == ["Jo Bell", "Jo Bell"]


def test_consecutive_unattributed_quotes_in_new_paragraphs_are_not_guessed() -> None:
    text = "Jo Bell said: “The road is closed until May.”\n\n“There is no other way round at all.”"
    assert [q.speaker for q in extract_quotes(text)] == ["Jo Bell", None]


# -- the outlet a quote was given to ---------------------------------------------------------


@pytest.mark.parametrize(
    "text, told_to",
    [
        ("He told the Daily Clarion: “The boiler was running far too hot.”", "Daily Clarion"),
        ("She told Express.co.uk: “The boiler was running far too hot.”", "Express.co.uk"),
        ("He told The Times: “The boiler was running far too hot all winter.”", "The Times"),
        (
            "“The boiler was running far too hot all winter,” she said in an interview with "
            "the Wend Valley Gazette.",
            "Wend Valley Gazette",
        ),
        (
            "In an exclusive interview with Harbour Radio, he said: “The boiler was far too hot.”",
            "Harbour Radio",
        ),
        (
            "Speaking to Harbour Radio, he said: “The boiler was running far too hot.”",
            "Harbour Radio",
        ),
        (
            "Speaking exclusively to DailyClarion.com, Jo Bell said: “The boiler was far too hot.”",
            "DailyClarion.com",
        ),
        (
            "Jo Bell told the Northern Post exclusively: “The boiler was running far too hot.”",
            "Northern Post",
        ),
        ("“The boiler was running far too hot all winter,” he said to Sky News.", "Sky News"),
        ("“The boiler was running far too hot all winter,” he told the BBC.", "BBC"),
        (
            "Jo Bell told the Daily Clarion that the boiler was “running far too hot all winter”.",
            "Daily Clarion",
        ),
        (
            "Jo Bell told Sky News on Monday: “The boiler was running far too hot all winter.”",
            "Sky News",
        ),
        (
            "“The boiler was running far too hot all winter,” he told the Mail on Sunday.",
            "Mail on Sunday",
        ),
        # No outlet named: a dangling "told", "told that", a plain "said".
        ("He told “From my perspective the boiler was far too hot.”", None),
        ("Jo Bell told that the boiler was “running far too hot all winter”.", None),
        ("Jo Bell said: “The boiler was running far too hot all winter.”", None),
        ("“The boiler was running far too hot all winter,” he said to be fair.", None),
    ],
)
def test_told_to(text: str, told_to: str | None) -> None:
    assert one(text).told_to == told_to


def test_the_outlet_carries_to_the_same_speakers_next_sentence_only() -> None:
    text = (
        "Speaking to DailyClarion.com, union rep Shona Berriman said workers were angry.\n\n"
        "She said: “These are people who lift twenty tonnes of suitcases a shift.”\n\n"
        "Passengers were warned to check before travelling. The airport gave no details.\n\n"
        "“Nobody wants to ruin anyone’s holiday this Easter,” she said."
    )
    quotes = extract_quotes(text)
    assert [q.speaker for q in quotes] == ["Shona Berriman", "Shona Berriman"]
    assert [q.told_to for q in quotes] == ["DailyClarion.com", None]


def test_the_outlet_is_not_a_speaker() -> None:
    text = "Jo Bell told Sky News on Monday. “Nobody wants to lose the market stalls,” he said."
    q = one(text)
    assert q.speaker == "Jo Bell"
    assert q.told_to == "Sky News"


# -- told_to_outlet ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "told_to, outlet, outlet_name, expected",
    [
        ("Express.co.uk", "express.co.uk", None, True),
        ("express.co.uk", "Express.co.uk", None, True),
        ("DailyClarion.com", "dailyclarion.com", "Daily Clarion", True),
        ("the Daily Clarion", None, "Daily Clarion", True),
        ("Daily Clarion", "dailyclarion.com", "The Daily Clarion", True),
        ("Daily Clarion", "dailyclarion.com", None, True),  # the domain's registered name
        ("the Northern Post", "northernpost.co.uk", None, True),
        ("Northern-Post", None, "The Northern Post", True),
        ("BBC", "news.bbc.co.uk", None, True),
        ("www.dailyclarion.com", "dailyclarion.com", None, True),
        ("Daily Clarion", "northernpost.co.uk", "The Northern Post", False),
        ("Sky News", "dailyclarion.com", "Daily Clarion", False),
        ("Clarion", "dailyclarion.com", "Daily Clarion", False),
        ("", "dailyclarion.com", "Daily Clarion", False),
        ("the", None, "The", False),
        ("Daily Clarion", None, None, False),
    ],
)
def test_told_to_outlet(
    told_to: str, outlet: str | None, outlet_name: str | None, expected: bool
) -> None:
    assert told_to_outlet(told_to, outlet, outlet_name) is expected


# -- index_quotes -----------------------------------------------------------------------------

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
EXCLUSIVE = (
    "Gareth Fenn has fitted boilers for 25 years.\n\n"
    "Speaking to the Daily Clarion, he said: “Nine out of ten boilers I go into are running "
    "far too hot, and nobody ever tells their owners.”"
)
STRIPPED = EXCLUSIVE.replace("the Daily Clarion", "").replace("Speaking to ,", "Speaking to,")
KEY = quote_key(
    "Nine out of ten boilers I go into are running far too hot, and nobody ever tells their owners."
)


def item(article_id: str, outlet: str | None, name: str | None, hours: float | None, text: str):
    published = None if hours is None else T0 + timedelta(hours=hours)
    return (article_id, outlet, name, published, text)


def test_index_picks_the_earliest_appearance_whatever_the_input_order() -> None:
    index = index_quotes(
        [
            item("copy", "capitalsentinel.net", "Capital Sentinel", 12, STRIPPED),
            item("undated", "somewhere.net", None, None, STRIPPED),
            item("dc", "dailyclarion.com", "Daily Clarion", 0, EXCLUSIVE),
        ]
    )
    record = index[KEY]
    assert record.first.article_id == "dc"
    assert [a.article_id for a in record.later] == ["copy", "undated"]
    assert record.first.told_to == "Daily Clarion"
    assert record.later[0].told_to is None
    assert record.speaker == "Gareth Fenn"
    assert record.text.startswith("Nine out of ten boilers")
    assert record.exclusive_to == "dailyclarion.com"
    assert record.first.published == T0 and record.later[1].published is None
    a = record.later[0]
    assert STRIPPED[a.start : a.end].startswith("“Nine out of ten")


def test_ties_and_missing_dates_keep_input_order() -> None:
    text = "“The tide came in faster than anyone on the quay expected,” said Jo Bell."
    index = index_quotes(
        [item("b", "b.com", None, None, text), item("a", "a.com", None, None, text)]
    )
    assert next(iter(index.values())).first.article_id == "b"
    index = index_quotes([item("b", "b.com", None, 1, text), item("a", "a.com", None, 1, text)])
    assert next(iter(index.values())).first.article_id == "b"
    # A naive date counts as UTC rather than failing to compare with an aware one.
    naive = ("n", "n.com", None, datetime(2026, 3, 2, 8, 0), text)
    index = index_quotes([item("b", "b.com", None, 0, text), naive])
    assert next(iter(index.values())).first.article_id == "n"


@pytest.mark.parametrize(
    "outlet, name, text, exclusive",
    [
        ("dailyclarion.com", "Daily Clarion", EXCLUSIVE, "dailyclarion.com"),
        ("dailyclarion.com", None, EXCLUSIVE, "dailyclarion.com"),
        (None, "The Daily Clarion", EXCLUSIVE, "The Daily Clarion"),
        ("dailyclarion.com", "Daily Clarion", EXCLUSIVE.replace("Daily Clarion", "BBC"), None),
        ("dailyclarion.com", "Daily Clarion", STRIPPED, None),
        ("northernpost.co.uk", "The Northern Post", EXCLUSIVE, None),
    ],
)
def test_exclusive_only_when_the_first_appearance_was_told_to_its_own_outlet(
    outlet: str | None, name: str | None, text: str, exclusive: str | None
) -> None:
    index = index_quotes([item("first", outlet, name, 0, text)])
    assert index[KEY].exclusive_to == exclusive


def test_a_later_told_to_does_not_make_a_quote_exclusive() -> None:
    index = index_quotes(
        [
            item("first", "northernpost.co.uk", "The Northern Post", 0, STRIPPED),
            item("later", "dailyclarion.com", "Daily Clarion", 5, EXCLUSIVE),
        ]
    )
    assert index[KEY].exclusive_to is None
    assert index[KEY].later[0].told_to == "Daily Clarion"


def test_one_appearance_per_article_preferring_the_one_that_says_whom_it_was_told_to() -> None:
    text = (
        "“The pier will reopen in time for the summer season,” said Jo Bell.\n\n"
        "Jo Bell told the Kestwick Echo: “The pier will reopen in time for the summer season.”"
    )
    index = index_quotes([item("ke", "kestwickecho.co.uk", "The Kestwick Echo", 0, text)])
    (record,) = index.values()
    assert record.later == []
    assert record.first.told_to == "Kestwick Echo"
    assert record.exclusive_to == "kestwickecho.co.uk"
    assert text[record.first.start : record.first.end].startswith("“The pier")


LONG_QUOTE = (
    "We looked at six ports along this coast and this was the one that wanted us the most "
    "by a very long way"
)


def test_a_sub_quote_of_enough_words_is_the_same_quote() -> None:
    part = "six ports along this coast and this was the one"  # 10 words, inside LONG_QUOTE
    short = "this coast and this was the one"  # 7 words: too few to tell apart
    assert len(quote_key(short).split()) < SUB_QUOTE_WORDS <= len(quote_key(part).split())
    index = index_quotes(
        [
            item("wire", "mpa-wire.com", None, 0, f"“{LONG_QUOTE},” said Lars Engvik."),
            item("copy", "hh.net", None, 3, f"Lars Engvik said they looked at “{part}”."),
            item("blog", "blog.org", None, 4, f"He said it was “{short}”."),
            item(
                "other", "x.org", None, 5, "“A quote about something else entirely today,” he said."
            ),
        ]
    )
    record = index[quote_key(LONG_QUOTE)]
    assert [a.article_id for a in record.later] == ["copy"]
    assert quote_key(part) not in index
    assert index[quote_key(short)].first.article_id == "blog"
    assert len(index) == 3


def test_the_short_form_first_is_still_first_and_the_key_is_the_longest_form() -> None:
    part = "six ports along this coast and this was the one"
    index = index_quotes(
        [
            item("late", "b.com", None, 9, f"“{LONG_QUOTE},” said Lars Engvik."),
            item("early", "a.com", None, 0, f"Jo Bell told Harbour Radio it was “{part}”."),
        ]
    )
    (record,) = index.values()
    assert record.key == quote_key(LONG_QUOTE)
    assert record.first.article_id == "early" and record.text == part
    assert record.first.told_to == "Harbour Radio" and record.exclusive_to is None


def test_sub_quotes_go_to_the_longest_container() -> None:
    base = "one two three four five six seven eight"
    mid = f"{base} nine ten"
    top = f"zero {mid} eleven twelve"
    index = index_quotes(
        [
            item("a", "a.com", None, 0, f"“{base}” said Jo Bell."),
            item("b", "b.com", None, 1, f"“{mid}” said Jo Bell."),
            item("c", "c.com", None, 2, f"“{top}” said Jo Bell."),
        ]
    )
    (record,) = index.values()
    assert record.key == top
    assert [record.first.article_id] + [a.article_id for a in record.later] == ["a", "b", "c"]


def _record() -> QuoteRecord:
    index = index_quotes(
        [
            item("dc", "dailyclarion.com", "Daily Clarion", 0, EXCLUSIVE),
            item("cs", "capitalsentinel.net", "Capital Sentinel", 12, STRIPPED),
            item("dc2", "dailyclarion.com", "Daily Clarion", 14, STRIPPED),
        ]
    )
    return index[KEY]


def test_exclusive_quote_evidence() -> None:
    record = _record()
    copy = record.later[0]
    ev = exclusive_quote_evidence(record, copy, credited=False)
    assert ev == Evidence(
        kind="exclusive_quote",
        text=record.text[:200],
        article_start=copy.start,
        article_end=copy.end,
        data={
            "outlet_of_origin": "dailyclarion.com",
            "first_article": "dc",
            "speaker": "Gareth Fenn",
        },
    )
    assert ev.to_json()["outlet_of_origin"] == "dailyclarion.com"


def test_no_exclusive_quote_evidence_when_credited_or_same_outlet_or_not_exclusive() -> None:
    record = _record()
    copy, own = record.later
    assert exclusive_quote_evidence(record, copy, credited=True) is None
    assert exclusive_quote_evidence(record, own, credited=False) is None  # the Clarion again
    assert exclusive_quote_evidence(record, record.first, credited=False) is None
    told = QuoteAppearance("vg", "gazette.co.uk", None, "the Daily Clarion", 0, 10)
    assert exclusive_quote_evidence(record, told, credited=False) is None  # says so itself
    plain = QuoteRecord(record.key, record.text, None, record.first, [copy], exclusive_to=None)
    assert exclusive_quote_evidence(plain, copy, credited=False) is None


def test_evidence_text_is_capped() -> None:
    first = QuoteAppearance("a", "a.com", None, "A.com", 0, 5)
    later = QuoteAppearance("b", "b.com", None, None, 7, 9)
    record = QuoteRecord("k", "x" * 500, None, first, [later], exclusive_to="a.com")
    ev = exclusive_quote_evidence(record, later, credited=False)
    assert ev is not None and ev.text == "x" * 200 and ev.data["speaker"] is None


# -- the demo corpus ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo() -> dict[str, Article]:
    articles = [a for a in read_path(ARTICLES) if isinstance(a, Article)]
    return {a.id: a for a in articles}


@pytest.fixture(scope="module")
def demo_index(demo: dict[str, Article]) -> dict[str, QuoteRecord]:
    return index_quotes((a.id, a.outlet, a.outlet_name, a.published, a.text) for a in demo.values())


def _evidence(demo, index) -> dict[str, list[Evidence]]:
    out: dict[str, list[Evidence]] = {}
    for record in index.values():
        origin = demo[record.first.article_id]
        for later in record.later:
            copy = demo[later.article_id]
            credited = bool(credit_mentions(copy.text, names_of(origin)))
            ev = exclusive_quote_evidence(record, later, credited)
            if ev is not None:
                assert quote_key(copy.text[ev.article_start : ev.article_end]) in record.key
                out.setdefault(later.article_id, []).append(ev)
    return out


def test_demo_clarion_quotes_are_exclusive_to_the_clarion(demo, demo_index) -> None:
    clarion = [r for r in demo_index.values() if r.exclusive_to == "dailyclarion.com"]
    assert {r.first.article_id for r in clarion} == {
        "dc-001",
        "dc-002",
        "dc-003",
        "dc-004",
        "dc-005",
    }
    for record in clarion:
        assert told_to_outlet(record.first.told_to or "", "dailyclarion.com", "Daily Clarion")
    speakers = {r.speaker for r in clarion}
    assert {"Gareth Fenn", "Shona Berriman", "Derek Oyelaran", "Anton Kessley"} <= speakers


def test_demo_content_farm_copies_carry_clarion_quotes_uncredited(demo, demo_index) -> None:
    evidence = _evidence(demo, demo_index)
    for copy, source in (("cs-001", "dc-001"), ("cs-002", "dc-002"), ("cs-003", "dc-003")):
        found = evidence.get(copy, [])
        assert found, copy
        for ev in found:
            assert ev.kind == "exclusive_quote"
            assert ev.data["outlet_of_origin"] == "dailyclarion.com"
            assert ev.data["first_article"] == source
    fenn = [e for e in evidence["cs-001"] if e.text.startswith("Nine out of ten boilers")]
    assert fenn and fenn[0].data["speaker"] == "Gareth Fenn"
    # Only the content farm's copies: the syndicated Gazette keeps "told the Northern Post",
    # and same-story quotes shared by independent reports are nobody's exclusive.
    assert set(evidence) == {"cs-001", "cs-002", "cs-003"}


def test_demo_shared_statements_and_syndication(demo_index) -> None:
    flood = [r for r in demo_index.values() if r.text.startswith("If you live on Mill Lane")]
    assert len(flood) == 1 and flood[0].exclusive_to is None
    assert {a.article_id for a in flood[0].later} == {"ke-001", "mpa-005"}
    gp = [r for r in demo_index.values() if r.first.article_id == "np-006" and r.exclusive_to]
    assert gp and all(r.exclusive_to == "northernpost.co.uk" for r in gp)
    assert all(a.told_to == "Northern Post" for r in gp for a in r.later)


# Quote marks, attribution phrases and names mixed at random: the hard cases for offsets.
PIECES = st.sampled_from(
    [
        "“", "”", '"', "«", "»", "‘", "’", " ", "\n", "\n\n", ", ", ". ", ": ",
        "he said", "said Jo Bell", "Jo Bell said", "told the Daily Clarion", "according to",
        "Mr Fenn", "Gareth Fenn", "speaking to DailyClarion.com", "in an interview with X",
        "We will not stop", "the water rose fast", "she added", "They", "It is",
    ]
)  # fmt: skip


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(PIECES, max_size=60).map("".join), st.integers(min_value=-1, max_value=8))
@example("“" + "a " * 3000 + "”", 1)
@example("“Gareth Fenn,” said Mr Fenn. “" + "he said “ " * 50, 1)
def test_extract_never_raises_and_offsets_hold(text: str, min_words: int) -> None:
    quotes = extract_quotes(text, min_words=min_words)
    check_spans(text, quotes)
    assert all(len(q.key.split()) >= max(1, min_words) for q in quotes)
    assert all(a.end <= b.start for a, b in pairwise(quotes))


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=400))
def test_extract_never_raises_on_any_text(text: str) -> None:
    check_spans(text, extract_quotes(text, min_words=1))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.lists(PIECES, max_size=30).map("".join), max_size=6))
def test_index_never_raises_and_every_quote_is_filed_once(texts: list[str]) -> None:
    items = [item(f"a{i}", f"o{i}.com", None, i % 3, t) for i, t in enumerate(texts)]
    index = index_quotes(items, min_words=1)
    for record in index.values():
        ids = [record.first.article_id] + [a.article_id for a in record.later]
        assert len(ids) == len(set(ids))
        for app in [record.first, *record.later]:
            text = texts[int(app.article_id[1:])]
            assert 0 <= app.start < app.end <= len(text)
