"""HTML extraction benchmark: pages per second reading a WARC, against trafilatura alone.

Builds a gzipped WARC of a few thousand invented news pages (the demo corpus's texts in
three page templates), then times on the same pages:

- copydesk: ``read_path`` on the WARC with a process pool (records parsed, charset
  decoded, text, metadata, links and captions extracted), and with one worker;
- trafilatura alone: ``bare_extraction`` with metadata, and plain ``extract``, in one
  process (what one would write without copydesk).

Prints a table and writes ``bench/results/html-latest.json``. Target: ≥ 100 pages/s.
"""

from __future__ import annotations

import argparse
import io
import json
import platform
import random
import sys
import time
from datetime import UTC, datetime
from html import escape
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
RESULTS_DIR = BENCH_DIR / "results"
WORK_DIR = BENCH_DIR / "work"
sys.path.insert(0, str(BENCH_DIR.parent / "src"))

from rich.console import Console  # noqa: E402
from rich.table import Table  # noqa: E402

from copydesk.demo import ARTICLES  # noqa: E402
from copydesk.reading import read_path  # noqa: E402

TARGET_PAGES_PER_S = 100.0

_TEMPLATES = [
    "<!doctype html><html><head><meta charset='utf-8'><title>{title} | {site}</title>"
    "<link rel='canonical' href='{url}'><meta property='og:site_name' content='{site}'>"
    "<meta name='author' content='{author}'>"
    "<meta property='article:published_time' content='{published}'></head><body>"
    "<nav><a href='/'>Home</a> <a href='/news'>News</a> <a href='/sport'>Sport</a></nav>"
    "<article><h1>{title}</h1>{body}</article><aside><h2>Most read</h2><ul>{more}</ul>"
    "</aside><footer>Copyright {site}</footer></body></html>",
    "<!doctype html><html><head><meta charset='utf-8'><title>{title}</title>"
    "<meta name='description' content='{title}'></head><body><div class='wrap'>"
    "<header><div class='logo'>{site}</div></header><main><div class='story'>"
    "<h1 class='headline'>{title}</h1><p class='byline'>By {author}</p>"
    "<time datetime='{published}'>{published}</time><div class='body'>{body}</div></div>"
    "</main><div class='related'><ul>{more}</ul></div></div></body></html>",
    "<!doctype html><html><head><meta charset='utf-8'><title>{title} - {site}</title>"
    '<script type=\'application/ld+json\'>{{"@type": "NewsArticle", '
    '"datePublished": "{published}"}}</script></head><body><section id=\'content\'>'
    "<h1>{title}</h1><div itemprop='articleBody'>{body}</div></section>"
    "<section class='newsletter'><p>Sign up for our newsletter.</p></section>"
    "<ul class='links'>{more}</ul></body></html>",
]


def _pages(n: int, seed: int) -> list[tuple[str, str]]:
    """(url, html) for ``n`` invented pages built from the demo corpus."""
    articles = [a for a in read_path(ARTICLES) if hasattr(a, "text")]
    rng = random.Random(seed)
    out = []
    for i in range(n):
        a = articles[i % len(articles)]
        paras = [p for p in a.text.split("\n\n") if p.strip()]
        rng.shuffle(paras)
        body = "".join(f"<p>{escape(p)}</p>" for p in paras)
        more = "".join(
            f"<li><a href='/story/{rng.randrange(10**6)}'>{escape(b.title or '')}</a></li>"
            for b in rng.sample(articles, 5)
        )
        url = f"https://www.{a.outlet}/story/{i}"
        html = _TEMPLATES[i % len(_TEMPLATES)].format(
            title=escape(a.title or ""),
            site=escape(a.outlet_name or a.outlet or ""),
            url=url,
            author=escape(a.author or ""),
            published=a.published.isoformat() if a.published else "",
            body=body,
            more=more,
        )
        out.append((url, html))
    return out


def _write_warc(pages: list[tuple[str, str]], path: Path) -> None:
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    with path.open("wb") as fh:
        writer = WARCWriter(fh, gzip=True)
        for url, html in pages:
            body = html.encode("utf-8")
            headers = StatusAndHeaders(
                "200 OK",
                [("Content-Type", "text/html; charset=utf-8")],
                protocol="HTTP/1.1",
            )
            writer.write_record(
                writer.create_warc_record(
                    url, "response", payload=io.BytesIO(body), http_headers=headers
                )
            )


def _time_copydesk(path: Path, workers: int) -> tuple[float, int, int]:
    start = time.perf_counter()
    ok = bad = 0
    for item in read_path(path, workers=workers):
        if hasattr(item, "text"):
            ok += 1
        elif getattr(item, "severity", "") == "error":
            bad += 1
    return time.perf_counter() - start, ok, bad


def _time_trafilatura(pages: list[tuple[str, str]], metadata: bool) -> float:
    import trafilatura

    start = time.perf_counter()
    for url, html in pages:
        if metadata:
            trafilatura.bare_extraction(html, url=url, with_metadata=True)
        else:
            trafilatura.extract(html, url=url)
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=3000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    WORK_DIR.mkdir(parents=True, exist_ok=True)
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    pages = _pages(args.pages, args.seed)
    warc = WORK_DIR / "html-bench.warc.gz"
    _write_warc(pages, warc)

    rows: dict[str, dict[str, float]] = {}
    for name, workers in (
        (f"copydesk, {args.workers} workers", args.workers),
        ("copydesk, 1 worker", 1),
    ):
        seconds, ok, bad = _time_copydesk(warc, workers)
        rows[name] = {"seconds": seconds, "pages": ok, "rejected": bad}
    for name, metadata in (("trafilatura bare_extraction + metadata", True),
                           ("trafilatura extract (text only)", False)):  # fmt: skip
        rows[name] = {"seconds": _time_trafilatura(pages, metadata), "pages": len(pages)}
    for row in rows.values():
        row["pages_per_s"] = row["pages"] / row["seconds"]

    best = rows[f"copydesk, {args.workers} workers"]["pages_per_s"]
    alone = rows["trafilatura bare_extraction + metadata"]["pages_per_s"]
    table = Table(title=f"HTML extraction: {len(pages):,} pages from a gzipped WARC")
    for column in ("how", "seconds", "pages", "pages/s"):
        table.add_column(column, justify="left" if column == "how" else "right")
    for name, row in rows.items():
        table.add_row(
            name, f"{row['seconds']:.2f}", f"{row['pages']:,}", f"{row['pages_per_s']:.0f}"
        )
    console = Console()
    console.print(table)
    met = best >= TARGET_PAGES_PER_S
    console.print(
        f"copydesk / trafilatura-alone throughput: {best / alone:.2f}; target ≥ "
        f"{TARGET_PAGES_PER_S:.0f} pages/s: {'met' if met else 'missed'} ({best:.0f})"
    )
    record = {
        "benchmark": "html",
        "started": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {"platform": platform.platform(), "python": platform.python_version()},
        "pages": len(pages),
        "warc_mb": round(warc.stat().st_size / 1e6, 2),
        "rows": rows,
        "ratio_to_trafilatura_alone": best / alone,
        "target_pages_per_s": TARGET_PAGES_PER_S,
        "target_met": met,
    }
    (RESULTS_DIR / "html-latest.json").write_text(json.dumps(record, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
