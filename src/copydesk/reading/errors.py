"""The one exception of the reading stage (defined with the others in copydesk.errors)."""

from __future__ import annotations

from copydesk.errors import RecordError

__all__ = ["RecordError"]
