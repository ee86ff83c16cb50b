"""An evidence pack opened in Debian's Chromium: it loads nothing from outside, its marks
are visible, and it fails verification once a byte of it changes."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from copydesk import Desk
from copydesk.demo import ARTICLES
from copydesk.reading import read_path

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).parent / "artifacts"
sync_api = pytest.importorskip(
    "playwright.sync_api", reason="playwright is not installed (pip install -e '.[dev]')"
)
if not CHROMIUM.exists():
    pytest.skip(f"{CHROMIUM} not found: apt-get install -y chromium", allow_module_level=True)


def test_evidence_pack_offline_in_chromium(tmp_path: Path) -> None:
    with Desk(tmp_path / "demo.db", workers=1) as desk:
        desk.ingest(read_path(ARTICLES))
        desk.scan()
        copy = next(v for v in desk.verdicts() if v.sources and v.sources[0].credit == "stripped")
        pack = desk.evidence(copy.article, tmp_path / "pack", pdf=False)
    index = pack.folder / "index.html"
    requested: list[str] = []
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=str(CHROMIUM), args=["--headless", "--no-sandbox", "--disable-gpu"]
        )
        try:
            context = browser.new_context(viewport={"width": 1300, "height": 1000})
            pg = context.new_page()
            pg.on("request", lambda request: requested.append(request.url))
            pg.goto(index.as_uri())
            pg.wait_for_load_state("networkidle")
            passages = pg.locator(".copy-text .passage")
            assert passages.count() > 0 and passages.first.is_visible()
            assert pg.locator(".source-text .passage").first.is_visible()
            assert pg.locator(".mark-removed").first.is_visible()  # the credit cut out
            colour = passages.first.evaluate("e => getComputedStyle(e).backgroundColor")
            assert colour not in ("rgba(0, 0, 0, 0)", "transparent")  # the inline CSS applied
            assert copy.article in pg.inner_text("h1")
            pg.screenshot(path=str(ARTIFACTS / "evidence-pack.png"), full_page=False)
        finally:
            browser.close()
    assert requested == [index.as_uri()], f"the pack loaded more than itself: {requested}"
    assert Desk.verify_evidence(pack.folder).ok
    changed = tmp_path / "changed"
    shutil.copytree(pack.folder, changed)
    data = bytearray((changed / "index.html").read_bytes())
    data[len(data) // 2] ^= 0x20
    (changed / "index.html").write_bytes(bytes(data))
    check = Desk.verify_evidence(changed)
    assert not check.ok and check.changed == ["index.html"]
