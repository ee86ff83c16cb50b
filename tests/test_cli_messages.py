"""What the command line prints: user data printed literally, plurals, refusals, tables."""

from __future__ import annotations

from pathlib import Path

import pytest
from rich.console import Console
from typer.testing import CliRunner

from copydesk.cli import app, plain, plural
from copydesk.model import Evidence, SourceMatch, Verdict
from copydesk.reports.tables import shorten, verdict_table

runner = CliRunner()


def run(*args: str):
    return runner.invoke(app, list(args))


def test_markup_in_ids_and_reasons_is_printed_literally(tmp_path: Path) -> None:
    src = tmp_path / "m[b].jsonl"
    src.write_text('{"id":"[/x]","text":""}\n{"id":"ok","text":"valid words"}\n')
    db = str(tmp_path / "m.db")
    result = run("ingest", "--db", db, "--workers", "1", str(src))
    assert result.exit_code == 1, result.output
    assert f"{src}:1 [[/x]]: text is empty" in result.output
    show = run("show", "--db", db, "[bold]")
    assert show.exit_code == 1
    assert "no article with id '[bold]'" in show.output


@pytest.mark.parametrize("command", ["scan", "show", "outlets", "quotes", "trace", "export"])
def test_reading_commands_refuse_a_missing_store(tmp_path: Path, command: str) -> None:
    db = tmp_path / "typo.db"
    extra = {"show": ["some-id"], "trace": [str(tmp_path / "a.txt")], "export": ["--csv", "x"]}
    (tmp_path / "a.txt").write_text("a few words of text")
    result = run(command, "--db", str(db), *extra.get(command, []))
    assert result.exit_code == 2, result.output
    assert f"no store at {db}; ingest first" in result.output
    assert not db.exists()


def test_trace_names_a_missing_file_once(tmp_path: Path) -> None:
    db = str(tmp_path / "t.db")
    (tmp_path / "a.jsonl").write_text('{"id":"a","text":"some words"}\n')
    assert run("ingest", "--db", db, str(tmp_path / "a.jsonl")).exit_code == 0
    result = run("trace", "--db", db, "nope.txt")
    assert result.exit_code == 2
    assert "error: nope.txt: file not found" in result.output
    assert "nope.txt: nope.txt" not in result.output


def test_plural_and_plain() -> None:
    assert plural(1, "article") == "1 article"
    assert plural(2, "article") == "2 articles"
    assert plural(0, "story", "stories") == "0 stories"
    assert plain("[/x]") == "\\[/x]"


def test_shorten_cuts_at_a_word_boundary_with_an_ellipsis() -> None:
    text = "The minister said the bridge would reopen before the winter storms arrived"
    short = shorten(text, 30)
    assert short.endswith("…") and len(short) <= 30
    assert text.startswith(short[:-1])
    assert text[len(short) - 1] == " "  # cut before a space, never inside a word
    assert shorten("short", 30) == "short"


def test_verdict_table_keeps_whole_ids_and_shows_signal_only_articles() -> None:
    long_id = "https://londondefender.co.uk/news/2024/05/a-very-long-article-slug-that-goes-on"
    with_source = Verdict(
        article=long_id, outlet="londondefender.co.uk", url=None, published=None,
        sources=[SourceMatch(
            source="src-1", outlet="wire.example", published=None, relation="duplicate",
            credit="stripped", coverage=0.9, source_coverage=0.8, confidence=0.95,
            passages=[], evidence=[Evidence("credit_removed"), Evidence("credit_removed")],
        )],
    )  # fmt: skip
    alone = Verdict(
        article="lonely-1", outlet="farm.example", url=None, published=None, sources=[],
        signals=[Evidence("foreign_boilerplate")],
    )  # fmt: skip
    console = Console(width=200, record=True)
    console.print(verdict_table([with_source, alone], title="t"))
    text = console.export_text()
    joined = "".join(line.split("│")[1].strip() for line in text.splitlines() if "│" in line)
    assert long_id in joined  # folded over lines, never cut with an ellipsis
    assert "lonely-1" in text and "foreign_boilerplate" in text
    assert "credit_removed ×2" in text


def test_empty_inputs_are_named(tmp_path: Path) -> None:
    (tmp_path / "empty.jsonl").write_bytes(b"")
    (tmp_path / "header.csv").write_text("id,text\n")
    db = str(tmp_path / "e.db")
    result = run("ingest", "--db", db, str(tmp_path / "empty.jsonl"), str(tmp_path / "header.csv"))
    assert result.exit_code == 0, result.output
    assert f"warning {tmp_path / 'empty.jsonl'}: no records: the file is empty" in result.output
    assert f"warning {tmp_path / 'header.csv'}: no records in it" in result.output


def test_counts_agree_with_their_nouns(tmp_path: Path) -> None:
    src = tmp_path / "two.jsonl"
    words = "the harbour board voted to close the old ferry pier after divers found rot"
    src.write_text(
        f'{{"id": "a", "outlet": "one.example", "published": "2026-01-01", "text": "{words}"}}\n'
        f'{{"id": "b", "outlet": "two.example", "published": "2026-01-02", "text": "{words}"}}\n'
    )
    db = str(tmp_path / "t.db")
    assert run("ingest", "--db", db, str(src)).exit_code == 0
    assert run("scan", "--db", db).exit_code == 0
    shown = run("verdicts", "--db", db)
    assert "1 article with reuse" in shown.output and "1 articles" not in shown.output
    assert "1 outlets" not in run("outlets", "--db", db).output.replace("2 outlets", "")


def test_help_wraps_cleanly_at_80_columns() -> None:
    """The command list gives each command one sentence, wrapped as a paragraph (typer
    kept the docstrings' line breaks, cutting lines short mid-sentence)."""
    from typer.main import get_command

    group = get_command(app)
    wide = CliRunner().invoke(app, ["--help"], env={"COLUMNS": "80", "TERM": "dumb"})
    assert wide.exit_code == 0
    lines = wide.output.splitlines()
    assert all(len(line) <= 80 for line in lines)
    for name, command in group.commands.items():
        summary = command.short_help or command.help  # a group of commands: its help
        assert summary and "\n" not in summary, name
        row = next(i for i, line in enumerate(lines) if line.startswith(f"│ {name} "))
        text = [lines[row][2:].removeprefix(name)]
        for line in lines[row + 1 :]:
            if not line.startswith("│    "):
                break
            text.append(line)
        shown = " ".join(" ".join(t.strip("│ ").split()) for t in text)
        assert shown == summary, name  # every word, in one paragraph
        inner = [t.strip("│").rstrip() for t in text[:-1]]
        assert all(len(t) > 55 for t in inner), (name, inner)  # no line cut short
        sub = CliRunner().invoke(app, [name, "--help"], env={"COLUMNS": "80"})
        assert sub.exit_code == 0 and all(len(x) <= 80 for x in sub.output.splitlines()), name


def test_reextract_says_re_extract_and_a_rejection_has_no_stray_space(tmp_path: Path) -> None:
    page = tmp_path / "p.html"
    page.write_text(
        "<html><head><title>Ferry</title></head><body><article><p>"
        + "The harbour board voted to close the old ferry pier after divers found rot. " * 8
        + "</p></article></body></html>"
    )
    broken = tmp_path / "broken.jsonl"
    broken.write_text('{"id": "a", "text": "some words"}\n{"text": "", "url": ""}\n{"text": ""}\n')
    db = str(tmp_path / "r.db")
    ingest = run("ingest", "--db", db, str(page), str(broken))
    assert f"{broken}:3: no id and no url" in ingest.output, ingest.output
    assert " : " not in ingest.output
    result = run("reextract", "--db", db, "--workers", "1")
    assert result.exit_code == 0, result.output
    assert "re-extract" in result.output and "ingest" not in result.output


def test_trace_published_names_the_option(tmp_path: Path) -> None:
    db = str(tmp_path / "t.db")
    (tmp_path / "a.jsonl").write_text('{"id":"a","text":"some words"}\n')
    (tmp_path / "t.txt").write_text("a few other words to trace")
    assert run("ingest", "--db", db, str(tmp_path / "a.jsonl")).exit_code == 0
    coarse = run("trace", "--db", db, str(tmp_path / "t.txt"), "--published", "2022-04")
    assert coarse.exit_code == 0, coarse.output
    assert "warning --published: '2022-04' gives only the month" in coarse.output
    bad = run("trace", "--db", db, str(tmp_path / "t.txt"), "--published", "soon")
    assert bad.exit_code == 2 and "error: --published: cannot read date 'soon'" in bad.output
