"""The web app and HTTP API over a store built from the demo corpus."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest

pytest.importorskip("fastapi")
pytest.importorskip("httpx")

from fastapi.testclient import TestClient
from typer.testing import CliRunner

from copydesk import Desk
from copydesk.cli import app as cli_app
from copydesk.demo import ARTICLES
from copydesk.reading import read_path
from copydesk.web.app import create_app
from copydesk.web.queries import Filters, fts_query, search
from copydesk.web.security import MAX_REQUEST_BYTES, is_loopback
from hostile import EVIL_ID, EVIL_OUTLET, IMG, SCRIPT, hostile_record

LOCAL = "http://127.0.0.1:8000"  # the Host a loopback server answers to


@pytest.fixture(scope="module")
def store_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("web") / "demo.db"
    with Desk(path, workers=1) as desk:
        summary = desk.ingest(read_path(ARTICLES))
        assert summary.rejected == []
        desk.scan()
    return path


@pytest.fixture(scope="module")
def client(store_path: Path) -> Iterator[TestClient]:
    with TestClient(create_app(store_path), base_url=LOCAL) as c:
        response = c.post("/api/articles", json=hostile_record())
        assert response.status_code == 200, response.text
        yield c


# -- API -----------------------------------------------------------------------------------


def test_list_articles_paginates(client: TestClient) -> None:
    first = client.get("/api/articles", params={"limit": 10}).json()
    assert first["total"] == 56 and first["limit"] == 10 and first["offset"] == 0
    assert len(first["items"]) == 10
    second = client.get("/api/articles", params={"limit": 10, "offset": 10}).json()
    assert {i["id"] for i in first["items"]}.isdisjoint(i["id"] for i in second["items"])
    last = client.get("/api/articles", params={"limit": 10, "offset": 50}).json()
    assert len(last["items"]) == 6
    everything = client.get("/api/articles", params={"limit": 200}).json()
    assert len(everything["items"]) == 56
    item = next(i for i in everything["items"] if i["id"] == "cs-001")
    assert item["relation"] == "duplicate" and item["credit"] == "stripped"


@pytest.mark.parametrize(
    "params",
    [{"limit": 0}, {"limit": 201}, {"offset": -1}, {"limit": "many"}, {"relation": "stolen"}],
)
def test_list_articles_rejects_bad_paging_and_filters(client: TestClient, params: dict) -> None:
    response = client.get("/api/articles", params=params)
    assert response.status_code == 400
    body = response.json()
    assert isinstance(body["detail"], str) and body["detail"]


def test_list_articles_filters(client: TestClient) -> None:
    def ids(**params: str) -> set[str]:
        body = client.get("/api/articles", params={"limit": 200, **params}).json()
        return {i["id"] for i in body["items"]}

    assert ids(q="boiler") == {"dc-001", "cs-001"}
    assert ids(q="boiler", outlet="capitalsentinel.net") == {"cs-001"}
    assert ids(credit="stripped") == {"cs-001", "cs-002", "cs-003", "vd-001"}
    assert ids(relation="rewrite") == {"vd-001", "cs-003"}  # cs-003: after the rewrite too
    assert ids(relation="translation") == {"nv-001"}
    assert ids(relation="syndicated") - {EVIL_ID} == {
        "vg-001", "vg-002", "vg-003", "vg-004", "at-004", "hh-006", "wd-005"
    }  # fmt: skip
    assert "hh-003" in ids(relation="partial")
    assert "np-003" in ids(relation="none") and "cs-001" not in ids(relation="none")
    march_2 = ids(date_from="2026-03-02", date_to="2026-03-03")
    assert "cs-001" in march_2 and "dc-001" in march_2 and "cs-003" not in march_2
    assert ids(q="kayakers lifeboat") == {"ke-002", "hh-002"}
    weird = client.get("/api/articles", params={"q": '"NEAR( * : OR title:x AND'})
    assert weird.status_code == 200  # FTS syntax is taken as words, never an error
    bad = client.get("/api/articles", params={"date_from": "yesterday-ish"})
    assert bad.status_code == 400 and "date_from" in bad.json()["detail"]


def test_get_article_and_verdict(client: TestClient, store_path: Path) -> None:
    article = client.get("/api/articles/cs-001").json()
    assert article["outlet"] == "capitalsentinel.net" and article["text"].startswith("Capital")
    verdict = client.get("/api/articles/cs-001/verdict").json()
    with Desk(store_path) as desk:
        assert verdict == json.loads(json.dumps(desk.verdict("cs-001").to_json()))
    assert verdict["sources"][0]["source"] == "dc-001"
    assert verdict["sources"][0]["credit"] == "stripped"
    original = client.get("/api/articles/np-003/verdict").json()
    assert original["article"] == "np-003" and original["sources"] == []


@pytest.mark.parametrize(
    "path",
    ["/api/articles/nope", "/api/articles/nope/verdict", "/api/outlets/nowhere.example"],
)
def test_unknown_ids_are_404_with_a_message(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 404
    assert "nope" in response.json()["detail"] or "nowhere" in response.json()["detail"]


def test_trace_returns_a_verdict_and_stores_nothing(client: TestClient) -> None:
    text = client.get("/api/articles/dc-001").json()["text"]
    before = client.get("/api/articles", params={"limit": 1}).json()["total"]
    response = client.post(
        "/api/trace",
        json={"text": text, "outlet": "copycat.example", "published": "2026-03-04T10:00:00Z"},
    )
    assert response.status_code == 200
    verdict = response.json()
    assert verdict["outlet"] == "copycat.example"
    assert verdict["sources"][0]["source"] == "dc-001"
    assert verdict["sources"][0]["coverage"] > 0.9
    assert client.get("/api/articles", params={"limit": 1}).json()["total"] == before


@pytest.mark.parametrize(
    "body",
    [{}, {"text": ""}, {"text": "   "}, {"text": 5}, {"text": "x", "published": "not a date"}],
)
def test_trace_rejects_bad_input(client: TestClient, body: dict) -> None:
    response = client.post("/api/trace", json=body)
    assert response.status_code == 422
    assert response.json()["detail"]


def test_post_articles_ingests_scans_and_reports_rejections(client: TestClient) -> None:
    text = client.get("/api/articles/np-004").json()["text"]
    records = [
        {"id": "copy-np-004", "outlet": "lazy.example", "published": "2026-03-09", "text": text},
        {"id": "no-text"},
        "not an object",
    ]
    response = client.post("/api/articles", json=records)
    assert response.status_code == 200
    summary = response.json()
    assert summary["added"] == 1 and summary["scanned"] == 1 and summary["pairs"] >= 1
    assert [r["index"] for r in summary["rejected"]] == [2, 3]
    assert "text" in summary["rejected"][0]["reason"]
    verdict = client.get("/api/articles/copy-np-004/verdict").json()
    assert verdict["sources"][0]["source"] == "np-004"
    again = client.post("/api/articles", json=records[0]).json()
    assert again["unchanged"] == 1 and again["added"] == 0
    assert client.post("/api/articles", json=[]).status_code == 422
    assert client.post("/api/articles", content=b"{not json", headers={
        "content-type": "application/json"}).status_code == 422  # fmt: skip


def test_outlets_and_network(client: TestClient) -> None:
    outlets = client.get("/api/outlets").json()
    farm = next(p for p in outlets if p["outlet"] == "capitalsentinel.net")
    assert farm["flagged"] and farm["credit"]["stripped"] == 3
    one = client.get("/api/outlets/capitalsentinel.net").json()
    assert one == farm
    network = client.get("/api/network").json()
    edge = next(
        e
        for e in network["edges"]
        if e["copier"] == "capitalsentinel.net" and e["source"] == "dailyclarion.com"
    )
    assert edge["weight"] == 3 and edge["stripped"] == 3
    assert any(n["outlet"] == "northernpost.co.uk" for n in network["nodes"])


def test_openapi_and_docs(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    for path in ("/api/articles", "/api/trace", "/api/network", "/api/outlets"):
        assert path in schema["paths"]
    docs = client.get("/docs")
    assert docs.status_code == 200 and "/api/articles" in docs.text
    assert "cdn" not in docs.text.lower()


# -- limits and security -------------------------------------------------------------------


def test_security_headers_on_pages_api_static_and_errors(client: TestClient) -> None:
    for path in ("/", "/api/articles", "/static/style.css", "/articles/nope", "/api/nope"):
        response = client.get(path)
        csp = response.headers["content-security-policy"]
        assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp
        assert response.headers["x-content-type-options"] == "nosniff"


def test_request_size_limit(store_path: Path) -> None:
    assert MAX_REQUEST_BYTES == 5_000_000
    with TestClient(create_app(store_path, max_request_bytes=2000), base_url=LOCAL) as small:
        big = {"text": "word " * 1000}
        response = small.post("/api/trace", json=big)
        assert response.status_code == 413 and "limit" in response.json()["detail"]

        def chunks() -> Iterator[bytes]:  # no Content-Length: counted as it streams
            yield b'{"text": "'
            for _ in range(100):
                yield b"word " * 10
            yield b'"}'

        streamed = small.post(
            "/api/trace", content=chunks(), headers={"content-type": "application/json"}
        )
        assert streamed.status_code == 413
        form = small.post("/trace", data={"text": "word " * 1000})
        assert form.status_code == 413
        assert small.post("/api/trace", json={"text": "a short text"}).status_code == 200
    with TestClient(create_app(store_path), base_url=LOCAL) as default:
        huge = default.post(
            "/api/trace",
            content=b"x" * (MAX_REQUEST_BYTES + 1),
            headers={"content-type": "application/json"},
        )
        assert huge.status_code == 413


def test_cross_origin_writes_are_refused(client: TestClient) -> None:
    response = client.post(
        "/api/trace", json={"text": "hello there"}, headers={"origin": "https://evil.example"}
    )
    assert response.status_code == 403
    same = client.post("/api/trace", json={"text": "hello there"}, headers={"origin": LOCAL})
    assert same.status_code == 200


def test_non_loopback_bind_needs_a_token(store_path: Path) -> None:
    assert is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("localhost")
    assert not is_loopback("0.0.0.0") and not is_loopback("192.168.1.5")
    with pytest.raises(ValueError, match="token"):
        create_app(store_path, bind_host="0.0.0.0")
    with pytest.raises(ValueError, match="token"):
        create_app(store_path, bind_host="10.0.0.2", token="")
    record = {"id": "tok-1", "outlet": "t.example", "text": "A short story about a token. " * 5}
    server = create_app(store_path, bind_host="0.0.0.0", token="s3cret")
    with TestClient(server, base_url=LOCAL) as c:
        missing = c.post("/api/articles", json=record)
        assert missing.status_code == 401 and "token" in missing.json()["detail"]
        wrong = c.post("/api/articles", json=record, headers={"authorization": "Bearer nope"})
        assert wrong.status_code == 401
        ok = c.post("/api/articles", json=record, headers={"authorization": "Bearer s3cret"})
        assert ok.status_code == 200 and ok.json()["added"] == 1
        # reading and tracing need no token
        assert c.get("/api/articles/tok-1").status_code == 200
        assert c.post("/api/trace", json={"text": "something new"}).status_code == 200
        # storing a trace from the form needs it too
        form = {"text": "Another short story, stored from the form. " * 5, "store": "1"}
        assert c.post("/trace", data=form).status_code == 401
        stored = c.post("/trace", data={**form, "token": "s3cret"}, follow_redirects=False)
        assert stored.status_code == 303


def test_serve_refuses_non_loopback_without_token(store_path: Path) -> None:
    result = CliRunner().invoke(cli_app, ["serve", "--db", str(store_path), "--host", "0.0.0.0"])
    assert result.exit_code == 2
    assert "token" in result.output


# -- pages ---------------------------------------------------------------------------------


def test_pages_render(client: TestClient) -> None:
    for path in ("/", "/?q=boiler", "/trace", "/outlets", "/network", "/docs"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert response.headers["content-type"].startswith("text/html")
    search_page = client.get("/", params={"q": "boiler", "credit": "stripped"}).text
    assert "cs-001" in search_page and "dc-001" not in search_page
    assert client.get("/", params={"page": 2}).status_code == 200
    assert "date from" in client.get("/", params={"date_from": "soon"}).text


def test_article_page_marks_cs001(client: TestClient) -> None:
    page = client.get("/articles/cs-001").text
    assert 'id="copy-p0"' in page and 'href="#src-p0"' in page
    assert 'id="src-p0"' in page and 'href="#copy-p0"' in page
    assert page.count("mark-removed") >= 3  # the three removed credits in the source
    assert "mark-cut" in page  # where the credit was cut in the copy
    assert "mark-boilerplate" in page and "(Image: Lensbank)" in page
    assert "mark-dangling" in page
    assert "credit stripped" in page and "dc-001" in page
    other = client.get("/articles/hh-003").text
    assert "ke-003" in other
    assert client.get("/articles/nope").status_code == 404
    assert "no article" in client.get("/articles/nope").text


def test_article_page_lists_other_sources_and_reusers(client: TestClient) -> None:
    with Desk(client.app.state.settings.db_path) as desk:
        multi = next(v for v in desk.verdicts() if len(v.sources) > 1)
    page = client.get(f"/articles/{multi.article}").text
    assert "Other sources" in page
    for match in multi.sources[1:]:
        assert match.source in page
    chosen = client.get(f"/articles/{multi.article}", params={"source": multi.sources[1].source})
    assert f'source: <a href="/articles/{multi.sources[1].source}"' in chosen.text
    original = client.get("/articles/dc-001").text
    assert "Reused by" in original and "cs-001" in original


def test_outlet_page(client: TestClient) -> None:
    page = client.get("/outlets/capitalsentinel.net").text
    assert "flagged" in page and "dailyclarion.com" in page
    assert '<svg class="timeline"' in page and page.count('<circle class="dot') == 5
    assert client.get("/outlets/nowhere.example").status_code == 404


def test_trace_form_paste_and_upload(client: TestClient) -> None:
    text = client.get("/api/articles/dc-003").json()["text"]
    before = client.get("/api/articles", params={"limit": 1}).json()["total"]
    pasted = client.post("/trace", data={"text": text, "outlet": "paste.example"})
    assert pasted.status_code == 200
    assert "Traced, not stored" in pasted.text and "dc-003" in pasted.text
    html = "<html><head><title>Copied</title></head><body><article><h1>Copied</h1>" + "".join(
        f"<p>{p}</p>" for p in text.split("\n\n")
    ) + "</article></body></html>"  # fmt: skip
    uploaded = client.post(
        "/trace", files={"file": ("page.html", html.encode(), "text/html")}, data={"text": ""}
    )
    assert uploaded.status_code == 200 and "dc-003" in uploaded.text
    assert client.get("/api/articles", params={"limit": 1}).json()["total"] == before
    empty = client.post("/trace", data={"text": "  "})
    assert empty.status_code == 422 and "empty" in empty.text
    binary = client.post("/trace", files={"file": ("x.html", b"\xff\xfe\x00bad", "text/html")})
    assert binary.status_code == 422


def test_trace_form_can_store(client: TestClient) -> None:
    text = client.get("/api/articles/ke-004").json()["text"]
    response = client.post(
        "/trace",
        data={"text": text, "outlet": "keeper.example", "store": "1",
              "url": "https://keeper.example/fish"},
        follow_redirects=False,
    )  # fmt: skip
    assert response.status_code == 303
    location = response.headers["location"]
    assert location == "/articles/" + quote("https://keeper.example/fish", safe="")
    page = client.get(location)
    assert page.status_code == 200 and "ke-004" in page.text


# -- untrusted text ------------------------------------------------------------------------


def _assert_escaped(body: str, where: str) -> None:
    lowered = body.lower()
    assert "<script>alert" not in lowered, where
    assert "<img src=x" not in lowered, where
    assert "onerror=alert" not in lowered.replace("onerror=alert(1)&gt;", ""), where
    assert 'href="javascript:' not in lowered, where


def test_hostile_article_is_escaped_everywhere(client: TestClient) -> None:
    evil_outlet = "/outlets/" + quote(EVIL_OUTLET, safe="")
    pages = {
        "search": client.get("/").text,
        "search q": client.get("/", params={"q": "alert strike"}).text,
        "search outlet": client.get("/", params={"outlet": EVIL_OUTLET}).text,
        "article": client.get(f"/articles/{EVIL_ID}").text,
        "source": client.get("/articles/dc-002").text,
        "outlet": client.get(evil_outlet).text,
        "outlets": client.get("/outlets").text,
        "network": client.get("/network").text,
        "trace": client.post("/trace", data={"text": hostile_record()["text"]}).text,
        "trace title": client.post(
            "/trace", data={"text": "short", "title": SCRIPT, "outlet": IMG}
        ).text,
        "error": client.get("/articles/" + quote(SCRIPT, safe="")).text,
    }
    for name, body in pages.items():
        _assert_escaped(body, name)
    article = pages["article"]
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in article
    assert "&lt;img src=x onerror=alert(1)&gt;" in article
    assert "dc-002" in article and 'data-p="0"' in article
    assert "&lt;script&gt;" in pages["outlet"] and "&lt;script&gt;" in pages["search q"]
    api = client.get(f"/api/articles/{EVIL_ID}")
    assert api.headers["content-type"].startswith("application/json")


def test_snippets_escape_text_but_mark_hits(store_path: Path) -> None:
    with Desk(store_path) as desk:
        page = search(desk.store, Filters(q="alert"))
    assert any(h.id == EVIL_ID for h in page.items)
    assert fts_query('foo" OR bar*') == '"foo" "OR" "bar"*'
    assert fts_query("!!!") is None


# -- the FTS migration ---------------------------------------------------------------------


def test_fts_follows_inserts_updates_and_migrates_old_stores(tmp_path: Path) -> None:
    from copydesk.model import Article
    from copydesk.store.schema import MIGRATIONS, SCHEMA_VERSION

    path = tmp_path / "fts.db"
    with Desk(path, workers=1) as desk:
        desk.ingest([Article(id="a1", text="The harbour wall collapsed overnight.", title="Wall")])
        assert [h.id for h in search(desk.store, Filters(q="harbour")).items] == ["a1"]
        desk.ingest([Article(id="a1", text="The pier reopened on Saturday.", title="Pier")])
        assert search(desk.store, Filters(q="harbour")).total == 0
        assert [h.id for h in search(desk.store, Filters(q="pier")).items] == ["a1"]
        desk.store.db.execute("DELETE FROM articles WHERE id = 'a1'")
        assert search(desk.store, Filters(q="pier")).total == 0
    # a store from before migration 3 (schema version 2) gets its FTS table filled
    old = tmp_path / "old.db"
    db = sqlite3.connect(old, isolation_level=None)
    for script in MIGRATIONS[:2]:
        db.executescript(script)
    db.execute(
        "INSERT INTO articles (key, id, title, text, text_hash, meta_hash, n_words, anchors, "
        "bands, ingested_at) VALUES (1, 'b2', 'Lamp', 'Lighthouse keepers strike for pay.', "
        "'x', 'y', 5, x'', x'', '2026-03-01T00:00:00Z')"
    )
    db.execute("PRAGMA user_version = 2")
    db.close()
    with Desk(old) as desk:
        assert desk.store.schema_version == SCHEMA_VERSION >= 3
        assert [h.id for h in search(desk.store, Filters(q="lighthouse")).items] == ["b2"]
        assert [h.id for h in search(desk.store, Filters(q="lamp")).items] == ["b2"]


def test_an_empty_store_renders_every_page(tmp_path: Path) -> None:
    with TestClient(create_app(tmp_path / "empty.db"), base_url=LOCAL) as c:
        for path in ("/", "/?q=anything", "/trace", "/outlets", "/network", "/docs"):
            assert c.get(path).status_code == 200, path
        assert c.get("/api/articles").json() == {"total": 0, "limit": 50, "offset": 0, "items": []}
        assert c.get("/api/network").json() == {"nodes": [], "edges": []}
        assert (
            c.post("/api/trace", json={"text": "Nothing to compare with."}).json()["sources"] == []
        )


def test_a_date_alone_as_end_bound_takes_the_whole_day(client: TestClient) -> None:
    body = client.get("/api/articles", params={"date_to": "2026-03-02", "limit": 200}).json()
    ids = {i["id"] for i in body["items"]}
    assert "cs-001" in ids  # published 21:30 that day
    page = client.get("/", params={"date_from": "2026-03-02", "date_to": "2026-03-02"}).text
    assert "cs-001" in page and "cs-003" not in page


def test_render_escapes_every_piece_and_nests_marks() -> None:
    from copydesk.web.highlight import Marks, Point, Span, render

    text = 'a <b> & "c" told that d'
    marks = Marks(
        spans=[
            Span(0, len(text), "passage", None, 0),
            Span(2, 5, "mark-boilerplate", 'x" onmouseover="alert(1)'),
        ],
        points=[Point(8, "mark-cut", "✂", "<script>")],
        anchors={0: (0, "copy-p0", "src-p0")},
    )
    html = str(render(text, marks))
    assert "<b>" not in html and "&lt;b&gt;" in html and "&amp;" in html
    assert 'onmouseover="alert' not in html and "&#34; onmouseover=&#34;" in html
    assert "<script>" not in html and 'title="&lt;script&gt;"' in html
    assert html.startswith('<a class="plink" id="copy-p0" href="#src-p0" data-p="0"')
    assert 'class="passage mark-boilerplate" data-p="0"' in html
    assert render("", Marks()) == ""


def test_the_api_relation_filter_names_every_relation_the_filters_know() -> None:
    from typing import get_args

    from copydesk.rights.filters import RELATIONS
    from copydesk.web.api import RelationFilter

    assert get_args(RelationFilter) == (*RELATIONS, "any", "none")
