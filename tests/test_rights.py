"""From a finding to a takedown, end to end on the demo corpus: review, findings for my
outlets, verdict filters, evidence packs, alerts (local webhook and SMTP servers), and
trace by URL (a local web server)."""

from __future__ import annotations

import csv
import hashlib
import hmac
import io
import json
import shutil
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import pytest
from typer.testing import CliRunner

from copydesk import Desk
from copydesk.cli import app
from copydesk.demo import ARTICLES
from copydesk.rights.alerts import SIGNATURE_HEADER, AlertConfig, deliver, queue_findings
from copydesk.rights.filters import VerdictFilter
from copydesk.web.queries import Filters, search

runner = CliRunner()
MINE = "northernpost.co.uk"


def run(*args: str):
    return runner.invoke(app, [str(a) for a in args])


@pytest.fixture(autouse=True)
def _no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy",
                 "all_proxy"):  # fmt: skip
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")


@pytest.fixture(scope="module")
def scanned(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("rights") / "demo.db"
    assert run("ingest", ARTICLES, "--db", db, "--workers", "1").exit_code == 0
    assert run("scan", "--db", db, "--workers", "1").exit_code == 0
    return db


@pytest.fixture
def db(scanned: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "demo.db"
    shutil.copy(scanned, copy)
    return copy


def lines(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


# -- findings and review ------------------------------------------------------------------


def test_findings_are_copies_of_my_outlet_newest_first(db: Path, tmp_path: Path) -> None:
    partners = tmp_path / "partners.txt"
    partners.write_text("# licensed\nwendvalleygazette.co.uk\n")
    result = run("findings", "--db", db, "--mine", MINE, "--partners", partners, "--json")
    assert result.exit_code == 0, result.output
    items = lines(result.stdout)
    assert items, "the demo corpus has copies of the Northern Post"
    with Desk(db) as desk:
        for f in items:
            assert f["source_outlet"] == MINE and f["outlet"] != MINE
            source = desk.verdict(f["copy"])
            assert any(m.source == f["source"] and m.outlet == MINE for m in source.sources)
    assert {f["licensed"] for f in items} == {True, False}
    assert all(f["licensed"] == (f["outlet"] == "wendvalleygazette.co.uk") for f in items)
    keys = [(f["first_seen"], f["published"] or "") for f in items]
    assert keys == sorted(keys, reverse=True)
    stripped = lines(run("findings", "--db", db, "--mine", MINE, "--credit", "absent",
                         "--json").stdout)  # fmt: skip
    assert stripped and all(f["credit"] == "absent" for f in stripped)
    assert len(stripped) < len(items)
    table = list(csv.DictReader(io.StringIO(run("findings", "--db", db, "--mine", MINE,
                                                "--csv").stdout)))  # fmt: skip
    assert [r["copy"] for r in table] == [f["copy"] for f in items]
    assert {r["licensed"] for r in table} == {"no"}  # no partners file this time


def test_findings_need_my_outlets(db: Path) -> None:
    result = run("findings", "--db", db)
    assert result.exit_code == 2 and "--mine" in result.output


def test_dismissal_hides_a_copy_until_its_text_changes(db: Path) -> None:
    before = lines(run("findings", "--db", db, "--mine", MINE, "--json").stdout)
    target = before[0]["copy"]
    profile_before = _reused_share(db, before[0]["outlet"])
    result = run("review", target, "--db", db, "--dismiss", "--note", "licensed in print",
                 "--by", "Ana Ruiz")  # fmt: skip
    assert result.exit_code == 0, result.output
    after = lines(run("findings", "--db", db, "--mine", MINE, "--json").stdout)
    assert target not in {f["copy"] for f in after}
    assert len(after) == len(before) - sum(f["copy"] == target for f in before)
    assert _reused_share(db, before[0]["outlet"]) < profile_before
    # the verdict itself is still there for whoever looks
    assert any(v["article"] == target for v in lines(run("verdicts", "--db", db, "--json").stdout))
    # a changed text is judged afresh
    with Desk(db, workers=1) as desk:
        article = desk.article(target)
        article.text += " An extra closing sentence was added to the page later."
        desk.ingest([article])
        desk.scan()
    again = lines(run("findings", "--db", db, "--mine", MINE, "--json").stdout)
    assert target in {f["copy"] for f in again}
    history = lines(run("reviews", "--db", db).stdout)
    assert [(h["article"], h["action"], h["reviewer"], h["current"]) for h in history] == [
        (target, "dismiss", "Ana Ruiz", False)
    ]
    assert run("review", target, "--db", db, "--confirm", "--by", "Bo").exit_code == 0
    exported = list(csv.DictReader(io.StringIO(run("reviews", "--db", db, "--csv").stdout)))
    assert [r["action"] for r in exported] == ["dismiss", "confirm"]


def _reused_share(db: Path, outlet: str) -> float:
    with Desk(db) as desk:
        profile = next(p for p in desk.outlets() if p.outlet == outlet)
    return profile.to_json()["credit"]["copies"]


def test_review_refuses_bad_input(db: Path) -> None:
    assert run("review", "np-002", "--db", db, "--by", "A").exit_code == 2
    assert run("review", "np-002", "--db", db, "--confirm", "--dismiss", "--by", "A").exit_code == 2
    assert run("review", "np-002", "--db", db, "--confirm").exit_code == 2
    missing = run("review", "no-such", "--db", db, "--confirm", "--by", "A")
    assert missing.exit_code == 1 and "no-such" in missing.output


# -- filters ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "args, f",
    [
        (["--source-outlet", MINE], VerdictFilter(source_outlet=MINE)),
        (["--credit", "absent", "--relation", "duplicate"],
         VerdictFilter(credit="absent", relation="duplicate")),
        (["--outlet", "headlinehive.net", "--min-coverage", "0.5"],
         VerdictFilter(outlet="headlinehive.net", min_coverage=0.5)),
        (["--since", "2026-03-05", "--until", "2026-03-10"], None),
    ],
)  # fmt: skip
def test_verdicts_filters_agree_with_the_web_search(db: Path, args: list[str], f) -> None:
    result = run("verdicts", "--db", db, "--json", *args)
    assert result.exit_code == 0, result.output
    got = lines(result.stdout)
    with Desk(db) as desk:
        every = list(desk.verdicts())
        if f is None:
            from copydesk.reading import parse_published

            f = VerdictFilter(date_from=parse_published("2026-03-05"),
                              date_to=parse_published("2026-03-10"))  # fmt: skip
        expected = [v for v in (f.apply(v) for v in every) if v is not None]
        web = search(desk.store, Filters(**{k: getattr(f, k) for k in f.__slots__}), limit=200)
    assert [v["article"] for v in got] == [v.article for v in expected]
    assert 0 < len(got) < len(every)
    cross = {v.article for v in expected if any(not m.same_outlet for m in v.sources)}
    assert cross <= {h.id for h in web.items}
    if f.on_match:
        assert cross == {h.id for h in web.items}
        for v in got:
            assert all(m["outlet"] == f.source_outlet for m in v["sources"] if f.source_outlet)
            assert all(m["coverage"] >= (f.min_coverage or 0) for m in v["sources"])


def test_scan_takes_the_filters_and_refuses_bad_ones(db: Path) -> None:
    result = run("scan", "--db", db, "--json", "--credit", "stripped")
    assert result.exit_code == 0
    assert all(all(m["credit"] == "stripped" for m in v["sources"]) for v in lines(result.stdout))
    bad = run("scan", "--db", db, "--relation", "copied")
    assert bad.exit_code == 2 and "relation" in bad.output
    assert run("verdicts", "--db", db, "--min-coverage", "2").exit_code == 2


# -- evidence ------------------------------------------------------------------------------


def test_evidence_pack_is_complete_and_verifies(db: Path, tmp_path: Path) -> None:
    target = lines(run("findings", "--db", db, "--mine", MINE, "--json").stdout)[0]
    out = tmp_path / "pack"
    result = run("evidence", "--db", db, target["copy"], "--out", out)
    assert result.exit_code == 0, result.output
    manifest = json.loads((out / "manifest.json").read_text())
    with Desk(db) as desk:
        copy, source = desk.article(target["copy"]), desk.article(target["source"])
    digest = hashlib.sha256(copy.text.encode()).hexdigest()
    assert manifest["articles"][0]["text_sha256"] == digest
    page = (out / "index.html").read_text()
    assert digest in page and hashlib.sha256(source.text.encode()).hexdigest() in page
    assert copy.url in page and source.url in page
    assert "<script" not in page and 'src="http' not in page and "<link" not in page
    assert 'class="passage' in page  # the article page's marks
    verdict = json.loads((out / "verdict.json").read_text())
    assert verdict["article"] == target["copy"]
    assert (out / "evidence.pdf").read_bytes().startswith(b"%PDF")
    assert run("evidence", "--verify", out).exit_code == 0
    blob = bytearray((out / "verdict.json").read_bytes())
    blob[10] ^= 1
    (out / "verdict.json").write_bytes(bytes(blob))
    check = run("evidence", "--verify", out)
    assert check.exit_code == 1 and "verdict.json" in check.output
    assert run("evidence", "--db", db, target["copy"], "--out", out).exit_code == 1  # not empty


def test_evidence_keeps_the_raw_page(tmp_path: Path) -> None:
    html = tmp_path / "page.html"
    html.write_text(
        "<html><head><title>Bridge closed</title><link rel='canonical' "
        "href='https://copier.example/bridge'></head><body><article><h1>Bridge closed</h1>"
        + "".join(f"<p>{_demo_text('np-002')[i : i + 300]}</p>" for i in range(0, 1200, 300))
        + "</article></body></html>"
    )
    db = tmp_path / "d.db"
    assert run("ingest", ARTICLES, html, "--db", db, "--workers", "1").exit_code == 0
    assert run("scan", "--db", db, "--workers", "1").exit_code == 0
    with Desk(db) as desk:
        _key, id_ = desk.store.db.execute(
            "SELECT article, (SELECT id FROM articles WHERE key = article) FROM raw_html"
        ).fetchone()
    out = tmp_path / "pack"
    assert run("evidence", "--db", db, id_, "--out", out, "--no-pdf").exit_code == 0
    raw = list((out / "raw").iterdir())
    assert len(raw) == 1 and b"Bridge closed" in raw[0].read_bytes()
    facts = json.loads((out / "manifest.json").read_text())["articles"][0]
    assert facts["raw_sha256"] == hashlib.sha256(raw[0].read_bytes()).hexdigest()
    raw[0].write_bytes(raw[0].read_bytes() + b" ")
    assert "raw/" in run("evidence", "--verify", out).output


def _demo_text(article_id: str) -> str:
    for line in ARTICLES.read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        if record["id"] == article_id:
            return record["text"]
    raise KeyError(article_id)


# -- alerts ------------------------------------------------------------------------------


class Receiver(BaseHTTPRequestHandler):
    bodies: ClassVar[list[tuple[bytes, dict[str, str]]]] = []
    fail_next = 0

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        if Receiver.fail_next > 0:
            Receiver.fail_next -= 1
            self.send_response(503)
            self.end_headers()
            return
        Receiver.bodies.append((body, dict(self.headers)))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def receiver():
    Receiver.bodies, Receiver.fail_next = [], 0
    server = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/hook"
    server.shutdown()
    server.server_close()


@pytest.fixture
def smtp_server():
    from aiosmtpd.controller import Controller

    class Handler:
        def __init__(self) -> None:
            self.messages: list[bytes] = []

        async def handle_DATA(self, server, session, envelope):
            self.messages.append(envelope.content)
            return "250 OK"

    with socket.socket() as probe:  # a free port on the loopback
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    handler = Handler()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    yield f"127.0.0.1:{port}", handler
    controller.stop()


def test_scan_alerts_webhook_signed_retried_and_deduplicated(
    db: Path, tmp_path: Path, receiver: str, smtp_server
) -> None:
    smtp, handler = smtp_server
    jsonl = tmp_path / "alerts.jsonl"
    Receiver.fail_next = 1  # the first try fails: retried with backoff
    with Desk(db) as desk:
        desk.set_setting("mine", [MINE])
        expected = {f.key for f in desk.findings()}
    args = ["scan", "--db", db, "--alert-webhook", receiver, "--alert-secret", "s3cret",
            "--alert-smtp", smtp, "--alert-to", "rights@northernpost.example",
            "--alert-jsonl", jsonl]  # fmt: skip
    result = run(*args)
    assert result.exit_code == 0, result.output
    assert len(Receiver.bodies) == len(expected) > 1  # one alert per finding
    for body, headers in Receiver.bodies:
        mac = hmac.new(b"s3cret", body, hashlib.sha256).hexdigest()
        assert headers[SIGNATURE_HEADER] == f"sha256={mac}"
        payload = json.loads(body)
        assert payload["type"] == "copydesk.findings" and len(payload["findings"]) == 1
    assert {json.loads(b)["findings"][0]["key"] for b, _ in Receiver.bodies} == expected
    assert len(handler.messages) == len(expected)
    assert b"unlicensed" in handler.messages[0]
    assert {r["key"] for r in lines(jsonl.read_text())} == expected
    # a second run sends nothing again
    assert run(*args).exit_code == 0
    assert len(Receiver.bodies) == len(expected) and len(handler.messages) == len(expected)
    assert len(lines(jsonl.read_text())) == len(expected)


def test_dismissed_and_failed_alerts(db: Path, tmp_path: Path, receiver: str) -> None:
    with Desk(db) as desk:
        found = desk.findings(mine=[MINE])
        desk.review(found[0].copy, "dismiss", by="Ana")
        desk.set_setting("mine", [MINE])
        assert queue_findings(desk.store, desk.findings()) == len(
            [f for f in found if f.copy != found[0].copy]
        )
        dead = AlertConfig(webhook="http://127.0.0.1:9/none", retries=1, backoff=0.01, timeout=1)
        first = deliver(desk.store, dead, sleep=lambda s: None)
        assert first.sent == 0 and first.failed > 0 and first.errors
        live = AlertConfig(webhook=receiver, digest=True)
        second = deliver(desk.store, live)
        assert second.sent == first.failed and len(Receiver.bodies) == 1  # one digest
        payload = json.loads(Receiver.bodies[0][0])
        assert payload["digest"] and found[0].copy not in {f["copy"] for f in payload["findings"]}
        assert SIGNATURE_HEADER not in Receiver.bodies[0][1]  # no secret, no signature
        desk.store.db.execute("UPDATE alerts SET sent_at = NULL, channels = ''")
        assert deliver(desk.store, live).waiting_for_digest > 0  # the next digest is tomorrow


def test_alert_options_are_checked(db: Path) -> None:
    assert run("scan", "--db", db, "--alert-webhook", "ftp://x").exit_code == 2
    assert run("scan", "--db", db, "--alert-smtp", "localhost:25").exit_code == 2


# -- trace by URL ------------------------------------------------------------------------


class Site(BaseHTTPRequestHandler):
    pages: ClassVar[dict[str, bytes]] = {}
    agents: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        Site.agents.append(self.headers.get("User-Agent", ""))
        body = Site.pages.get(self.path)
        if body is None:
            self.send_response(404)
            self.end_headers()
            return
        self.send_response(200)
        kind = "text/plain" if self.path == "/robots.txt" else "text/html; charset=utf-8"
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def site():
    text = _demo_text("np-002")
    paras = "".join(f"<p>{text[i : i + 400]}</p>" for i in range(0, len(text), 400))
    Site.pages = {
        "/robots.txt": b"User-agent: *\nDisallow: /private/\n",
        "/copy.html": "<html><head><title>Market row</title><meta "
        'property="article:published_time" content="2026-03-05T10:00:00Z"></head><body><article>'
        f"<h1>Market row</h1>{paras}</article></body></html>".encode(),
        "/private/copy.html": b"<html><body><p>secret</p></body></html>",
    }
    Site.agents = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), Site)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_trace_by_url_fetches_politely_and_stores_only_if_asked(db: Path, site: str) -> None:
    result = run("trace", "--db", db, "--url", f"{site}/copy.html", "--json")
    assert result.exit_code == 0, result.output
    verdict = json.loads(result.stdout)
    assert verdict["sources"][0]["source"] == "np-002"
    assert Site.agents and all(a.startswith("copydesk/") for a in Site.agents)
    with Desk(db) as desk:
        assert desk.article(f"{site}/copy.html") is None
    refused = run("trace", "--db", db, "--url", f"{site}/private/copy.html")
    assert refused.exit_code == 1 and "robots.txt" in refused.output
    stored = run("trace", "--db", db, "--url", f"{site}/copy.html", "--store", "--json")
    assert stored.exit_code == 0, stored.output
    with Desk(db) as desk:
        assert desk.article(f"{site}/copy.html") is not None
        assert desk.verdict(f"{site}/copy.html").sources[0].source == "np-002"
    assert run("trace", "--db", db).exit_code == 2


# -- the web app ---------------------------------------------------------------------------


def test_web_review_evidence_and_trace_by_url(db: Path, site: str) -> None:
    import zipfile

    from fastapi.testclient import TestClient

    from copydesk.web.app import create_app

    client = TestClient(create_app(db), base_url="http://127.0.0.1")
    page = client.get("/articles/wd-001")
    assert page.status_code == 200
    assert 'id="evidence-button"' in page.text and "not reviewed" in page.text
    posted = client.post("/articles/wd-001/review",
                         data={"action": "dismiss", "by": "Ana", "note": "fair use"},
                         follow_redirects=False)  # fmt: skip
    assert posted.status_code == 303
    assert "dismissed" in client.get("/articles/wd-001").text
    with Desk(db) as desk:
        assert [r.action for r in desk.reviews("wd-001")] == ["dismiss"]
        assert "wd-001" not in {f.copy for f in desk.findings(mine=[MINE])}
    bad = client.post("/articles/wd-001/review", data={"action": "approve", "by": "Ana"})
    assert bad.status_code == 422
    pack = client.get("/articles/wd-001/evidence.zip")
    assert pack.status_code == 200 and pack.headers["content-type"] == "application/zip"
    names = zipfile.ZipFile(io.BytesIO(pack.content)).namelist()
    assert {"index.html", "manifest.json", "verdict.json", "evidence.pdf"} <= set(names)
    assert client.get("/articles/nope/evidence.zip").status_code == 404
    traced = client.post("/trace/url", data={"fetch_url": f"{site}/copy.html"})
    assert traced.status_code == 200 and "np-002" in traced.text
    refused = client.post("/trace/url", data={"fetch_url": f"{site}/private/copy.html"})
    assert refused.status_code == 422 and "robots.txt" in refused.text
    # the search page and the API take the shared filters
    api = client.get("/api/articles", params={"source_outlet": MINE, "min_coverage": 0.9})
    assert api.status_code == 200
    items = api.json()["items"]
    with Desk(db) as desk:
        expected = [v.article for v in desk.verdicts(
            filters=VerdictFilter(source_outlet=MINE, min_coverage=0.9))]  # fmt: skip
    assert sorted(i["id"] for i in items) == sorted(expected)
    assert client.get("/", params={"source_outlet": MINE}).status_code == 200


def test_web_review_needs_the_token(db: Path) -> None:
    from fastapi.testclient import TestClient

    from copydesk.web.app import create_app

    client = TestClient(create_app(db, token="t0ken"), base_url="http://127.0.0.1")
    denied = client.post("/articles/wd-001/review", data={"action": "confirm", "by": "A"})
    assert denied.status_code == 401
    ok = client.post("/articles/wd-001/review", follow_redirects=False,
                     data={"action": "confirm", "by": "A", "token": "t0ken"})  # fmt: skip
    assert ok.status_code == 303


def test_watch_mine_alerts_new_findings_once(db: Path, site: str, tmp_path: Path) -> None:
    Site.pages["/feed.xml"] = (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>'
        f"<item><title>Market row</title><link>{site}/copy.html</link>"
        "<pubDate>Thu, 05 Mar 2026 10:00:00 GMT</pubDate></item></channel></rss>"
    ).encode()
    feeds = tmp_path / "feeds.txt"
    feeds.write_text(f"{site}/feed.xml\n")
    jsonl = tmp_path / "alerts.jsonl"
    args = ["watch", "--db", db, "--feeds", feeds, "--once", "--delay", "0", "--workers", "1",
            "--mine", MINE, "--alert-jsonl", jsonl]  # fmt: skip
    result = run(*args)
    assert result.exit_code == 0, result.output
    with Desk(db) as desk:
        assert desk.setting("mine") == [MINE]
        every = {f.key for f in desk.findings()}
    sent = lines(jsonl.read_text())
    assert {f["key"] for f in sent} == every  # the first run alerts every finding
    assert any(f["copy"] == f"{site}/copy.html" and f["source"] == "np-002" for f in sent)
    assert run(*args).exit_code == 0
    assert len(lines(jsonl.read_text())) == len(sent)  # deduplicated across runs


# -- findings follow the story's origin; licences -------------------------------------------

_PIER = (
    "The harbour board in Merrowick voted on Thursday to close the old north pier after "
    "divers found cracks in three of its concrete piles. Engineers said the pier, built in "
    "1931, could not carry the weight of the ferry cranes any longer and that repairs would "
    "cost more than a new pier. Fishing crews who tie up at the pier will move to the south "
    "basin from next month, the board said. Local councillor Dana Imrie said the decision "
    "was sad but unavoidable and asked for a public meeting on the design of the new pier "
    "before any contract is signed. "
)


def test_findings_name_my_origin_outside_the_collection(tmp_path: Path) -> None:
    """The paper's own article was never collected; a copy names it, the copy of that copy
    cuts the name: both are its findings, judged against the origin, not the copy."""
    from datetime import UTC, datetime

    from copydesk.model import Article

    credited = Article(
        id="pier-1", text=_PIER + "This article first appeared on merrowickmail.example.",
        outlet="scrapeone.example", published=datetime(2026, 3, 2, tzinfo=UTC),
    )  # fmt: skip
    cut = Article(
        id="pier-2", text=_PIER + "Read more stories like this every day on our site.",
        outlet="scrapetwo.example", published=datetime(2026, 3, 3, tzinfo=UTC),
    )  # fmt: skip
    with Desk(tmp_path / "p.db", workers=1, create=True) as desk:
        desk.ingest([credited, cut])
        desk.scan()
        items = {f.copy: f for f in desk.findings(mine=["merrowickmail.example"])}
        assert set(items) == {"pier-1", "pier-2"}
        assert {f.source for f in items.values()} == {None}  # the origin is not stored
        assert {f.source_outlet for f in items.values()} == {"merrowickmail.example"}
        assert (items["pier-1"].credit, items["pier-2"].credit) == ("credited", "stripped")
        assert items["pier-2"].took_from == "pier-1"
        assert items["pier-2"].relation == "duplicate"
        # the copier's own outlet has no findings; nor does an outlet nobody copies
        assert desk.findings(mine=["scrapeone.example"]) == []
        assert desk.findings(mine=["merrowickmail.example"], credit="stripped")[0].copy == "pier-2"


def test_partner_licences_mark_copies_and_clear_the_farm_flag(db: Path, tmp_path: Path) -> None:
    farm = "capitalsentinel.net"

    def profile() -> dict:
        rows = lines(run("outlets", "--db", db, "--json").stdout)
        return next(p for p in rows if p["outlet"] == farm)

    def verdicts() -> list[dict]:
        return lines(run("verdicts", "--db", db, "--json", "--outlet", farm).stdout)

    assert profile()["flagged"]
    assert not any(v.get("licensed") for v in verdicts())
    licences = tmp_path / "partners.txt"
    licences.write_text(
        f"# copier may carry origin\n{farm} may carry dailyclarion.com\n{farm},ambrelltimes.co.uk\n"
    )
    assert run("scan", "--db", db, "--partners", licences).exit_code == 0
    after = profile()
    assert not after["flagged"] and after["reasons"] == []
    assert after["credit"] == profile()["credit"]  # the profile itself still counts them
    marked = {v["article"]: v.get("licensed", False) for v in verdicts()}
    assert marked and all(
        licensed == any(s["outlet"] in {"dailyclarion.com", "ambrelltimes.co.uk"}
                        for s in v["sources"])
        for v in verdicts() for licensed in [marked[v["article"]]]
    )  # fmt: skip
    # a licence for one origin only leaves the others' copies counting
    licences.write_text(f"{farm} may carry ambrelltimes.co.uk\n")
    assert run("scan", "--db", db, "--partners", licences).exit_code == 0
    assert profile()["flagged"]


@pytest.mark.parametrize(
    ("text", "pairs"),
    [
        ("a.example may carry b.example\n", {("a.example", "b.example")}),
        ("copier,origin\nA.example,www.B.example # note\n", {("a.example", "b.example")}),
        ("outlet\n# mine\nc.example\n", {("c.example", None)}),
    ],
)
def test_partners_file_forms(text: str, pairs: set) -> None:
    from copydesk.rights.partners import parse_partners

    partners = parse_partners(text)
    assert set(partners.pairs) == pairs
    assert partners.licensed("c.example", "mine.example", ["mine.example"]) == (
        ("c.example", None) in pairs
    )


def test_partners_file_errors_name_the_line(tmp_path: Path) -> None:
    bad = tmp_path / "partners.txt"
    bad.write_text("a.example may carry b.example\nthe herald may carry us\n")
    result = run("findings", "--db", tmp_path / "none.db", "--mine", MINE, "--partners", bad)
    assert result.exit_code == 2
    assert "partners.txt, line 2" in result.output
