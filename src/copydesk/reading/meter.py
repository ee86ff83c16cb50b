"""How far reading has got through its inputs, for progress bars."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import TypeVar

from copydesk.progress import Progress, Ticker

T = TypeVar("T")


class ReadMeter:
    """How far reading has got through its inputs, in bytes as they are on disk (a
    gzipped file counts its compressed bytes): ``done`` of ``total``. ``total`` is None
    when an input's size cannot be known beforehand (stdin).

    ``read_paths`` moves from input to input (``begin``, ``end``); a reader that streams
    a file tells the meter where it is (``watch``), one that reads files whole counts
    them (``advance``)."""

    def __init__(self, sizes: list[int | None]) -> None:
        self.sizes = sizes
        self.total: int | None = None if None in sizes else sum(s or 0 for s in sizes)
        self._finished = 0  # bytes of the inputs read to the end
        self._size = 0  # size of the input being read
        self._here = 0  # bytes of it counted with ``advance``
        self._position: Callable[[], int] | None = None

    @classmethod
    def of(cls, paths: Iterable[str | Path]) -> ReadMeter:
        return cls([input_size(p) for p in paths])

    @property
    def done(self) -> int:
        here = self._here
        if self._position is not None:
            try:
                here = self._position()
            except (OSError, ValueError):  # the watched file was closed
                self._position = None
        return self._finished + min(here, self._size)

    def begin(self, index: int) -> None:
        """Reading of input ``index`` begins."""
        self._size, self._here, self._position = self.sizes[index] or 0, 0, None

    def watch(self, position: Callable[[], int]) -> None:
        """The input being read is at ``position()`` bytes."""
        self._position = position

    def advance(self, n: int) -> None:
        self._here += n

    def end(self) -> None:
        self._finished += self._size
        self._size, self._here, self._position = 0, 0, None


def input_size(path: str | Path) -> int | None:
    """The bytes an input holds: a file's size, the pages of a folder; None for stdin."""
    if str(path) == "-":
        return None
    p = Path(path)
    try:
        if p.is_dir():
            from .html_pages import html_files

            return sum(f.stat().st_size for f in html_files(p, []))
        return p.stat().st_size if p.is_file() else 0
    except OSError:
        return 0


def metered(items: Iterable[T], meter: ReadMeter, progress: Progress | None) -> Iterator[T]:
    """``items`` (read from the inputs ``meter`` follows) passed through, ``progress``
    hearing of the phase "reading": bytes done of the inputs' total."""
    ticker = Ticker(progress, "reading", meter.total, "bytes")
    for item in items:
        yield item
        ticker.at(meter.done)
    ticker.end()
