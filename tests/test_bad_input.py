"""Damaged input files, generated here (never committed): every complete record before and
after the damage is read, and the damage is one message naming the file and the place."""

from __future__ import annotations

import gzip
import os
import time
import zlib
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from copydesk.model import Article, Rejection
from copydesk.reading import read_path
from copydesk.reading.jsonl import raw_lines


def records(lo: int, hi: int) -> bytes:
    return b"".join(
        b'{"id":"r%d","text":"words of invented record %d"}\n' % (i, i) for i in range(lo, hi)
    )


def read(path: Path) -> tuple[list[str], list[Rejection]]:
    items = list(read_path(path, workers=1))
    ids = [x.id for x in items if isinstance(x, Article)]
    return ids, [x for x in items if isinstance(x, Rejection)]


def ids(lo: int, hi: int) -> list[str]:
    return [f"r{i}" for i in range(lo, hi)]


def test_a_nul_byte_costs_only_its_record(tmp_path: Path) -> None:
    path = tmp_path / "nul.jsonl"
    path.write_bytes(records(0, 5) + b'{"id":"x","text":"a\x00b"}\n' + records(5, 10))
    got, problems = read(path)
    assert got == ids(0, 10)
    assert [(p.line, p.record_id) for p in problems] == [(6, "x")]
    assert "NUL" in problems[0].reason and str(path) in str(problems[0])


def test_a_signature_at_the_start_of_json_lines_costs_only_the_first_record(
    tmp_path: Path,
) -> None:
    path = tmp_path / "sig.jsonl"
    path.write_bytes(b"GIF87a\x80" + records(0, 5))  # damage that looks like an image
    got, problems = read(path)
    assert got == ids(1, 5)
    assert [p.line for p in problems] == [1] and "not valid UTF-8" in problems[0].reason
    png = tmp_path / "image.jsonl"
    png.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8)  # a real image
    got, problems = read(png)
    assert got == [] and len(problems) == 1 and "PNG image" in problems[0].reason


def test_a_binary_file_is_still_one_rejection(tmp_path: Path) -> None:
    path = tmp_path / "blob.jsonl"
    path.write_bytes(bytes(range(256)) * 64)
    got, problems = read(path)
    assert got == [] and len(problems) == 1 and "NUL" in problems[0].reason


@pytest.mark.parametrize("cut", [4, 8, 30])
def test_a_truncated_gzip_keeps_what_came_before(tmp_path: Path, cut: int) -> None:
    data = gzip.compress(records(0, 100))
    path = tmp_path / "trunc.jsonl.gz"
    path.write_bytes(data[:-cut])
    got, problems = read(path)
    whole = zlib.decompressobj(31).decompress(data[:-cut])
    complete = whole.count(b"\n")  # lines that reached their end
    assert got[:complete] == ids(0, complete) and len(got) >= complete
    assert any("truncated" in p.reason and p.source == str(path) for p in problems)


def test_junk_between_gzip_members_costs_nothing(tmp_path: Path) -> None:
    path = tmp_path / "junk.jsonl.gz"
    path.write_bytes(gzip.compress(records(0, 50)) + b"JUNK" * 40 + gzip.compress(records(50, 99)))
    got, problems = read(path)
    assert got == ids(0, 99)
    assert len(problems) == 1 and "junk between gzip members" in problems[0].reason
    assert "at byte " in problems[0].reason


def test_cr_only_line_endings_are_lines(tmp_path: Path) -> None:
    path = tmp_path / "mac.jsonl"
    path.write_bytes(records(0, 20).replace(b"\n", b"\r"))
    got, problems = read(path)
    assert got == ids(0, 20) and problems == []


def test_a_named_pipe_in_a_folder_is_skipped_not_waited_on(tmp_path: Path) -> None:
    if not hasattr(os, "mkfifo"):
        pytest.skip("no named pipes on this system")
    folder = tmp_path / "pages"
    folder.mkdir()
    os.mkfifo(folder / "pipe.html")
    words = "Invented words of a story about a harbour that reopened in the spring. " * 10
    (folder / "a.html").write_text(
        f"<html><head><title>Harbour</title></head><body><article><p>{words}</p>"
        "</article></body></html>"
    )
    started = time.monotonic()
    got, problems = read(folder)
    assert time.monotonic() - started < 60
    assert got == [str(folder / "a.html")]
    assert [p.source for p in problems] == [str(folder / "pipe.html")]
    assert "not a regular file" in problems[0].reason


def test_blank_line_runs_are_skipped_in_bulk(tmp_path: Path) -> None:
    # A gzip bomb of newlines: 64 MB here (the 1 GB case is the same loop, 16 × longer).
    path = tmp_path / "newlines.jsonl.gz"
    packer = zlib.compressobj(6, zlib.DEFLATED, 31)
    with path.open("wb") as out:
        out.write(packer.compress(records(0, 3)))
        block = b"\n" * (1 << 20)
        for _ in range(64):
            out.write(packer.compress(block))
        out.write(packer.compress(records(3, 6)) + packer.flush())
    got, problems = read(path)
    assert got == ids(0, 6) and problems == []
    with gzip.open(path) as stream:
        lines = [n for n, _ in raw_lines(stream, 1 << 20)]
    assert lines[3] == 3 + (64 << 20) + 1  # line numbers still count every blank line


# -- fuzzing: damage anywhere never costs a record that does not touch it -----------------


@st.composite
def damaged_jsonl(draw):
    n = draw(st.integers(1, 30))
    lines = [b'{"id":"r%d","text":"words %d"}' % (i, i) for i in range(n)]
    newline = draw(st.sampled_from([b"\n", b"\r\n"]))
    data = bytearray(newline.join(lines) + newline)
    spans = []
    for _ in range(draw(st.integers(0, 3))):
        at = draw(st.integers(0, len(data)))
        junk = draw(st.binary(min_size=1, max_size=12))
        data[at:at] = junk
        spans.append((at, len(junk)))
    return n, bytes(data), newline


def _intact(data: bytes, newline: bytes, n: int) -> set[str]:
    """The ids whose line survives byte for byte in ``data``."""
    present = set(data.split(b"\n"))
    out = set()
    for i in range(n):
        line = b'{"id":"r%d","text":"words %d"}' % (i, i)
        if line in present or line + b"\r" in present:
            out.add(f"r{i}")
    return out


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(case=damaged_jsonl(), gz=st.booleans(), cut=st.integers(0, 40))
def test_fuzz_jsonl_keeps_every_intact_record(tmp_path: Path, case, gz: bool, cut: int) -> None:
    n, data, newline = case
    path = tmp_path / ("f.jsonl.gz" if gz else "f.jsonl")
    expected = _intact(data, newline, n)
    if gz:
        half = len(data) // 2
        packed = gzip.compress(data[:half]) + b"\x00junk" + gzip.compress(data[half:])
        packed = packed[: len(packed) - cut] if cut else packed
        path.write_bytes(packed)
        if cut:  # a cut tail takes the second member's end: count on the lines that
            # end inside the first member only (one running on past it is the second's)
            expected = _intact(data[: data.rfind(b"\n", 0, half) + 1], newline, n)
    else:
        path.write_bytes(data)
    got, problems = read(path)
    assert expected <= set(got), (expected - set(got), [str(p) for p in problems])
    assert all(p.source == str(path) for p in problems)


# -- web archives ------------------------------------------------------------------------


def page(i: int) -> bytes:
    words = f"Invented words of story number {i} about the river ferry timetable. " * 12
    return (
        f"<html><head><title>Story {i}</title></head><body><article><p>{words}</p>"
        "</article></body></html>"
    ).encode()


def warc_record(i: int, extra_length: int = 0) -> bytes:
    body = b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n\r\n" + page(i)
    head = (
        "WARC/1.0\r\nWARC-Type: response\r\n"
        f"WARC-Record-ID: <urn:uuid:00000000-0000-0000-0000-{i:012d}>\r\n"
        "WARC-Date: 2024-01-01T00:00:00Z\r\n"
        f"WARC-Target-URI: https://ferry.example/story-{i}\r\n"
        "Content-Type: application/http; msgtype=response\r\n"
        f"Content-Length: {len(body) + extra_length}\r\n\r\n"
    ).encode()
    return head + body + b"\r\n\r\n"


def urls(numbers) -> list[str]:
    return sorted(f"https://ferry.example/story-{i}" for i in numbers)


@pytest.mark.parametrize("gz", [False, True])
def test_a_content_length_too_large_does_not_swallow_the_next_record(
    tmp_path: Path, gz: bool
) -> None:
    data = b"".join(warc_record(i, 500 if i == 4 else 0) for i in range(10))
    path = tmp_path / ("long.warc.gz" if gz else "long.warc")
    path.write_bytes(gzip.compress(data) if gz else data)
    got, problems = read(path)
    assert sorted(got) == urls(i for i in range(10) if i != 4)
    [problem] = problems
    assert "<urn:uuid:00000000-0000-0000-0000-000000000004>" in problem.reason
    assert "Content-Length" in problem.reason and "at byte " in str(problem)


def test_a_single_stream_warc_gz_truncated_near_its_end(tmp_path: Path) -> None:
    data = b"".join(warc_record(i) for i in range(10))
    packed = gzip.compress(data)[:-60]
    path = tmp_path / "cut.warc.gz"
    path.write_bytes(packed)
    readable = zlib.decompressobj(31).decompress(packed)
    complete = [i for i in range(10) if warc_record(i) in readable]
    assert len(complete) >= 5  # the fixture leaves most records whole
    got, problems = read(path)
    assert sorted(got) == urls(complete)
    assert problems and all(p.source == str(path) for p in problems)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    at=st.lists(st.floats(0, 1), min_size=1, max_size=2),
    junk=st.binary(min_size=1, max_size=40),
)
def test_fuzz_warc_keeps_every_untouched_record(tmp_path: Path, at, junk: bytes) -> None:
    records = [warc_record(i) for i in range(6)]
    data = b"".join(records)
    spans, pos = [], 0
    for r in records:
        spans.append((pos, pos + len(r)))
        pos += len(r)
    cuts = sorted({int(x * len(data)) for x in at})
    damaged = bytearray(data)
    for c in reversed(cuts):
        damaged[c:c] = junk
    # a record is untouched when no junk went strictly inside it
    untouched = [i for i, (lo, hi) in enumerate(spans) if not any(lo < c < hi for c in cuts)]
    path = tmp_path / "fuzz.warc"
    path.write_bytes(bytes(damaged))
    got, problems = read(path)
    assert set(urls(untouched)) <= set(got), [str(p) for p in problems]


def test_warc_with_junk_before_its_first_record_keeps_the_untouched_ones(tmp_path: Path) -> None:
    """A NUL byte before the first header and junk inside the second record (found by the
    fuzzer): the file is still a WARC file, and every record but the second is read."""
    records = [warc_record(i) for i in range(6)]
    second = len(records[0])
    data = b"".join(records)
    cut = second + len(records[1]) // 2
    damaged = b"\x00" + data[:cut] + b"\x00" + data[cut:]
    path = tmp_path / "junk.warc"
    path.write_bytes(damaged)
    got, problems = read(path)
    assert set(urls([0, 2, 3, 4, 5])) <= set(got), [str(p) for p in problems]


def test_nul_padding_around_a_record_is_not_part_of_it(tmp_path: Path) -> None:
    path = tmp_path / "padded.jsonl"
    path.write_bytes(
        b'{"id":"r0","text":"words 0"}\x00\x00\x00\r\n'
        b'\x00\x00{"id":"r1","text":"words 1"}\n'
        b'{"id":"r2","text":"wor\x00ds 2"}\n'  # inside the record: damage
        b"\x00\x00\x00\n"
        b'{"id":"r3","text":"words 3"}\n'
    )
    got, problems = read(path)
    assert got == ["r0", "r1", "r3"]
    assert [p.line for p in problems] == [3]
