"""HTML pages: files and folders, extraction extras, charsets, raw HTML kept, reextract."""

from __future__ import annotations

import json
import zlib
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from copydesk import Desk
from copydesk.model import Article, Rejection
from copydesk.reading import read_path
from copydesk.reading.html_extract import extract_html
from copydesk.reading.html_pages import decode_html, extract_many
from copydesk.store.sqlite import meta_hash
from webpages import PARAGRAPHS, page

SEALS = "https://www.northernpost.example/seals"


def only(items: list, kind: type) -> list:
    return [i for i in items if isinstance(i, kind)]


def test_html_file_is_one_article(tmp_path: Path) -> None:
    path = tmp_path / "seals.html"
    path.write_text(page(), encoding="utf-8")
    [article] = list(read_path(path))
    assert isinstance(article, Article)
    assert article.id == article.url == SEALS  # named by its canonical link
    assert article.outlet == "northernpost.example"
    assert article.title == "Harbour seals return to Lowmere"
    assert article.author == "Ruth Calloway"
    assert article.outlet_name == "The Northern Post"
    assert article.published is not None and article.published.isoformat().startswith("2026-03-02")
    assert article.text.startswith("Harbour seals return to Lowmere\nHarbour seals are back")
    assert "[the Daily Clarion]" not in article.text and "First reported by the Daily" in (
        article.text
    )
    assert article.extra["links"] == ["https://www.dailyclarion.example/seals"]
    assert article.extra["captions"] == ["A seal on the bank (Image: Lensbank)"]
    assert article.extra["_html"] == page()


def test_page_without_canonical_link_is_named_by_its_path(tmp_path: Path) -> None:
    path = tmp_path / "seals.htm"
    path.write_text(page(url=None, link=None, caption=None), encoding="utf-8")
    [article] = list(read_path(path))
    assert isinstance(article, Article)
    assert article.id == str(path) and article.url is None
    assert "links" not in article.extra and "captions" not in article.extra


def test_folder_of_pages_is_walked(tmp_path: Path) -> None:
    (tmp_path / "a" / "b").mkdir(parents=True)
    (tmp_path / ".hidden").mkdir()
    for i, where in enumerate(["one.html", "a/two.htm", "a/b/three.HTML", ".hidden/x.html"]):
        url = f"https://www.northernpost.example/{i}"
        (tmp_path / where).write_text(page(f"Story {i}", url=url), encoding="utf-8")
    (tmp_path / "notes.txt").write_text("not a page")
    (tmp_path / "a" / "empty.html").write_text("<html><body></body></html>")
    items = list(read_path(tmp_path))
    assert sorted(a.title for a in only(items, Article)) == ["Story 0", "Story 1", "Story 2"]
    [bad] = only(items, Rejection)
    assert bad.source.endswith("empty.html") and "no article text" in bad.reason


def test_folder_with_no_pages(tmp_path: Path) -> None:
    (tmp_path / "x.txt").write_text("hello")
    [rejection] = list(read_path(tmp_path))
    assert isinstance(rejection, Rejection) and rejection.reason.startswith("is a directory")


@pytest.mark.parametrize(
    ("data", "declared", "expected", "noted"),
    [
        ("Café “quotes”".encode("cp1252"), "windows-1252", "Café “quotes”", False),
        ("Café “quotes”".encode("cp1252"), "iso-8859-1", "Café “quotes”", False),  # as browsers
        ("Café “quotes”".encode(), "iso-8859-1", "Café “quotes”", True),  # valid UTF-8 wins
        ("Café “quotes”".encode("cp1252"), "utf-8", "Café “quotes”", True),  # mislabelled
        ("Café".encode("latin-1"), None, "Café", True),  # undeclared, not UTF-8
        ("Café".encode(), None, "Café", False),
        ("\ufeffCafé".encode("utf-16"), "cp1252", "\ufeffCafé", False),  # a BOM wins
        (b"plain", "x-no-such-charset", "plain", False),
        (b"plain", "utf-8\x00", "plain", False),  # a NUL in the label: no such charset
        (  # mislabelled, and not Western: charset detection
            "Привет, как дела? Это новости из Москвы сегодня. Всё хорошо.".encode("cp1251"),
            "utf-8",
            "новости из Москвы",
            True,
        ),
        (b'<meta charset="windows-1252"><p>Caf\xe9</p>', None, "Caf\xe9", False),
    ],
)
def test_decoding(data: bytes, declared: str | None, expected: str, noted: bool) -> None:
    text, note = decode_html(data, declared)
    assert expected.lstrip("\ufeff") in text
    assert (note is not None) == noted


def test_cp1252_page_file(tmp_path: Path) -> None:
    paragraphs = ["Café owners said the seals’ return was “good for trade”. " * 3, *PARAGRAPHS]
    path = tmp_path / "cafe.html"
    path.write_bytes(page("Café", paragraphs=paragraphs, charset="iso-8859-1").encode("cp1252"))
    [article] = only(list(read_path(path)), Article)
    assert article.title == "Café" and "“good for trade”" in article.text


def test_enormous_page_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "big.html"
    path.write_text("<html><body>" + "<p>word</p>" * 100_000 + "</body></html>")
    [rejection] = list(read_path(path, max_text_bytes=100_000))
    assert isinstance(rejection, Rejection) and "too large" in rejection.reason


def test_deeply_nested_page_is_a_rejection_not_a_crash(tmp_path: Path) -> None:
    path = tmp_path / "deep.html"
    path.write_text("<html><body>" + "<div><span>" * 40_000 + "deep" + "</body></html>")
    items = list(read_path(path))
    assert all(isinstance(i, Rejection) for i in items) and len(items) == 1


def test_extract_many_in_a_pool_matches_serial() -> None:
    pages = [(page(f"Story {i}", url=f"https://x.example/{i}"), None) for i in range(40)] + [
        ("<html><body></body></html>", None)
    ]
    serial = extract_many(pages, workers=1)
    pooled = extract_many(pages, workers=2)
    assert [getattr(r, "text", None) for r in serial] == [getattr(r, "text", None) for r in pooled]
    assert [getattr(r, "title", None) for r in pooled][:2] == ["Story 0", "Story 1"]
    assert pooled[-1].text is None


def test_raw_html_is_stored_compressed_and_not_hashed(tmp_path: Path) -> None:
    path = tmp_path / "seals.html"
    path.write_text(page(), encoding="utf-8")
    [article] = list(read_path(path))
    twin = Article(
        **{
            **{f: getattr(article, f) for f in article.__slots__},
            "extra": {k: v for k, v in article.extra.items() if not k.startswith("_")},
        }
    )
    assert meta_hash(article) == meta_hash(twin)
    with Desk(tmp_path / "s.db", workers=1) as desk:
        assert desk.ingest_files([path]).added == 1
        html, extractor = desk.store.db.execute("SELECT html, extractor FROM raw_html").fetchone()
        assert zlib.decompress(html).decode() == page()
        assert extractor.startswith("trafilatura ")
        (extra,) = desk.store.db.execute("SELECT extra FROM articles").fetchone()
        assert "_html" not in json.loads(extra)
        # The same page again, with a different ad slot: nothing to update.
        path.write_text(page().replace("<footer>", "<footer>Advert 2. "), encoding="utf-8")
        again = desk.ingest_files([path])
        assert (again.added, again.updated, again.unchanged) == (0, 0, 1)


def test_jsonl_html_records_keep_their_page(tmp_path: Path) -> None:
    path = tmp_path / "a.jsonl"
    path.write_text(json.dumps({"id": "np-1", "url": SEALS, "html": page()}) + "\n")
    with Desk(tmp_path / "s.db", workers=1) as desk:
        assert desk.ingest_files([path]).added == 1
        assert desk.store.db.execute("SELECT count(*) FROM raw_html").fetchone() == (1,)
        assert desk.article("np-1").extra["links"] == ["https://www.dailyclarion.example/seals"]
        redo = desk.reextract()
        assert (redo.unchanged, redo.updated) == (1, 0)


def test_reextract_keeps_stored_fields_the_page_lacks(tmp_path: Path) -> None:
    path = tmp_path / "a.jsonl"
    html = page(url=None).replace("<title>", "<title>X")
    record = {"id": "np-1", "url": SEALS, "outlet": "own-outlet", "html": html}
    path.write_text(json.dumps(record) + "\n")
    with Desk(tmp_path / "s.db", workers=1) as desk:
        desk.ingest_files([path])
        desk.store.db.execute("UPDATE articles SET text = 'old', text_hash = 'old'")
        assert desk.reextract().updated == 1
        article = desk.article("np-1")
        assert article.outlet == "own-outlet" and article.url == SEALS
        assert "forty-two" in article.text


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.binary(max_size=3000) | st.text(max_size=3000).map(lambda t: t.encode()))
def test_fuzz_random_bytes_as_html(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "fuzz.html"
    path.write_bytes(data)
    items = list(read_path(path))
    assert len(items) >= 1 and all(isinstance(i, Article | Rejection) for i in items)


@settings(max_examples=30, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                "<div>",
                "</div>",
                "<p>",
                "<a href='x'>",
                "</a>",
                "<figure>",
                "<figcaption>",
                "text ",
                "<script>",
                "<!--",
                "-->",
                "&amp;",
                "<table><tr><td>",
                "\x00",
                "é",
                "<svg>",
            ]
        ),
        max_size=300,
    )
)
def test_fuzz_html_soup(parts: list[str]) -> None:
    [result] = extract_many(["<html><body>" + "".join(parts) + "</body></html>"])
    assert result is not None


def test_trace_keeps_the_links_of_a_page(tmp_path: Path) -> None:
    from copydesk.reading import read_single

    path = tmp_path / "seals.html"
    path.write_text(page(), encoding="utf-8")
    article = read_single(path)
    assert article.extra["links"] == ["https://www.dailyclarion.example/seals"]
    assert "_html" not in article.extra


def test_cli_ingest_folder_and_archive(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from copydesk.cli import app
    from webpages import write_warc

    folder = tmp_path / "pages"
    folder.mkdir()
    (folder / "a.html").write_text(page("A", url="https://a.example/a"), encoding="utf-8")
    (folder / "bad.html").write_text("<html><body></body></html>", encoding="utf-8")
    warc = write_warc(tmp_path / "c.warc.gz", [{"url": SEALS, "body": page().encode()}])
    db = tmp_path / "s.db"
    runner = CliRunner()
    result = runner.invoke(
        app, ["ingest", "--db", str(db), "--workers", "1", str(folder), str(warc)]
    )
    assert result.exit_code == 1  # bad.html is rejected, the rest stored
    assert "bad.html" in result.output
    with Desk(db) as desk:
        assert desk.store.count() == 2


_UNDATED = (
    "<html><head><title>Bridge vote</title></head><body><article><h1>Bridge vote</h1>"
    "<p>{lead}</p><p>"
    + "The council voted on Tuesday to rebuild the old bridge, officials said. " * 6
    + "{tail}</p></article></body></html>"
)


@pytest.mark.parametrize(
    ("lead", "tail", "date"),
    [
        ("Published 12 March 2021", "", "2021-03-12"),  # a full date in the text
        ("By Ann Lee | March 12, 2021", "", "2021-03-12"),
        ("", "About 2000 people came to watch.", None),  # a number, not a date
        ("", "Copyright 2019 Bridge Weekly.", None),  # a copyright year
        ("", "Since March 2010 the bridge has been shut.", None),  # a month
    ],
)
def test_a_page_date_is_never_a_bare_year_or_month(lead: str, tail: str, date: str | None) -> None:
    found = extract_html(_UNDATED.format(lead=lead, tail=tail)).date
    assert (found[:10] if found else None) == date


def test_markup_date_wins_over_the_text() -> None:
    page = _UNDATED.format(lead="Published 12 March 2021", tail="").replace(
        "<title>", '<meta property="article:published_time" content="2021-03-14T09:30:00Z"><title>'
    )
    assert extract_html(page).date.startswith("2021-03-14")
