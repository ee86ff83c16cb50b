"""Input files (or stdin), dispatched by name or, failing that, by their first bytes.

Formats: JSON Lines (``.jsonl``, ``.ndjson``, ``.json``; a ``.json`` file may also hold
one JSON array of objects or one object), CSV (``.csv``) and TSV (``.tsv``), each
optionally gzipped (``.gz``). ``-`` is stdin, read as JSON (gzip is detected).
Web pages: ``.html``/``.htm``/``.xhtml`` files and folders of them (``html_pages``), web
archives ``.warc``, ``.warc.gz``, ``.arc``, ``.arc.gz`` (``warc``), and ``.parquet``.
"""

from __future__ import annotations

import gzip
import io
import sys
import zlib
from collections.abc import Iterable, Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import BinaryIO

from ..model import Article, Rejection
from .csvfile import TEXT_COLUMNS, read_csv
from .jsonl import read_json
from .meter import ReadMeter, input_size
from .records import DEFAULT_MAX_TEXT_BYTES
from .sniff import BOM, GZIP_MAGIC, HEAD_BYTES, binary_signature, holds_json_lines

STDIN_SOURCE = "<stdin>"
SUFFIX_FORMATS = {
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".jsonlines": "jsonl",
    ".json": "json",
    ".csv": "csv",
    ".tsv": "tsv",
}
DELIMITERS = {"csv": ",", "tsv": "\t"}
ACCEPTED = (
    "copydesk reads JSON Lines (.jsonl, .ndjson, .json), a JSON array of articles (.json)"
    " and CSV or TSV with a header row naming a 'text' or 'html' column (.csv, .tsv),"
    " each optionally gzipped (.gz); web pages (.html, .htm, or a folder of them), web"
    " archives (.warc, .warc.gz, .arc, .arc.gz) and Parquet (.parquet)"
)
# Errors a damaged gzip stream raises part-way through.
_STREAM_ERRORS = (OSError, EOFError, zlib.error)


def read_path(
    path: str | Path,
    *,
    max_text_bytes: int = DEFAULT_MAX_TEXT_BYTES,
    workers: int | None = 1,
    meter: ReadMeter | None = None,
) -> Iterator[Article | Rejection]:
    """Articles from one input file, "-" for stdin; problems come out as Rejections.

    The format comes from the name (see the module docstring); a name without a known
    suffix is judged by its first bytes. A file named "-" must be given as "./-".
    Never raises for bad input: a file that cannot be read at all gives one Rejection
    naming it, a bad record one Rejection with its line, and reading goes on.
    ``workers`` > 1 (None: all cores) extracts web pages in a process pool. ``meter``
    is told how far reading has got. An input with no records at all says so (a
    warning naming it).
    """
    source = STDIN_SOURCE if str(path) == "-" else str(path)
    found = False
    for item in _read_one(path, max_text_bytes, workers, meter):
        found = True
        yield item
    if not found:
        empty = source != STDIN_SOURCE and input_size(path) == 0
        yield Rejection(
            source,
            None,
            "no records: the file is empty" if empty else "no records in it",
            severity="warning",
        )


def _read_one(
    path: str | Path, max_text_bytes: int, workers: int | None, meter: ReadMeter | None
) -> Iterator[Article | Rejection]:
    is_stdin = str(path) == "-"
    if not is_stdin:
        web = _read_web(Path(path), max_text_bytes, workers, meter)
        if web is not None:
            yield from web
            return
    source = STDIN_SOURCE if is_stdin else str(path)
    with ExitStack() as stack:
        if is_stdin:
            raw: BinaryIO = sys.stdin.buffer
            fmt: str | None = "json"
            gz: bool | None = None  # detected from the data
        else:
            fmt, gz = format_from_name(Path(path).name)
            try:
                raw = stack.enter_context(open(path, "rb"))
            except OSError as exc:
                yield Rejection(source, None, _open_problem(Path(path), exc))
                return
            if meter is not None:
                meter.watch(raw.tell)
        try:
            stream, head = _open_stream(raw, gz, stack)
        except _STREAM_ERRORS as exc:
            yield Rejection(source, None, _read_problem(exc))
            return
        kind = binary_signature(head)
        # A file named as JSON whose first bytes only look like a signature ("GIF87a{...")
        # is damaged text: its first record is rejected alone, the rest is read.
        if kind and not (fmt in ("json", "jsonl") and holds_json_lines(head)):
            if head.startswith(GZIP_MAGIC):
                kind += ": name the file with a .gz suffix, e.g. articles.jsonl.gz"
            yield Rejection(source, None, f"binary file, not JSON Lines or CSV ({kind})")
            return
        fmt = fmt or sniff_format(head)
        if fmt is None:
            yield Rejection(source, None, f"unknown file type: {ACCEPTED}")
            return
        if fmt in ("json", "jsonl"):
            items = read_json(stream, head, source, max_text_bytes, documents=fmt == "json")
        else:
            items = read_csv(stream, source, DELIMITERS[fmt], max_text_bytes)
        try:
            yield from items
        except _STREAM_ERRORS as exc:
            yield Rejection(source, None, f"read error, the rest of the file is skipped ({exc})")
        for problem in getattr(stream, "gzip_problems", ()):
            yield Rejection(source, None, problem)


def read_paths(
    paths: Iterable[str | Path],
    *,
    max_text_bytes: int = DEFAULT_MAX_TEXT_BYTES,
    workers: int | None = 1,
    meter: ReadMeter | None = None,
) -> Iterator[Article | Rejection]:
    """``read_path`` over several inputs, one after another; ``meter`` (made for
    ``paths``: ``ReadMeter.of(paths)``) is told how far reading has got."""
    for i, path in enumerate(paths):
        if meter is not None:
            meter.begin(i)
        yield from read_path(path, max_text_bytes=max_text_bytes, workers=workers, meter=meter)
        if meter is not None:
            meter.end()


def _read_web(
    path: Path, max_text_bytes: int, workers: int | None, meter: ReadMeter | None = None
) -> Iterator[Article | Rejection] | None:
    """The reader of a web page, folder, archive or Parquet file; None for other inputs."""
    from .html_pages import HTML_FILE_SUFFIXES, read_html_path
    from .parquet import read_parquet
    from .warc import is_archive_name, read_warc

    name = path.name.lower()
    if is_archive_name(name):
        return read_warc(path, max_text_bytes=max_text_bytes, workers=workers, meter=meter)
    if name.endswith(".parquet"):
        return read_parquet(path, max_text_bytes=max_text_bytes)
    if name.endswith(HTML_FILE_SUFFIXES) or path.is_dir():
        return read_html_path(path, max_text_bytes=max_text_bytes, workers=workers, meter=meter)
    return None


def format_from_name(name: str) -> tuple[str | None, bool]:
    """The format a name promises ("jsonl", "json", "csv", "tsv" or None); gzipped or not."""
    lower = name.lower()
    gz = lower.endswith(".gz")
    stem = lower.removesuffix(".gz")
    dot = stem.rfind(".")
    return (SUFFIX_FORMATS.get(stem[dot:]) if dot >= 0 else None), gz


def sniff_format(head: bytes) -> str | None:
    """The format of an input with an unknown name, judged from its first bytes."""
    body = head.removeprefix(BOM).lstrip()
    if body[:1] in (b"{", b"["):
        return "json"
    first = body.split(b"\n", 1)[0].decode("utf-8", "replace")
    for fmt, delimiter in DELIMITERS.items():
        if delimiter in first:
            names = {cell.strip().strip('"').strip() for cell in first.split(delimiter)}
            if names.intersection(TEXT_COLUMNS):
                return fmt
    return None


def _open_problem(path: Path, exc: OSError) -> str:
    if path.is_dir():
        return "is a directory, not a file: pass the files in it (e.g. dir/*.jsonl)"
    if isinstance(exc, FileNotFoundError):
        return "file not found"
    return f"cannot open the file ({exc.strerror or exc})"


def _read_problem(exc: BaseException) -> str:
    if isinstance(exc, gzip.BadGzipFile | EOFError | zlib.error):
        return f"not a readable gzip file ({exc})"
    return f"cannot read the file ({exc})"


def _open_stream(raw: BinaryIO, gz: bool | None, stack: ExitStack) -> tuple[BinaryIO, bytes]:
    """The decompressed stream and its first bytes (still to be read from the stream).

    The stream has a ``gzip_problems`` list: damage met in gzip data, to report once
    reading is done (see ``Gunzip``).
    """
    stream: BinaryIO = raw
    problems: list[str] = []
    if gz:
        stream = _buffered(Gunzip(raw, problems))
    head = stream.read(HEAD_BYTES)
    if gz is None and head.startswith(GZIP_MAGIC):
        stream = _buffered(Gunzip(_replay(head, raw), problems))
        head = stream.read(HEAD_BYTES)
    if gz is not False and not head and problems:
        raise EOFError(problems[0])
    out = _replay(head, stream)
    out.gzip_problems = problems  # type: ignore[attr-defined]
    return out, head


def _buffered(raw: io.RawIOBase) -> BinaryIO:
    return io.BufferedReader(raw, buffer_size=1 << 20)  # type: ignore[return-value]


class Gunzip(io.RawIOBase):
    """The decompressed bytes of every gzip member of ``raw``, recovering from damage.

    ``gzip.GzipFile`` gives up at the first problem and loses what it held. Here a
    damaged member, junk between members or a truncated end becomes a line in
    ``problems`` (naming the compressed byte offset) and decompression goes on at the
    next gzip member header: everything readable before and after the damage comes out.
    """

    def __init__(self, raw: BinaryIO, problems: list[str]) -> None:
        super().__init__()
        self._raw = raw
        self.problems = problems
        self._inflate = zlib.decompressobj(31)
        self._in = b""  # compressed bytes not yet fed
        self._base = 0  # offset of self._in[0] in the compressed file
        self._member = 0  # offset where the current member starts
        self._started = False  # the current member has begun
        self._out = b""
        self._taken = 0  # bytes of self._out already handed out
        self._produced = 0
        self._done = False

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        while self._taken >= len(self._out) and not self._done:
            self._out, self._taken = b"", 0
            self._fill()
        n = min(len(buffer), len(self._out) - self._taken)
        buffer[:n] = memoryview(self._out)[self._taken : self._taken + n]
        self._taken += n
        return n

    def _more(self) -> bool:
        data = self._raw.read(1 << 16)
        if not data:
            return False
        self._in += data
        return True

    def _fill(self) -> None:
        if not self._in and not self._more():
            if self._started:
                self._problem(
                    self._member,
                    "the file ends inside this gzip member (truncated): what it held up"
                    " to there was read",
                    resumed=False,
                )
            self._done = True
            return
        if not self._started:
            if not self._in.strip(b"\x00"):  # padding after the last member
                self._base += len(self._in)
                self._in = b""
                return
            if len(self._in) < 3 and self._more():
                return
            if not self._in.startswith(b"\x1f\x8b\x08"):
                self._problem(self._base, "data that is not gzip (junk between gzip members)")
                self._resync(0)
                return
            self._member, self._started = self._base, True
        try:
            piece = self._inflate.decompress(self._in, 1 << 20)
        except zlib.error as exc:
            self._problem(self._member, f"damaged gzip member ({exc})")
            self._resync(1)
            return
        self._out = self._out[self._taken :] + piece if self._out else piece
        self._taken = 0
        self._produced += len(piece)
        rest = self._inflate.unused_data if self._inflate.eof else self._inflate.unconsumed_tail
        self._base += len(self._in) - len(rest)
        self._in = rest
        if self._inflate.eof:
            self._inflate = zlib.decompressobj(31)
            self._started = False

    def _resync(self, skip: int) -> None:
        """Drop input up to the next gzip member header after ``skip`` bytes."""
        self._inflate = zlib.decompressobj(31)
        self._started = False
        pos = skip
        while True:
            hit = self._in.find(b"\x1f\x8b\x08", pos)
            if hit >= 0:
                self._base += hit
                self._in = self._in[hit:]
                return
            keep = min(len(self._in), 2)
            self._base += len(self._in) - keep
            self._in = self._in[len(self._in) - keep :]
            pos = 0
            if not self._more():
                self._base += len(self._in)
                self._in = b""
                self._done = True
                return

    def _problem(self, offset: int, what: str, *, resumed: bool = True) -> None:
        after = " at the next gzip member, if any" if resumed else ""
        self.problems.append(
            f"at byte {offset} of the gzip data (after {self._produced} decompressed bytes):"
            f" {what}{'; reading went on' + after if resumed else ''}"
        )


def _replay(head: bytes, rest: BinaryIO) -> BinaryIO:
    # stdin cannot seek back, so the bytes looked at are put in front of the rest.
    return io.BufferedReader(_Replay(head, rest), buffer_size=1 << 20)


class _Replay(io.RawIOBase):
    """Bytes already read from a stream, followed by the rest of the stream."""

    def __init__(self, head: bytes, rest: BinaryIO) -> None:
        super().__init__()
        self._head = memoryview(head)
        self._read = getattr(rest, "read1", rest.read)

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        if self._head:
            n = min(len(buffer), len(self._head))
            buffer[:n] = self._head[:n]
            self._head = self._head[n:]
            return n
        data = self._read(len(buffer))
        n = len(data)
        buffer[:n] = data
        return n
