"""Progress reports of long operations (ingest, scan, re-extraction): what phase is in
progress, how much of it is done, and of how much.

An operation calls its ``progress`` callback with a :class:`Step` when a phase starts,
as it advances (at most every ``Ticker.every`` seconds, so a fast loop costs nothing)
and when the phase ends. Where the size of a phase is known beforehand (the bytes of the
input files, the articles to scan, the pairs to judge) ``total`` says it, so a display
can show a bar and an estimate of the time left; ``None`` means it is not known.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import TypeVar

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Step:
    """How far one phase of an operation has got."""

    phase: str  # "reading", "fingerprinting", "candidates", "aligning", ...
    done: int  # how much of the phase is done, in ``unit``
    total: int | None  # how much there is (None: not known beforehand)
    unit: str = "articles"  # "bytes", "articles", "pairs", "postings"


Progress = Callable[[Step], None]


class Ticker:
    """Reports one phase to a ``Progress`` callback (or to nothing): ``start`` when it
    begins, ``advance``/``at`` as it goes (throttled to one report every ``every``
    seconds), ``end`` when it is done (``done`` set to ``total`` when that is known)."""

    def __init__(
        self,
        progress: Progress | None,
        phase: str,
        total: int | None,
        unit: str = "articles",
        *,
        every: float = 0.1,
    ) -> None:
        self.progress, self.phase, self.total, self.unit = progress, phase, total, unit
        self.every = every
        self.done = 0
        self._last = 0.0
        self._report()

    def _report(self) -> None:
        if self.progress is not None:
            self._last = time.monotonic()
            self.progress(Step(self.phase, self.done, self.total, self.unit))

    def at(self, done: int) -> None:
        """``done`` of the phase are done."""
        self.done = done
        if self.progress is not None and time.monotonic() - self._last >= self.every:
            self._report()

    def advance(self, n: int = 1) -> None:
        """``n`` more are done."""
        self.at(self.done + n)

    def end(self) -> None:
        if self.total is not None:
            self.done = max(self.done, self.total)
        self._report()

    def counting(self, items: Iterable[T], size: Callable[[T], int] = lambda _: 1) -> Iterator[T]:
        """``items`` passed through, advancing by ``size(item)`` for each."""
        for item in items:
            yield item
            self.advance(size(item))
