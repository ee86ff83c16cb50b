"""``trace`` of a text that is already stored: it is that article, said so, and never its
own source; a copy carrying its own masthead is not syndicated to itself."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from copydesk.cli import app
from copydesk.model import Article


@pytest.mark.parametrize("article_id", ["np-006", "vg-002", "cs-001"])
def test_a_stored_text_is_recognised(demo_desk, article_id: str) -> None:
    stored = demo_desk.article(article_id)
    assert stored is not None
    # as a user pastes it: the text alone, no id, outlet or date
    verdict = demo_desk.trace(Article("trace", stored.text + "\n"), include_same_outlet=True)
    assert verdict.stored_as == article_id
    assert verdict.to_json()["stored_as"] == article_id
    assert all(m.source != article_id for m in verdict.sources)
    for m in verdict.sources:  # its own masthead is no credit to another of its outlet
        assert not (m.relation == "syndicated" and m.outlet == stored.outlet)
    # the stored article's own sources are what the trace finds
    expected = {m.source for m in demo_desk.verdict(article_id, include_same_outlet=True).sources}
    assert {m.source for m in verdict.sources} == expected


def test_a_new_text_is_not_stored(demo_desk) -> None:
    stored = demo_desk.article("np-006")
    text = stored.text + "\n\nA paragraph no stored article has, about a lighthouse keeper."
    verdict = demo_desk.trace(Article("trace", text))
    assert verdict.stored_as is None
    assert "stored_as" not in verdict.to_json()
    assert [m.source for m in verdict.sources][:1] == ["np-006"]


def test_cli_says_the_text_is_stored(demo_desk, tmp_path) -> None:
    path = tmp_path / "pasted.txt"
    path.write_text(demo_desk.article("vg-002").text, encoding="utf-8")
    db = str(demo_desk.store.path)
    result = CliRunner().invoke(app, ["trace", str(path), "--db", db])
    assert result.exit_code == 0, result.output
    assert "this text is stored as vg-002" in result.output
    result = CliRunner().invoke(app, ["trace", str(path), "--db", db, "--json"])
    assert json.loads(result.output)["stored_as"] == "vg-002"
