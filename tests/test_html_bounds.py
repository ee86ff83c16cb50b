"""Hostile markup is refused before the parser sees it, in ingest and in web uploads
alike: one element with 200,000 attributes (minutes of lxml time), deep nesting."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from copydesk import Desk
from copydesk.model import Rejection
from copydesk.reading import RecordError, read_path
from copydesk.reading.html_extract import MAX_ATTRIBUTES, check_markup, extract_html
from webpages import page


def attribute_bomb(n: int = 200_000) -> str:
    """A 2.3 MB page whose <div> has ``n`` attributes."""
    attributes = " ".join(f'a{i}="x"' for i in range(n))
    return f"<html><head><title>t</title></head><body>\n<div {attributes}>hi</div></body></html>"


def test_attribute_bomb_is_a_record_error() -> None:
    html = attribute_bomb()
    assert len(html) > 2_000_000
    with pytest.raises(RecordError, match=r"<div> element on line 2 has over 500 attributes"):
        extract_html(html)


def test_ordinary_attributes_pass() -> None:
    many = " ".join(f'data-x{i}="a b c"' for i in range(MAX_ATTRIBUTES - 1))
    check_markup(f"<html><body><div {many}>text</div></body></html>")
    check_markup(page())
    unquoted = " ".join(f"a{i}=1" for i in range(MAX_ATTRIBUTES + 1))
    with pytest.raises(RecordError):
        check_markup(f"<p {unquoted}>")


def test_ingest_rejects_the_bomb_and_keeps_the_rest(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from copydesk.cli import app

    folder = tmp_path / "pages"
    folder.mkdir()
    (folder / "bomb.html").write_text(attribute_bomb(), encoding="utf-8")
    (folder / "good.html").write_text(page("Good", url="https://a.example/g"), encoding="utf-8")
    records = tmp_path / "r.jsonl"
    records.write_text(
        json.dumps({"id": "bomb", "html": attribute_bomb(50_000)})
        + "\n"
        + json.dumps({"id": "fine", "outlet": "f.example", "text": "Words that are fine here."})
        + "\n",
        encoding="utf-8",
    )
    db = tmp_path / "s.db"
    result = CliRunner().invoke(
        app, ["ingest", "--db", str(db), "--workers", "1", str(folder), str(records)]
    )
    assert result.exit_code == 1, result.output
    output = " ".join(result.output.split())
    assert "bomb.html" in output and "attributes" in output
    with Desk(db) as desk:
        assert desk.store.count() == 2
        assert desk.article("fine") is not None


def test_read_path_names_the_element(tmp_path: Path) -> None:
    path = tmp_path / "bomb.html"
    path.write_text(attribute_bomb(), encoding="utf-8")
    [rejection] = list(read_path(path))
    assert isinstance(rejection, Rejection) and "<div>" in rejection.reason


def test_upload_of_the_bomb_is_answered_with_a_clear_error(tmp_path: Path) -> None:
    pytest.importorskip("fastapi")
    from fastapi.testclient import TestClient

    from copydesk.web.app import create_app

    with TestClient(create_app(tmp_path / "w.db"), base_url="http://127.0.0.1") as c:
        response = c.post(
            "/trace",
            files={"file": ("bomb.html", attribute_bomb().encode(), "text/html")},
            headers={"origin": "http://127.0.0.1"},
        )
        assert response.status_code == 422
        assert "over 500 attributes" in response.text
        assert c.get("/api/outlets").status_code == 200
