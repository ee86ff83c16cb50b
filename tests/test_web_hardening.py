"""Host validation (DNS rebinding), HEAD, security headers on 500s, blank tokens, huge
numbers in query parameters, and a port already in use."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

pytest.importorskip("fastapi")

from fastapi.testclient import TestClient

from copydesk import Desk
from copydesk.demo import ARTICLES
from copydesk.reading import read_path
from copydesk.web.app import create_app, listen
from copydesk.web.security import allowed_hosts, host_name

RECORD = {"id": "rb", "outlet": "rb.example", "text": "some words here about a rebinding"}


@pytest.fixture(scope="module")
def store_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("hard") / "demo.db"
    with Desk(path, workers=1) as desk:
        desk.ingest(read_path(ARTICLES))
        desk.scan()
    return path


def test_dns_rebinding_host_is_refused_before_any_handler(store_path: Path) -> None:
    with TestClient(create_app(store_path), base_url="http://evil.example:8000") as c:
        response = c.post(
            "/api/articles", json=RECORD, headers={"origin": "http://evil.example:8000"}
        )
        assert response.status_code == 400
        assert "evil.example" in response.json()["detail"]
        assert "--allow-host" in response.json()["detail"]
        assert response.headers["x-frame-options"] == "DENY"
        assert c.get("/api/articles").status_code == 400
        assert c.get("/").status_code == 400
    with Desk(store_path, readonly=True) as desk:
        assert desk.article("rb") is None


@pytest.mark.parametrize(
    "host", ["127.0.0.1:8000", "localhost:8000", "LOCALHOST", "[::1]:8000", "127.0.0.1"]
)
def test_loopback_names_are_served(store_path: Path, host: str) -> None:
    with TestClient(create_app(store_path)) as c:
        assert c.get("/api/articles", headers={"host": host}).status_code == 200


def test_allow_host_adds_names(store_path: Path) -> None:
    app = create_app(store_path, allow_hosts=["desk.internal"])
    with TestClient(app, base_url="http://desk.internal") as c:
        assert c.get("/api/outlets").status_code == 200
    with TestClient(create_app(store_path, allow_hosts=["*"]), base_url="http://any.where") as c:
        assert c.get("/api/outlets").status_code == 200
    assert "10.1.2.3" in allowed_hosts("10.1.2.3")
    assert "localhost" not in allowed_hosts("10.1.2.3")
    assert host_name("[::1]:80") == "[::1]" and host_name("A.example:1") == "a.example"


def test_head_and_huge_numbers(store_path: Path) -> None:
    with TestClient(create_app(store_path), base_url="http://127.0.0.1") as c:
        head = c.head("/")
        assert head.status_code == 200 and head.content == b""
        assert head.headers["content-security-policy"]
        assert c.head("/api/articles").status_code == 200
        for params in (
            {"offset": "99999999999999999999"},
            {"offset": str(10**9 + 1)},
            {"limit": "1" + "0" * 30},
        ):
            response = c.get("/api/articles", params=params)
            assert response.status_code == 400, response.text
            name = next(iter(params))
            assert f"query.{name}:" in response.json()["detail"]
            assert response.headers["content-security-policy"].startswith("default-src")
            assert response.headers["x-content-type-options"] == "nosniff"
        page = c.get("/", params={"page": "9" * 40})
        assert page.status_code == 400 and "page" in page.text
        assert page.headers["x-frame-options"] == "DENY"
        # a body that fails validation is still 422
        assert c.post("/api/trace", json={"text": 5}).status_code == 422


def test_500_carries_the_security_headers(store_path: Path) -> None:
    app = create_app(store_path)

    @app.get("/api/boom")
    def boom() -> None:
        raise RuntimeError("boom")

    with TestClient(app, base_url="http://127.0.0.1", raise_server_exceptions=False) as c:
        response = c.get("/api/boom")
    assert response.status_code == 500
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["content-security-policy"].startswith("default-src")


@pytest.mark.parametrize("token", ["", " ", "\t\n"])
def test_blank_token_is_refused(store_path: Path, token: str) -> None:
    with pytest.raises(ValueError, match="blank"):
        create_app(store_path, token=token)
    with pytest.raises(ValueError, match="blank"):
        create_app(store_path, bind_host="0.0.0.0", token=token)


def test_blank_bearer_never_matches(store_path: Path) -> None:
    app = create_app(store_path, token="s3cret")
    with TestClient(app, base_url="http://127.0.0.1") as c:
        for auth in ("Bearer ", "Bearer  ", "bearer"):
            response = c.post("/api/articles", json=RECORD, headers={"authorization": auth})
            assert response.status_code == 401


def test_port_in_use_is_a_clear_message() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        with pytest.raises(OSError, match=f"port {port} on 127.0.0.1 is already in use"):
            listen("127.0.0.1", port)


def test_serve_on_a_port_in_use_says_so(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from copydesk.cli import app

    Desk(tmp_path / "s.db").close()
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        result = CliRunner().invoke(
            app, ["serve", "--db", str(tmp_path / "s.db"), "--port", str(port)]
        )
    assert result.exit_code != 0
    assert "already in use" in " ".join(result.output.split())
    assert "Errno" not in result.output


def test_sigterm_stops_the_server_promptly(tmp_path: Path) -> None:
    import signal
    import subprocess
    import sys
    import time
    import urllib.request

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    Desk(tmp_path / "s.db").close()
    command = [sys.executable, "-m", "copydesk", "serve", "--db", str(tmp_path / "s.db")]
    proc = subprocess.Popen(
        [*command, "--port", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/api/outlets", timeout=2)
                break
            except OSError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    pytest.fail("the server did not start")
                time.sleep(0.2)
        proc.send_signal(signal.SIGTERM)
        # uvicorn stops gracefully, then re-raises the signal: exit by SIGTERM
        assert proc.wait(timeout=15) in (0, -signal.SIGTERM)
    finally:
        if proc.poll() is None:
            proc.kill()


def test_docs_render_markdown_with_examples(store_path: Path) -> None:
    import re

    with TestClient(create_app(store_path), base_url="http://127.0.0.1") as c:
        html = c.get("/docs").text
        ops = c.get("/openapi.json").json()["paths"]
    sections = html.split('<section class="card op"')[1:]
    assert len(sections) == sum(len(methods) for methods in ops.values())
    for section in sections:
        text = re.sub(r"<pre.*?</pre>", "", section, flags=re.S)
        assert "`" not in text, section[:200]  # Markdown code spans became <code>
        assert "Example request" in section and "curl " in section
        assert "Example response" in section, section[:200]
    assert "<code>copydesk ingest</code>" in html
    assert "&#34;text&#34;: &#34;The harbour board" in html  # the trace request has a body
