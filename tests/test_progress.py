"""Progress: the phases of ingest and scan, with their totals, as the library reports them
and as the command line shows them (on a terminal's stderr only)."""

from __future__ import annotations

import gzip
import io
from pathlib import Path

import pytest
from rich.console import Console
from typer.testing import CliRunner

from copydesk import Desk, cli
from copydesk.demo import ARTICLES
from copydesk.progress import Step, Ticker
from webpages import page, write_warc


def by_phase(steps: list[Step]) -> dict[str, list[Step]]:
    out: dict[str, list[Step]] = {}
    for step in steps:
        out.setdefault(step.phase, []).append(step)
    return out


def check_phase(steps: list[Step]) -> None:
    """One phase's steps: one total throughout, ``done`` never going back, ending at it."""
    assert len({s.total for s in steps}) == 1
    done = [s.done for s in steps]
    assert done == sorted(done)
    if steps[0].total is not None:
        assert done[-1] == steps[0].total


def test_ticker_throttles_and_ends_at_the_total() -> None:
    seen: list[Step] = []
    ticker = Ticker(seen.append, "aligning", 10_000, every=60)
    for _ in range(10_000):
        ticker.advance()
    ticker.end()
    assert seen == [Step("aligning", 0, 10_000), Step("aligning", 10_000, 10_000)]
    quiet = Ticker(None, "x", None)  # no callback: nothing to do
    quiet.advance(5)
    quiet.end()


def test_ingest_reports_bytes_of_every_kind_of_input(tmp_path: Path) -> None:
    jsonl = tmp_path / "demo.jsonl.gz"
    jsonl.write_bytes(gzip.compress(ARTICLES.read_bytes()))
    folder = tmp_path / "pages"
    folder.mkdir()
    for i in range(3):
        (folder / f"p{i}.html").write_text(page(f"Seals {i}", url=f"https://n.example/{i}"))
    warc = write_warc(
        tmp_path / "crawl.warc.gz",
        [{"url": f"https://w.example/{i}", "body": page(f"W {i}").encode()} for i in range(3)],
    )
    inputs = [jsonl, folder, warc]
    size = sum(p.stat().st_size for p in (jsonl, warc, *folder.iterdir()))
    steps: list[Step] = []
    with Desk(tmp_path / "p.db", workers=1) as desk:
        summary = desk.ingest_files(inputs, progress=steps.append)
    assert summary.added > 40
    assert {s.phase for s in steps} == {"reading"}
    assert {s.unit for s in steps} == {"bytes"} and {s.total for s in steps} == {size}
    check_phase(steps)


def test_stdin_has_no_total(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(ARTICLES.read_bytes())))
    steps: list[Step] = []
    with Desk(tmp_path / "s.db", workers=1) as desk:
        desk.ingest_files(["-"], progress=steps.append)
    assert steps and all(s.total is None for s in steps)


def test_scan_reports_each_phase_in_order_with_totals(tmp_path: Path) -> None:
    steps: list[Step] = []
    with Desk(tmp_path / "s.db", workers=1) as desk:
        desk.ingest_files([ARTICLES])
        n = desk.store.count()
        desk.scan(progress=steps.append)
        pairs = len(desk.store.match_pairs())
    phases = list(by_phase(steps))
    assert phases == [
        "candidates",
        "aligning",
        "checking pairs",
        "learning boilerplate",
        "judging",
        "signals",
        "indexing",
        "families",
        "semantic",
    ]
    for phase_steps in by_phase(steps).values():
        check_phase(phase_steps)
    totals = {p: s[0].total for p, s in by_phase(steps).items()}
    assert totals["aligning"] == totals["learning boilerplate"] == totals["signals"] == n
    assert totals["judging"] >= pairs > 0 and totals["candidates"] > 0  # some pairs judged fall
    # a phase follows the last only once it is done: no phase comes back
    order = [s.phase for s in steps]
    assert [p for i, p in enumerate(order) if i == 0 or order[i - 1] != p] == phases


def terminal(monkeypatch: pytest.MonkeyPatch) -> io.StringIO:
    """stderr as a terminal, so that the progress display is on."""
    buffer = io.StringIO()
    console = Console(file=buffer, force_terminal=True, width=120)
    monkeypatch.setattr(cli, "err", console)
    return buffer


def test_the_cli_shows_phases_totals_and_time_left(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    buffer = terminal(monkeypatch)
    runner = CliRunner()
    db = str(tmp_path / "c.db")
    size = ARTICLES.stat().st_size
    ingest = runner.invoke(cli.app, ["ingest", "--db", db, "--workers", "1", str(ARTICLES)])
    assert ingest.exit_code == 0
    shown = buffer.getvalue()
    assert "ingest: reading" in shown
    assert f"/{size / 1000:.1f} kB" in shown  # the total, from the file's size
    assert "elapsed" in shown and "0:00:00" in shown
    buffer.seek(0)
    buffer.truncate()
    articles = len(ARTICLES.read_text().splitlines())
    result = runner.invoke(cli.app, ["scan", "--db", db, "--workers", "1", "--json"])
    assert result.exit_code == 0
    shown = buffer.getvalue()
    for phase in ("candidates", "aligning", "learning boilerplate", "judging", "families"):
        assert f"scan: {phase}" in shown, phase
    assert f"/{articles} articles" in shown
    # piped output (--json) holds only the verdicts
    assert all(line.startswith('{"article"') for line in result.stdout.splitlines())


def test_no_progress_when_stderr_is_not_a_terminal(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        cli.app, ["ingest", "--db", str(tmp_path / "n.db"), "--workers", "1", str(ARTICLES)]
    )
    assert result.exit_code == 0
    assert "reading" not in result.output and "elapsed" not in result.output
