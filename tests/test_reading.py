"""The reading stage: formats, defaults, dates, and above all bad input."""

from __future__ import annotations

import gzip
import io
import json
import socket
import subprocess
import sys
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from copydesk.model import Article, Rejection
from copydesk.reading import (
    RecordError,
    article_from_mapping,
    outlet_from_url,
    parse_published,
    read_path,
    read_paths,
    read_single,
)
from copydesk.reading import outlets as outlets_module

# An invented page: no real outlet, no real story.
PAGE = """<!doctype html>
<html><head>
<title>Harbour seals return to Lowmere | The Northern Post</title>
<meta property="og:site_name" content="The Northern Post">
<meta name="author" content="Mara Quill">
<meta property="article:published_time" content="2022-10-16T09:00:00Z">
</head><body>
<nav>Home | Coast | Weather</nav>
<article>
<h1>Harbour seals return to Lowmere</h1>
<p>Harbour seals have returned to the estuary at Lowmere for the first time in a decade,
volunteers from the Lowmere Coastal Trust said on Sunday.</p>
<p>The colony of about forty animals was counted at low tide from the old ferry pier,
and the trust asked walkers to keep their dogs on a lead near the mudflats.</p>
</article>
<footer>All rights reserved</footer>
</body></html>
"""


def record(**fields: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "id": "np-1",
        "url": "https://www.northernpost.example.co.uk/coast/seals",
        "text": "Seals are back at Lowmere, volunteers said.",
    }
    base.update(fields)
    return {key: value for key, value in base.items() if value is not ...}


def write_jsonl(path: Path, records: list[Any]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


def read_all(path: str | Path, **kw: Any) -> tuple[list[Article], list[Rejection]]:
    articles: list[Article] = []
    rejections: list[Rejection] = []
    for item in read_path(path, **kw):
        (articles if isinstance(item, Article) else rejections).append(item)
    return articles, rejections


def set_stdin(monkeypatch: pytest.MonkeyPatch, data: bytes) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data), encoding="utf-8"))


def errors(rejections: list[Rejection]) -> list[Rejection]:
    return [r for r in rejections if r.severity == "error"]


# --- records -------------------------------------------------------------------------


def test_record_fields_are_read() -> None:
    article, unknown = article_from_mapping(
        record(
            outlet="northernpost",
            published="2022-10-16T09:00:00Z",
            title="Seals return",
            author="Mara Quill",
            outlet_name="The Northern Post",
        )
    )
    assert unknown == []
    assert article.id == "np-1"
    assert article.outlet == "northernpost"
    assert article.published == datetime(2022, 10, 16, 9, tzinfo=UTC)
    assert article.title == "Seals return"
    assert article.author == "Mara Quill"
    assert article.outlet_name == "The Northern Post"
    assert article.extra == {}


def test_outlet_defaults_to_registered_domain_and_id_to_url() -> None:
    article, _ = article_from_mapping(
        record(id=..., url="https://WWW.News.Lowmere-Gazette.co.uk/a")
    )
    assert article.id == "https://WWW.News.Lowmere-Gazette.co.uk/a"
    assert article.outlet == "lowmere-gazette.co.uk"


def test_no_id_and_no_url_is_an_error() -> None:
    with pytest.raises(RecordError) as info:
        article_from_mapping({"text": "Some text."})
    assert str(info.value) == "no id and no url: one of them is needed to name the article"


def test_numeric_id_becomes_a_string() -> None:
    article, _ = article_from_mapping(record(id=42))
    assert article.id == "42"


@pytest.mark.parametrize(
    ("alias", "field", "value"),
    [
        ("site_name", "outlet_name", "The Northern Post"),
        ("sitename", "outlet_name", "The Northern Post"),
        ("date", "published", datetime(2022, 10, 16, tzinfo=UTC)),
        ("body", "text", "Body text here."),
        ("content", "text", "Body text here."),
    ],
)
def test_aliases(alias: str, field: str, value: Any) -> None:
    raw = "2022-10-16" if alias == "date" else value
    obj = record(**{alias: raw})
    if field == "text":
        del obj["text"]
    article, unknown = article_from_mapping(obj)
    assert getattr(article, field) == value
    assert unknown == []


def test_alias_next_to_its_field_is_kept_in_extra() -> None:
    article, unknown = article_from_mapping(record(body="Another body."))
    assert article.text == "Seals are back at Lowmere, volunteers said."
    assert article.extra == {"body": "Another body."}
    assert unknown == []


def test_unknown_fields_are_kept() -> None:
    article, unknown = article_from_mapping(record(section="coast", tags=["seals"]))
    assert unknown == ["section", "tags"]
    assert article.extra == {"section": "coast", "tags": ["seals"]}


def test_line_endings_are_the_only_change_to_text() -> None:
    text = "  Heading\r\n\r\nFirst  paragraph.\rSecond\u00a0one.\n\t "
    article, _ = article_from_mapping(record(text=text))
    assert article.text == "  Heading\n\nFirst  paragraph.\nSecond\u00a0one.\n\t "


@pytest.mark.parametrize("text", ["", "   \n\t", None])
def test_empty_text_is_an_error(text: str | None) -> None:
    with pytest.raises(RecordError, match=r"^text is empty"):
        article_from_mapping(record(text=text))


def test_missing_text_is_an_error() -> None:
    with pytest.raises(RecordError, match=r"^text is empty: the record has no 'text' or 'html'"):
        article_from_mapping({"id": "a"})


def test_non_string_text_names_field_and_type() -> None:
    with pytest.raises(RecordError, match=r"^text: expected a string, got array$"):
        article_from_mapping(record(text=["a", "b"]))
    with pytest.raises(RecordError, match=r"^body: expected a string, got number$"):
        article_from_mapping({"id": "a", "body": 3})


def test_nul_in_text_is_an_error() -> None:
    with pytest.raises(RecordError, match="NUL"):
        article_from_mapping(record(text="before\x00after"))


def test_lone_surrogate_is_an_error() -> None:
    with pytest.raises(RecordError, match="lone surrogate U\\+D800"):
        article_from_mapping(json.loads('{"id": "a", "text": "bad \\ud800 here"}'))


def test_text_over_the_limit() -> None:
    with pytest.raises(RecordError) as info:
        article_from_mapping(record(text="x" * 10_500_000))
    assert str(info.value) == (
        "text is 10.5 MB, over the 2.0 MB limit (raise it with --max-text-mb)"
    )
    # The limit counts UTF-8 bytes, not characters.
    with pytest.raises(RecordError, match="over the"):
        article_from_mapping(record(text="é" * 600), max_text_bytes=1000)
    assert article_from_mapping(record(text="é" * 400), max_text_bytes=1000)[0].text


def test_author_list_is_joined() -> None:
    article, _ = article_from_mapping(record(author=["Mara Quill", "Ned Ashby"]))
    assert article.author == "Mara Quill, Ned Ashby"


@pytest.mark.parametrize("field", ["url", "title", "outlet", "outlet_name"])
def test_non_string_fields_are_errors(field: str) -> None:
    with pytest.raises(RecordError, match=f"^{field}: expected a string, got object$"):
        article_from_mapping(record(**{field: {"a": 1}}))


def test_html_record_is_extracted() -> None:
    article, _ = article_from_mapping(
        {"id": "np-2", "url": "https://www.northernpost.example/seals", "html": PAGE}
    )
    assert "forty animals" in article.text
    assert "Home | Coast" not in article.text
    assert article.title == "Harbour seals return to Lowmere"
    assert article.author == "Mara Quill"
    assert article.outlet_name == "The Northern Post"
    assert article.outlet == "northernpost.example"
    assert article.published == datetime(2022, 10, 16, 9, tzinfo=UTC)


def test_html_record_keeps_the_records_own_metadata() -> None:
    article, _ = article_from_mapping(
        {"id": "np-2", "html": PAGE, "title": "Own title", "published": "2023-01-02"}
    )
    assert article.title == "Own title"
    assert article.published == datetime(2023, 1, 2, tzinfo=UTC)


def test_html_without_article_text_is_an_error() -> None:
    with pytest.raises(RecordError, match=r"^html: no article text"):
        article_from_mapping({"id": "a", "html": "<html><body></body></html>"})
    with pytest.raises(RecordError, match=r"^html: expected a string"):
        article_from_mapping({"id": "a", "html": 5})


# --- outlets -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "outlet"),
    [
        ("https://www.news.bbc.co.uk/x", "bbc.co.uk"),
        ("https://EXAMPLE.com/Path", "example.com"),
        ("http://lowmere-gazette.example.org:8080/a?b=c", "example.org"),
        ("https://user:pw@www.northernpost.co.uk/", "northernpost.co.uk"),
        ("northernpost.com/story", "northernpost.com"),
        ("http://192.168.1.20/story", "192.168.1.20"),
        ("http://localhost:8000/story", "localhost"),
        ("https://www.news.northernpost.example/a", "northernpost.example"),
        ("https://lowmere.test", "lowmere.test"),
        ("/relative/path", None),
        ("not a url", None),
        ("", None),
        ("http://[::1", None),
    ],
)
def test_outlet_from_url(url: str, outlet: str | None) -> None:
    assert outlet_from_url(url) == outlet


def test_outlet_lookup_never_touches_the_network(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("network access")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(outlets_module, "_extractor", None)
    outlets_module._outlet_for_host.cache_clear()
    assert outlet_from_url("https://www.lowmere.gov.uk/news") == "lowmere.gov.uk"


# --- dates ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2022-10-16T09:00:00Z", datetime(2022, 10, 16, 9, tzinfo=UTC)),
        ("2022-10-16T09:00:00z", datetime(2022, 10, 16, 9, tzinfo=UTC)),
        ("2022-10-16T11:00:00+02:00", datetime(2022, 10, 16, 9, tzinfo=UTC)),
        ("2022-10-16T04:00:00-0500", datetime(2022, 10, 16, 9, tzinfo=UTC)),
        ("2022-10-16 09:00:00", datetime(2022, 10, 16, 9, tzinfo=UTC)),
        ("2022-10-16 09:00:00 UTC", datetime(2022, 10, 16, 9, tzinfo=UTC)),
        ("2022-10-16", datetime(2022, 10, 16, tzinfo=UTC)),
        ("2022-10-16T09:00:00.250Z", datetime(2022, 10, 16, 9, 0, 0, 250000, tzinfo=UTC)),
        ("Sun, 16 Oct 2022 09:00:00 GMT", datetime(2022, 10, 16, 9, tzinfo=UTC)),
        ("Sun, 16 Oct 2022 10:00:00 +0100", datetime(2022, 10, 16, 9, tzinfo=UTC)),
        ("16 Oct 2022 09:00:00 -0000", datetime(2022, 10, 16, 9, tzinfo=UTC)),
        (1665910800, datetime(2022, 10, 16, 9, tzinfo=UTC)),
        (1665910800.5, datetime(2022, 10, 16, 9, 0, 0, 500000, tzinfo=UTC)),
        ("1665910800", datetime(2022, 10, 16, 9, tzinfo=UTC)),
        (1665910800000, datetime(2022, 10, 16, 9, tzinfo=UTC)),
        (None, None),
        ("", None),
        ("  ", None),
    ],
)
def test_parse_published(value: Any, expected: datetime | None) -> None:
    parsed = parse_published(value)
    assert parsed == expected
    if parsed is not None:
        assert parsed.utcoffset() == timedelta(0)


def test_parse_published_keeps_the_instant() -> None:
    parsed = parse_published("2022-10-16T09:00:00+05:30")
    assert parsed == datetime(2022, 10, 16, 9, tzinfo=timezone(timedelta(hours=5, minutes=30)))
    assert parsed is not None and parsed.tzinfo is UTC


@pytest.mark.parametrize("value", ["xyz", "2022-", "16/10/2022", "2022-13-45", True, [2022]])
def test_parse_published_errors(value: Any) -> None:
    with pytest.raises(RecordError, match=r"^published: "):
        parse_published(value)


def test_parse_published_message() -> None:
    with pytest.raises(RecordError) as info:
        parse_published("xyz")
    assert str(info.value) == (
        "published: cannot read date 'xyz'; use ISO 8601, e.g. 2022-10-16T09:00:00Z"
    )


@pytest.mark.parametrize("value", [float("nan"), float("inf"), 10**30, "9" * 40])
def test_parse_published_out_of_range(value: Any) -> None:
    with pytest.raises(RecordError, match="cannot read date"):
        parse_published(value)


# --- JSON Lines ----------------------------------------------------------------------


def test_jsonl_reads_articles(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "a.jsonl", [record(id="a"), record(id="b")])
    articles, rejections = read_all(path)
    assert [a.id for a in articles] == ["a", "b"]
    assert rejections == []
    assert articles[0].outlet == "example.co.uk"


def test_malformed_line_is_rejected_and_reading_goes_on(tmp_path: Path) -> None:
    path = tmp_path / "a.jsonl"
    path.write_text(
        json.dumps(record(id="a")) + "\n" + '{"id": "b", "text": \n' + json.dumps(record(id="c")),
        encoding="utf-8",
    )
    articles, rejections = read_all(path)
    assert [a.id for a in articles] == ["a", "c"]
    [bad] = rejections
    assert bad.source == str(path)
    assert bad.line == 2
    assert bad.reason.startswith("invalid JSON: Expecting value")


def test_source_is_the_name_as_given(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    Path("in.jsonl").write_text("not json\n", encoding="utf-8")
    [bad] = read_path("in.jsonl")
    assert isinstance(bad, Rejection)
    assert (bad.source, bad.line) == ("in.jsonl", 1)
    assert str(bad).startswith("in.jsonl:1: invalid JSON")


@pytest.mark.parametrize(
    ("line", "found"), [("[1, 2]", "an array"), ('"text"', "a string"), ("3", "a number")]
)
def test_line_that_is_not_an_object(tmp_path: Path, line: str, found: str) -> None:
    path = tmp_path / "a.jsonl"
    path.write_text(line + "\n" + json.dumps(record()) + "\n", encoding="utf-8")
    articles, [bad] = read_all(path)
    assert len(articles) == 1
    assert bad.line == 1
    assert bad.reason.startswith(f"not a JSON object (found {found})")


def test_empty_text_rejection_names_the_record(tmp_path: Path) -> None:
    path = write_jsonl(
        tmp_path / "a.jsonl",
        [record(id="a", text=""), record(id=..., text="  "), {"title": "no name"}, record()],
    )
    articles, rejections = read_all(path)
    assert len(articles) == 1
    assert [(r.line, r.record_id, r.reason[:13]) for r in rejections] == [
        (1, "a", "text is empty"),
        (2, "https://www.northernpost.example.co.uk/coast/seals", "text is empty"),
        (3, None, "no id and no "),
    ]


def test_non_utf8_line_is_rejected_alone(tmp_path: Path) -> None:
    path = tmp_path / "a.jsonl"
    bad_line = b'{"text": "abcdef\xe9", "id": "x"}'
    assert bad_line.index(b"\xe9") == 16
    path.write_bytes(
        json.dumps(record(id="a")).encode()
        + b"\n"
        + bad_line
        + b"\n"
        + json.dumps(record(id="b", text="Caf\u00e9 news.")).encode()
        + b"\n"
    )
    articles, [bad] = read_all(path)
    assert [a.id for a in articles] == ["a", "b"]
    assert articles[1].text == "Caf\u00e9 news."
    assert bad.line == 2
    assert bad.reason == ("not valid UTF-8 (byte 0xE9 at column 17); re-encode the file as UTF-8")


def test_utf8_error_column_counts_characters(tmp_path: Path) -> None:
    path = tmp_path / "a.jsonl"
    path.write_bytes('{"text": "é'.encode() + b"\xff" + b'"}\n')
    [bad] = read_path(path)
    assert isinstance(bad, Rejection)
    assert "byte 0xFF at column 12" in bad.reason


def test_huge_article_is_rejected_quickly(tmp_path: Path) -> None:
    path = write_jsonl(
        tmp_path / "a.jsonl", [record(id="big", text="word " * 2_100_000), record(id="ok")]
    )
    articles, [bad] = read_all(path)
    assert [a.id for a in articles] == ["ok"]
    assert (bad.line, bad.record_id) == (1, "big")
    assert bad.reason == "text is 10.5 MB, over the 2.0 MB limit (raise it with --max-text-mb)"


def test_max_text_bytes_can_be_raised(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "a.jsonl", [record(text="x" * 3_000_000)])
    assert errors(read_all(path)[1])
    articles, rejections = read_all(path, max_text_bytes=4_000_000)
    assert len(articles) == 1 and rejections == []


def test_overlong_line_is_skipped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from copydesk.reading import jsonl

    monkeypatch.setattr(jsonl, "line_limit", lambda max_text_bytes: 300)
    path = write_jsonl(tmp_path / "a.jsonl", [record(id="long", text="x" * 500), record(id="b")])
    articles, [bad] = read_all(path)
    assert [a.id for a in articles] == ["b"]
    assert bad.line == 1
    assert "line limit" in bad.reason


@pytest.mark.parametrize(
    ("content", "kind"),
    [
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 40, "PNG image"),
        (b'{"id": "a", "text": "x"}\n' + b"\x00\x01\x02\x03" * 16, "NUL bytes"),
        (gzip.compress(b'{"id": "a", "text": "x"}\n'), "gzip data"),
        (b"%PDF-1.7\n%abc", "PDF document"),
        ("{}".encode("utf-16"), "UTF-16"),
    ],
)
def test_binary_file_gives_one_rejection(tmp_path: Path, content: bytes, kind: str) -> None:
    path = tmp_path / "articles.jsonl"
    path.write_bytes(content)
    [bad] = list(read_path(path))
    assert isinstance(bad, Rejection)
    assert bad.line is None
    assert bad.reason.startswith("binary file, not JSON Lines or CSV (")
    assert kind in bad.reason


def test_unknown_fields_warn_once_per_set(tmp_path: Path) -> None:
    path = write_jsonl(
        tmp_path / "a.jsonl",
        [
            record(id="a"),
            record(id="b", section="coast"),
            record(id="c", section="coast"),
            record(id="d", section="coast", wire="yes"),
            record(id="e", section="inland"),
        ],
    )
    articles, rejections = read_all(path)
    assert [a.id for a in articles] == ["a", "b", "c", "d", "e"]
    assert articles[1].extra == {"section": "coast"}
    assert errors(rejections) == []
    assert [(w.line, w.record_id, w.severity) for w in rejections] == [
        (2, "b", "warning"),
        (4, "d", "warning"),
    ]
    assert "'section'" in rejections[0].reason and "kept in extra" in rejections[0].reason
    assert "'wire'" in rejections[1].reason


def test_missing_file_and_directory(tmp_path: Path) -> None:
    [missing] = list(read_path(tmp_path / "nope.jsonl"))
    assert isinstance(missing, Rejection)
    assert (missing.line, missing.reason) == (None, "file not found")
    [directory] = list(read_path(tmp_path))
    assert isinstance(directory, Rejection)
    assert directory.reason.startswith("is a directory")


def test_blank_lines_and_bom(tmp_path: Path) -> None:
    path = tmp_path / "a.jsonl"
    body = "\n".join([json.dumps(record(id="a")), "", "   ", json.dumps(record(id="b")), "", ""])
    path.write_bytes(b"\xef\xbb\xbf" + body.encode())
    articles, rejections = read_all(path)
    assert [a.id for a in articles] == ["a", "b"]
    assert rejections == []


def test_crlf_lines(tmp_path: Path) -> None:
    path = tmp_path / "a.jsonl"
    path.write_bytes(b'{"id": "a", "text": "one\\r\\ntwo"}\r\n{"id": "b", "text": "x"}\r\n')
    articles, rejections = read_all(path)
    assert [a.text for a in articles] == ["one\ntwo", "x"]
    assert rejections == []


def test_deep_nesting_does_not_crash(tmp_path: Path) -> None:
    path = tmp_path / "a.jsonl"
    path.write_text("[" * 100_000 + "]" * 100_000 + "\n" + json.dumps(record()), encoding="utf-8")
    articles, rejections = read_all(path)
    assert len(articles) == 1
    assert len(rejections) == 1


def test_read_paths_chains(tmp_path: Path) -> None:
    first = write_jsonl(tmp_path / "1.jsonl", [record(id="a")])
    second = write_jsonl(tmp_path / "2.ndjson", [record(id="b")])
    items = list(read_paths([first, tmp_path / "missing.jsonl", second]))
    assert [i.id if isinstance(i, Article) else i.reason for i in items] == [
        "a",
        "file not found",
        "b",
    ]


def test_plain_jsonl_does_not_import_trafilatura(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "a.jsonl", [record()])
    code = (
        "import sys\n"
        "from copydesk.reading import read_path\n"
        f"assert len(list(read_path({str(path)!r}))) == 1\n"
        "assert 'trafilatura' not in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_html_records_in_jsonl(tmp_path: Path) -> None:
    path = write_jsonl(
        tmp_path / "a.jsonl",
        [{"id": "p", "html": PAGE}, {"id": "q", "html": "<html><body></body></html>"}],
    )
    [article], [bad] = read_all(path)
    assert article.title == "Harbour seals return to Lowmere"
    assert (bad.line, bad.record_id) == (2, "q")


# --- JSON documents ------------------------------------------------------------------


def test_json_array_with_line_numbers(tmp_path: Path) -> None:
    path = tmp_path / "a.json"
    path.write_text(
        json.dumps([record(id="a"), record(id="b", text=""), 7, record(id="d")], indent=2),
        encoding="utf-8",
    )
    articles, rejections = read_all(path)
    assert [a.id for a in articles] == ["a", "d"]
    lines = path.read_text(encoding="utf-8").splitlines()
    assert [r.line for r in rejections] == [
        lines.index("  {", 5) + 1,
        next(i for i, line in enumerate(lines, 1) if line.strip() == "7,"),
    ]
    assert rejections[1].reason.startswith("not a JSON object (found a number)")


def test_json_array_syntax_error_keeps_items_before_it(tmp_path: Path) -> None:
    path = tmp_path / "a.json"
    path.write_text(
        "[\n"
        + json.dumps(record(id="a"))
        + ",\n"
        + '{"id": "b" "text": "x"},\n'
        + json.dumps(record(id="c"))
        + "\n]\n",
        encoding="utf-8",
    )
    articles, [bad] = read_all(path)
    assert [a.id for a in articles] == ["a"]
    assert bad.line == 3
    assert bad.reason.startswith("invalid JSON: Expecting ',' delimiter")
    assert bad.reason.endswith("the rest of the file is skipped")


def test_empty_json_array(tmp_path: Path) -> None:
    path = tmp_path / "a.json"
    path.write_text("[ ]\n", encoding="utf-8")
    [said] = list(read_path(path))
    assert (said.source, said.severity, said.reason) == (str(path), "warning", "no records in it")


def test_pretty_printed_single_object(tmp_path: Path) -> None:
    path = tmp_path / "a.json"
    path.write_text("\n" + json.dumps(record(id="solo"), indent=2), encoding="utf-8")
    articles, rejections = read_all(path)
    assert [a.id for a in articles] == ["solo"]
    assert rejections == []


def test_json_file_holding_one_line_array(tmp_path: Path) -> None:
    path = tmp_path / "a.json"
    path.write_text(json.dumps([record(id="a"), record(id="b")]), encoding="utf-8")
    articles, rejections = read_all(path)
    assert [a.id for a in articles] == ["a", "b"] and rejections == []


def test_json_file_holding_json_lines(tmp_path: Path) -> None:
    path = tmp_path / "a.json"
    path.write_text('["x"]\n' + json.dumps(record(id="b")) + "\n", encoding="utf-8")
    articles, [bad] = read_all(path)
    assert [a.id for a in articles] == ["b"]
    assert bad.line == 1 and bad.reason.startswith("not a JSON object (found an array)")


def test_stdin_json_array(monkeypatch: pytest.MonkeyPatch) -> None:
    set_stdin(monkeypatch, json.dumps([record(id="a"), record(id="b")], indent=1).encode())
    articles, rejections = read_all("-")
    assert [a.id for a in articles] == ["a", "b"] and rejections == []


def test_json_lines_with_broken_first_line(tmp_path: Path) -> None:
    path = tmp_path / "a.json"
    path.write_text('{"id": \n' + json.dumps(record(id="b")) + "\n", encoding="utf-8")
    articles, [bad] = read_all(path)
    assert [a.id for a in articles] == ["b"]
    assert bad.line == 1


# --- CSV -----------------------------------------------------------------------------


def test_csv_multiline_text_and_line_numbers(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_bytes(
        b"\xef\xbb\xbfid,url,published,text\r\n"
        b"a,https://www.lowmere.example.net/a,2022-10-16,"
        b'"First line\r\n\r\nthird, with ""quotes"""\r\n'
        b"\r\n"
        b"b,,2022-10-17,\r\n"
        b"c,,,only,too,many\r\n"
        b'd,,,"plain"\r\n'
    )
    articles, rejections = read_all(path)
    assert [a.id for a in articles] == ["a", "d"]
    assert articles[0].text == 'First line\n\nthird, with "quotes"'
    assert articles[0].outlet == "example.net"
    assert articles[0].published == datetime(2022, 10, 16, tzinfo=UTC)
    assert articles[1].url is None
    assert [(r.line, r.record_id, r.reason) for r in rejections] == [
        (6, "b", "text is empty"),
        (7, None, "row has 6 fields, the header has 4"),
    ]


def test_tsv_and_unknown_columns(tmp_path: Path) -> None:
    path = tmp_path / "a.tsv"
    path.write_text("id\ttext\tdesk\na\tSome text.\tcoast\nb\tMore text.\tcoast\n", "utf-8")
    articles, [warning] = read_all(path)
    assert [a.extra for a in articles] == [{"desk": "coast"}] * 2
    assert (warning.line, warning.severity) == (2, "warning")


def test_csv_without_text_column(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_text("id,title\na,Hello\n", encoding="utf-8")
    [bad] = list(read_path(path))
    assert isinstance(bad, Rejection)
    assert bad.line == 1
    assert "no 'text' or 'html' column" in bad.reason


def test_csv_non_utf8_row(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_bytes(b"id,text\na,caf\xe9 au lait\nb,fine\n")
    articles, [bad] = read_all(path)
    assert [a.id for a in articles] == ["b"]
    assert bad.line == 2
    assert bad.reason == (
        "not valid UTF-8 (byte 0xE9 in field 'text'); re-encode the file as UTF-8"
    )


def test_csv_html_column(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        handle.write('id,html\np,"' + PAGE.replace('"', '""') + '"\n')
    [article] = list(read_path(path))
    assert isinstance(article, Article)
    assert "forty animals" in article.text


# --- gzip, stdin, sniffing -----------------------------------------------------------


def test_gzipped_jsonl_and_csv(tmp_path: Path) -> None:
    jsonl = tmp_path / "a.jsonl.gz"
    jsonl.write_bytes(gzip.compress((json.dumps(record(id="a")) + "\nnope\n").encode()))
    articles, [bad] = read_all(jsonl)
    assert [a.id for a in articles] == ["a"]
    assert bad.line == 2
    csv_path = tmp_path / "a.CSV.GZ"
    csv_path.write_bytes(gzip.compress(b'id,text\nb,"two\nlines"\n'))
    [article] = list(read_path(csv_path))
    assert isinstance(article, Article)
    assert article.text == "two\nlines"


def test_truncated_gzip(tmp_path: Path) -> None:
    data = gzip.compress(
        "".join(
            json.dumps(record(id=f"n{i}", text=f"Text {i} " * 50)) + "\n" for i in range(2000)
        ).encode()
    )
    path = tmp_path / "a.jsonl.gz"
    path.write_bytes(data[: len(data) // 2])
    articles, rejections = read_all(path)
    assert articles
    assert "the file ends inside this gzip member (truncated)" in rejections[-1].reason


def test_gz_name_without_gzip_data(tmp_path: Path) -> None:
    path = tmp_path / "a.jsonl.gz"
    path.write_text(json.dumps(record()) + "\n", encoding="utf-8")
    [bad] = list(read_path(path))
    assert isinstance(bad, Rejection)
    assert bad.reason.startswith("not a readable gzip file")


def test_stdin(monkeypatch: pytest.MonkeyPatch) -> None:
    set_stdin(monkeypatch, (json.dumps(record(id="a")) + "\n{bad\n").encode())
    articles, [bad] = read_all("-")
    assert [a.id for a in articles] == ["a"]
    assert (bad.source, bad.line) == ("<stdin>", 2)


def test_stdin_gzip(monkeypatch: pytest.MonkeyPatch) -> None:
    set_stdin(monkeypatch, gzip.compress((json.dumps(record(id="z")) + "\n").encode()))
    articles, rejections = read_all("-")
    assert [a.id for a in articles] == ["z"] and rejections == []


@pytest.mark.parametrize(
    ("content", "ids"),
    [
        (json.dumps(record(id="j")) + "\n", ["j"]),
        ("[" + json.dumps(record(id="k")) + "]", ["k"]),
        ('id,text\nc,"Comma, separated."\n', ["c"]),
        ("id\ttext\nt\tTab separated.\n", ["t"]),
    ],
)
def test_unknown_extension_is_sniffed(tmp_path: Path, content: str, ids: list[str]) -> None:
    path = tmp_path / "export.dat"
    path.write_text(content, encoding="utf-8")
    articles, rejections = read_all(path)
    assert [a.id for a in articles] == ids and rejections == []


def test_unknown_format(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("Just some notes, nothing else.\n", encoding="utf-8")
    [bad] = list(read_path(path))
    assert isinstance(bad, Rejection)
    assert bad.reason.startswith("unknown file type")
    assert ".jsonl" in bad.reason and ".csv" in bad.reason


def test_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "a.jsonl"
    path.write_bytes(b"")
    [said] = list(read_path(path))
    assert str(said) == f"{path}: no records: the file is empty" and said.severity == "warning"
    csv_path = tmp_path / "a.csv"
    csv_path.write_text("id,url,text\n")  # a header row only
    [said] = list(read_path(csv_path))
    assert str(said) == f"{csv_path}: no records in it"


# --- property: bad bytes never raise -------------------------------------------------

_SUFFIXES = st.sampled_from(["a.jsonl", "a.json", "a.csv", "a.tsv", "a.dat"])
_JSONISH = st.lists(
    st.one_of(
        st.binary(max_size=60),
        st.sampled_from([b"{", b"[", b"]", b"}", b",", b'"', b"\n", b"\r", b"\x00", b"\xe9"]),
        st.sampled_from([b'{"id": "a", "text": "x"}', b'"text"', b"id,text", b"\t", b'"b"']),
    ),
    max_size=30,
).map(b"".join)


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.one_of(st.binary(max_size=400), _JSONISH), name=_SUFFIXES)
def test_arbitrary_bytes_never_raise(tmp_path: Path, data: bytes, name: str) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    for item in read_path(path):
        assert isinstance(item, Article | Rejection)


@settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    values=st.lists(
        st.dictionaries(
            st.text(max_size=8),
            st.recursive(
                st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
                lambda inner: (
                    st.lists(inner, max_size=3)
                    | st.dictionaries(st.text(max_size=5), inner, max_size=3)
                ),
                max_leaves=6,
            ),
            max_size=6,
        ),
        max_size=5,
    )
)
def test_arbitrary_records_never_raise(tmp_path: Path, values: list[dict[str, Any]]) -> None:
    path = tmp_path / "a.jsonl"
    path.write_text("".join(json.dumps(v) + "\n" for v in values), encoding="utf-8")
    items = list(read_path(path))
    assert len([i for i in items if i.__class__ is Article or i.severity == "error"]) == len(values)


# --- read_single ---------------------------------------------------------------------


def test_single_json_file(tmp_path: Path) -> None:
    path = tmp_path / "one.json"
    path.write_text(json.dumps(record(id=..., url=...)), encoding="utf-8")
    article = read_single(path)
    assert article.id == "trace"
    assert article.text == "Seals are back at Lowmere, volunteers said."
    path.write_text(json.dumps(record(id=...)), encoding="utf-8")
    assert read_single(path).id == "https://www.northernpost.example.co.uk/coast/seals"


def test_single_json_errors(tmp_path: Path) -> None:
    path = tmp_path / "one.json"
    path.write_text("[1, 2]", encoding="utf-8")
    with pytest.raises(RecordError, match="one JSON object"):
        read_single(path)
    path.write_text("{oops", encoding="utf-8")
    with pytest.raises(RecordError, match=r"^invalid JSON"):
        read_single(path)
    path.write_text('{"id": "a", "text": ""}', encoding="utf-8")
    with pytest.raises(RecordError, match=r"^text is empty"):
        read_single(path)


def test_single_stdin_json(monkeypatch: pytest.MonkeyPatch) -> None:
    set_stdin(monkeypatch, json.dumps(record(id="s")).encode())
    assert read_single("-").id == "s"


def test_single_html(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "page.html"
    path.write_text(PAGE, encoding="utf-8")
    article = read_single(path)
    assert article.id == "trace"
    assert "forty animals" in article.text
    assert article.title == "Harbour seals return to Lowmere"
    assert article.outlet_name == "The Northern Post"
    set_stdin(monkeypatch, ("\n  " + PAGE).encode())
    assert read_single("-").text == article.text


def test_single_plain_text(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    text = "Seals return\n\nHarbour seals are back <p> not html.\r\nSecond line.\n"
    path = tmp_path / "story.txt"
    path.write_text(text, encoding="utf-8", newline="")
    article = read_single(path)
    assert (article.id, article.title) == ("trace", None)
    assert article.text == "Seals return\n\nHarbour seals are back <p> not html.\nSecond line.\n"
    set_stdin(monkeypatch, text.encode())
    assert read_single("-").text == article.text
    assert read_single("-", text="{ not json but text").text == "{ not json but text"


def test_single_bad_input(tmp_path: Path) -> None:
    with pytest.raises(RecordError, match="file not found"):
        read_single(tmp_path / "missing.txt")
    with pytest.raises(RecordError, match="is empty"):
        read_single("-", text="  \n ")
    binary = tmp_path / "image.txt"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    with pytest.raises(RecordError, match="binary data"):
        read_single(binary)
    latin = tmp_path / "latin.txt"
    latin.write_bytes(b"line one\ncaf\xe9\n")
    with pytest.raises(RecordError, match=r"byte 0xE9 at line 2 column 4"):
        read_single(latin)
    with pytest.raises(RecordError, match="is a directory"):
        read_single(tmp_path)


@pytest.mark.parametrize(
    ("value", "what"), [("2022-04", "month"), ("2022", "year"), ("2022-W15", "week")]
)
def test_a_coarse_date_is_left_out_with_a_warning(tmp_path: Path, value: str, what: str) -> None:
    """A year or month alone cannot order two articles: the record is kept without its
    date (textual evidence decides its direction) and the warning names file and line."""
    from copydesk.errors import ImpreciseDateError

    with pytest.raises(ImpreciseDateError, match=f"only the {what}"):
        parse_published(value)
    src = tmp_path / "coarse.jsonl"
    src.write_text(
        '{"id": "a", "text": "first words", "published": "2022-04-16"}\n'
        f'{{"id": "b", "text": "second words", "published": "{value}"}}\n'
    )
    csv_src = tmp_path / "coarse.csv"
    csv_src.write_text(f"id,published,text\nc,{value},third words\n")
    items = [*read_path(src), *read_path(csv_src)]
    articles = {i.id: i for i in items if isinstance(i, Article)}
    assert set(articles) == {"a", "b", "c"}
    assert articles["a"].published is not None
    assert articles["b"].published is None and articles["c"].published is None
    problems = [i for i in items if isinstance(i, Rejection)]
    assert [(p.source, p.line, p.severity) for p in problems] == [
        (str(src), 2, "warning"),
        (str(csv_src), 2, "warning"),
    ]
    assert f"'{value}' gives only the {what}" in str(problems[0])
