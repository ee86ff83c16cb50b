"""Shared fixtures: the bundled demo corpus and the real-news corpora (when present)."""

from __future__ import annotations

import json

import pytest

from copydesk import Desk
from copydesk.demo import ARTICLES, EXPECTED
from copydesk.reading import read_path
from copydesk.reading.corpora import corpora_available


@pytest.fixture(scope="session")
def corpora() -> None:
    """Skips the test when the real-news corpora are not there."""
    if not corpora_available():
        pytest.skip("../shared/corpora not found: real-news tests need it (set COPYDESK_CORPORA)")


@pytest.fixture(scope="session")
def demo_expected() -> dict:
    return json.loads(EXPECTED.read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def demo_desk(tmp_path_factory: pytest.TempPathFactory) -> Desk:
    """The demo corpus ingested and scanned once for the whole session."""
    desk = Desk(tmp_path_factory.mktemp("demo") / "demo.db", workers=1)
    summary = desk.ingest(read_path(ARTICLES))
    assert summary.rejected == [] and summary.added > 0
    desk.scan()
    return desk
