"""Parquet in and out, CSV export, and ``copydesk export``/``reextract``."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from copydesk import Desk
from copydesk.cli import app
from copydesk.demo import ARTICLES
from copydesk.model import Article, Rejection
from copydesk.reading import read_path
from copydesk.reading.parquet import EXPORT_COLUMNS, write_csv, write_parquet
from webpages import page


def test_parquet_rows_become_articles(tmp_path: Path) -> None:
    table = pa.table(
        {
            "id": ["a", "b", None, "d"],
            "url": ["https://a.example/1", None, None, None],
            "text": ["First article text.", "Second.", "No name.", None],
            "published": ["2026-03-02T08:00:00Z", None, None, "2026-03-02"],
            "section": ["news", None, None, None],
        }
    )
    path = tmp_path / "a.parquet"
    pq.write_table(table, path)
    items = list(read_path(path))
    articles = [i for i in items if isinstance(i, Article)]
    rejections = [i for i in items if isinstance(i, Rejection)]
    assert [a.id for a in articles] == ["a", "b"]
    assert articles[0].outlet == "a.example" and articles[0].extra == {"section": "news"}
    assert [(r.line, r.severity) for r in rejections] == [
        (1, "warning"),
        (3, "error"),
        (4, "error"),
    ]


def test_parquet_timestamps_and_html(tmp_path: Path) -> None:
    from datetime import UTC, datetime

    table = pa.table(
        {
            "url": ["https://www.northernpost.example/seals"],
            "html": [page()],
            "published": pa.array([datetime(2026, 3, 1, 7, tzinfo=UTC)], pa.timestamp("s", "UTC")),
        }
    )
    pq.write_table(table, tmp_path / "p.parquet")
    [article] = list(read_path(tmp_path / "p.parquet"))
    assert isinstance(article, Article)
    assert article.published == datetime(2026, 3, 1, 7, tzinfo=UTC)
    assert "forty-two" in article.text and "_html" in article.extra


def test_export_round_trip(tmp_path: Path) -> None:
    with Desk(tmp_path / "s.db", workers=1) as desk:
        desk.ingest(read_path(ARTICLES))
        html = tmp_path / "seals.html"
        html.write_text(page())
        desk.ingest_files([html])
        originals = list(desk.all_articles())
    out = tmp_path / "out.parquet"
    assert write_parquet(originals, out) == len(originals)
    assert pq.read_schema(out).names == list(EXPORT_COLUMNS)
    back = [i for i in read_path(out) if isinstance(i, Article)]
    assert [(a.id, a.text, a.published, a.outlet, a.title) for a in back] == [
        (a.id, a.text, a.published, a.outlet, a.title) for a in originals
    ]
    seals = back[-1]
    assert seals.extra["links"] == ["https://www.dailyclarion.example/seals"]
    assert not any(i for i in read_path(out) if isinstance(i, Rejection))
    buffer = io.StringIO()
    assert write_csv(originals, buffer) == len(originals)
    rows = list(csv.DictReader(io.StringIO(buffer.getvalue())))
    assert rows[0]["id"] == originals[0].id and json.loads(rows[-1]["extra"])["links"]


def test_cli_export_and_reextract(tmp_path: Path) -> None:
    db = tmp_path / "s.db"
    html = tmp_path / "seals.html"
    html.write_text(page())
    runner = CliRunner()
    assert runner.invoke(app, ["ingest", "--db", str(db), str(html)]).exit_code == 0
    result = runner.invoke(
        app,
        [
            "export",
            "--db",
            str(db),
            "--parquet",
            str(tmp_path / "a.parquet"),
            "--csv",
            str(tmp_path / "a.csv"),
        ],
    )
    assert result.exit_code == 0, result.output
    assert pq.read_table(tmp_path / "a.parquet").num_rows == 1
    assert (tmp_path / "a.csv").read_text().startswith("id,url,outlet")
    assert runner.invoke(app, ["export", "--db", str(db)]).exit_code == 2
    result = runner.invoke(app, ["reextract", "--db", str(db), "--workers", "1"])
    assert result.exit_code == 0, result.output


def test_not_parquet(tmp_path: Path) -> None:
    path = tmp_path / "x.parquet"
    path.write_text("id,text\n1,hello\n")
    [rejection] = list(read_path(path))
    assert isinstance(rejection, Rejection) and "not a readable Parquet file" in rejection.reason
    pq.write_table(pa.table({"id": ["a"], "title": ["t"]}), tmp_path / "y.parquet")
    [rejection] = list(read_path(tmp_path / "y.parquet"))
    assert isinstance(rejection, Rejection) and "no 'text' or 'html' column" in rejection.reason
    [missing] = list(read_path(tmp_path / "none.parquet"))
    assert isinstance(missing, Rejection) and missing.reason == "file not found"


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.binary(max_size=3000), keep=st.booleans())
def test_fuzz_random_bytes_as_parquet(tmp_path: Path, data: bytes, keep: bool) -> None:
    path = tmp_path / "fuzz.parquet"
    if keep:  # a real file's head and tail around random bytes
        good = tmp_path / "good.parquet"
        if not good.exists():
            pq.write_table(pa.table({"id": ["a", "b"], "text": ["x y z", "p q r"]}), good)
        real = good.read_bytes()
        data = real[:8] + data + real[-64:]
    path.write_bytes(data)
    for item in read_path(path):
        assert isinstance(item, Article | Rejection)


def test_cli_export_then_ingest_gives_identical_articles(tmp_path: Path) -> None:
    """Every field comes back as it was, ``extra`` included (no 'unknown field' either)."""
    tricky = tmp_path / "tricky.jsonl"
    records = [
        {"id": "q-1", "text": 'A "quoted", comma\nline; and ünïcode — dash.', "author": ["A", "B"],
         "published": "2026-03-02T08:15:00+01:00", "section": "coast", "tags": ["seals", 2],
         "outlet_name": "The Quoting Post", "url": "https://quoting.example/q-1"},
        {"id": "q-2", "text": "No date, no title, nested extra.", "meta": {"a": {"b": [1, None]}}},
    ]  # fmt: skip
    tricky.write_text("".join(json.dumps(r) + "\n" for r in records))
    html = tmp_path / "seals.html"
    html.write_text(page())
    runner = CliRunner()
    db = tmp_path / "s.db"
    ingested = runner.invoke(
        app, ["ingest", "--db", str(db), str(ARTICLES), str(tricky), str(html)]
    )
    assert ingested.exit_code == 0, ingested.output
    with Desk(db, create=False) as desk:
        originals = [a.to_json() for a in desk.all_articles()]
    assert any(a["extra"].get("links") for a in originals)
    for fmt in ("csv", "parquet"):
        out = tmp_path / f"all.{fmt}"
        done = runner.invoke(app, ["export", "--db", str(db), f"--{fmt}", str(out)])
        assert done.exit_code == 0, done.output
        again = tmp_path / f"again-{fmt}.db"
        back = runner.invoke(app, ["ingest", "--db", str(again), str(out)])
        assert back.exit_code == 0, back.output
        assert "unknown" not in back.output and "\nwarning " not in back.output, back.output
        with Desk(again, create=False) as desk:
            assert [a.to_json() for a in desk.all_articles()] == originals, fmt
