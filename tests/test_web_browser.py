"""The web app in a real browser: Debian's Chromium driven by Playwright.

Skipped, with the reason, when Playwright or /usr/bin/chromium is missing (a developer's
machine without them still passes); CI installs Chromium in ``.ci/run``. Screenshots go
to tests/artifacts/.
"""

from __future__ import annotations

import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).parent / "artifacts"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

sync_api = pytest.importorskip(
    "playwright.sync_api", reason="playwright is not installed (pip install -e '.[dev]')"
)
pytest.importorskip("uvicorn", reason="uvicorn is not installed")
if not CHROMIUM.exists():
    pytest.skip(
        f"{CHROMIUM} not found: install Debian's chromium (apt-get install -y chromium)",
        allow_module_level=True,
    )

import uvicorn  # noqa: E402

from copydesk import Desk  # noqa: E402
from copydesk.demo import ARTICLES  # noqa: E402
from copydesk.reading import article_from_mapping, read_path  # noqa: E402
from copydesk.web.app import create_app  # noqa: E402
from hostile import hostile_record  # noqa: E402


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    path = tmp_path_factory.mktemp("browser") / "demo.db"
    with Desk(path, workers=1) as desk:
        desk.ingest(read_path(ARTICLES))
        desk.ingest([article_from_mapping(hostile_record())[0]])
        desk.scan()
    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(create_app(path), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            pytest.fail("the web server did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(10)


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_api.sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield chromium
        chromium.close()


class Watch:
    """What a page did that it must not: dialogs, script errors, CSP violations."""

    def __init__(self) -> None:
        self.dialogs: list[str] = []
        self.errors: list[str] = []

    def check(self) -> None:
        assert self.dialogs == [], f"a dialog fired: {self.dialogs}"
        assert self.errors == [], f"errors in the page: {self.errors}"


@pytest.fixture
def page(browser: object) -> Iterator[tuple[object, Watch]]:
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    pg = context.new_page()
    watch = Watch()

    def on_dialog(dialog: object) -> None:
        watch.dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    pg.on("dialog", on_dialog)
    pg.on("pageerror", lambda exc: watch.errors.append(str(exc)))
    pg.on(
        "console",
        lambda msg: watch.errors.append(msg.text) if msg.type == "error" else None,
    )
    yield pg, watch
    context.close()
    watch.check()


def shot(pg: object, name: str, *, full_page: bool = True) -> None:
    pg.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=full_page)


def test_search_page(base_url: str, page: tuple) -> None:
    pg, _ = page
    pg.goto(base_url + "/")
    assert pg.locator("ol.results > li").count() == 25
    shot(pg, "search")
    pg.fill("input[name=q]", "boiler")
    pg.select_option("select[name=outlet]", "capitalsentinel.net")
    pg.click("form.search button[type=submit]")
    pg.wait_for_url("**/?q=boiler*")
    titles = pg.locator("ol.results a.title")
    assert titles.count() == 1
    assert "boiler" in titles.first.inner_text().lower()
    assert pg.locator(".snippet mark").count() >= 1
    shot(pg, "search-boiler")
    titles.first.click()
    pg.wait_for_url("**/articles/cs-001")


def test_article_page_marks_the_specimen_copy(base_url: str, page: tuple) -> None:
    pg, _ = page
    pg.goto(base_url + "/articles/cs-001")
    assert "credit stripped" in pg.locator("#verdict").inner_text()
    removed = pg.locator("#source-text .mark-removed")
    assert removed.count() >= 3
    assert "Clarion" in removed.all_inner_texts()[0] + removed.all_inner_texts()[-1]
    assert pg.locator("#copy-text .mark-cut").count() == 3
    boilerplate = " ".join(pg.locator("#copy-text .mark-boilerplate").all_inner_texts())
    assert "(Image: Lensbank)" in boilerplate and "READ MORE" in boilerplate
    dangling = " ".join(pg.locator("#copy-text .mark-dangling").all_inner_texts())
    assert "Speaking to" in dangling and "told" in dangling
    # The masthead the farm put on top is not part of any passage.
    assert "Truest Voice" not in " ".join(pg.locator("#copy-text .passage").all_inner_texts())
    shot(pg, "article-cs-001")
    # Hovering a passage in the copy lights up the same passage in the source.
    pg.locator("#copy-text .passage").nth(3).hover()
    assert pg.locator("#source-text .passage.hl").count() > 0
    shot(pg, "article-cs-001-hover", full_page=False)
    # The passage number links across the columns.
    pg.click("#copy-p0")
    assert pg.url.endswith("#src-p0")
    # Evidence links jump to the removed credit in the source.
    pg.locator("details.evidence a.jump").first.click()
    assert pg.url.endswith("#src-removed-0")


def test_article_without_source_shows_its_marks(base_url: str, page: tuple) -> None:
    pg, _ = page
    pg.goto(base_url + "/articles/cs-004")
    assert pg.locator("#source-text").count() == 0
    assert pg.locator("#copy-text .mark-boilerplate").count() >= 3
    assert pg.locator("#copy-text .mark-dangling").count() == 2
    shot(pg, "article-cs-004")


def test_trace_form_with_pasted_text(base_url: str, page: tuple) -> None:
    pg, _ = page
    pg.goto(base_url + "/articles/dc-003")
    text = pg.locator("#copy-text").inner_text()
    pg.goto(base_url + "/trace")
    shot(pg, "trace-form")
    pg.fill("textarea[name=text]", text)
    pg.fill("input[name=outlet]", "pasted.example")
    pg.click(".trace-form button[type=submit]")
    pg.wait_for_load_state()
    assert "Traced, not stored" in pg.content()
    assert pg.locator("#source-col h2").inner_text().endswith("dc-003")
    assert pg.locator("#copy-text .passage").count() > 0
    shot(pg, "trace-result")


def test_network_links_to_outlet_pages(base_url: str, page: tuple) -> None:
    pg, _ = page
    pg.goto(base_url + "/network")
    nodes = pg.locator("svg#network a.node")
    assert nodes.count() >= 9
    assert pg.locator("svg#network line.edge").count() >= 9
    shot(pg, "network")
    # Dragging a node moves it and does not follow its link.
    node = pg.locator('svg#network a.node[data-outlet="northernpost.co.uk"] circle.dot')
    box = node.bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    pg.mouse.move(x, y)
    pg.mouse.down()
    pg.mouse.move(x + 60, y + 40, steps=8)
    pg.mouse.up()
    assert pg.url.endswith("/network")
    assert float(node.get_attribute("cx")) != pytest.approx(float(box["x"]), abs=0.1)
    pg.locator('svg#network a.node[data-outlet="capitalsentinel.net"] circle.dot').click()
    pg.wait_for_url("**/outlets/capitalsentinel.net")
    assert "capitalsentinel.net" in pg.locator("h1").inner_text()
    assert pg.locator("svg.timeline circle.dot").count() == 5
    shot(pg, "outlet-capitalsentinel")


def test_hostile_article_never_runs(base_url: str, page: tuple) -> None:
    pg, _ = page
    for path in ("/articles/evil-1", "/?q=alert", "/outlets", "/network", "/articles/dc-002"):
        pg.goto(base_url + path)
        pg.wait_for_timeout(150)
        assert pg.locator("main img").count() == 0, path
        assert pg.locator("main script").count() == 0, path
    pg.goto(base_url + "/articles/evil-1")
    assert "<script>alert(1)</script>" in pg.locator("h1").inner_text()
    shot(pg, "article-hostile")
    pg.goto(base_url + "/trace")
    pg.fill("textarea[name=text]", hostile_record()["text"])
    pg.fill("input[name=title]", "<script>alert(1)</script>")
    pg.click(".trace-form button[type=submit]")
    pg.wait_for_load_state()
    pg.wait_for_timeout(150)
    assert pg.locator("main img").count() == 0


def test_no_request_leaves_the_server(base_url: str, browser: object) -> None:
    context = browser.new_context()
    pg = context.new_page()
    hosts: set[str] = set()
    pg.on("request", lambda req: hosts.add(req.url.split("/")[2]))
    for path in ("/", "/articles/cs-001", "/network", "/outlets/capitalsentinel.net", "/docs"):
        pg.goto(base_url + path)
    context.close()
    assert hosts == {base_url.split("/")[2]}


def test_artifacts_folder_is_ignored_by_git() -> None:
    gitignore = Path(__file__).parent.parent / ".gitignore"
    if not gitignore.exists() or shutil.which("git") is None:
        pytest.skip("not in a git work tree")
    assert "tests/artifacts/" in gitignore.read_text()


@pytest.mark.parametrize(
    "path", ["/", "/articles/cs-001", "/trace", "/outlets", "/network", "/docs"]
)
def test_navigation_fits_a_narrow_screen(base_url: str, browser: object, path: str) -> None:
    context = browser.new_context(viewport={"width": 420, "height": 800})
    pg = context.new_page()
    pg.goto(base_url + path)
    boxes = pg.eval_on_selector_all(
        "header.top a", "els => els.map(e => { const r = e.getBoundingClientRect();"
        " return [e.textContent, r.left, r.right]; })",
    )  # fmt: skip
    header_width = pg.eval_on_selector("header.top", "e => e.scrollWidth")
    name = "narrow" + (path.replace("/", "-").rstrip("-") or "-search")
    shot(pg, name, full_page=False)
    context.close()
    assert len(boxes) == 6
    for text, left, right in boxes:
        assert left >= 0 and right <= 420, f"{text} at {left}..{right} px"
    assert header_width <= 420
