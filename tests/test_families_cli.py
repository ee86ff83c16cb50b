"""``copydesk families``, and families in ``show`` and ``trace``."""

from __future__ import annotations

import csv
import io
import json
from importlib import resources

from typer.testing import CliRunner

from copydesk.cli import app

runner = CliRunner()


def demo_db(tmp_path):
    db = tmp_path / "d.db"
    path = str(resources.files("copydesk.demo").joinpath("articles.jsonl"))
    assert runner.invoke(app, ["ingest", path, "--db", str(db), "--workers", "1"]).exit_code == 0
    assert runner.invoke(app, ["scan", "--db", str(db), "--workers", "1"]).exit_code == 0
    return db


def test_families_json_csv_and_outlet_filter(tmp_path):
    db = demo_db(tmp_path)
    res = runner.invoke(app, ["families", "--db", str(db), "--json"])
    assert res.exit_code == 0
    fams = [json.loads(line) for line in res.stdout.splitlines()]
    assert fams and all({"id", "size", "origin", "tree"} <= set(f) for f in fams)
    res = runner.invoke(app, ["families", "--db", str(db), "--csv"])
    rows = list(csv.DictReader(io.StringIO(res.stdout)))
    assert len(rows) == sum(f["size"] for f in fams)
    res = runner.invoke(
        app, ["families", "--db", str(db), "--json", "--outlet", "dailyclarion.com"]
    )
    some = [json.loads(line) for line in res.stdout.splitlines()]
    assert some and all(
        f["origin"]["outlet"] == "dailyclarion.com"
        or any(n["outlet"] == "dailyclarion.com" for n in f["tree"])
        for f in some
    )


def test_trace_of_a_stored_text_says_so_and_shows_its_family(tmp_path):
    db = demo_db(tmp_path)
    path = resources.files("copydesk.demo").joinpath("articles.jsonl")
    record = next(
        json.loads(line) for line in path.read_text("utf-8").splitlines() if '"cs-001"' in line
    )
    record["id"] = "someone-else"
    (tmp_path / "t.json").write_text(json.dumps(record), "utf-8")
    res = runner.invoke(app, ["trace", str(tmp_path / "t.json"), "--db", str(db)])
    assert res.exit_code == 0
    assert "this text is stored as cs-001" in res.stdout
    assert res.stdout.index("family") < res.stdout.index("nearest version")
    res = runner.invoke(app, ["show", "cs-001", "--db", str(db)])
    assert "origin" in res.stdout and "◀ this article" in res.stdout


def test_bad_agencies_file_is_named(tmp_path):
    db = demo_db(tmp_path)
    bad = tmp_path / "ag.txt"
    bad.write_text("wirely.example Wirely\n", "utf-8")
    res = runner.invoke(app, ["scan", "--db", str(db), "--agencies", str(bad)])
    assert res.exit_code == 2 and "ag.txt:1" in res.output
