"""The web article page shows the story family, origin first."""

from __future__ import annotations

from fastapi.testclient import TestClient

from copydesk.demo import ARTICLES
from copydesk.desk import Desk


def test_article_page_shows_family_tree(tmp_path, monkeypatch):
    db = tmp_path / "w.db"
    with Desk(db, workers=1) as desk:
        desk.ingest_files([str(ARTICLES)])
        desk.scan()
    from copydesk.web.app import create_app

    client = TestClient(create_app(db), base_url="http://127.0.0.1:8000")  # a served Host
    page = client.get("/articles/cs-001").text
    assert "Story family" in page and "origin credit stripped" in page
    assert page.index("dc-001") < page.index("(this article)")
