"""The command line: each command, its exit status, and bad input."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from copydesk import Desk
from copydesk.cli import app
from copydesk.demo import ARTICLES as DEMO_ARTICLES

runner = CliRunner()
ARTICLES = str(DEMO_ARTICLES)


def run(*args: str, input: str | None = None):
    return runner.invoke(app, list(args), input=input)


@pytest.fixture()
def db(tmp_path: Path) -> str:
    path = str(tmp_path / "cli.db")
    result = run("ingest", "--db", path, "--workers", "1", ARTICLES)
    assert result.exit_code == 0, result.output
    return path


def test_ingest_then_scan_prints_verdicts_as_json_lines(db: str) -> None:
    result = run("scan", "--db", db, "--json", "--workers", "1")
    assert result.exit_code == 0, result.output
    lines = [json.loads(x) for x in result.stdout.splitlines() if x.startswith("{")]
    assert {v["article"] for v in lines} >= {"cs-001", "hh-001", "vg-001"}
    assert all(v["sources"] or v["signals"] for v in lines)
    alone = {v["article"] for v in lines if not v["sources"]}
    assert alone == {"cs-004"}  # its source is not in the corpus, but its marks are
    again = run("scan", "--db", db, "--json")
    assert "scanned 0 new" in again.stderr
    assert [json.loads(x) for x in again.stdout.splitlines() if x.startswith("{")] == lines


def test_scan_table_and_report_file(db: str, tmp_path: Path) -> None:
    report = tmp_path / "report.jsonl"
    result = run("scan", "--db", db, "--report", str(report))
    assert result.exit_code == 0
    assert "cs-001" in result.stdout and "duplicate" in result.stdout
    assert len(report.read_text().splitlines()) >= 10


def test_scan_since_filters_by_publication_date(db: str) -> None:
    run("scan", "--db", db)
    result = run("scan", "--db", db, "--json", "--since", "2026-03-09")
    dates = [json.loads(x)["published"] for x in result.stdout.splitlines() if x.startswith("{")]
    assert dates and all(d >= "2026-03-09" for d in dates)
    bad = run("scan", "--db", db, "--since", "next tuesday")
    assert bad.exit_code == 2 and "--since" in bad.stderr


def test_include_same_outlet_shows_own_boilerplate(db: str) -> None:
    run("scan", "--db", db)
    plain = run("scan", "--db", db, "--json").stdout
    more = run("scan", "--db", db, "--json", "--include-same-outlet").stdout
    assert '"np-010"' not in plain and '"np-010"' in more


def test_ingest_reports_bad_records_by_file_and_line_and_keeps_the_rest(tmp_path: Path) -> None:
    good = {"id": "g1", "url": "https://a.example/1", "text": "A fine story about a harbour."}
    path = tmp_path / "mixed.jsonl"
    with path.open("wb") as fh:
        fh.write((json.dumps(good) + "\n").encode())
        fh.write(b'{"id": "broken", "text": \n')
        fh.write((json.dumps({"id": "empty", "text": "  "}) + "\n").encode())
        fh.write(b'{"id": "latin", "text": "caf\xe9"}\n')
        fh.write((json.dumps({**good, "id": "g2", "mood": "sunny"}) + "\n").encode())
    db = str(tmp_path / "m.db")
    result = run("ingest", "--db", db, str(path))
    assert result.exit_code == 1
    assert f"{path}:2" in result.stderr and "invalid JSON" in result.stderr
    assert f"{path}:3" in result.stderr and "empty" in result.stderr
    assert f"{path}:4" in result.stderr and "UTF-8" in result.stderr
    assert "mood" in result.stderr  # an unknown field is a warning, the record is kept
    with Desk(db) as desk:
        assert desk.store.count() == 2


def test_ingest_binary_file_is_rejected_whole(tmp_path: Path) -> None:
    path = tmp_path / "photo.jsonl"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 10)
    result = run("ingest", "--db", str(tmp_path / "b.db"), str(path))
    assert result.exit_code == 1
    assert "binary" in result.stderr


def test_ingest_from_stdin(tmp_path: Path) -> None:
    line = json.dumps({"id": "s1", "outlet": "x.example", "text": "Read from a pipe."})
    db = str(tmp_path / "s.db")
    result = run("ingest", "--db", db, "-", input=line + "\n")
    assert result.exit_code == 0, result.output
    with Desk(db) as desk:
        assert desk.article("s1").outlet == "x.example"


def test_store_that_is_not_a_store_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("these are my notes, not a database\n" * 100)
    result = run("scan", "--db", str(path))
    assert result.exit_code == 2
    assert "not a copydesk store" in result.stderr


def test_trace_plain_text_json_and_html(db: str, tmp_path: Path) -> None:
    with Desk(db) as desk:
        source = desk.article("dc-003")
    body = "\n\n".join(source.text.split("\n\n")[:5])
    plain = tmp_path / "pasted.txt"
    plain.write_text(body)
    as_json = tmp_path / "one.json"
    as_json.write_text(json.dumps({"id": "j1", "outlet": "else.example", "text": body}))
    html = tmp_path / "page.html"
    paras = "".join(f"<p>{p}</p>" for p in body.split("\n\n"))
    html.write_text(
        f"<html><head><title>T</title></head><body><article>{paras}</article></body></html>"
    )
    for path in (plain, as_json, html):
        result = run("trace", "--db", db, "--json", str(path))
        assert result.exit_code == 0, result.output
        verdict = json.loads(result.stdout)
        assert "dc-003" in {s["source"] for s in verdict["sources"]}, path
    stdin = run("trace", "--db", db, "--json", "-", input=body)
    assert "dc-003" in stdin.stdout


def test_trace_of_empty_input_fails_clearly(db: str, tmp_path: Path) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_text("   \n")
    result = run("trace", "--db", db, str(empty))
    assert result.exit_code == 2 and str(empty) in result.stderr


def test_show_side_by_side(db: str) -> None:
    run("scan", "--db", db)
    result = run("show", "--db", db, "cs-002")
    assert result.exit_code == 0
    assert "dc-002" in result.stdout and "cs-002" in result.stdout
    assert "not in the source" in result.stdout  # the borrowed masthead
    missing = run("show", "--db", db, "no-such-id")
    assert missing.exit_code == 1 and "no-such-id" in missing.stderr


def _article_lines(n: int) -> str:
    words = [f"w{i}" for i in range(5000)]
    lines = []
    for i in range(n):
        text = " ".join(words[(i * 7 + j * 13) % 5000] for j in range(120))
        lines.append(json.dumps({"id": f"a{i}", "outlet": f"o{i % 9}.example", "text": text}))
    return "\n".join(lines) + "\n"


def _children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(x) for x in path.read_text().split()] if path.exists() else []


def _alive(pid: int) -> bool:
    """Running, not merely a zombie waiting to be reaped."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, IndexError):
        return False
    return state != "Z"


def test_killed_ingest_leaves_a_usable_store_and_resumes(tmp_path: Path) -> None:
    data = tmp_path / "many.jsonl"
    data.write_text(_article_lines(30_000))
    db = tmp_path / "k.db"
    cmd = [sys.executable, "-m", "copydesk", "ingest", "--db", str(db), "--workers", "2"]
    proc = subprocess.Popen([*cmd, str(data)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:  # kill it once the first batches are in
        time.sleep(0.2)
        try:
            with sqlite3.connect(db) as con:
                if con.execute("SELECT count(*) FROM articles").fetchone()[0] > 0:
                    break
        except sqlite3.Error:
            continue
    workers = _children(proc.pid)
    assert len(workers) == 2
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    deadline = time.monotonic() + 10  # its pool workers notice and leave too
    while any(_alive(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(_alive(pid) for pid in workers)
    with sqlite3.connect(db) as con:
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        partial = con.execute("SELECT count(*) FROM articles").fetchone()[0]
    assert 0 < partial <= 30_000
    result = run("ingest", "--db", str(db), str(data))
    assert result.exit_code == 0
    with Desk(db) as desk:
        assert desk.store.count() == 30_000


def test_outlets_flags_the_content_farm(db: str, tmp_path: Path) -> None:
    run("scan", "--db", db)
    table = run("outlets", "--db", db)
    assert table.exit_code == 0 and "capitalsentinel.net" in table.stdout
    rows = [json.loads(x) for x in run("outlets", "--db", db, "--json").stdout.splitlines()]
    farm = next(r for r in rows if r["outlet"] == "capitalsentinel.net")
    assert farm["flagged"] and farm["reasons"]
    assert not next(r for r in rows if r["outlet"] == "wendvalleygazette.co.uk")["flagged"]
    csv_out = run("outlets", "--db", db, "--csv").stdout
    assert csv_out.splitlines()[0].startswith("outlet,")


def test_network_exports(db: str, tmp_path: Path) -> None:
    run("scan", "--db", db)
    g, x, c = tmp_path / "n.graphml", tmp_path / "n.gexf", tmp_path / "n.csv"
    result = run("network", "--db", db, "--graphml", str(g), "--gexf", str(x), "--csv", str(c))
    assert result.exit_code == 0, result.output
    assert "capitalsentinel.net" in g.read_text() and "capitalsentinel.net" in x.read_text()
    assert (tmp_path / "n-nodes.csv").exists()
    assert run("network", "--db", db).exit_code == 2


def test_quotes_lists_exclusives(db: str) -> None:
    result = run("quotes", "--db", db, "--json", "--limit", "500")
    assert result.exit_code == 0
    records = [json.loads(x) for x in result.stdout.splitlines()]
    exclusive = [r for r in records if r["exclusive_to"] == "dailyclarion.com"]
    assert exclusive and any(
        a["outlet"] == "capitalsentinel.net" for r in exclusive for a in r["later"]
    )
