"""The reading stage: input files and records → Articles, bad input → Rejections.

``read_path``/``read_paths`` read whole inputs for ingest; ``read_single`` reads the one
article ``copydesk trace`` looks at. Field names and aliases: see ``records``.
"""

from __future__ import annotations

from .dates import parse_published
from .errors import RecordError
from .files import read_path, read_paths
from .outlets import outlet_from_url
from .records import DEFAULT_MAX_TEXT_BYTES, FIELDS, article_from_mapping
from .single import read_single

__all__ = [
    "DEFAULT_MAX_TEXT_BYTES",
    "FIELDS",
    "RecordError",
    "article_from_mapping",
    "outlet_from_url",
    "parse_published",
    "read_path",
    "read_paths",
    "read_single",
]
