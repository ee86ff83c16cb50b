"""The exceptions of the reading stage (defined with the others in copydesk.errors)."""

from __future__ import annotations

from copydesk.errors import ImpreciseDateError, RecordError

__all__ = ["ImpreciseDateError", "RecordError"]
