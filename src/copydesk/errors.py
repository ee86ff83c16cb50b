"""The errors copydesk raises on purpose, in one place.

    CopydeskError            anything copydesk refuses to do, with a message saying why
    ├── RecordError          a record (or one input) that cannot become an Article;
    │   │                    ``reason`` says why (also a ValueError)
    │   └── ImpreciseDateError  a date of year or month precision: a reader keeps the
    │                        record without it, and warns
    ├── EngineError          an engine cannot run as asked (Spark engine without pyspark
    │                        or Java, a master it cannot reach)
    └── StoreError           the store cannot be used as asked; the message says what
        │                    to do (also a RuntimeError)
        └── NoStoreError     a store to be read does not exist (``create=False``)

Stages raise these; the edges translate them: ``cli.py`` into an error line and an exit
code, ``web/`` into an HTTP answer. Anything else escaping a stage is a bug.
"""

from __future__ import annotations

from pathlib import Path

__all__ = [
    "CopydeskError",
    "EngineError",
    "ImpreciseDateError",
    "NoStoreError",
    "RecordError",
    "StoreError",
    "read_user_file",
]


class CopydeskError(Exception):
    """Something copydesk cannot do as asked; the message says why."""


class RecordError(CopydeskError, ValueError):
    """A record (or a single input) that cannot become an Article; ``reason`` says why."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class ImpreciseDateError(RecordError):
    """A date that gives only the year or the month ("2022-04"): too coarse to say which
    of two articles came first."""


class EngineError(CopydeskError, RuntimeError):
    """An engine cannot run as asked (a missing dependency, a cluster out of reach)."""


class StoreError(CopydeskError, RuntimeError):
    """The store cannot be used as asked; the message says what to do."""


class NoStoreError(StoreError):
    """A store was to be read, but its file does not exist (opened with ``create=False``)."""


def read_user_file(path: str | Path, what: str, error: type[Exception]) -> str:
    """The UTF-8 text of a file the user names (an agencies, aliases, partners, feeds or
    atlas file); ``error(message)`` naming the file once and saying what is wrong."""
    try:
        return Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise error(f"{path}: cannot read the {what} ({exc.strerror or exc})") from None
    except UnicodeDecodeError as exc:
        raise error(f"{path}: the {what} is not UTF-8 text (byte {exc.start})") from None
