"""A hostile article for the web tests: markup and script in every field people see."""

from __future__ import annotations

from copydesk.demo import ARTICLES
from copydesk.reading import read_path

SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(1)>"
EVIL_OUTLET = "evil<script>alert(1)</script>.example"
EVIL_ID = "evil-1"


def hostile_record() -> dict:
    """A copy of the demo's dc-002 whose title, text, author, outlet and URL carry markup
    and script (and a ``javascript:`` URL)."""
    dc002 = next(a for a in read_path(ARTICLES) if a.id == "dc-002")
    paragraphs = dc002.text.split("\n\n")
    text = "\n\n".join(
        [f"Breaking {SCRIPT} news {IMG}", *paragraphs[:4], f"{IMG} READ {SCRIPT}", *paragraphs[4:]]
    )
    return {
        "id": EVIL_ID,
        "url": "javascript:alert(1)",
        "outlet": EVIL_OUTLET,
        "published": "2026-03-06T12:00:00Z",
        "title": f"Airport {SCRIPT} strike {IMG}",
        "author": IMG,
        "text": text,
    }
