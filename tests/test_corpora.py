"""Readers for the real corpora in ../shared/corpora (skipped when they are absent).

The synthetic tests at the top use invented text written to a temporary folder, so the
parsing rules are checked even where the real corpora are not available.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest

from copydesk.model import Article
from copydesk.reading.corpora import (
    SHARED_CORPORA,
    corpora_available,
    parse_reuters_date,
    read_bbc,
    read_reuters,
)

SKIP_REASON = "../shared/corpora not found: real-news tests need it (set COPYDESK_CORPORA)"


def require_corpora() -> Path:
    """Skip the calling test unless the real corpora are where the readers look."""
    if not corpora_available():
        pytest.skip(SKIP_REASON)
    return SHARED_CORPORA


# --- synthetic fixtures (invented outlets and stories) -------------------------------------

SGML = (
    '<!DOCTYPE lewis SYSTEM "lewis.dtd">\n'
    '<REUTERS TOPICS="YES" NEWID="7">\n'
    "<DATE> 2-MAR-1987 09:15:30.25</DATE>\n"
    "<TOPICS><D>grain</D></TOPICS>\n<PLACES><D>usa</D></PLACES>\n"
    "<TEXT>&#2;\n<TITLE>ACME &lt;ACM&gt; RAISES WIDGET OUTPUT</TITLE>\n"
    "<DATELINE>    SPRINGFIELD, March 2 - </DATELINE><BODY>Acme Corp &lt;ACM> said it\r\n"
    "will raise widget output by 10 pct, Q&amp;A session told.\n Reuter\n REUTER\n"
    "&#3;</BODY></TEXT>\n</REUTERS>\n"
    '<REUTERS TOPICS="NO" NEWID="8">\n<DATE>31-MAR-1987 605:12:19.12</DATE>\n'
    "<TEXT>&#2;\n<TITLE>BRIEF ONLY</TITLE>&#3;</TEXT>\n</REUTERS>\n"
    '<REUTERS TOPICS="NO" NEWID="9">\n<DATE>31-MAR-1987 10:00:00.00</DATE>\n'
    "<TEXT>&#2;\n<TITLE>TABLE</TITLE><BODY>Springfield told Reuters.\n"
    "    TOTAL   1.5   2.0 REUTER\n&#3;</BODY></TEXT>\n</REUTERS>\n"
)


@pytest.fixture
def fake_corpora(tmp_path: Path) -> Path:
    reuters = tmp_path / "reuters21578"
    reuters.mkdir()
    (reuters / "reut2-000.sgm").write_bytes(SGML.encode("latin-1"))
    bbc = tmp_path / "bbc" / "sport"
    bbc.mkdir(parents=True)
    (bbc / "001.txt").write_bytes(b"Title one\n\nFirst para costs \xa35m.\n\nSecond para.\n")
    (bbc / "002.txt").write_text("Title two\r\n\r\nBody communiqu&#233;, R&D.\r\n", "utf-8")
    return tmp_path


def test_synthetic_reuters(fake_corpora: Path) -> None:
    stories = list(read_reuters(fake_corpora))
    assert [s.id for s in stories] == ["reuters/7", "reuters/9"]
    first = stories[0]
    assert first.title == "ACME <ACM> RAISES WIDGET OUTPUT"
    assert first.text == (
        "Acme Corp <ACM> said it\nwill raise widget output by 10 pct, Q&A session told."
    )
    assert first.published == datetime(1987, 3, 2, 9, 15, 30, 250000, tzinfo=UTC)
    assert (first.outlet, first.outlet_name, first.url) == ("reuters.com", "Reuters", None)
    assert first.extra["topics"] == ["grain"]
    assert first.extra["dateline"] == "SPRINGFIELD, March 2"
    assert stories[1].text == "Springfield told Reuters.\n    TOTAL   1.5   2.0"


def test_synthetic_reuters_without_body(fake_corpora: Path) -> None:
    stories = {s.id: s for s in read_reuters(fake_corpora, with_body_only=False)}
    assert stories["reuters/8"].text == ""
    assert stories["reuters/8"].published == datetime(1987, 3, 31, tzinfo=UTC)


def test_parse_reuters_date() -> None:
    assert parse_reuters_date("26-FEB-1987 15:01:01.79") == datetime(
        1987, 2, 26, 15, 1, 1, 790000, tzinfo=UTC
    )
    assert parse_reuters_date(" 27-MAR-1987 11:51:33.23\x05\x05") is not None
    assert parse_reuters_date("no date") is None
    assert parse_reuters_date(None) is None


def test_synthetic_bbc(fake_corpora: Path) -> None:
    one, two = read_bbc(fake_corpora)
    assert one.id == "bbc/sport/001"
    assert one.title == "Title one"
    assert one.text == "First para costs £5m.\n\nSecond para."
    assert one.url == "https://www.bbc.co.uk/news/sport/001"
    assert (one.outlet, one.outlet_name, one.published) == ("bbc.co.uk", "BBC News", None)
    assert one.extra == {"category": "sport"}
    assert two.text == "Body communiqué, R&D."


def test_missing_corpora(tmp_path: Path) -> None:
    assert not corpora_available(tmp_path)
    with pytest.raises(FileNotFoundError):
        next(read_bbc(tmp_path))
    with pytest.raises(FileNotFoundError):
        next(read_reuters(tmp_path))


# --- the real corpora ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def bbc() -> list[Article]:
    require_corpora()
    return list(read_bbc())


@pytest.fixture(scope="module")
def reuters() -> list[Article]:
    require_corpora()
    return list(read_reuters())


def _check_common(articles: list[Article]) -> None:
    assert len({a.id for a in articles}) == len(articles)
    assert all(a.title and a.title.strip() for a in articles)
    assert all(a.text.strip() for a in articles)
    for article in articles:
        assert "\r" not in article.text
        assert not re.search(r"&(?:lt|gt|amp|#\d+);|[\x00-\x08\x0b-\x1f]", article.text), article.id


def test_bbc_corpus(bbc: list[Article]) -> None:
    assert len(bbc) == 2225
    _check_common(bbc)
    categories = {a.extra["category"] for a in bbc}
    assert categories == {"business", "entertainment", "politics", "sport", "tech"}
    assert all(a.published is None and a.outlet == "bbc.co.uk" for a in bbc)
    assert all(not a.text.startswith(a.title or "") for a in bbc)  # title not repeated
    odd = next(a for a in bbc if a.id == "bbc/sport/199")  # the one non-UTF-8 file
    assert "£" in odd.text


def test_reuters_corpus(reuters: list[Article]) -> None:
    assert len(reuters) == 19043
    _check_common(reuters)
    assert all(a.published is not None and a.published.tzinfo is UTC for a in reuters)
    assert all(a.published.year == 1987 for a in reuters if a.published)
    first = reuters[0]
    assert first.id == "reuters/1"
    assert first.published == datetime(1987, 2, 26, 15, 1, 1, 790000, tzinfo=UTC)
    signature = re.compile(r"(?:\n\s*|\s)REUTERS?\W*\Z|\n\s*Reuter\W*\Z")
    assert not [a.id for a in reuters if signature.search(a.text)]


@pytest.mark.slow  # a second full parse of the SGML (~3 s)
def test_reuters_all_stories() -> None:
    require_corpora()
    assert sum(1 for _ in read_reuters(with_body_only=False)) == 21578


def test_corpora_ids_disjoint(bbc: list[Article], reuters: list[Article]) -> None:
    assert len({a.id for a in bbc} | {a.id for a in reuters}) == 2225 + 19043
