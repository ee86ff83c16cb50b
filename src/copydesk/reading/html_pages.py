"""Web pages → Articles: HTML files and folders of them, and the pages other readers
(WARC archives, ``copydesk watch``) hand over as bytes.

Decoding: a byte-order mark wins; then the charset the server declared, then the page's
own ``<meta charset>``; ISO-8859-1 and ASCII labels are read as cp1252, as browsers do. A
page whose bytes are valid UTF-8 is read as UTF-8 even when labelled otherwise, and a
page labelled UTF-8 that is not is read with charset detection (charset_normalizer), else
as cp1252. Either fallback is noted as a warning; the article is kept.

Each article read from HTML carries its page in ``extra["_html"]`` (with
``extra["_extractor"]``): the store keeps it compressed, so ``copydesk reextract`` can run
extraction again. The body's links are in ``extra["links"]`` and figure captions in
``extra["captions"]``; the page's canonical address, when it differs from where it was
found, in ``extra["canonical"]``.
"""

from __future__ import annotations

import codecs
import multiprocessing
import os
import re
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from ..model import Article, Rejection
from .dates import page_date
from .errors import RecordError
from .html_extract import Extracted, extract_html, extractor_name
from .meter import ReadMeter
from .outlets import outlet_from_url
from .records import (
    DEFAULT_MAX_TEXT_BYTES,
    HTML_LIMIT_FACTOR,
    check_html,
    clean_text,
    format_size,
)

HTML_FILE_SUFFIXES = (".html", ".htm", ".xhtml")
_META_CHARSET = re.compile(
    rb"""<meta[^>]{0,200}?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]{1,40})""", re.IGNORECASE
)
_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# Labels browsers read as another encoding (WHATWG Encoding Standard).
_ALIASES = {"iso-8859-1": "cp1252", "latin-1": "cp1252", "latin1": "cp1252", "ascii": "cp1252",
            "us-ascii": "cp1252", "iso8859-1": "cp1252", "iso_8859-1": "cp1252"}  # fmt: skip
_EXTRACT_CHUNK = 16


@dataclass(slots=True)
class Page:
    """One fetched or archived page, before extraction."""

    html: str
    url: str | None = None
    id: str | None = None  # defaults to url, then to the canonical url, then fallback_id
    fallback_id: str | None = None  # a file's path
    source: str = ""  # where it was read, for messages
    line: int | None = None  # a record number in an archive
    charset_note: str | None = None  # how decoding fell back, if it did
    hints: dict[str, object] = field(default_factory=dict)  # title/published from a feed


def max_html_bytes(max_text_bytes: int) -> int:
    return HTML_LIMIT_FACTOR * max_text_bytes


def decode_html(data: bytes, declared: str | None = None) -> tuple[str, str | None]:
    """The page as text and a note when the charset had to be guessed (else None)."""
    for bom, codec in _BOMS:
        if data.startswith(bom):
            return data.decode(codec, "replace"), None
    label = _codec(declared)
    if label is None:
        meta = _META_CHARSET.search(data[:4096])
        label = _codec(meta.group(1).decode("ascii", "replace")) if meta else None
    non_ascii = not data.isascii()
    if non_ascii and label != "utf-8":
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            pass
        else:
            note = f"labelled {label}, but valid UTF-8: read as UTF-8" if label else None
            return text, note
    if label is not None:
        try:
            return data.decode(label), None
        except UnicodeDecodeError:
            pass
    if not non_ascii:
        return data.decode("ascii"), None
    guess = _detect(data) or "cp1252"
    said = f"labelled {label}, but not valid {label}" if label else "no charset declared, not UTF-8"
    return data.decode(guess, "replace"), f"{said}: read as {guess}"


def _codec(label: str | None) -> str | None:
    if not label:
        return None
    name = label.strip().strip("\"'").lower()
    name = _ALIASES.get(name, name)
    try:
        found = codecs.lookup(name).name
    except (LookupError, ValueError):  # ValueError: a label with a NUL in it
        return None
    return "utf-8" if found in ("utf-8", "utf_8") else found


def _detect(data: bytes) -> str | None:
    """A guess at a single-byte charset: cp1252 unless the bytes read as another script.

    charset_normalizer is unsure on short Western text (cp1250, cp437, ... decode it as
    well), so its guess is taken only when it reads the letters as a non-Latin script
    (Cyrillic, Greek, Hebrew, Arabic ...) in a coherent language over enough letters;
    otherwise cp1252, the usual mislabelling.
    """
    try:
        from charset_normalizer import from_bytes
    except ImportError:  # pragma: no cover - installed with trafilatura/requests
        return None
    best = from_bytes(data[:200_000]).best()
    if best is None or best.encoding in ("cp1252", "windows-1252"):
        return "cp1252"
    text = data[:200_000].decode(best.encoding, "replace")
    letters = [c for c in text if ord(c) > 127 and c.isalpha()]
    latin = sum(1 for c in letters if unicodedata.name(c, "").startswith("LATIN"))
    if len(letters) >= 20 and latin < len(letters) / 2 and best.coherence > 0.2:
        return best.encoding
    return "cp1252"


def article_from_page(
    page: Page, extracted: Extracted, *, max_text_bytes: int = DEFAULT_MAX_TEXT_BYTES
) -> Article:
    """The article of an extracted page; raises RecordError if it has no text."""
    if extracted.text is None:
        raise RecordError("no article text found in the page")
    text = clean_text(extracted.text, "text extracted from html", max_text_bytes)
    url = page.url or extracted.url
    article_id = page.id or url or page.fallback_id
    if article_id is None:
        raise RecordError("the page has no address: no url and no canonical link")
    extra: dict[str, object] = {}
    if extracted.url and extracted.url != url:
        extra["canonical"] = extracted.url
    if extracted.links:
        extra["links"] = extracted.links
    if extracted.captions:
        extra["captions"] = extracted.captions
    extra["_html"] = page.html
    extra["_extractor"] = extractor_name()
    hint_date = page.hints.get("published")
    published = page_date(extracted.date) or (
        hint_date if isinstance(hint_date, datetime) else None
    )
    hint_title = page.hints.get("title")
    return Article(
        id=article_id,
        text=text,
        url=url,
        outlet=outlet_from_url(url) if url else None,
        published=published,
        title=extracted.title or (hint_title if isinstance(hint_title, str) else None),
        author=extracted.author,
        outlet_name=extracted.sitename,
        extra=extra,
    )


def _extract_one(html: str, url: str | None) -> Extracted | RecordError:
    try:
        return extract_html(html, url)
    except RecordError as exc:
        return exc


def _extract_chunk(items: list[tuple[str, str | None]]) -> list[Extracted | RecordError]:
    return [_extract_one(html, url) for html, url in items]


def extract_many(
    pages: Sequence[tuple[str, str | None]] | Sequence[str], workers: int | None = 1
) -> list[Extracted | RecordError]:
    """Extract many pages (HTML, or (HTML, url) pairs), in a process pool when workers > 1.

    Results come in input order; a page that fails is its RecordError, not an exception.
    """
    with Extractor(workers) as extractor:
        return extractor.run(pages)


class Extractor:
    """Runs extraction in one process pool (started on first need) for many batches."""

    def __init__(self, workers: int | None = 1) -> None:
        self.workers = _workers(workers)
        self._pool: ProcessPoolExecutor | None = None

    def __enter__(self) -> Extractor:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)
            self._pool = None

    def run(
        self, pages: Sequence[tuple[str, str | None]] | Sequence[str]
    ) -> list[Extracted | RecordError]:
        items = [(p, None) if isinstance(p, str) else p for p in pages]
        if self.workers <= 1 or len(items) < 2 * _EXTRACT_CHUNK:
            return _extract_chunk(items)
        if self._pool is None:
            # fork: workers start at once with trafilatura already imported.
            ctx = multiprocessing.get_context("fork")
            self._pool = ProcessPoolExecutor(max_workers=self.workers, mp_context=ctx)
        chunks = [items[i : i + _EXTRACT_CHUNK] for i in range(0, len(items), _EXTRACT_CHUNK)]
        return [r for chunk in self._pool.map(_extract_chunk, chunks) for r in chunk]


def _workers(workers: int | None) -> int:
    if workers is None:
        return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1
    return max(1, workers)


def articles_from_pages(
    pages: Iterable[Page | Rejection],
    *,
    max_text_bytes: int = DEFAULT_MAX_TEXT_BYTES,
    workers: int | None = 1,
    batch: int = 256,
) -> Iterator[Article | Rejection]:
    """Extract pages in batches (in a pool when workers > 1); Rejections pass through."""
    pending: list[Page] = []
    with Extractor(workers) as extractor:

        def flush() -> Iterator[Article | Rejection]:
            results = extractor.run([(p.html, p.url) for p in pending])
            for page, result in zip(pending, results, strict=True):
                yield from _finish(page, result, max_text_bytes)
            pending.clear()

        for item in pages:
            if isinstance(item, Rejection):
                yield item
                continue
            pending.append(item)
            if len(pending) >= batch:
                yield from flush()
        if pending:
            yield from flush()


def _finish(
    page: Page, result: Extracted | RecordError, max_text_bytes: int
) -> Iterator[Article | Rejection]:
    where = page.id or page.url
    if isinstance(result, RecordError):
        yield Rejection(page.source, page.line, result.reason, record_id=where)
        return
    try:
        article = article_from_page(page, result, max_text_bytes=max_text_bytes)
    except RecordError as exc:
        yield Rejection(page.source, page.line, exc.reason, record_id=where)
        return
    yield article
    if page.charset_note:
        yield Rejection(
            page.source, page.line, page.charset_note, record_id=article.id, severity="warning"
        )


def page_from_bytes(
    data: bytes,
    *,
    source: str,
    url: str | None = None,
    id: str | None = None,
    declared_charset: str | None = None,
    line: int | None = None,
    max_text_bytes: int = DEFAULT_MAX_TEXT_BYTES,
) -> Page:
    """A page ready for extraction; RecordError when it is too large or not text."""
    limit = max_html_bytes(max_text_bytes)
    if len(data) > limit:
        raise RecordError(
            f"page is over {format_size(limit)}, too large to extract"
            " (raise the limit with --max-text-mb)"
        )
    html, note = decode_html(data, declared_charset)
    html = check_html(html, max_text_bytes)
    return Page(html=html, url=url, id=id, source=source, line=line, charset_note=note)


def html_files(path: Path, special: list[Path] | None = None) -> list[Path]:
    """``path`` itself, or the HTML files under a folder (walked, sorted, hidden skipped).

    In a folder only regular files are read: a named pipe, socket or device called
    ``*.html`` would block or never end; it is left out and added to ``special``.
    """
    if not path.is_dir():
        return [path]
    found: list[Path] = []
    for root, dirs, files in os.walk(path):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            if name.startswith(".") or not name.lower().endswith(HTML_FILE_SUFFIXES):
                continue
            file = Path(root) / name
            if file.is_file():
                found.append(file)
            elif special is not None:
                special.append(file)
    return found


def read_html_path(
    path: str | Path,
    *,
    max_text_bytes: int = DEFAULT_MAX_TEXT_BYTES,
    workers: int | None = 1,
    meter: ReadMeter | None = None,
) -> Iterator[Article | Rejection]:
    """Articles from an HTML file or a folder of them (.html, .htm, .xhtml, walked).

    An article's id is the page's canonical address when it names one, else the file's
    path; its url is that canonical address. ``meter`` counts the bytes of the files read.
    """
    root = Path(path)
    special: list[Path] = []
    files = html_files(root, special)
    for file in special:
        yield Rejection(
            str(file), None, "not a regular file (a named pipe, socket or device): skipped"
        )
    if root.is_dir() and not files:
        yield Rejection(
            str(root),
            None,
            "is a directory with no .html or .htm files in it:"
            " pass the files to read (e.g. dir/*.jsonl)",
        )
        return
    yield from articles_from_pages(
        _file_pages(files, max_text_bytes, meter), max_text_bytes=max_text_bytes, workers=workers
    )


def _file_pages(
    files: list[Path], max_text_bytes: int, meter: ReadMeter | None
) -> Iterator[Page | Rejection]:
    limit = max_html_bytes(max_text_bytes)
    for file in files:
        source = str(file)
        try:
            with open(file, "rb") as handle:
                data = handle.read(limit + 1)
                if meter is not None:
                    meter.advance(os.fstat(handle.fileno()).st_size)
        except FileNotFoundError:
            yield Rejection(source, None, "file not found")
            continue
        except OSError as exc:
            yield Rejection(source, None, f"cannot open the file ({exc.strerror or exc})")
            continue
        try:
            page = page_from_bytes(data, source=source, max_text_bytes=max_text_bytes)
        except RecordError as exc:
            yield Rejection(source, None, exc.reason)
            continue
        page.fallback_id = source
        yield page
