"""Invented web pages, archives and feeds for the web-ingestion tests."""

from __future__ import annotations

import io
from pathlib import Path

PARAGRAPHS = [
    "Harbour seals are back on the sandbanks of the Lowmere estuary for the first time in"
    " ten years, volunteer counters said on Monday after a dawn survey of the shore.",
    "The volunteers walked the mudflats at first light and counted forty-two animals, most"
    " of them young, and said the colony looked healthy and well fed after the winter.",
    "Officials at the invented Lowmere Coast Trust said the return followed a ban on jet"
    " skis in the channel and new rules keeping dogs on leads along the northern path.",
    "Fishermen in the harbour were less pleased, saying the seals had already taken an"
    " interest in the nets, though none would give a figure for what had been lost.",
]


def page(
    title: str = "Harbour seals return to Lowmere",
    *,
    url: str | None = "https://www.northernpost.example/seals",
    paragraphs: list[str] | None = None,
    link: str | None = "https://www.dailyclarion.example/seals",
    caption: str | None = "A seal on the bank (Image: Lensbank)",
    charset: str | None = "utf-8",
    published: str = "2026-03-02T08:15:00+00:00",
    author: str = "Ruth Calloway",
    site: str = "The Northern Post",
) -> str:
    """An invented news page; the second paragraph links ``link``."""
    paras = list(paragraphs or PARAGRAPHS)
    body = []
    for i, text in enumerate(paras):
        if i == 1 and link:
            text += f' First reported by <a href="{link}">the Daily Clarion</a>.'
        body.append(f"<p>{text}</p>")
        if i == 0 and caption:
            body.append(
                f'<figure><img src="/seal.jpg" alt="A seal"><figcaption>{caption}'
                "</figcaption></figure>"
            )
    meta = f'<meta charset="{charset}">' if charset else ""
    canonical = f'<link rel="canonical" href="{url}">' if url else ""
    return (
        f"<!doctype html><html lang='en'><head>{meta}<title>{title} | {site}</title>"
        f"{canonical}<meta property='og:site_name' content='{site}'>"
        f"<meta name='author' content='{author}'>"
        f"<meta property='article:published_time' content='{published}'></head>"
        "<body><nav><a href='/'>Home</a> | <a href='/news'>News</a></nav>"
        f"<article><h1>{title}</h1>{''.join(body)}</article>"
        "<footer>Copyright The Northern Post. All rights reserved.</footer></body></html>"
    )


def response_record(
    writer,
    url: str,
    body: bytes,
    *,
    ctype: str = "text/html; charset=utf-8",
    date: str = "2026-03-02T09:00:00Z",
    status: str = "200 OK",
):
    from warcio.statusandheaders import StatusAndHeaders

    headers = StatusAndHeaders(
        status,
        [("Content-Type", ctype), ("Content-Length", str(len(body)))],
        protocol="HTTP/1.1",
    )
    return writer.create_warc_record(
        url,
        "response",
        payload=io.BytesIO(body),
        http_headers=headers,
        warc_headers_dict={"WARC-Date": date},
    )


def write_warc(path: Path, records: list[dict], *, gz: bool = True) -> Path:
    """A WARC file of responses: dicts of url, body (bytes) and optional ctype/date/status.

    A dict with ``request=True`` adds a request record; ``info=True`` a warcinfo record.
    """
    from warcio.warcwriter import WARCWriter

    with open(path, "wb") as handle:
        writer = WARCWriter(handle, gzip=gz)
        for rec in records:
            if rec.get("info"):
                writer.write_record(writer.create_warcinfo_record(path.name, {"software": "t"}))
                continue
            if rec.get("request"):
                from warcio.statusandheaders import StatusAndHeaders

                req = StatusAndHeaders("GET / HTTP/1.1", [("Host", "x")], is_http_request=True)
                writer.write_record(
                    writer.create_warc_record(rec["url"], "request", http_headers=req)
                )
                continue
            opts = {k: rec[k] for k in ("ctype", "date", "status") if k in rec}
            writer.write_record(response_record(writer, rec["url"], rec["body"], **opts))
    return path
