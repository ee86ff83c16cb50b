"""Web archives: WARC and ARC, gzipped or not, damaged, re-crawled, non-HTML."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from copydesk import Desk
from copydesk.model import Article, Rejection
from copydesk.reading import read_path
from webpages import PARAGRAPHS, page, write_warc

SEALS = "https://www.northernpost.example/seals"


def split(items: list) -> tuple[list[Article], list[Rejection], list[Rejection]]:
    articles = [i for i in items if isinstance(i, Article)]
    errors = [i for i in items if isinstance(i, Rejection) and i.severity == "error"]
    warnings = [i for i in items if isinstance(i, Rejection) and i.severity == "warning"]
    return articles, errors, warnings


def pages(n: int) -> list[dict]:
    return [
        {
            "url": f"https://www.northernpost.example/story-{i}",
            "body": page(
                f"Story number {i}",
                url=f"https://www.northernpost.example/story-{i}",
                paragraphs=[f"Story {i} begins here. " + p for p in PARAGRAPHS],
            ).encode(),
        }
        for i in range(n)
    ]


@pytest.mark.parametrize("gz", [True, False])
def test_warc_html_responses_become_articles(tmp_path: Path, gz: bool) -> None:
    name = "crawl.warc.gz" if gz else "crawl.warc"
    path = write_warc(
        tmp_path / name,
        [
            {"info": True},
            {"url": SEALS, "request": True},
            {"url": SEALS, "body": page().encode()},
            {
                "url": "https://www.northernpost.example/seal.jpg",
                "body": b"\x89PNG..",
                "ctype": "image/png",
            },
            {
                "url": "https://www.northernpost.example/report.pdf",
                "body": b"%PDF-1.4",
                "ctype": "application/pdf",
            },
            {
                "url": "https://www.northernpost.example/gone",
                "body": b"<html></html>",
                "status": "404 Not Found",
            },
        ],
        gz=gz,
    )
    articles, errors, warnings = split(list(read_path(path)))
    assert errors == []
    [article] = articles
    assert article.id == article.url == SEALS
    assert article.outlet == "northernpost.example"
    assert article.title == "Harbour seals return to Lowmere"
    assert article.author == "Ruth Calloway"
    assert article.outlet_name == "The Northern Post"
    assert "forty-two animals" in article.text and "Home" not in article.text
    assert article.extra["links"] == ["https://www.dailyclarion.example/seals"]
    assert article.extra["captions"] == ["A seal on the bank (Image: Lensbank)"]
    assert "<figcaption>" in article.extra["_html"]
    [skipped] = warnings
    assert "skipped 3 records" in skipped.reason
    assert "image/png" in skipped.reason and "status 404" in skipped.reason


def test_recrawl_latest_warc_date_wins(tmp_path: Path) -> None:
    path = write_warc(
        tmp_path / "crawl.warc.gz",
        [
            {"url": SEALS, "body": page("Middle crawl").encode(), "date": "2026-03-02T10:00:00Z"},
            {"url": SEALS, "body": page("Latest crawl").encode(), "date": "2026-03-03T10:00:00Z"},
            {"url": SEALS, "body": page("Oldest crawl").encode(), "date": "2026-03-01T10:00:00Z"},
        ],
    )
    articles, errors, warnings = split(list(read_path(path)))
    assert [a.title for a in articles] == ["Latest crawl"]
    assert errors == [] and "2 older crawls" in warnings[0].reason


def test_truncated_gzip_warc_keeps_every_whole_record(tmp_path: Path) -> None:
    path = write_warc(tmp_path / "crawl.warc.gz", pages(4))
    data = path.read_bytes()
    path.write_bytes(data[: len(data) - 200])  # the last member is cut short
    articles, errors, _ = split(list(read_path(path)))
    assert [a.title for a in articles] == [f"Story number {i}" for i in range(3)]
    [error] = errors
    assert error.source == str(path) and "at byte" in error.reason


def test_corrupt_gzip_member_in_the_middle_is_skipped(tmp_path: Path) -> None:
    path = write_warc(tmp_path / "crawl.warc.gz", pages(4))
    data = bytearray(path.read_bytes())
    second = data.index(b"\x1f\x8b\x08", 10)  # the second member
    data[second + 30 : second + 60] = b"\x00" * 30
    path.write_bytes(bytes(data))
    articles, errors, _ = split(list(read_path(path)))
    assert [a.title for a in articles] == ["Story number 0", "Story number 2", "Story number 3"]
    [error] = errors
    assert error.reason.startswith(f"at byte {second}: damaged gzip member")


def test_truncated_plain_warc_and_garbage_between_records(tmp_path: Path) -> None:
    path = write_warc(tmp_path / "crawl.warc", pages(3), gz=False)
    data = path.read_bytes()
    cut = data[: len(data) - 300]
    second = data.index(b"WARC/1.", 10)
    damaged = cut[:second] + b"garbage, not a record\r\n\r\n" + cut[second:]
    path.write_bytes(damaged)
    articles, errors, _ = split(list(read_path(path)))
    assert [a.title for a in articles] == ["Story number 0", "Story number 1"]
    assert len(errors) == 2
    assert any("truncated" in e.reason for e in errors)


def test_arc_files(tmp_path: Path) -> None:
    def arc_record(url: str, body: bytes, ctype: str = "text/html") -> bytes:
        http = (f"HTTP/1.1 200 OK\r\nContent-Type: {ctype}\r\n\r\n").encode() + body
        return f"{url} 127.0.0.1 20260302090000 {ctype} {len(http)}\n".encode() + http + b"\n"

    header_body = b"1 0 Copydesk\nURL IP-address Archive-date Content-type Archive-length\n"
    header = (
        f"filedesc://crawl.arc 0.0.0.0 20260302090000 text/plain {len(header_body)}\n".encode()
        + header_body
        + b"\n"
    )
    data = (
        header
        + arc_record(SEALS, page().encode())
        + arc_record("https://www.northernpost.example/a.png", b"\x89PNG", "image/png")
    )
    (tmp_path / "crawl.arc").write_bytes(data)
    (tmp_path / "crawl.arc.gz").write_bytes(gzip.compress(data))
    for name in ("crawl.arc", "crawl.arc.gz"):
        articles, errors, warnings = split(list(read_path(tmp_path / name)))
        assert errors == [], errors
        assert [a.id for a in articles] == [SEALS]
        assert "image/png" in warnings[0].reason


def test_charsets_in_archives(tmp_path: Path) -> None:
    text = "Café owners in Lowmere said the seals’ return was “good for trade”. " * 3
    paragraphs = [text, *PARAGRAPHS]
    cp1252 = page("Café seals", paragraphs=paragraphs, charset=None).encode("cp1252")
    latin1 = page("Café seals", paragraphs=paragraphs, charset="iso-8859-1").encode("cp1252")
    mislabelled = page("Café seals", paragraphs=paragraphs, charset="utf-8").encode("cp1252")
    utf8_as_latin = page("Café seals", paragraphs=paragraphs, charset="iso-8859-1").encode()
    records = [
        {"url": "https://a.example/1", "body": cp1252, "ctype": "text/html; charset=windows-1252"},
        {"url": "https://a.example/2", "body": latin1, "ctype": "text/html"},
        {"url": "https://a.example/3", "body": mislabelled},
        {"url": "https://a.example/4", "body": utf8_as_latin, "ctype": "text/html"},
        {"url": "https://a.example/5", "body": cp1252, "ctype": "text/html"},
    ]
    articles, errors, warnings = split(list(read_path(write_warc(tmp_path / "c.warc", records))))
    assert errors == []
    assert len(articles) == 5
    for article in articles:
        assert article.title == "Café seals", article.id
        assert "seals’ return was “good for trade”" in article.text, article.id
    noted = {w.record_id for w in warnings if "read as" in w.reason}
    assert noted == {"https://a.example/3", "https://a.example/4", "https://a.example/5"}


def test_enormous_and_hostile_pages(tmp_path: Path) -> None:
    nested = "<html><body>" + "<div>" * 50_000 + "deep" + "</div>" * 50_000 + "</body></html>"
    records = [
        {"url": "https://a.example/big", "body": b"<html><body>" + b"<p>word</p>" * 200_000},
        {"url": "https://a.example/nested", "body": nested.encode()},
        {"url": "https://a.example/empty", "body": b"<html><body></body></html>"},
        {"url": "https://a.example/binary", "body": b"\x00\x01\x02" * 100},
        {"url": SEALS, "body": page().encode()},
    ]
    path = write_warc(tmp_path / "c.warc.gz", records)
    articles, errors, _ = split(list(read_path(path, max_text_bytes=200_000)))
    assert [a.id for a in articles] == [SEALS]
    reasons = {e.record_id: e.reason for e in errors}
    assert "too large" in reasons["https://a.example/big"]
    assert set(reasons) >= {"https://a.example/big", "https://a.example/empty"}
    assert "https://a.example/nested" in reasons or len(errors) >= 2


def test_warc_ingest_stores_raw_html_and_reextract(tmp_path: Path) -> None:
    path = write_warc(tmp_path / "crawl.warc.gz", pages(3))
    with Desk(tmp_path / "s.db", workers=1) as desk:
        summary = desk.ingest_files([path])
        assert (summary.added, summary.rejected) == (3, [])
        assert desk.store.db.execute("SELECT count(*) FROM raw_html").fetchone() == (3,)
        stored = desk.article("https://www.northernpost.example/story-0")
        assert stored is not None and "_html" not in stored.extra
        assert stored.extra["links"] == ["https://www.dailyclarion.example/seals"]
        again = desk.ingest_files([path])
        assert (again.added, again.updated, again.unchanged) == (0, 0, 3)
        # Damage one stored text: reextract puts the page's text back.
        desk.store.db.execute("UPDATE articles SET text = 'x', text_hash = 'x' WHERE key = 1")
        redo = desk.reextract()
        assert (redo.updated, redo.unchanged, redo.rejected) == (1, 2, [])
        assert "Story 0 begins here" in desk.article(stored.id).text


def test_missing_archive(tmp_path: Path) -> None:
    [rejection] = list(read_path(tmp_path / "nope.warc.gz"))
    assert isinstance(rejection, Rejection) and rejection.reason == "file not found"


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.binary(max_size=2000), gz=st.booleans())
def test_fuzz_random_bytes_as_warc(tmp_path: Path, data: bytes, gz: bool) -> None:
    path = tmp_path / ("fuzz.warc.gz" if gz else "fuzz.warc")
    path.write_bytes(data)
    for item in read_path(path):
        assert isinstance(item, Rejection | Article)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    cut=st.integers(min_value=0, max_value=10_000),
    flips=st.lists(st.integers(0, 10_000), max_size=5),
    whole=st.booleans(),
)
def test_fuzz_damaged_real_warc(tmp_path: Path, cut: int, flips: list[int], whole: bool) -> None:
    base = tmp_path / f"base-{whole}.warc.gz"
    if not base.exists():
        if whole:  # gzipped as one stream, not record by record
            plain = write_warc(tmp_path / "plain.warc", pages(3), gz=False)
            base.write_bytes(gzip.compress(plain.read_bytes()))
        else:
            write_warc(base, pages(3))
    data = bytearray(base.read_bytes())
    for flip in flips:
        if flip < len(data):
            data[flip] ^= 0xFF
    path = tmp_path / "fuzz.warc.gz"
    path.write_bytes(bytes(data[: max(1, len(data) - cut)]))
    items = list(read_path(path))
    assert all(isinstance(i, Article | Rejection) for i in items)


def test_archive_gzipped_as_one_stream(tmp_path: Path) -> None:
    plain = write_warc(tmp_path / "plain.warc", pages(3), gz=False)
    path = tmp_path / "whole.warc.gz"
    path.write_bytes(gzip.compress(plain.read_bytes()))
    articles, errors, _ = split(list(read_path(path)))
    assert errors == [] and len(articles) == 3
    path.write_bytes(gzip.compress(plain.read_bytes())[:-40])
    articles, errors, _ = split(list(read_path(path)))
    assert [a.title for a in articles] == ["Story number 0", "Story number 1"]
    assert errors and "damaged gzip stream" in errors[-1].reason


@pytest.mark.parametrize("name", ["crawl.warc", "crawl.warc.gz", "one-stream.warc.gz"])
def test_a_warc_line_inside_a_payload_is_no_record_header(tmp_path: Path, name: str) -> None:
    """A page quoting a WARC file has lines starting "WARC/1.0" in its payload: the
    Content-Length says where the record ends, so they are never taken for headers."""
    quoted = (
        "<pre>\nWARC/1.0\nWARC-Type: response\nContent-Length: 99999\n\n"
        "WARC/1.1\r\nWARC-Type: request\r\n\r\n</pre>"
    )
    records = pages(3)
    middle = records[1]["body"].decode().replace("</article>", quoted + "</article>")
    assert quoted in middle
    records[1]["body"] = middle.encode()
    path = write_warc(tmp_path / name, records, gz=name.endswith(".gz"))
    if name.startswith("one-stream"):  # gzipped as one stream, not record by record
        plain = write_warc(tmp_path / "plain.warc", records, gz=False).read_bytes()
        path.write_bytes(gzip.compress(plain))
    articles, errors, _ = split(list(read_path(path)))
    assert errors == []
    assert [a.url for a in articles] == [r["url"] for r in records]
    assert "WARC-Type: request" in articles[1].text or "WARC/1.0" in articles[1].extra["_html"]


def test_a_wrong_content_length_is_still_recovered(tmp_path: Path) -> None:
    """Recovery at an inner header happens only when the length is wrong: a record
    whose Content-Length runs past the next record loses itself, never the next one."""
    records = pages(3)
    path = write_warc(tmp_path / "crawl.warc", records, gz=False)
    data = path.read_bytes()
    second = data.index(b"WARC/1.", data.index(records[1]["url"].encode()) - 400)
    head_end = data.index(b"\r\n\r\n", second)
    header = data[second:head_end]
    length = int(header.split(b"Content-Length: ")[1].split(b"\r\n")[0])
    old, new = f"Content-Length: {length}", f"Content-Length: {length + 5000}"
    bad = header.replace(old.encode(), new.encode())
    path.write_bytes(data[:second] + bad + data[head_end:])
    articles, errors, _ = split(list(read_path(path)))
    assert records[2]["url"] in {a.url for a in articles}
    assert records[0]["url"] in {a.url for a in articles}
    assert errors and any("Content-Length" in e.reason for e in errors)
