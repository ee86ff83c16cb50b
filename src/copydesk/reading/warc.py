"""Web archives → Articles: WARC and ARC files (CC-NEWS), gzipped or not, streamed.

Only HTML responses (``text/html``, ``application/xhtml+xml``, status 200) become
articles; other responses (images, PDFs, redirects, ...) are counted and skipped, as are
request, metadata and warcinfo records. The count comes out as one warning.

**Re-crawls.** The same URL archived twice in one file gives one article: the record with
the latest ``WARC-Date`` wins (on a tie, the later record). A first pass over the file
reads only the record headers to find the winners. Across files the article ingested
last wins: ingest archives in crawl order (CC-NEWS names them by time).

**Damage.** A truncated or corrupt record, or gzip member, is one Rejection naming its
byte offset; reading resumes at the next gzip member (or, uncompressed, the next
``WARC/1.`` header), so every readable record is kept. A record's Content-Length says
where it ends: when the file agrees (the next record header, or the end of the file,
follows it), a line starting ``WARC/1.`` inside it is page text, never a header; only a
length the file contradicts makes such a line a place to resume. Each gzip member is
decompressed, its checksum verified, before its record is parsed. An archive gzipped as one
stream (not record by record) is decompressed to a temporary file first; what follows
damaged gzip data in it cannot be read.
"""

from __future__ import annotations

import bisect
import io
import os
import tempfile
import zlib
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..model import Article, Rejection
from .errors import RecordError
from .html_pages import articles_from_pages, max_html_bytes, page_from_bytes
from .meter import ReadMeter
from .records import DEFAULT_MAX_TEXT_BYTES, format_size

WARC_SUFFIXES = (".warc", ".warc.gz", ".arc", ".arc.gz")
HTML_TYPES = ("text/html", "application/xhtml+xml")
_GZIP_MEMBER = b"\x1f\x8b\x08"
_WARC_HEADER = b"WARC/1."
_ARC_HEADER = b"filedesc://"
_MAX_RESYNCS = 10_000
_MAX_MEMBER = 64 << 20  # decompressed bytes kept of one gzip member (one record)
_MAX_HEADER = 1 << 16  # a WARC record header longer than this is taken as damage


def is_archive_name(name: str) -> bool:
    return name.lower().endswith(WARC_SUFFIXES)


@dataclass(slots=True)
class _Seen:
    """One record met while walking an archive."""

    offset: int
    record: Any | None  # warcio ArcWarcRecord; None for a problem
    problem: str | None = None
    index: int = 0  # records of one gzip member after the first


def _walk(path: Path, meter: ReadMeter | None = None, second: bool = False) -> Iterator[_Seen]:
    """Every record of the archive, with resynchronisation after damage; ``meter`` is
    told how far into the file reading has got, each of the two walks over the file
    (``second`` or not) counting for half of it.

    Archives are normally gzipped record by record; one gzipped as a single stream is
    read through a decompressing stream instead (offsets are then uncompressed ones).
    """
    if _one_gzip_stream(path):
        with tempfile.TemporaryFile(prefix="copydesk-warc-") as plain:
            damage = _gunzip(path, plain)
            if meter is not None:  # the decompressed file's position, as a share of the file
                scale = path.stat().st_size / max(1, plain.tell())
                _watch(meter, path, lambda: int(plain.tell() * scale), second)
            for seen in _walk_stream(plain):
                if seen.problem:
                    seen.problem += " (offsets are in the decompressed archive)"
                yield seen
        if damage is not None:
            yield _Seen(damage, None, "damaged gzip stream: the rest of the file is lost")
        return
    with open(path, "rb") as handle:
        if meter is not None:
            _watch(meter, path, handle.tell, second)
        if handle.read(3) == _GZIP_MEMBER:
            yield from _walk_members(handle)
        else:
            yield from _walk_stream(handle)


def _watch(meter: ReadMeter, path: Path, position: Callable[[], int], second: bool) -> None:
    size = path.stat().st_size
    meter.watch(lambda: (size * second + position()) // 2)


def _walk_members(handle: Any) -> Iterator[_Seen]:
    """Records of an archive gzipped record by record, one gzip member at a time.

    Each member is decompressed (and its CRC checked) before it is parsed, so a damaged
    member is one problem and cannot be misread as a record swallowing the next ones.
    """
    from warcio.archiveiterator import ArchiveIterator

    for offset, data, problem in _gzip_members(handle):
        if data is None:
            yield _Seen(offset, None, problem)
            continue
        index = 0
        try:
            it = ArchiveIterator(io.BytesIO(data), arc2warc=True)
            for record in it:
                yield _Seen(offset, record, index=index)
                index += 1
        except Exception as exc:  # warcio on a member that is not a record
            yield _Seen(offset, None, f"damaged record ({type(exc).__name__}: {_short(exc)})")


def _gzip_members(
    handle: Any, cap: int = _MAX_MEMBER
) -> Iterator[tuple[int, bytes | None, str | None]]:
    """(offset, decompressed member or None, problem) for each gzip member of the file.

    A member larger than ``cap`` decompressed is cut there (its record reads as
    truncated). After a damaged member, reading resumes at the next gzip header.
    """
    pos = 0
    handle.seek(0)
    pending = b""
    while True:
        if len(pending) < 3:
            pending += handle.read(1 << 20)
        if not pending.strip(b"\x00\r\n "):
            more = handle.read(1 << 20)
            if not more:
                return
            pending += more
            continue
        problem = None
        if not pending.startswith(_GZIP_MEMBER):
            problem = "no gzip member where one should start (damaged data)"
        else:
            inflate = zlib.decompressobj(31)
            out = bytearray()
            data, fed = pending, len(pending)
            try:
                while True:
                    piece = inflate.decompress(data, 1 << 20)
                    if len(out) < cap:
                        out += piece[: cap - len(out)]
                    data = inflate.unconsumed_tail
                    if inflate.eof:
                        break
                    if not data:
                        data = handle.read(1 << 20)
                        fed += len(data)
                        if not data:
                            raise EOFError("the file ends inside it")
            except (zlib.error, EOFError) as exc:
                problem = f"damaged gzip member ({exc})"
            else:
                yield pos, bytes(out), None
                pending = inflate.unused_data
                pos += fed - len(pending) - len(inflate.unconsumed_tail)
                continue
        yield pos, None, problem
        nxt = _next_sync(handle, pos + 1, gzip_only=True)
        if nxt < 0:
            return
        pos, pending = nxt, b""
        handle.seek(nxt)


def _gunzip(path: Path, out: Any) -> int | None:
    """Decompress every gzip member of ``path`` into ``out``; the offset of damage or None."""
    written = 0
    with open(path, "rb") as handle:
        inflate = zlib.decompressobj(31)
        data = b""
        while True:
            if not data:
                data = handle.read(1 << 20)
                if not data:
                    break
            try:
                piece = inflate.decompress(data, 1 << 20)
            except zlib.error:
                return written
            out.write(piece)
            written += len(piece)
            data = inflate.unconsumed_tail
            if inflate.eof:
                data = inflate.unused_data + data
                inflate = zlib.decompressobj(31)
                if not data.strip(b"\x00"):
                    data = handle.read(1 << 20)
                    if not data:
                        inflate = None
                        break
                    if data[:2] != b"\x1f\x8b":
                        return written
    return None if inflate is None else written


def _one_gzip_stream(path: Path, limit: int = 64 << 20) -> bool:
    """Whether the file is gzipped as one stream: its first member runs to the end.

    (Reading a record-by-record file as one stream works too, only slower to resync: so
    a first member too large to check, or damaged, counts as one stream.)
    """
    with open(path, "rb") as handle:
        if handle.read(3) != _GZIP_MEMBER:
            return False
        handle.seek(0)
        inflate = zlib.decompressobj(31)
        produced = 0
        while chunk := handle.read(1 << 16):
            data = chunk
            try:
                while data and not inflate.eof:
                    produced += len(inflate.decompress(data, 1 << 20))
                    data = inflate.unconsumed_tail
            except zlib.error:
                return True
            if inflate.eof:
                return not (inflate.unused_data.strip(b"\x00") or handle.read(1))
            if produced > limit:
                return True
        return True


def _header_starts(handle: Any) -> list[int]:
    """Offsets of every line that begins with ``WARC/1.`` (candidate record headers).

    In an ARC file (it opens with its ``filedesc://`` record, after any junk bytes) there
    are none: such a line can only be a page's text. A WARC file whose first bytes are
    damaged is still a WARC file: its headers are found after the damage."""
    starts: list[int] = []
    base, tail = 0, b""
    handle.seek(0)
    if handle.read(1 << 12).lstrip(b"\x00\r\n\t ").startswith(_ARC_HEADER):
        return starts
    handle.seek(0)
    while chunk := handle.read(1 << 20):
        data = tail + chunk
        at = data.find(_WARC_HEADER)
        while at >= 0:
            if (at == 0 and base == 0) or (at > 0 and data[at - 1 : at] == b"\n"):
                starts.append(base + at)
            at = data.find(_WARC_HEADER, at + 1)
        tail = data[-len(_WARC_HEADER) :]
        base += len(data) - len(tail)
    return sorted(set(starts))


def _declared_end(handle: Any, offset: int, length: int | None) -> int | None:
    """Where the WARC record at ``offset`` ends by its Content-Length, if the file agrees
    (the end of the file, or the next record header, follows the record's trailer); None
    when the length is wrong or cannot be checked.

    Read with ``os.pread``: the archive reader's position in ``handle`` stays as it is."""
    try:
        fd = handle.fileno()
        head = os.pread(fd, _MAX_HEADER, offset)
    except (AttributeError, OSError, io.UnsupportedOperation):
        return None
    if length is None or not head.startswith(_WARC_HEADER):
        return None
    blank = head.find(b"\r\n\r\n")
    if blank < 0:
        return None
    end = offset + blank + 4 + length
    if end > os.fstat(fd).st_size:  # the file ends inside the record
        return None
    after = os.pread(fd, 8 + len(_WARC_HEADER), end)
    rest = after[4:] if after.startswith(b"\r\n\r\n") else after.lstrip(b"\r\n")
    return end if not rest or rest.startswith(_WARC_HEADER) else None


def _drop_inside(starts: list[int], offset: int, end: int) -> None:
    """Forget the candidate headers inside a record whose length is right: its payload."""
    del starts[bisect.bisect_right(starts, offset) : bisect.bisect_left(starts, end)]


def _swallowed(starts: list[int], offset: int, length: int | None) -> int | None:
    """The first record header inside a record's declared extent, if any."""
    if not length or not starts:
        return None
    i = bisect.bisect_right(starts, offset)
    if i < len(starts) and starts[i] < offset + length:
        return starts[i]
    return None


def _between(starts: list[int], after: int, before: int | None) -> int | None:
    """The first record header strictly after ``after`` (and before ``before``)."""
    i = bisect.bisect_right(starts, after)
    if i < len(starts) and (before is None or starts[i] < before):
        return starts[i]
    return None


def _walk_stream(handle: Any) -> Iterator[_Seen]:
    from warcio.archiveiterator import ArchiveIterator

    starts = _header_starts(handle)
    start = 0
    reported = -1
    for _ in range(_MAX_RESYNCS):
        offset = start
        last = -1  # where the last record handed out began
        it = None
        resume = None
        try:
            handle.seek(start)
            it = ArchiveIterator(handle, arc2warc=True, block_size=1 << 16)
            for record in it:
                offset = max(start, it.offset)
                end = _declared_end(handle, offset, getattr(record, "length", None))
                if end is not None:  # its "WARC/1." lines are text, not record headers
                    _drop_inside(starts, offset, end)
                missed = _between(starts, max(last, start - 1), offset)
                if missed is not None:
                    # Damage made the reader step over a record header: go back to it.
                    yield _Seen(
                        missed,
                        None,
                        "damaged data: the record header here was stepped over while"
                        " reading the record before it; read again from here",
                    )
                    resume = missed
                    break
                last = offset
                inner = _swallowed(starts, offset, getattr(record, "length", None))
                if inner is not None:
                    # A Content-Length too large: the record would swallow the next ones.
                    rid = record.rec_headers.get_header("WARC-Record-ID") or "?"
                    yield _Seen(
                        offset,
                        None,
                        f"record {rid}: its Content-Length ({record.length}) runs past the"
                        f" next record header at byte {inner}: the record is skipped and"
                        " reading goes on there",
                    )
                    resume = inner
                    break
                yield _Seen(offset, record)
                offset = max(start, it.get_record_offset() + it.get_record_length())
        except Exception as exc:  # warcio, zlib, EOF: any damage ends this run
            problem = f"damaged record ({type(exc).__name__}: {_short(exc)})"
        else:
            if resume is None:
                resume = _between(starts, max(last, start - 1), None)
                if resume is not None:
                    yield _Seen(resume, None, "damaged data: the record header here was"
                                " stepped over; read again from here")  # fmt: skip
            if resume is not None:
                start = resume
                continue
            if _blank_tail(handle, max(offset, it.offset if it else 0, start)):
                return
            problem = "truncated or unreadable data at the end of the file"
        if offset != reported:  # a retry at the same place fails the same way
            yield _Seen(offset, None, problem)
            reported = offset
        # Damage can surface only after it: a damaged member may be read as a record
        # whose bogus length swallows good records. So the search for the next record
        # starts just after the last record handed out, or where reading failed if
        # that is past where this run began (else just after it).
        if last >= start:
            start = _next_sync(handle, last + 1)
        else:
            start = _next_sync(handle, offset if offset > start else offset + 1)
        if start < 0:
            return


def _blank_tail(handle: Any, offset: int) -> bool:
    try:
        handle.seek(offset)
        return not handle.read(1 << 16).strip()
    except (OSError, EOFError, zlib.error):
        return False


def _next_sync(handle: Any, offset: int, *, gzip_only: bool = False) -> int:
    """Where the next gzip member or WARC header starts after ``offset``; -1 if none."""
    keep = len(_WARC_HEADER)
    tail = b""
    base = offset
    try:
        handle.seek(offset)
        while chunk := handle.read(1 << 20):
            data = tail + chunk
            found = (data.find(_GZIP_MEMBER), -1 if gzip_only else data.find(_WARC_HEADER))
            hits = [i for i in found if i >= 0]
            if hits:
                return base + min(hits)
            tail = data[-keep:]
            base += len(data) - len(tail)
    except (OSError, EOFError, zlib.error):
        pass  # a damaged single-stream gzip: nothing after the damage can be read
    return -1


def _short(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    if "Unknown archive format" in text:
        return "no WARC or ARC record where one should start"
    return text[:120] + "…" if len(text) > 120 else text


def _target(record: Any) -> str | None:
    url = record.rec_headers.get_header("WARC-Target-URI")
    # WARC 1.1's grammar put the URI in angle brackets; some writers followed it.
    return url.strip().removeprefix("<").removesuffix(">") if url else None


def _date(record: Any) -> str:
    return record.rec_headers.get_header("WARC-Date") or ""


def _html_response(record: Any) -> tuple[bool, str]:
    """(is an HTML page, why not) for a response record."""
    http = record.http_headers
    if http is None:
        return False, "no HTTP headers"
    status = http.get_statuscode()
    if status != "200":
        return False, f"status {status}"
    ctype = (http.get_header("Content-Type") or "").split(";")[0].strip().lower()
    if ctype not in HTML_TYPES:
        return False, ctype or "no content type"
    return True, ""


def _charset(record: Any) -> str | None:
    ctype = record.http_headers.get_header("Content-Type") or ""
    for part in ctype.split(";")[1:]:
        key, _, value = part.partition("=")
        if key.strip().lower() == "charset" and value.strip():
            return value.strip().strip("\"'")
    return None


def _winners(path: Path, meter: ReadMeter | None = None) -> dict[str, tuple[str, int, int]]:
    """For each URL with an HTML response: (latest WARC-Date, offset of that record)."""
    best: dict[str, tuple[str, int, int]] = {}
    for seen in _walk(path, meter):
        record = seen.record
        if record is None or record.rec_type != "response":
            continue
        url = _target(record)
        if not url or not _html_response(record)[0]:
            continue
        key = (_date(record), seen.offset, seen.index)
        if url not in best or key >= best[url]:
            best[url] = key
    return best


def read_warc(
    path: str | Path,
    *,
    max_text_bytes: int = DEFAULT_MAX_TEXT_BYTES,
    workers: int | None = 1,
    meter: ReadMeter | None = None,
) -> Iterator[Article | Rejection]:
    """Articles from a WARC or ARC file (gzipped or not); see the module docstring.
    ``meter`` is told how far reading has got (the file is read twice: see above)."""
    archive = Path(path)
    source = str(archive)
    try:
        winners = _winners(archive, meter)
    except OSError as exc:
        reason = (
            "file not found"
            if isinstance(exc, FileNotFoundError)
            else (f"cannot open the file ({exc.strerror or exc})")
        )
        yield Rejection(source, None, reason)
        return
    skipped: Counter[str] = Counter()
    yield from articles_from_pages(
        _pages(archive, winners, skipped, max_text_bytes, meter),
        max_text_bytes=max_text_bytes,
        workers=workers,
    )
    if skipped:
        parts = ", ".join(f"{n} {kind}" for kind, n in skipped.most_common())
        total = sum(skipped.values())
        yield Rejection(
            source,
            None,
            f"skipped {total} record{'s that are' if total != 1 else ' that is'} not an HTML page:"
            f" {parts}",
            severity="warning",
        )


def _pages(
    archive: Path,
    winners: dict[str, tuple[str, int, int]],
    skipped: Counter[str],
    max_text_bytes: int,
    meter: ReadMeter | None = None,
) -> Iterator[Any]:
    source = str(archive)
    limit = max_html_bytes(max_text_bytes)
    for seen in _walk(archive, meter, second=True):
        record = seen.record
        if record is None:
            yield Rejection(source, None, f"at byte {seen.offset}: {seen.problem}")
            continue
        if record.rec_type != "response":
            continue  # warcinfo, request, metadata, revisit: not pages
        url = _target(record)
        ok, why = _html_response(record)
        if not ok:
            skipped[f"non-HTML responses ({why})" if why else "non-HTML responses"] += 1
            continue
        if not url:
            yield Rejection(source, None, f"at byte {seen.offset}: response without a target URI")
            continue
        if winners.get(url, ("", -1, -1))[1:] != (seen.offset, seen.index):
            skipped["older crawls of a URL archived again"] += 1
            continue
        where = f"at byte {seen.offset}"
        try:
            stream = record.content_stream()
            data = stream.read(limit + 1)
            truncated = getattr(record.raw_stream, "limit", 0) > 0 and len(data) <= limit
        except (OSError, EOFError, zlib.error, ValueError) as exc:
            yield Rejection(source, None, f"{where}: damaged record ({_short(exc)})", url)
            continue
        except Exception as exc:  # warcio's own errors on damaged content
            yield Rejection(source, None, f"{where}: damaged record ({_short(exc)})", url)
            continue
        if len(data) > limit:
            yield Rejection(
                source,
                None,
                f"{where}: page is over {format_size(limit)}, too large to extract"
                " (raise the limit with --max-text-mb)",
                url,
            )
            continue
        if truncated:
            yield Rejection(source, None, f"{where}: truncated record (the file ends in it)", url)
            continue
        try:
            page = page_from_bytes(
                data,
                source=source,
                url=url,
                declared_charset=_charset(record),
                max_text_bytes=max_text_bytes,
            )
        except RecordError as exc:
            yield Rejection(source, None, f"{where}: {exc.reason}", url)
            continue
        page.hints["crawled"] = _date(record)
        yield page
