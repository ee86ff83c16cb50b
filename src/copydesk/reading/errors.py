"""The one exception of the reading stage."""

from __future__ import annotations


class RecordError(ValueError):
    """A record (or a single input) that cannot become an Article; ``reason`` says why."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason
